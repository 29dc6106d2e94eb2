import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { predictDrawing, predictStrokes } from '#engine/evaluate/draw-predictions.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { predictPixels } from '#engine/evaluate/predict.ts';
import { preprocessCanvas } from '#engine/evaluate/preprocess.ts';
import { preprocessStrokes } from '#engine/evaluate/stroke-raster.ts';
import { BASE_WIDTH, type Stroke } from '#shared/drawing.ts';
import { Store } from '#engine/store/index.ts';
import type { PredictResult } from '#shared/contract.ts';
import { datasetRefFor, tinyHyperparameters, tinyRunWithWeights, tinySpec } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const checkpointRoot = path.join(dir, 'runs');
const dataset = datasetRefFor(path.join(dir, 'data'));
let store: Store;
let models: RunModelCache;

/** A white canvas with a black vertical bar (a "1"); `ink: false` leaves it blank. */
function canvas(ink = true) {
  const width = 60,
    height = 60,
    data = new Uint8ClampedArray(width * height * 4).fill(255);
  if (ink)
    for (let y = 10; y < 50; y++)
      for (let x = 27; x < 33; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  return { width, height, data };
}

/** A "1" as the pad records it: one vertical stroke of points every 4 px. */
const one = (scale = 1): Stroke[] => [
  Array.from({ length: 41 }, (_, i) => ({ x: 140 * scale, y: (60 + i * 4) * scale, width: BASE_WIDTH })),
];

/** `result` is run `runId`'s prediction, by its model, on the (non-blank) input `pixels`, which it carries. */
async function expectPredictionOn(result: PredictResult, runId: number, pixels: Float32Array) {
  const expected = predictPixels(await models.get(runId), pixels);
  expect(result.blank).toBe(false);
  expect(result.input).toEqual(Array.from(pixels));
  expect(result.durationMs).toBeGreaterThan(0);
  expect(result.predictions).toEqual([
    {
      runId,
      epoch: 1,
      probabilities: expected.probabilities,
      predicted: expected.predicted,
      confidence: expected.confidence,
      classes: dataset.classes,
      error: null,
    },
  ]);
}

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
  models = new RunModelCache(store);
});
afterAll(() => {
  models.dispose();
  store.close();
});

describe('predicting a drawing with several runs', () => {
  it('gives each run the prediction of its model on the preprocessed drawing', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const result = await predictDrawing(store, models, [runId], canvas());
    await expectPredictionOn(result, runId, preprocessCanvas(canvas()).pixels);
  });

  it('answers a run that cannot predict with an error in its own slot', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const queued = store.createRun({
      name: 'no weights',
      spec: tinySpec,
      hyperparameters: tinyHyperparameters,
      dataset,
    });
    const result = await predictDrawing(store, models, [9999, runId, queued.id], canvas());
    expect(result.predictions.map((p) => p.runId)).toEqual([9999, runId, queued.id]);
    expect(result.predictions[0]).toEqual({
      runId: 9999,
      epoch: null,
      probabilities: null,
      predicted: null,
      confidence: null,
      classes: [],
      error: 'run 9999 does not exist',
    });
    expect(result.predictions[1].error).toBeNull();
    expect(result.predictions[2]).toMatchObject({
      probabilities: null,
      classes: dataset.classes,
      error: expect.stringMatching(/has no saved weights yet/),
    });
  });

  it('reports a blank drawing', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const result = await predictDrawing(store, models, [runId], canvas(false));
    expect(result.blank).toBe(true);
    expect(result.input.every((v) => v === 0)).toBe(true);
  });

  it('rejects an image whose data does not match its size', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    await expect(
      predictDrawing(store, models, [runId], { width: 10, height: 10, data: new Uint8Array(12) }),
    ).rejects.toThrow(/width\*height\*4/);
  });
});

describe('predicting a drawing from its strokes', () => {
  it("gives each run its model's prediction on the rasterised strokes, and returns that input", async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const result = await predictStrokes(store, models, [runId], one());
    await expectPredictionOn(result, runId, preprocessStrokes(one()).pixels);
  });

  it('reads a digit drawn small exactly as the same digit drawn large', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const [large, small] = await Promise.all([one(1), one(0.25)].map((s) => predictStrokes(store, models, [runId], s)));
    expect(small.input).toEqual(large.input);
    expect(small.predictions[0].probabilities).toEqual(large.predictions[0].probabilities);
  });

  it('answers each run in its own slot, as for pixels', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    const result = await predictStrokes(store, models, [9999, runId], one());
    expect(result.predictions.map((p) => [p.runId, p.error])).toEqual([
      [9999, 'run 9999 does not exist'],
      [runId, null],
    ]);
  });

  it('reports no strokes (or strokes without points) as a blank drawing', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    for (const strokes of [[], [[]]]) {
      const result = await predictStrokes(store, models, [runId], strokes);
      expect(result.blank).toBe(true);
      expect(result.input.every((v) => v === 0)).toBe(true);
    }
  });

  it('refuses a point the IPC schema would, naming it', async () => {
    const runId = await tinyRunWithWeights(store, checkpointRoot, dataset);
    await expect(predictStrokes(store, models, [runId], [[{ x: 1, y: NaN, width: BASE_WIDTH }]])).rejects.toThrow(
      /^strokes\.0\.0\.y: must be a number/,
    );
  });
});
