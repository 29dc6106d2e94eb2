// Draw: one drawing, preprocessed like MNIST once, predicted by several runs side by side. A run that cannot
// predict (deleted, no weights yet) gets an error in its slot instead of failing the others.
import type { PredictResult, RunPrediction } from '#shared/contract.ts';
import { activeBackend, initBackend } from '../backend/backends.ts';
import type { Store } from '../store/index.ts';
import type { RunModelCache } from './model-cache.ts';
import { predictPixels } from './predict.ts';
import { preprocessCanvas, type RgbaImage } from './preprocess.ts';

export async function predictDrawing(
  store: Store,
  models: RunModelCache,
  runIds: number[],
  image: RgbaImage,
): Promise<PredictResult> {
  const started = performance.now();
  if (!activeBackend()) await initBackend('auto');
  const { pixels, box } = preprocessCanvas(image);
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
