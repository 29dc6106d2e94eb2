// inspect:model: one input through one run's network at one checkpoint, every layer's output and a saliency map.
// The input is the Draw pad's strokes (rasterised exactly as predict:strokes does), an image of the run's own test
// set, or 28×28 pixels; the model comes from the loaded-model cache, its inspector with it.
import type { ModelInspection, ParsedRequestOf } from '#shared/contract.ts';
import { activeBackend, initBackend } from '../backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '../data/datasets.ts';
import type { RunModelCache } from '../evaluate/model-cache.ts';
import { MNIST_SIZE } from '../evaluate/preprocess.ts';
import { preprocessStrokes } from '../evaluate/stroke-raster.ts';
import { StoreError, type RunRecord, type Store } from '../store/index.ts';
import { ModelInspector } from './model-inspector.ts';

export type InspectModelRequest = ParsedRequestOf<'inspect:model'>;
type InspectInput = InspectModelRequest['input'];

/** A request the schema lets through but this run cannot answer, refused naming the field. */
export class InspectRequestError extends Error {
  readonly issues: { field: string }[];
  constructor(channel: 'inspect:model' | 'inspect:filters', field: string, reason: string) {
    super(`${channel}: ${field}: ${reason}`);
    this.name = 'InspectRequestError';
    this.issues = [{ field }];
  }
}

const refuse = (field: string, reason: string) => new InspectRequestError('inspect:model', field, reason);

/** The companion name of a model's inspector in the model cache. */
const INSPECTOR = 'inspector';

export async function inspectModel(
  store: Store,
  models: RunModelCache,
  request: InspectModelRequest,
): Promise<ModelInspection> {
  const started = performance.now();
  if (!activeBackend()) await initBackend('auto');
  const run = store.getRun(request.runId);
  if (!run) throw new StoreError(`run ${request.runId} does not exist`);
  const classes = run.dataset.classes;
  const saliency = request.saliency;
  // Refused before any weights are read.
  if (saliency?.classIndex !== undefined && saliency.classIndex >= classes.length) {
    throw refuse(
      'saliency.classIndex',
      `must be a class of the run's dataset, 0 to ${classes.length - 1}, got ${saliency.classIndex}`,
    );
  }
  if (saliency?.method === 'grad-cam' && !run.spec.layers.some((layer) => layer.type === 'Conv2D')) {
    throw refuse(
      'saliency.method',
      `grad-cam weighs the feature maps of the last Conv2D layer, and run ${run.id}'s design "${run.spec.name}" has ` +
        `no Conv2D layer (${run.spec.layers.map((l) => l.type).join(' → ')}); use gradient-input`,
    );
  }
  const { pixels, blank } = modelInput(run, request.input);
  const loaded = await models.load(run.id, request.epoch ?? request.weights ?? 'default');
  const inspector = loaded.companion(INSPECTOR, (model) => new ModelInspector(model, run.spec));
  const result = inspector.run(pixels, saliency);
  return {
    runId: run.id,
    epoch: loaded.epoch,
    input: Array.from(pixels),
    blank,
    layers: result.layers,
    probabilities: result.probabilities,
    predicted: result.predicted,
    classes,
    saliency: result.saliency,
    durationMs: performance.now() - started,
  };
}

/** The values the run's model reads for `input` (0..1, height × width × channels), and whether it has no ink. */
export function modelInput(run: RunRecord, input: InspectInput): { pixels: Float32Array; blank: boolean } {
  const [height, width, channels] = run.spec.inputShape;
  if ('testIndex' in input) {
    const test = loadDataset(resolveDatasetSource(run.dataset.id)).test;
    if (input.testIndex >= test.count) {
      throw refuse(
        'input.testIndex',
        `must be an image of the run's test set (${test.count.toLocaleString('en-US')} images, 0 to ${test.count - 1}), got ${input.testIndex}`,
      );
    }
    const size = test.height * test.width * test.channels;
    if (size !== height * width * channels) {
      throw refuse(
        'input.testIndex',
        `the dataset's images are ${test.height}×${test.width}×${test.channels}, the model reads ${height}×${width}×${channels}`,
      );
    }
    const pixels = new Float32Array(size);
    const bytes = test.images.subarray(input.testIndex * size, (input.testIndex + 1) * size);
    for (let i = 0; i < size; i++) pixels[i] = bytes[i] / 255;
    return { pixels, blank: bytes.every((b) => b === 0) };
  }
  if (height !== MNIST_SIZE || width !== MNIST_SIZE || channels !== 1) {
    const field = 'strokes' in input ? 'input.strokes' : 'input.pixels';
    throw refuse(
      field,
      `run ${run.id} reads ${height}×${width}×${channels} images, and a drawing or pixels are 28×28×1; inspect one of its test images (testIndex)`,
    );
  }
  if ('strokes' in input) {
    const { pixels, box } = preprocessStrokes(input.strokes);
    return { pixels, blank: box === null };
  }
  // 0..1, or bytes 0..255 (as predict:image and predictPixels read them).
  const pixels = Float32Array.from(input.pixels);
  const max = pixels.reduce((m, v) => (v > m ? v : m), 0);
  if (max > 1) for (let i = 0; i < pixels.length; i++) pixels[i] /= 255;
  return { pixels, blank: max === 0 };
}
