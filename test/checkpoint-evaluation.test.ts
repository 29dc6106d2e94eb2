// Evaluate's score of a run that ended without a test-set evaluation: its latest checkpoint, named by epoch.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { evaluateCheckpoint } from '#engine/evaluate/checkpoint-evaluation.ts';
import { evaluateModel } from '#engine/evaluate/evaluate.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { TestPredictionCache } from '#engine/evaluate/test-predictions.ts';
import { loadRunModel } from '#engine/model/run-model.ts';
import { Store } from '#engine/store/index.ts';
import {
  datasetRefFor,
  saveTinyCheckpoint,
  tinyHyperparameters,
  tinyRunWithWeights,
  tinySpec,
  writeSyntheticIdx,
} from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const checkpointRoot = path.join(dir, 'runs');
const dataset = datasetRefFor(writeSyntheticIdx(path.join(dir, 'synthetic')));
let store: Store;
let models: RunModelCache;
let predictions: TestPredictionCache;

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
  models = new RunModelCache(store);
  predictions = new TestPredictionCache(store, models);
});
afterAll(() => {
  models.dispose();
  store.close();
});

describe('evaluateCheckpoint', () => {
  it('scores the weights of the latest checkpoint on the whole test set and names its epoch', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    await saveTinyCheckpoint(store, checkpointRoot, runId, 3);
    const result = await evaluateCheckpoint(store, predictions, runId);
    expect(result.epoch).toBe(3);

    const { model } = await loadRunModel(store, runId, 'cpu');
    try {
      const expected = await evaluateModel(model, loadDataset(resolveDatasetSource(dataset.id)).test);
      expect(result.evaluation.count).toBe(12);
      expect(result.evaluation.testAccuracy).toBeCloseTo(expected.testAccuracy, 6);
      expect(result.evaluation.testLoss).toBeCloseTo(expected.testLoss, 5);
      expect(result.evaluation.confusion).toEqual(expected.confusion);
    } finally {
      model.dispose();
    }
  });

  it('does not store the evaluation: the run keeps no test accuracy of its own', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    await evaluateCheckpoint(store, predictions, runId);
    expect(store.getEvaluation(runId)).toBeUndefined();
    expect(store.getRun(runId)?.testAccuracy).toBeNull();
  });

  it('says why a run without weights or a missing run cannot be scored', async () => {
    const run = store.createRun({
      name: 'no epoch yet',
      spec: tinySpec,
      hyperparameters: tinyHyperparameters,
      dataset,
    });
    await expect(evaluateCheckpoint(store, predictions, run.id)).rejects.toThrow(
      `run ${run.id} has no saved weights yet (it has not finished an epoch)`,
    );
    await expect(evaluateCheckpoint(store, predictions, 99_999)).rejects.toThrow('run 99999 does not exist');
  });
});
