// Small recorded runs without training: a synthetic IDX dataset folder, and runs of a one-layer model whose
// checkpoint is written straight from freshly built weights.
import fs from 'node:fs';
import path from 'node:path';
import { encodeIdxUbyte } from '#engine/data/idx.ts';
import { seededRandom } from '#engine/data/random.ts';
import { buildModel } from '#engine/model/build.ts';
import type { ModelSpec, Store } from '#engine/store/index.ts';
import { runCheckpointDir, writeCheckpoint } from '#engine/train/checkpoint.ts';
import type { BackendInfo, DatasetRef, Hyperparameters } from '#shared/types.ts';
import { ADDED_HYPERPARAMETERS_OFF } from '#shared/hyperparameters.ts';

export const tinySpec: ModelSpec = {
  name: 'tiny',
  inputShape: [28, 28, 1],
  layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
};

export const tinyHyperparameters: Hyperparameters = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0,
  batchSize: 4,
  epochs: 1,
  validationSplit: 0,
  trainSize: null,
  seed: 1,
  ...ADDED_HYPERPARAMETERS_OFF,
};

/** The backend a run's session records: the pure-JS cpu backend. */
export const cpuBackend: BackendInfo = {
  kind: 'cpu',
  tfBackend: 'cpu',
  device: 'CPU',
  tfjsVersion: '4.22.0',
  tensorflowVersion: null,
  reason: 'test',
};

/** A folder of 28x28 IDX files with random pixels; labels default to index % 10. */
export function writeSyntheticIdx(
  dir: string,
  counts = { train: 20, test: 12 },
  label = (i: number) => i % 10,
): string {
  fs.mkdirSync(dir, { recursive: true });
  const random = seededRandom(7);
  const write = (prefix: string, count: number) => {
    const pixels = Uint8Array.from({ length: count * 784 }, () => Math.floor(random() * 256));
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), encodeIdxUbyte([count, 28, 28], pixels));
    fs.writeFileSync(
      path.join(dir, `${prefix}-labels-idx1-ubyte`),
      encodeIdxUbyte(
        [count],
        Uint8Array.from({ length: count }, (_, i) => label(i)),
      ),
    );
  };
  write('train', counts.train);
  write('t10k', counts.test);
  return dir;
}

export function datasetRefFor(dir: string, counts = { train: 20, test: 12 }): DatasetRef {
  return {
    id: `idx:${path.resolve(dir)}`,
    name: path.basename(dir),
    classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    trainCount: counts.train,
    testCount: counts.test,
  };
}

/** Writes a checkpoint after `epoch` epochs from a freshly built model (weights seeded by `seed`) and records it. */
export async function saveTinyCheckpoint(
  store: Store,
  checkpointRoot: string,
  runId: number,
  epoch: number,
  seed = runId * 100 + epoch,
): Promise<string> {
  const model = buildModel(tinySpec, { seed });
  try {
    const folder = await writeCheckpoint(runCheckpointDir(checkpointRoot, runId), {
      epoch,
      weights: model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor })),
      optimizer: { className: 'Adam', weights: [] },
    });
    store.recordCheckpoint(runId, { epoch, path: folder });
    return folder;
  } finally {
    model.dispose();
  }
}

/** A queued run of the tiny model on `dataset`, with a checkpoint after its first epoch. */
export async function tinyRunWithWeights(
  store: Store,
  checkpointRoot: string,
  dataset: DatasetRef,
  name = 'tiny run',
): Promise<number> {
  const run = store.createRun({ name, spec: tinySpec, hyperparameters: tinyHyperparameters, dataset });
  await saveTinyCheckpoint(store, checkpointRoot, run.id, 1);
  return run.id;
}
