import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { evaluateModel } from '#engine/evaluate/evaluate.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { TestPredictionCache } from '#engine/evaluate/test-predictions.ts';
import { Store } from '#engine/store/index.ts';
import { datasetRefFor, saveTinyCheckpoint, tinyRunWithWeights, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const checkpointRoot = path.join(dir, 'runs');
const dataDir = writeSyntheticIdx(path.join(dir, 'synthetic'));
const dataset = datasetRefFor(dataDir);
let store: Store;
let models: RunModelCache;

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
  models = new RunModelCache(store);
});
afterAll(() => {
  models.dispose();
  store.close();
});

describe('test-set predictions for the confusion-cell gallery', () => {
  it('predicts the whole test set of a run that has no evaluation', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const p = await new TestPredictionCache(store, models).forRun(runId);
    const test = loadDataset(resolveDatasetSource(dataset.id)).test;
    expect(p.numClasses).toBe(10);
    expect(Array.from(p.indices)).toEqual(Array.from({ length: test.count }, (_, i) => i));
    expect(Array.from(p.labels)).toEqual(Array.from(test.labels));
    expect(p.probabilities).toHaveLength(test.count * 10);
    for (let row = 0; row < test.count; row++) {
      expect(p.probabilities.subarray(row * 10, row * 10 + 10).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('predicts only the test images the run was evaluated on', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const test = loadDataset(resolveDatasetSource(dataset.id)).test;
    store.saveEvaluation(runId, await evaluateModel(await models.get(runId), test, 5));
    const p = await new TestPredictionCache(store, models).forRun(runId);
    expect(p.labels).toHaveLength(5);
    expect(Array.from(p.indices)).toEqual([0, 1, 2, 3, 4]);
  });

  it('predicts once per run and checkpoint, and again for a newer checkpoint or another run', async () => {
    const cache = new TestPredictionCache(store, models);
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const other = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const first = await cache.forRun(runId);
    expect(await cache.forRun(runId)).toBe(first);
    await saveTinyCheckpoint(store, checkpointRoot, runId, 2);
    const retrained = await cache.forRun(runId);
    expect(retrained).not.toBe(first);
    expect(Array.from(retrained.probabilities)).not.toEqual(Array.from(first.probabilities));
    expect(await cache.forRun(other)).not.toBe(retrained);
    expect(await cache.forRun(runId)).not.toBe(retrained); // it keeps one run's predictions
  });

  it('refuses a run that does not exist', async () => {
    await expect(new TestPredictionCache(store, models).forRun(9999)).rejects.toThrow('run 9999 does not exist');
  });
});
