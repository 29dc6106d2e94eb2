// Checkpoints: the model's weights and the optimizer's state after an epoch, so a stopped or interrupted
// run resumes exactly where its last finished epoch left it. Written to a temporary folder, each file fsynced,
// the manifest (sizes and checksums, checkpoint-files.ts) last, then renamed into place, so a crash mid-write
// never leaves a half checkpoint behind; a resume takes the newest checkpoint that still verifies.
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { diskFault, errorCode } from '../disk-errors.ts';
import { faultPause } from '../fault-pause.ts';
import type { CheckpointRecord } from '#shared/records.ts';
import {
  CheckpointError,
  describeFile,
  layoutOf,
  MANIFEST_FILE,
  readDataFile,
  readManifest,
  syncFolder,
  verifyCheckpointFolder,
  writeFileDurably,
  type CheckpointManifest,
  type DataFile,
} from './checkpoint-files.ts';

export { CheckpointError } from './checkpoint-files.ts';

/** A checkpoint being written is `epoch-<n>.tmp-<pid>` until it is complete (run-folder.ts cleans up leftovers). */
export const TEMP_FOLDER = /^epoch-\d+\.tmp-(\d+)$/;

/** Writing a checkpoint failed; the message leads with the cause (e.g. "disk full while writing …"). */
export class CheckpointWriteError extends Error {
  override name = 'CheckpointWriteError';
}

async function encode(
  tensors: { name: string; tensor: tf.Tensor }[],
): Promise<{ data: ArrayBuffer; specs: tf.io.WeightsManifestEntry[] }> {
  const { data, specs } = await tf.io.encodeWeights(tensors);
  return { data: data as ArrayBuffer, specs };
}

function toArrayBuffer(buf: Buffer): ArrayBuffer {
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer;
}

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** What a checkpoint holds, in the layout of tfjs's model.getWeights() and optimizer.getWeights(). */
export interface CheckpointContents {
  epoch: number;
  weights: NamedTensor[];
  optimizer: { className: string; weights: NamedTensor[] };
}

/** A run's checkpoints go to <checkpointRoot>/<runId>/epoch-<n>. */
export function runCheckpointDir(checkpointRoot: string, runId: number): string {
  return path.join(checkpointRoot, String(runId));
}

/**
 * Removes a deleted run's files: the checkpoint folders its store rows named, and its own folder under the root
 * with everything in it (half-written `epoch-<n>.tmp-<pid>` folders and the run.json marker included).
 */
export function removeRunCheckpoints(checkpointRoot: string, runId: number, folders: string[]): void {
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
  fs.rmSync(runCheckpointDir(checkpointRoot, runId), { recursive: true, force: true });
}

/** Saves after `epoch` finished epochs into dir/epoch-<epoch>; returns that folder. */
export async function saveCheckpoint(
  dir: string,
  epoch: number,
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
): Promise<string> {
  const optimizerWeights = await optimizer.getWeights();
  try {
    return await writeCheckpoint(dir, {
      epoch,
      weights: model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor })),
      optimizer: { className: optimizer.getClassName(), weights: optimizerWeights },
    });
  } finally {
    // getWeights() creates a fresh scalar for the iteration count (the rest are the optimizer's own variables).
    optimizerWeights.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
  }
}

/** Writes a checkpoint folder atomically (temporary folder, then rename); disk faults are named (CheckpointWriteError). */
export async function writeCheckpoint(dir: string, contents: CheckpointContents): Promise<string> {
  const target = path.join(dir, `epoch-${contents.epoch}`);
  const temp = `${target}.tmp-${process.pid}`;
  const weights = await encode(contents.weights);
  const optimizerEncoded = await encode(contents.optimizer.weights);
  try {
    fs.rmSync(temp, { recursive: true, force: true });
    fs.mkdirSync(temp, { recursive: true });
    const data: Record<DataFile, Buffer> = {
      'weights.bin': Buffer.from(weights.data),
      'optimizer.bin': Buffer.from(optimizerEncoded.data),
    };
    writeFileDurably(path.join(temp, 'weights.bin'), data['weights.bin']);
    faultPause('checkpoint');
    writeFileDurably(path.join(temp, 'optimizer.bin'), data['optimizer.bin']);
    const manifest: CheckpointManifest = {
      format: 'layerlab-checkpoint',
      version: 2,
      epoch: contents.epoch,
      weights: weights.specs,
      optimizer: { className: contents.optimizer.className, weights: optimizerEncoded.specs },
      files: { 'weights.bin': describeFile(data['weights.bin']), 'optimizer.bin': describeFile(data['optimizer.bin']) },
    };
    // Last, so a folder with a manifest has complete data files.
    writeFileDurably(path.join(temp, MANIFEST_FILE), JSON.stringify(manifest));
    syncFolder(temp);
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(temp, target);
    syncFolder(dir);
    return target;
  } catch (error) {
    // A partial folder would hold the very space a full disk lacks; if it cannot go now, the next session removes it.
    try {
      fs.rmSync(temp, { recursive: true, force: true });
    } catch {
      // the write's own error is the one to report
    }
    throw new CheckpointWriteError(describeWriteFailure(error, contents.epoch, target), { cause: error });
  }
}

function describeWriteFailure(error: unknown, epoch: number, target: string): string {
  const fault = diskFault(error);
  if (fault) return `${fault} while writing the epoch ${epoch} checkpoint to ${target}: ${errorCode(error)}`;
  return `could not write the epoch ${epoch} checkpoint to ${target}: ${error instanceof Error ? error.message : String(error)}`;
}

function readTensors(folder: string, manifest: CheckpointManifest, file: DataFile): NamedTensor[] {
  const specs = layoutOf(manifest, file);
  const decoded = tf.io.decodeWeights(toArrayBuffer(readDataFile(folder, manifest, file)), specs);
  // The manifest's order is what matters: weights and optimizer state are matched by position.
  return specs.map((spec) => ({ name: spec.name, tensor: decoded[spec.name] }));
}

/**
 * Reads a checkpoint, checking each file's size and checksum, and its weights against the shapes the model
 * expects (in model.getWeights() order). The caller owns the returned tensors. Without `withOptimizer` the
 * optimizer state is not read.
 */
export function readCheckpoint(folder: string, expectedShapes: number[][], withOptimizer: boolean): CheckpointContents {
  const manifest = readManifest(folder);
  const weights = readTensors(folder, manifest, 'weights.bin');
  if (
    weights.length !== expectedShapes.length ||
    weights.some((w, i) => w.tensor.shape.join() !== expectedShapes[i].join())
  ) {
    tf.dispose(weights.map((w) => w.tensor));
    throw new CheckpointError(`checkpoint ${folder} does not match this model's architecture`);
  }
  let optimizer: NamedTensor[] = [];
  try {
    if (withOptimizer) optimizer = readTensors(folder, manifest, 'optimizer.bin');
  } catch (error) {
    tf.dispose(weights.map((w) => w.tensor));
    throw error;
  }
  return { epoch: manifest.epoch, weights, optimizer: { className: manifest.optimizer.className, weights: optimizer } };
}

/** Why resuming from `record` would fail (its files damaged or missing), or null when it verifies. */
function unreadableBecause(record: CheckpointRecord): string | null {
  try {
    const manifest = verifyCheckpointFolder(record.path);
    if (manifest.epoch !== record.epoch)
      return `${path.join(record.path, MANIFEST_FILE)} holds epoch ${manifest.epoch}, not ${record.epoch}`;
    return null;
  } catch (error) {
    if (error instanceof CheckpointError) return error.message;
    throw error;
  }
}

const LISTED_PROBLEMS = 3;

/**
 * The checkpoint a resume should start from: the newest of the run's recorded checkpoints whose files verify.
 * `notice` says which were skipped and why, and where training starts instead (null when the newest was fine).
 * With none readable, `checkpoint` is null: the run starts again from epoch 0 rather than failing for good.
 */
export function newestReadableCheckpoint(recorded: readonly CheckpointRecord[]): {
  checkpoint: CheckpointRecord | null;
  notice: string | null;
} {
  const problems: string[] = [];
  const describe = (outcome: string) => {
    const listed = problems.slice(0, LISTED_PROBLEMS);
    if (problems.length > LISTED_PROBLEMS)
      listed.push(`${problems.length - LISTED_PROBLEMS} older checkpoint(s) unreadable too`);
    return `${listed.join('; ')}; ${outcome}`;
  };
  for (const record of [...recorded].sort((a, b) => b.epoch - a.epoch)) {
    const problem = unreadableBecause(record);
    if (problem === null) {
      return {
        checkpoint: record,
        notice: problems.length ? describe(`resumed from the epoch ${record.epoch} checkpoint`) : null,
      };
    }
    problems.push(`epoch ${record.epoch} checkpoint unreadable (${problem})`);
  }
  return {
    checkpoint: null,
    notice: problems.length ? describe('no readable checkpoint is left, so training starts again from epoch 0') : null,
  };
}

/** Restores weights (and the optimizer's state, when given one) into a freshly built model of the same spec. */
export async function loadCheckpoint(folder: string, model: tf.LayersModel, optimizer?: tf.Optimizer): Promise<number> {
  const className = readManifest(folder).optimizer.className;
  if (optimizer && className !== optimizer.getClassName()) {
    throw new CheckpointError(
      `checkpoint ${folder} holds ${className} state but the run uses ${optimizer.getClassName()}`,
    );
  }
  const contents = readCheckpoint(
    folder,
    model.getWeights().map((w) => w.shape),
    Boolean(optimizer),
  );
  model.setWeights(contents.weights.map((w) => w.tensor));
  tf.dispose(contents.weights.map((w) => w.tensor));
  if (optimizer) {
    await optimizer.setWeights(contents.optimizer.weights);
    tf.dispose(contents.optimizer.weights.map((w) => w.tensor)); // setWeights copied them into variables
  }
  return contents.epoch;
}

/** Writes the model in the TensorFlow.js layers format (model.json + weights.bin), loadable by tf.loadLayersModel. */
export async function exportLayersModel(model: tf.LayersModel, dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: `Layerlab (TensorFlow.js ${tf.version.tfjs})`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return ['model.json', 'weights.bin'];
}
