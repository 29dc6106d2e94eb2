// `npm run bench:graph-memory`: 30 graph-trainer runs (compile, 100 steps, checkpoint, dispose) in one process,
// printing resident memory, live tfjs tensors and open TensorFlow sessions every 5 runs. Not a test: resident
// memory is noisy, so it is read by eye (it should stay flat after the first runs).
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, loadedNativePackage } from '#engine/backend/backends.ts';
import { GraphTrainer } from '#engine/graph/graph-trainer.ts';
import { getTemplate } from '#shared/model/index.ts';
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
await initBackend('native');
const ds = loadDataset(resolveDatasetSource('mnist'));
const rows = Array.from({ length: 32 }, (_, i) => i);
for (let run = 0; run < 30; run++) {
  const t = await GraphTrainer.create(getTemplate('seed'), { ...DEFAULT_HYPERPARAMETERS, seed: run }, 10);
  for (let b = 0; b < 100; b++) await t.trainBatch(ds.train, rows, b);
  await t.saveCheckpoint(path.join(os.tmpdir(), 'layerlab-bench-memory'), 1);
  t.dispose();
  if (run % 5 === 4)
    console.log(
      `run ${run + 1}: rss ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MB, tensors ${tf.memory().numTensors}, sessions ${loadedNativePackage()!.node.getNumOfSavedModels()}`,
    );
}
