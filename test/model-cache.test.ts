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

  it('loads the checkpoint of an epoch asked for, and keeps it when the run saves a newer one', async () => {
    const cache = new RunModelCache(store);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    await saveTinyCheckpoint(store, checkpointRoot, runId, 2, 77);
    const latest = await cache.load(runId);
    const first = await cache.load(runId, 1);
    expect([latest.epoch, first.epoch]).toEqual([2, 1]);
    expect(first.model).not.toBe(latest.model);
    // Asking for the latest epoch by number is the same model.
    expect((await cache.load(runId, 2)).model).toBe(latest.model);
    const reference = buildModel(tinySpec, { seed: runId * 100 + 1 });
    expect(Array.from(first.model.getWeights()[0].dataSync())).toEqual(
      Array.from(reference.getWeights()[0].dataSync()),
    );
    reference.dispose();
    await saveTinyCheckpoint(store, checkpointRoot, runId, 3, 78);
    const third = await cache.load(runId);
    expect(third.epoch).toBe(3);
    // Both were asked for by their epochs: kept, until they are the least recently used.
    expect(isDisposed(first.model)).toBe(false);
    expect(isDisposed(latest.model)).toBe(false);
    await saveTinyCheckpoint(store, checkpointRoot, runId, 4, 79);
    // Epoch 3 was only ever the latest: replaced by epoch 4.
    expect((await cache.load(runId)).epoch).toBe(4);
    expect(isDisposed(third.model)).toBe(true);
    cache.dispose();
    expect(isDisposed(first.model)).toBe(true);
  });

  it('refuses an epoch the run has no checkpoint for, naming the epochs it has', async () => {
    const cache = new RunModelCache(store);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    for (const epoch of [2, 3, 5]) await saveTinyCheckpoint(store, checkpointRoot, runId, epoch);
    await expect(cache.get(runId, 4)).rejects.toThrow(
      `run ${runId} has no checkpoint for epoch 4; it has epochs 1–3, 5`,
    );
    await expect(cache.get(runId, 4)).rejects.toMatchObject({ issues: [{ field: 'epoch' }] });
    cache.dispose();
  });

  it('loads a model once for requests that arrive together, and disposes its companions with it', async () => {
    const cache = new RunModelCache(store);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const before = tf.memory().numTensors;
    const [a, b] = await Promise.all([cache.load(runId), cache.load(runId)]);
    expect(a).toBe(b);
    let disposed = 0;
    let made = 0;
    const make = () => (made++, { dispose: () => disposed++ });
    const companion = a.companion('probe', make);
    expect(a.companion('probe', make)).toBe(companion);
    expect(made).toBe(1);
    cache.drop(runId);
    expect(disposed).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
    cache.dispose();
  });
});
