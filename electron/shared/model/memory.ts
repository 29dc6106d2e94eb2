// Training memory of a design at a batch size, estimated from infer.ts's shapes, and the check that refuses,
// naming the layer, a design + batch size that would not fit: tfjs and TensorFlow do not fail cleanly when an
// allocation is too big (native TensorFlow segfaulted, wasm failed with "null function or function signature
// mismatch" once its 4 GB heap was full), so the check runs before any tensor is allocated. Pure: the engine
// passes the machine's memory.
//
// What is counted, in float32 (4 bytes) per value:
//   - per training batch: the input batch and every tensor the forward pass keeps for the backward pass —
//     each layer's output; a Conv2D or Dense with a non-linear activation also keeps its pre-activation;
//     BatchNormalization its normalised input; Dropout its mask; Flatten nothing (a reshape shares its
//     input's buffer) — and one gradient of the same size for each of them;
//   - the backward pass's workspace at its largest layer: BACKWARD_WORKSPACE copies of that layer's input and
//     output (transposes, masks and partial gradients the kernels allocate while they run);
//   - the weights, their gradients, the optimizer's slots and its update's temporaries: WEIGHT_COPIES per
//     weight (tfjs computes the whole update in one tidy, so every weight's temporaries are alive at once);
//   - evaluation and validation (up to EVALUATION_BATCH_SIZE images at a time, nothing kept): the weights plus,
//     at the worst layer, its input, its output and one temporary of the output's size. A design too wide for
//     that predicts in smaller batches (evaluationBatchSize), so no design is refused for its evaluation.
// The copy counts were fitted to measurements (peak RSS on native TensorFlow, heap growth on wasm) of the eager
// trainer, the hungrier of the two, on seven designs: at 0.1-3.7 GB the estimate came within 0.85-1.1x of
// what was used, allocator slack included (test/bounds-memory.test.ts measures some of them again). The
// compiled graph trainer used 0.5-0.9x. The limits leave room for the difference.

import type { LayerReport, ModelSpec, SpecIssue } from './types.ts';

const BYTES_PER_VALUE = 4;
/**
 * TensorFlow's and tfjs's kernels index tensors with 32-bit integers in places (Eigen's int32 index paths,
 * wasm's 32-bit addresses, tfjs's int32 index tensors): a tensor with 2^31 values or more is refused.
 */
export const MAX_TENSOR_VALUES = 2 ** 31 - 1;
/** At most this many images are predicted at once for validation, evaluation and test predictions. */
export const EVALUATION_BATCH_SIZE = 500;
/** The wasm backend's heap cannot grow past 4 GB (tfjs-backend-wasm's emscripten getHeapMax: 4,294,901,760). */
export const WASM_HEAP_BYTES = 4_294_901_760;
/** Copies of the largest layer's input plus output its backward pass allocates as workspace. */
const BACKWARD_WORKSPACE = 8;
/** Per weight: the weight, its gradient, the optimizer's slots and the update's temporaries (measured). */
const WEIGHT_COPIES = { adam: 16, rmsprop: 22, sgd: 6, sgdMomentum: 8 };
/** Of the machine's memory, what one run may plan to use: the app, the OS and other programs need the rest. */
const MACHINE_SHARE = 0.5;
/** Of the wasm heap, what the estimate may reach: the heap grows in steps and fragments. */
const WASM_HEAP_SHARE = 0.75;

export type TrainingOptimizer = 'adam' | 'sgd' | 'rmsprop';

/** What the estimate needs of the hyperparameters. */
export interface MemoryHyperparameters {
  batchSize: number;
  optimizer: TrainingOptimizer;
  momentum: number;
}

export interface MemoryLimits {
  /** What the estimate of one run (training or evaluation) may reach. */
  bytes: number;
  /** Why that limit, for messages: "half of this machine's 16.0 GB". */
  reason: string;
}

export interface LayerMemory {
  index: number;
  type: LayerReport['type'];
  outputShape: number[];
  params: number;
  /** Kept activations and their gradients for one batch, in bytes. */
  trainingBytes: number;
}

/** What predicting costs per image, independent of the batch: the input to evaluationBatchSize. */
export interface InferenceFootprint {
  params: number;
  /** The largest, over layers, of input + output + one temporary of the output's size (values per image). */
  peakValuesPerImage: number;
  /** The largest single layer output (values per image): a batch of it must stay below MAX_TENSOR_VALUES. */
  widestValuesPerImage: number;
}

export interface MemoryEstimate {
  batchSize: number;
  layers: LayerMemory[];
  /** Input batch and its gradient (bytes). */
  inputBytes: number;
  /** The largest layer's backward workspace (bytes). */
  workspaceBytes: number;
  /** Weights, their gradients, the optimizer's slots and the update's temporaries (bytes). */
  weightBytes: number;
  /** Everything one training step holds (bytes). */
  trainingBytes: number;
  /** Peak of predicting one evaluation batch (bytes). */
  inferenceBytes: number;
}

/** The limits for a backend, given the machine's memory (os.totalmem() in the engine). */
export function memoryLimits(backend: string, totalMemoryBytes: number): MemoryLimits {
  const machine = {
    bytes: totalMemoryBytes * MACHINE_SHARE,
    reason: `half of this machine's ${formatBytes(totalMemoryBytes)}`,
  };
  if (backend === 'wasm') {
    const heap = {
      bytes: WASM_HEAP_BYTES * WASM_HEAP_SHARE,
      reason: `three quarters of the wasm backend's ${formatBytes(WASM_HEAP_BYTES)} heap`,
    };
    return heap.bytes <= machine.bytes ? heap : machine;
  }
  // The GPU backend is planned like the CPU one: tfjs-node-gpu's device memory is not known before it loads.
  return machine;
}

/**
 * The estimate for a valid design (analyzeSpec's spec and layer reports) at a batch size; see the top of the
 * file for what is counted.
 */
export function estimateMemory(
  design: { spec: ModelSpec; layers: LayerReport[] },
  h: MemoryHyperparameters,
  evaluationBatch = EVALUATION_BATCH_SIZE,
): MemoryEstimate {
  const batch = h.batchSize;
  const inputValues = product(design.spec.inputShape);
  let previousValues = inputValues;
  let workspaceValues = 0;
  const layers = design.layers.map((report): LayerMemory => {
    const layer = design.spec.layers[report.index];
    const outputValues = product(report.outputShape);
    const kept = outputValues * keptCopies(layer);
    if (layer.type !== 'Flatten') workspaceValues = Math.max(workspaceValues, previousValues + outputValues);
    previousValues = outputValues;
    return {
      index: report.index,
      type: report.type,
      outputShape: report.outputShape,
      params: report.params,
      trainingBytes: 2 * kept * batch * BYTES_PER_VALUE,
    };
  });
  const params = design.layers.reduce((sum, report) => sum + report.params, 0);
  const weightBytes = params * weightCopies(h) * BYTES_PER_VALUE;
  const inputBytes = 2 * inputValues * batch * BYTES_PER_VALUE;
  const workspaceBytes = BACKWARD_WORKSPACE * workspaceValues * batch * BYTES_PER_VALUE;
  const trainingBytes = inputBytes + workspaceBytes + weightBytes + layers.reduce((sum, l) => sum + l.trainingBytes, 0);
  const inferenceBytes = predictionBytes(designFootprint(design), evaluationBatch);
  return { batchSize: batch, layers, inputBytes, workspaceBytes, weightBytes, trainingBytes, inferenceBytes };
}

/** Peak bytes of predicting `images` at once: the weights plus the worst layer's input, output and temporary. */
function predictionBytes(footprint: InferenceFootprint, images: number): number {
  return (footprint.params + footprint.peakValuesPerImage * images) * BYTES_PER_VALUE;
}

/** A design's prediction cost per image, from its layer reports. */
export function designFootprint(design: { spec: ModelSpec; layers: LayerReport[] }): InferenceFootprint {
  return footprintOf(
    product(design.spec.inputShape),
    design.layers.map((report) => ({
      outputValues: product(report.outputShape),
      reshape: design.spec.layers[report.index].type === 'Flatten',
      params: report.params,
    })),
  );
}

/**
 * A prediction cost per image from a chain of layers' output sizes (values per image, in order); a reshape
 * (Flatten) shares its input's buffer and costs nothing.
 */
export function footprintOf(
  inputValues: number,
  layers: { outputValues: number; reshape: boolean; params: number }[],
): InferenceFootprint {
  let previous = inputValues;
  let peak = inputValues;
  let widest = inputValues;
  let params = 0;
  for (const layer of layers) {
    if (!layer.reshape) peak = Math.max(peak, previous + 2 * layer.outputValues);
    widest = Math.max(widest, layer.outputValues);
    params += layer.params;
    previous = layer.outputValues;
  }
  return { params, peakValuesPerImage: peak, widestValuesPerImage: widest };
}

/**
 * How many images to predict at once within `limits`: EVALUATION_BATCH_SIZE when it fits, fewer for a wide
 * design, 0 when not even one image fits.
 */
export function evaluationBatchSize(footprint: InferenceFootprint, limits: MemoryLimits): number {
  const perImage = predictionBytes(footprint, 1) - predictionBytes(footprint, 0);
  const byMemory = Math.floor((limits.bytes - predictionBytes(footprint, 0)) / perImage);
  const byIndex = Math.floor(MAX_TENSOR_VALUES / footprint.widestValuesPerImage);
  return Math.max(0, Math.min(EVALUATION_BATCH_SIZE, byMemory, byIndex));
}

/**
 * Why this design cannot train at this batch size within `limits`, naming the layer that needs the most, or
 * null when it fits. A single tensor too big to index is refused whatever the machine.
 */
export function memoryIssue(
  design: { spec: ModelSpec; layers: LayerReport[] },
  h: MemoryHyperparameters,
  limits: MemoryLimits,
): SpecIssue | null {
  const estimate = estimateMemory(design, h);
  const limit = `the limit is ${formatBytes(limits.bytes)} (${limits.reason})`;
  const batch = `batch ${h.batchSize}`;
  if (estimate.trainingBytes > limits.bytes) {
    const total = `training needs ${formatBytes(estimate.trainingBytes)} in all, and ${limit}`;
    const widest = largest(estimate.layers, (l) => l.trainingBytes)!;
    if (estimate.weightBytes > estimate.trainingBytes - estimate.weightBytes) {
      const heaviest = largest(estimate.layers, (l) => l.params)!;
      const weights = `its ${heaviest.params.toLocaleString('en-US')} weights take ${formatBytes(heaviest.params * weightCopies(h) * BYTES_PER_VALUE)} with their gradients and ${h.optimizer}'s state`;
      return layerIssue(heaviest, `${weights}; ${total} — lower ${widthOf(heaviest)} or add pooling before it`);
    }
    return layerIssue(
      widest,
      `${activations(widest)} × ${batch} are ${formatBytes(activationBytes(widest, h.batchSize))}; ${total} — lower the batch size or ${widthOf(widest)}`,
    );
  }
  // Evaluation needs no check of its own: it predicts in batches that fit (evaluationBatchSize), and one image
  // predicted costs less than one image trained, which the check above has passed.
  const widest = largest(estimate.layers, (l) => product(l.outputShape));
  if (widest && product(widest.outputShape) * h.batchSize > MAX_TENSOR_VALUES) {
    const values = (product(widest.outputShape) * h.batchSize).toLocaleString('en-US');
    return layerIssue(
      widest,
      `${activations(widest)} × ${batch} make one tensor of ${values} values, more than the ${MAX_TENSOR_VALUES.toLocaleString('en-US')} a tensor can hold — lower the batch size or ${widthOf(widest)}`,
    );
  }
  return null;
}

/** "26.3 GB", "512 MB": binary units, as the OS reports memory. */
export function formatBytes(bytes: number): string {
  const gb = bytes / 2 ** 30;
  if (gb >= 100) return `${Math.round(gb)} GB`;
  if (gb >= 1) return `${gb.toFixed(1)} GB`;
  return `${Math.max(1, Math.round(bytes / 2 ** 20))} MB`;
}

/** How many per-sample copies of its output a layer keeps for the backward pass (before gradients). */
function keptCopies(layer: ModelSpec['layers'][number]): number {
  switch (layer.type) {
    case 'Flatten':
      return 0;
    case 'BatchNormalization':
    case 'Dropout':
      return 2;
    default:
      return hasActivation(layer) ? 2 : 1;
  }
}

function hasActivation(layer: ModelSpec['layers'][number]): boolean {
  return (layer.type === 'Conv2D' || layer.type === 'Dense') && (layer.activation ?? 'linear') !== 'linear';
}

function weightCopies(h: MemoryHyperparameters): number {
  if (h.optimizer === 'sgd') return h.momentum > 0 ? WEIGHT_COPIES.sgdMomentum : WEIGHT_COPIES.sgd;
  return WEIGHT_COPIES[h.optimizer];
}

/** "its 4096×28×28 activations": channels first, as a layer's width is described. */
function activations(layer: LayerMemory): string {
  const [h, w, c] = layer.outputShape;
  return `its ${layer.outputShape.length === 3 ? `${c}×${h}×${w}` : layer.outputShape.join('×')} activations`;
}

function activationBytes(layer: LayerMemory, batch: number): number {
  return product(layer.outputShape) * batch * BYTES_PER_VALUE;
}

/** What makes this layer wide, for the advice. */
function widthOf(layer: LayerMemory): string {
  if (layer.type === 'Dense') return 'the units';
  return layer.type === 'Conv2D' ? 'the filters' : 'the filters before it';
}

function largest<T>(items: T[], size: (item: T) => number): T | undefined {
  return items.reduce<T | undefined>(
    (best, item) => (best === undefined || size(item) > size(best) ? item : best),
    undefined,
  );
}

function layerIssue(layer: LayerMemory, reason: string): SpecIssue {
  return {
    index: layer.index,
    layerType: layer.type,
    field: null,
    message: `layer ${layer.index + 1} ${layer.type}: ${reason}`,
  };
}

function product(values: readonly number[]): number {
  return values.reduce((acc, v) => acc * v, 1);
}
