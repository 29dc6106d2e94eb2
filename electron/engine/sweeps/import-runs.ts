// `layerlab runs import DIR…`: merges run folders that `layerlab export` wrote (on this machine or another one:
// run.json, spec.json, metrics.json, model.json + weights.bin, evaluation.json when the run was evaluated) into
// this database as runs, with their epochs, batches and evaluation, and their weights as a checkpoint, so
// Evaluate and Draw work on them. A folder that is no such export is refused with the reason.
//
// Duplicates: a run is identified at its origin by its id there, its creation and start times, its spec, its
// hyperparameters and its dataset; a SHA-256 of those is kept with the imported run (run_imports.source_key), so
// importing the same run again, from the same folder or another export of it (at another epoch even), is refused
// naming the run it already is. An export of a run of this very database is refused too.
//
// A folder with sweep-point.json (what run-point.sh of `layerlab sweep export` copies there) is attached to its
// sweep's point when the sweep is in this database: it takes the place of that point's queued run.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../backend/backends.ts';
import { FileReadError, readJsonFile } from '../files.ts';
import { buildModel } from '../model/build.ts';
import type { Store } from '../store/index.ts';
import type { ImportedRun } from '../store/sweeps.ts';
import { runCheckpointDir, writeCheckpoint } from '../train/checkpoint.ts';
import { markRunFolder, prepareRunFolder } from '../train/run-folder.ts';
import { SWEEP_POINT_FILE, type SweepPointFile } from './cluster-export.ts';
import { HyperparameterError, parseHyperparameters } from '#shared/hyperparameters.ts';
import { parseSpec, SpecError, type ModelSpec } from '#shared/model/spec.ts';
import { MAX_NOTES_LENGTH } from '#shared/records.ts';
import {
  RUN_STATUSES,
  type BatchMetric,
  type EpochMetric,
  type EvaluationResult,
  type RunStatus,
} from '#shared/types.ts';

/** What `layerlab export` writes and an import needs (evaluation.json only for a run that was evaluated). */
export const EXPORT_FILES = ['run.json', 'spec.json', 'metrics.json', 'model.json', 'weights.bin'] as const;
const MAX_JSON_BYTES = 256 * 1024 * 1024;
const MAX_SMALL_JSON_BYTES = 16 * 1024 * 1024;

export type ImportOutcome =
  | {
      dir: string;
      imported: true;
      runId: number;
      name: string;
      sweep: { sweepId: number; point: number } | null;
      note: string | null;
    }
  | { dir: string; imported: false; duplicateOf: number | null; reason: string };

/** A folder is refused with this: the reason, in words. */
class NotAnExport extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function readJson(dir: string, name: string, maxBytes = MAX_SMALL_JSON_BYTES): unknown {
  try {
    return readJsonFile(path.join(dir, name), maxBytes);
  } catch (err) {
    if (err instanceof FileReadError) throw new NotAnExport(`${name} ${err.reason}`);
    throw err;
  }
}

/** NaN is written as null in JSON: the metrics come back as numbers. */
const num = (v: unknown): number => (typeof v === 'number' ? v : Number.NaN);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? v : null);

function epochsOf(raw: unknown): EpochMetric[] {
  if (!Array.isArray(raw)) throw new NotAnExport('metrics.json has no list of epochs');
  return raw.map((e, i) => {
    if (!isObject(e) || !Number.isSafeInteger(e.epoch))
      throw new NotAnExport(`metrics.json: epoch ${i} is not an epoch metric`);
    return {
      ...(e as unknown as EpochMetric),
      loss: num(e.loss),
      accuracy: num(e.accuracy),
      valLoss: numOrNull(e.valLoss),
      valAccuracy: numOrNull(e.valAccuracy),
      durationMs: typeof e.durationMs === 'number' ? e.durationMs : 0,
      samplesPerSecond: num(e.samplesPerSecond),
      time: typeof e.time === 'number' ? e.time : 0,
    };
  });
}

function batchesOf(raw: unknown): BatchMetric[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw new NotAnExport('metrics.json: batches is not a list');
  return raw.map((b, i) => {
    if (!isObject(b)) throw new NotAnExport(`metrics.json: batch ${i} is not a batch metric`);
    return {
      epoch: b.epoch as number,
      batch: b.batch as number,
      step: b.step as number,
      loss: num(b.loss),
      accuracy: num(b.accuracy),
      samplesPerSecond: num(b.samplesPerSecond),
      time: typeof b.time === 'number' ? b.time : 0,
    };
  });
}

function evaluationOf(raw: unknown): EvaluationResult | null {
  if (raw === undefined) return null;
  if (!isObject(raw)) throw new NotAnExport('evaluation.json is not an evaluation');
  return {
    ...(raw as unknown as EvaluationResult),
    testLoss: num(raw.testLoss),
    testAccuracy: num(raw.testAccuracy),
    durationMs: typeof raw.durationMs === 'number' ? raw.durationMs : 0,
  };
}

/** The weights in model.json's order, checked against the shapes the spec's model has. */
function readWeights(dir: string, spec: ModelSpec, classes: number): { tensors: tf.Tensor[] } {
  const model = readJson(dir, 'model.json');
  const manifest = isObject(model) && Array.isArray(model.weightsManifest) ? model.weightsManifest : null;
  if (!manifest || manifest.length !== 1 || !isObject(manifest[0]) || !Array.isArray(manifest[0].weights))
    throw new NotAnExport('model.json is not a TensorFlow.js layers model with one weights file');
  const group = manifest[0] as { paths?: unknown; weights: tf.io.WeightsManifestEntry[] };
  if (!Array.isArray(group.paths) || group.paths.length !== 1 || group.paths[0] !== 'weights.bin')
    throw new NotAnExport('model.json does not keep its weights in weights.bin');
  const specs = group.weights;
  if (!specs.every((w) => isObject(w) && typeof w.name === 'string' && Array.isArray(w.shape) && w.dtype === 'float32'))
    throw new NotAnExport('model.json lists weights that are not float32 tensors');
  const bytes = fs.readFileSync(path.join(dir, 'weights.bin'));
  const expected = specs.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * 4, 0);
  if (bytes.byteLength !== expected)
    throw new NotAnExport(`weights.bin holds ${bytes.byteLength} bytes, but model.json describes ${expected}`);
  const built = buildModel(spec, { numClasses: classes });
  const shapes = built.getWeights().map((w) => w.shape.join('×'));
  built.dispose();
  const given = specs.map((w) => w.shape.join('×'));
  if (shapes.join() !== given.join())
    throw new NotAnExport(
      `model.json's weights (${given.join(', ')}) do not fit spec.json's network (${shapes.join(', ')})`,
    );
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const decoded = tf.io.decodeWeights(buffer, specs);
  return { tensors: specs.map((w) => decoded[w.name]) };
}

/** The key that identifies a run at its origin (see the header). */
export function importKey(run: Record<string, unknown>, spec: unknown): string {
  const dataset = isObject(run.dataset) ? run.dataset.id : null;
  const identity = [run.id, run.createdAt, run.startedAt ?? null, spec, run.hyperparameters, dataset];
  return crypto.createHash('sha256').update(JSON.stringify(identity)).digest('hex');
}

interface ReadExport {
  key: string;
  sourceRunId: number;
  exportedEpoch: number;
  run: Omit<ImportedRun, 'source'>;
  point: SweepPointFile | null;
}

/** Reads and checks an export folder; throws NotAnExport with the reason. */
function readExport(dir: string): ReadExport {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(dir);
  } catch {
    throw new NotAnExport('no such folder');
  }
  if (!stat.isDirectory()) throw new NotAnExport('not a folder');
  const missing = EXPORT_FILES.filter((name) => !fs.existsSync(path.join(dir, name)));
  if (missing.length)
    throw new NotAnExport(
      `not a Layerlab run export: ${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing (layerlab export writes ${EXPORT_FILES.join(', ')})`,
    );
  const run = readJson(dir, 'run.json');
  if (
    !isObject(run) ||
    !Number.isSafeInteger(run.id) ||
    typeof run.createdAt !== 'number' ||
    typeof run.name !== 'string'
  )
    throw new NotAnExport('run.json is not an exported run (it has no id, createdAt and name)');
  if (!(RUN_STATUSES as readonly unknown[]).includes(run.status))
    throw new NotAnExport(`run.json: unknown status ${JSON.stringify(run.status)}`);
  const dataset = run.dataset;
  if (
    !isObject(dataset) ||
    typeof dataset.id !== 'string' ||
    !Array.isArray(dataset.classes) ||
    dataset.classes.length < 2
  )
    throw new NotAnExport('run.json has no dataset with its classes');
  const rawSpec = readJson(dir, 'spec.json');
  let spec: ModelSpec;
  let hyperparameters;
  try {
    spec = parseSpec(rawSpec, { numClasses: dataset.classes.length }).spec;
  } catch (err) {
    if (err instanceof SpecError) throw new NotAnExport(`spec.json: ${err.message}`);
    throw err;
  }
  try {
    hyperparameters = parseHyperparameters(run.hyperparameters);
  } catch (err) {
    if (err instanceof HyperparameterError) throw new NotAnExport(`run.json: hyperparameters: ${err.message}`);
    throw err;
  }
  const metrics = readJson(dir, 'metrics.json', MAX_JSON_BYTES);
  if (!isObject(metrics)) throw new NotAnExport('metrics.json holds no epochs and batches');
  const epochs = epochsOf(metrics.epochs);
  const batches = batchesOf(metrics.batches);
  const evaluation = fs.existsSync(path.join(dir, 'evaluation.json'))
    ? evaluationOf(readJson(dir, 'evaluation.json'))
    : null;
  const exportedEpoch = Number.isSafeInteger(run.exportedEpoch)
    ? (run.exportedEpoch as number)
    : Number.isSafeInteger(run.epochsCompleted)
      ? (run.epochsCompleted as number)
      : epochs.length;
  if (exportedEpoch < 1) throw new NotAnExport('run.json: the export holds no trained epoch (exportedEpoch)');
  const status = run.status as RunStatus;
  const stillTraining = status === 'queued' || status === 'running';
  const origin = `Imported from ${path.resolve(dir)}: run ${run.id} of another database, with its weights after epoch ${exportedEpoch} (no optimizer state, so it is not resumed).`;
  const notes = typeof run.notes === 'string' && run.notes ? `${run.notes}\n\n${origin}` : origin;
  let point: SweepPointFile | null = null;
  if (fs.existsSync(path.join(dir, SWEEP_POINT_FILE))) {
    const raw = readJson(dir, SWEEP_POINT_FILE);
    if (
      !isObject(raw) ||
      raw.format !== 'layerlab-sweep-point' ||
      !isObject(raw.sweep) ||
      typeof raw.sweep.uid !== 'string' ||
      !Number.isSafeInteger(raw.point) ||
      !isObject(raw.values)
    )
      throw new NotAnExport(`${SWEEP_POINT_FILE} does not say which sweep and point the run belongs to`);
    point = raw as unknown as SweepPointFile;
  }
  return {
    key: importKey(run, rawSpec),
    sourceRunId: run.id as number,
    exportedEpoch,
    point,
    run: {
      name: run.name,
      status: stillTraining ? 'interrupted' : (status as ImportedRun['status']),
      spec,
      hyperparameters,
      dataset: dataset as unknown as ImportedRun['dataset'],
      backend: isObject(run.backend) ? (run.backend as unknown as ImportedRun['backend']) : null,
      createdAt: run.createdAt,
      startedAt: typeof run.startedAt === 'number' ? run.startedAt : null,
      finishedAt: typeof run.finishedAt === 'number' ? run.finishedAt : null,
      error: stillTraining
        ? 'it was still training where it was exported'
        : typeof run.error === 'string'
          ? run.error
          : null,
      notes: notes.length > MAX_NOTES_LENGTH ? notes.slice(notes.length - MAX_NOTES_LENGTH) : notes,
      tags: Array.isArray(run.tags) ? (run.tags.filter((t) => typeof t === 'string') as string[]) : [],
      epochs,
      batches,
      evaluation,
      trainingDurationMs: typeof run.trainingDurationMs === 'number' ? run.trainingDurationMs : null,
      samplesPerSecond: typeof run.samplesPerSecond === 'number' ? run.samplesPerSecond : null,
    },
  };
}

/** Imports each folder in turn; a refused one does not stop the others. */
export async function importRunFolders(store: Store, checkpointRoot: string, dirs: string[]): Promise<ImportOutcome[]> {
  await initBackend('auto');
  const outcomes: ImportOutcome[] = [];
  for (const dir of dirs) outcomes.push(await importRunFolder(store, checkpointRoot, dir));
  return outcomes;
}

async function importRunFolder(store: Store, checkpointRoot: string, dir: string): Promise<ImportOutcome> {
  let read: ReadExport;
  try {
    read = readExport(dir);
  } catch (err) {
    if (err instanceof NotAnExport) return { dir, imported: false, duplicateOf: null, reason: err.message };
    throw err;
  }
  const already = store.sweeps.findImport(read.key);
  if (already)
    return {
      dir,
      imported: false,
      duplicateOf: already.runId,
      reason: `already imported as run ${already.runId} (from ${already.sourceDir})`,
    };
  const local = store.sweeps.findRun(read.sourceRunId, read.run.createdAt);
  if (local !== undefined)
    return { dir, imported: false, duplicateOf: local, reason: `it is run ${local} of this database` };
  let weights: tf.Tensor[];
  try {
    weights = readWeights(dir, read.run.spec, read.run.dataset.classes.length).tensors;
  } catch (err) {
    if (err instanceof NotAnExport) return { dir, imported: false, duplicateOf: null, reason: err.message };
    throw err;
  }
  try {
    const runId = store.sweeps.insertImportedRun({
      ...read.run,
      source: { key: read.key, dir: path.resolve(dir), runId: read.sourceRunId, exportedEpoch: read.exportedEpoch },
    });
    try {
      const runDir = runCheckpointDir(checkpointRoot, runId);
      const owner = { id: runId, createdAt: read.run.createdAt };
      prepareRunFolder(runDir, owner, false);
      markRunFolder(runDir, owner);
      const folder = await writeCheckpoint(runDir, {
        epoch: read.exportedEpoch,
        weights: weights.map((tensor, i) => ({ name: `w${i}`, tensor })),
        optimizer: { className: 'none (imported weights only)', weights: [] },
      });
      store.sweeps.recordImportedCheckpoint(runId, read.exportedEpoch, folder);
    } catch (err) {
      store.sweeps.deleteImportedRun(runId);
      throw err;
    }
    let sweep: { sweepId: number; point: number } | null = null;
    let note: string | null = null;
    if (read.point) {
      const attached = store.sweeps.attachImported(read.point.sweep.uid, read.point.point, read.point.values, runId);
      if ('note' in attached) note = attached.note;
      else sweep = attached;
    }
    return { dir, imported: true, runId, name: read.run.name, sweep, note };
  } finally {
    tf.dispose(weights);
  }
}
