// A recorded run's trained model: rebuilt from its spec with the weights of its default checkpoint, its last or
// best epoch's (electron/shared/weights.ts) or a given epoch's, for prediction (Draw, the confusion-cell gallery),
// inspection and export.
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { toKerasCode } from '#shared/model/keras.ts';
import { singleLine } from '#shared/plain-text.ts';
import { initBackend, type BackendPreference } from '../backend/backends.ts';
import { StoreError, type CheckpointRecord, type RunRecord, type Store } from '../store/index.ts';
import type { CheckpointChoice } from '../store/store.ts';
import { defaultWeightsOf, describeWeights, noBestReason, type WeightsChoice } from '#shared/weights.ts';
import { exportLayersModel, loadCheckpoint } from '../train/checkpoint.ts';
import { buildModel } from './build.ts';

/** An epoch the run has no checkpoint for; `issues` names the request field that asked for it. */
export class CheckpointEpochError extends StoreError {
  readonly issues: { field: string }[];
  constructor(message: string, field: string) {
    super(message);
    this.name = 'CheckpointEpochError';
    this.issues = [{ field }];
  }
}

/** "1–5, 7, 9–10": a run's checkpoint epochs, short however many epochs it trained. */
export function describeEpochs(epochs: readonly number[]): string {
  const sorted = [...epochs].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    ranges.push(j === i ? String(sorted[i]) : `${sorted[i]}–${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(', ');
}

/**
 * The run's checkpoint after `epoch` finished epochs, its 'last' or 'best' epoch's, or its default weights' without
 * one. A run without any, a best it has not, or an epoch it has none for, is refused naming what it has; `field` is
 * the request field the choice came from.
 */
export function runCheckpoint(
  store: Store,
  runId: number,
  epoch: CheckpointChoice = 'default',
  field = typeof epoch === 'number' ? 'epoch' : 'weights',
): CheckpointRecord {
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  if (typeof epoch !== 'number') {
    const found = store.checkpointFor(runId, epoch);
    if (found) return found;
    if (store.listCheckpoints(runId).length === 0)
      throw new StoreError(`run ${runId} has no saved weights yet (it has not finished an epoch)`);
    const which = epoch === 'default' ? defaultWeightsOf(run) : epoch;
    const why = which === 'best' ? `no best epoch: ${noBestReason(run)}` : 'no such checkpoint';
    throw new CheckpointEpochError(`run ${runId} has ${why} (${which} weights)`, field);
  }
  const checkpoints = store.listCheckpoints(runId);
  const found = checkpoints.find((c) => c.epoch === epoch);
  if (found) return found;
  if (checkpoints.length === 0)
    throw new StoreError(`run ${runId} has no saved weights yet (it has not finished an epoch)`);
  const has = describeEpochs(checkpoints.map((c) => c.epoch));
  throw new CheckpointEpochError(
    `run ${runId} has no checkpoint for epoch ${epoch}; it has ${checkpoints.length === 1 ? 'epoch' : 'epochs'} ${has}`,
    field,
  );
}

/**
 * Builds a run's model with the weights of its default checkpoint, of its 'last' or 'best' epoch's, or of the
 * checkpoint after `epoch` epochs, for prediction, inspection and export.
 */
export async function loadRunModel(
  store: Store,
  runId: number,
  backend: BackendPreference = 'auto',
  epoch: CheckpointChoice = 'default',
): Promise<{ model: tf.LayersModel; run: RunRecord; epoch: number }> {
  await initBackend(backend);
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  const checkpoint = runCheckpoint(store, runId, epoch);
  const model = buildModel(run.spec, { numClasses: run.dataset.classes.length });
  try {
    return { model, run, epoch: await loadCheckpoint(checkpoint.path, model) };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The run's network as a Keras script, headed by where it came from (the weights stay in the tfjs files). */
export function runKerasCode(run: RunRecord, totalParams: number | null): string {
  const header = [
    `# Run #${run.id} “${singleLine(run.name)}”, exported from Layerlab: the network only.`,
    '# The trained weights are in model.json + weights.bin (TensorFlow.js layers format).',
    '',
  ];
  return header.join('\n') + toKerasCode(run.spec, totalParams);
}

/**
 * Writes the model (tfjs layers format) with the run's default weights (or its `weights`: last or best epoch's),
 * its spec, hyperparameters, metrics, those weights' evaluation and Keras code (model.py) to a folder; run.json
 * says which epoch's weights (exportedEpoch, exportedWeights). Returns the names of the files written.
 */
export async function exportRun(store: Store, runId: number, dir: string, weights?: WeightsChoice): Promise<string[]> {
  const record = store.getRun(runId);
  if (!record) throw new StoreError(`run ${runId} does not exist`);
  const which = weights ?? defaultWeightsOf(record);
  const { model, run, epoch } = await loadRunModel(store, runId, 'auto', which);
  try {
    const files = await exportLayersModel(model, dir);
    const write = (name: string, value: unknown) => {
      fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
      files.push(name);
    };
    write('spec.json', run.spec);
    write('run.json', {
      ...run,
      exportedEpoch: epoch,
      exportedWeights: which,
      exportedWeightsLabel: `weights ${describeWeights(run, which)}`,
    });
    write('metrics.json', { epochs: store.getEpochMetrics(runId), batches: store.getBatchMetrics(runId) });
    const evaluation = store.getEvaluation(runId, epoch);
    if (evaluation) write('evaluation.json', evaluation);
    fs.writeFileSync(path.join(dir, 'model.py'), runKerasCode(run, model.countParams()));
    files.push('model.py');
    return files;
  } finally {
    model.dispose();
  }
}
