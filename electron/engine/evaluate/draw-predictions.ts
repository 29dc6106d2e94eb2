// Draw: one drawing, preprocessed like MNIST once, predicted by several runs side by side. A run that cannot
// predict (deleted, no weights yet) gets an error in its slot instead of failing the others. The drawing comes
// as the pad's stroke vectors (predictStrokes, what the app sends) or as canvas pixels (predictDrawing).
import type { PredictResult, RunPrediction } from '#shared/contract.ts';
import type { Stroke } from '#shared/drawing.ts';
import { activeBackend, initBackend } from '../backend/backends.ts';
import type { Store } from '../store/index.ts';
import type { RunModelCache } from './model-cache.ts';
import { predictPixels } from './predict.ts';
import { preprocessCanvas, type PreprocessResult, type RgbaImage } from './preprocess.ts';
import { preprocessStrokes } from './stroke-raster.ts';
import type { WeightsChoice } from '#shared/weights.ts';

export function predictDrawing(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  image: RgbaImage,
  weights?: WeightsChoice,
): Promise<PredictResult> {
  return predictInput(store, models, runIds, () => preprocessCanvas(image), weights);
}

export function predictStrokes(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  strokes: readonly Stroke[],
  weights?: WeightsChoice,
): Promise<PredictResult> {
  return predictInput(store, models, runIds, () => preprocessStrokes(strokes), weights);
}

/**
 * Each run's prediction, with its default weights (or its `weights`: last or best epoch's), for the 28x28 input
 * `preprocess` makes; the result carries that input, as the UI shows it, and each run's checkpoint epoch.
 */
async function predictInput(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  preprocess: () => PreprocessResult,
  weights?: WeightsChoice,
): Promise<PredictResult> {
  const started = performance.now();
  if (!activeBackend()) await initBackend('auto');
  const { pixels, box } = preprocess();
  const predictions: RunPrediction[] = [];
  for (const runId of runIds) {
    const run = store.getRun(runId);
    const classes = run?.dataset.classes ?? [];
    try {
      if (!run) throw new Error(`run ${runId} does not exist`);
      const loaded = await models.load(runId, weights ?? 'default');
      const p = predictPixels(loaded.model, pixels);
      predictions.push({
        runId,
        epoch: loaded.epoch,
        probabilities: p.probabilities,
        predicted: p.predicted,
        confidence: p.confidence,
        classes,
        error: null,
      });
    } catch (err) {
      predictions.push({
        runId,
        epoch: null,
        probabilities: null,
        predicted: null,
        confidence: null,
        classes,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  return { input: Array.from(pixels), blank: box === null, predictions, durationMs: performance.now() - started };
}
