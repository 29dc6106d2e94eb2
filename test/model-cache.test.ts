import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { MODEL_CACHE_SIZE, RunModelCache } from '#engine/evaluate/model-cache.ts';
import { buildModel } from '#engine/model/build.ts';
import { Store } from '#engine/store/index.ts';
import {
  datasetRefFor,
  saveTinyCheckpoint,
  tinyHyperparameters,
  tinyRunWithWeights,
  tinySpec,
} from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const checkpointRoot = path.join(dir, 'runs');
const dataset = datasetRefFor(path.join(dir, 'data')); // only recorded on the runs; the cache never reads images
let store: Store;

/** A disposed model has lost its weights: reading them throws. */
function isDisposed(model: tf.LayersModel): boolean {
  try {
    model.getWeights();
    return false;
  } catch {
    return true;
  }
}

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
});
afterAll(() => store.close());

describe('run model cache', () => {
  it('loads a run once per checkpoint and replaces the model when the run saves a newer one', async () => {
    const cache = new RunModelCache(store);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const first = await cache.get(runId);
    expect(await cache.get(runId)).toBe(first);
    await saveTinyCheckpoint(store, checkpointRoot, runId, 2);
    const second = await cache.get(runId);
    expect(second).not.toBe(first);
    expect(isDisposed(first)).toBe(true);
    expect(isDisposed(second)).toBe(false);
    cache.dispose();
  });

  it('holds the weights of the latest checkpoint', async () => {
    const cache = new RunModelCache(store);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    await saveTinyCheckpoint(store, checkpointRoot, runId, 3, 42);
    const model = await cache.get(runId);
    const reference = buildModel(tinySpec, { seed: 42 });
    expect(Array.from(model.getWeights()[0].dataSync())).toEqual(Array.from(reference.getWeights()[0].dataSync()));
    reference.dispose();
    cache.dispose();
  });

  it(`keeps the ${MODEL_CACHE_SIZE} most recently used models and disposes the others`, async () => {
    const cache = new RunModelCache(store);
    const before = tf.memory().numTensors;
    const runIds: number[] = [];
    for (let i = 0; i < MODEL_CACHE_SIZE + 1; i++)
      runIds.push(await tinyRunWithWeights(store, checkpointRoot, dataset, `run ${i}`));
    const models = [];
    for (const runId of runIds.slice(0, MODEL_CACHE_SIZE)) models.push(await cache.get(runId));
    await cache.get(runIds[0]); // now the most recently used; the second run is the oldest
    await cache.get(runIds[MODEL_CACHE_SIZE]);
    const perModel = models[0].getWeights().length;
    expect(tf.memory().numTensors - before).toBe(MODEL_CACHE_SIZE * perModel);
    expect(isDisposed(models[0])).toBe(false);
    expect(isDisposed(models[1])).toBe(true);
    expect(models.slice(2).some(isDisposed)).toBe(false);
    cache.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('drops a run, so its next request loads it again', async () => {
    const cache = new RunModelCache(store);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const other = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const model = await cache.get(runId);
    const kept = await cache.get(other);
    cache.drop(runId);
    expect(isDisposed(model)).toBe(true);
    expect(isDisposed(kept)).toBe(false);
    expect(await cache.get(runId)).not.toBe(model);
    cache.dispose();
  });

  it('refuses a run without saved weights and a run that does not exist', async () => {
    const cache = new RunModelCache(store);
    const queued = store.createRun({
      name: 'no weights',
      spec: tinySpec,
      hyperparameters: tinyHyperparameters,
      dataset,
    });
    await expect(cache.get(queued.id)).rejects.toThrow(`run ${queued.id} has no saved weights yet`);
    await expect(cache.get(9999)).rejects.toThrow(/9999/);
  });
});
