// `layerlab predict RUN IMAGE…`: PNG files through Draw's own path (predictDrawing: preprocessed like MNIST,
// then the run's model), one result per image. An image that cannot be read, or holds no ink, is reported and
// the others still go through; the exit code then says that one failed.
import { initBackend, type BackendPreference } from '../backend/backends.ts';
import { predictDrawing } from '../evaluate/draw-predictions.ts';
import { RunModelCache } from '../evaluate/model-cache.ts';
import { readPngImage } from '../evaluate/png-input.ts';
import { FileReadError } from '../files.ts';
import type { Store } from '../store/index.ts';
import { printable, singleLine } from '#shared/plain-text.ts';
import { pct } from './format.ts';
import { defaultWeightsOf, describeWeights, type WeightsChoice } from '#shared/weights.ts';

/** One line of `--json` output. */
export interface ImagePrediction {
  image: string;
  /** The checkpoint (finished-epoch count) whose weights predicted; null when the image is blank or unreadable. */
  epoch: number | null;
  /** Index of the most probable class (the digit, on MNIST); null when the image is blank or unreadable. */
  predicted: number | null;
  probabilities: number[] | null;
  blank: boolean;
  /** Why there is no prediction: "<image>: <reason>". */
  error?: string;
}

export interface PredictImagesOptions {
  json?: boolean;
  backend?: BackendPreference;
  /** The run's last or best epoch's weights (default: its default weights). */
  weights?: WeightsChoice;
}

/** Prints one result per image and returns the exit code: 1 when an image was blank or failed, else 0. */
export async function predictImages(
  store: Store,
  runId: number,
  images: string[],
  options: PredictImagesOptions = {},
): Promise<number> {
  await initBackend(options.backend ?? 'auto');
  const models = new RunModelCache(store);
  try {
    // The model first: a missing run, or one without weights, is one error rather than one per image.
    const loaded = await models.load(runId, options.weights ?? 'default');
    const run = store.getRun(runId);
    const classes = run?.dataset.classes ?? [];
    if (!options.json && run) {
      const which = options.weights ?? defaultWeightsOf(run);
      const label = run.epochsCompleted > 0 ? describeWeights(run, which) : `after epoch ${loaded.epoch} (${which})`;
      console.error(`run ${runId}: weights ${label}`);
    }
    let failed = 0;
    for (const image of images) {
      const { result, reason } = await predictImage(store, models, runId, image, options.weights);
      if (reason !== undefined) failed++;
      if (options.json) console.log(JSON.stringify(result));
      // Printed as plain text: a file name can hold terminal escapes.
      else if (reason !== undefined) console.error(`${singleLine(image)}: ${singleLine(printable(reason))}`);
      else console.log(humanResult(image, result, classes));
    }
    return failed > 0 ? 1 : 0;
  } finally {
    models.dispose();
  }
}

async function predictImage(
  store: Store,
  models: RunModelCache,
  runId: number,
  image: string,
  weights?: WeightsChoice,
): Promise<{ result: ImagePrediction; reason?: string }> {
  const failure = (reason: string, blank = false) => ({
    result: { image, epoch: null, predicted: null, probabilities: null, blank, error: `${image}: ${reason}` },
    reason,
  });
  try {
    const result = await predictDrawing(store, models, [runId], readPngImage(image), weights);
    if (result.blank) return failure('blank — no ink found', true);
    const { predicted, probabilities, error, epoch } = result.predictions[0];
    if (error !== null || predicted === null || probabilities === null) return failure(error ?? 'no prediction');
    return { result: { image, epoch, predicted, probabilities, blank: false } };
  } catch (err) {
    if (err instanceof FileReadError) return failure(err.reason);
    return failure(err instanceof Error ? err.message : String(err));
  }
}

/** "digit-3.png: 3 (97.1%)", then every class's probability on one line, aligned from image to image. */
function humanResult(image: string, result: ImagePrediction, classes: string[]): string {
  const probabilities = result.probabilities!;
  const label = (c: number) => singleLine(classes[c] ?? String(c));
  const width = Math.max(...probabilities.map((_, c) => label(c).length));
  const line = probabilities.map((p, c) => `${label(c).padStart(width)}:${pct(p, 1).padStart(6)}`).join(' ');
  return `${singleLine(image)}: ${label(result.predicted!)} (${pct(probabilities[result.predicted!], 1)})\n  ${line}`;
}
