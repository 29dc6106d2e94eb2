// A recorded run's trained model: rebuilt from its spec with the weights of its latest checkpoint, for
// prediction (Draw, the confusion-cell gallery) and for export.
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { toKerasCode } from '#shared/model/keras.ts';
import { singleLine } from '#shared/plain-text.ts';
import { initBackend, type BackendPreference } from '../backend/backends.ts';
import { StoreError, type RunRecord, type Store } from '../store/index.ts';
import { exportLayersModel, loadCheckpoint } from '../train/checkpoint.ts';
import { buildModel } from './build.ts';

/** Builds a run's model with the weights of its latest checkpoint, for prediction and export. */
export async function loadRunModel(
  store: Store,
  runId: number,
  backend: BackendPreference = 'auto',
): Promise<{ model: tf.LayersModel; run: RunRecord; epoch: number }> {
  await initBackend(backend);
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  const checkpoint = store.latestCheckpoint(runId);
  if (!checkpoint) throw new StoreError(`run ${runId} has no saved weights yet (it has not finished an epoch)`);
  const model = buildModel(run.spec, { numClasses: run.dataset.classes.length });
  const epoch = await loadCheckpoint(checkpoint.path, model);
  return { model, run, epoch };
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
 * Writes the model (tfjs layers format), its spec, hyperparameters, metrics, evaluation and Keras code (model.py)
 * to a folder; returns the names of the files written.
 */
export async function exportRun(store: Store, runId: number, dir: string): Promise<string[]> {
  const { model, run, epoch } = await loadRunModel(store, runId);
  try {
    const files = await exportLayersModel(model, dir);
    const write = (name: string, value: unknown) => {
      fs.writeFileSync(path.join(dir, name), JSON.stringify(value, null, 2) + '\n');
      files.push(name);
    };
    write('spec.json', run.spec);
    write('run.json', { ...run, exportedEpoch: epoch });
    write('metrics.json', { epochs: store.getEpochMetrics(runId), batches: store.getBatchMetrics(runId) });
    const evaluation = store.getEvaluation(runId);
    if (evaluation) write('evaluation.json', evaluation);
    fs.writeFileSync(path.join(dir, 'model.py'), runKerasCode(run, model.countParams()));
    files.push('model.py');
    return files;
  } finally {
    model.dispose();
  }
}
