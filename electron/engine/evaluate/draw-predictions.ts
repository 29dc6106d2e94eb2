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

export function predictDrawing(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  image: RgbaImage,
): Promise<PredictResult> {
  return predictInput(store, models, runIds, () => preprocessCanvas(image));
}

export function predictStrokes(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  strokes: readonly Stroke[],
): Promise<PredictResult> {
  return predictInput(store, models, runIds, () => preprocessStrokes(strokes));
}

/** Each run's prediction for the 28x28 input `preprocess` makes; the result carries that input, as the UI shows it. */
async function predictInput(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  preprocess: () => PreprocessResult,
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
      const p = predictPixels(await models.get(runId), pixels);
      predictions.push({
        runId,
        probabilities: p.probabilities,
        predicted: p.predicted,
        confidence: p.confidence,
        classes,
        error: null,
      });
    } catch (err) {
      predictions.push({
        runId,
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
