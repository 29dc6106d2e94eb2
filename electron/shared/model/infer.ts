// Shape inference with parameter counts and FLOP estimates, as tfjs-layers computes them
// (conv_utils.convOutputLength, Layer.countParams), so the editor can show a model summary without
// building a tfjs model. Works on layers checkLayerFields (fields.ts) has normalised; spec.ts composes
// both into analyzeSpec.
//
// FLOP convention (an estimate for comparing architectures, not a profiler):
//   - a multiply-add counts as 2 FLOPs; activations are ignored;
//   - Conv2D: 2*outH*outW*outC*kh*kw*inC, plus outH*outW*outC for the bias add;
//   - Dense: 2*in*units, plus units for the bias add;
//   - MaxPooling2D / AveragePooling2D: outH*outW*C*ph*pw (one op per window element);
//   - BatchNormalization: 2 per element (inference form: x*scale + shift);
//   - Dropout and Flatten: 0 (identity at inference, reshape only).

import { formatShape } from './format.ts';
import type { LayerReport, NormalizedLayerSpec, Padding, SpecIssue } from './types.ts';

export interface ShapeInference {
  /** Reports for every layer whose output shape could be computed, in order. */
  reports: LayerReport[];
  /** Output shape of the last layer (without batch dim), or null when inference stopped early. */
  outputShape: number[] | null;
  /** The shape error that stopped inference, if any. */
  issue: SpecIssue | null;
}

interface LayerStep {
  shape: number[];
  params: number;
  trainableParams: number;
  flops: number;
}

/**
 * Output length of one spatial axis, as tfjs computes it (dilation 1).
 * Returns null when the window does not fit under valid padding: tfjs would otherwise
 * produce a 0 or negative dimension and fail later with a much less helpful error.
 */
export function windowOutputLength(input: number, window: number, stride: number, padding: Padding): number | null {
  if (padding === 'same') return Math.ceil(input / stride);
  if (window > input) return null;
  return Math.floor((input - window) / stride) + 1;
}

/**
 * Walks the layers from `inputShape`. Stops (without an issue of its own) at the first layer that
 * is null — it had field errors, already reported — or (with an issue) at the first shape error.
 */
export function inferShapes(
  inputShape: readonly number[],
  layers: readonly (NormalizedLayerSpec | null)[],
): ShapeInference {
  const reports: LayerReport[] = [];
  let shape = [...inputShape];
  // Where the tensor became a flat vector, to explain why a later spatial layer is misplaced.
  let flattenedBy: string | null = null;
  for (let index = 0; index < layers.length; index++) {
    const layer = layers[index];
    if (!layer) return { reports, outputShape: null, issue: null };
    const step = applyLayer(layer, shape, flattenedBy);
    if (typeof step === 'string' || 'reason' in step) {
      const { reason, field } = typeof step === 'string' ? { reason: step, field: null } : step;
      const message = `layer ${index + 1} ${layer.type}: ${reason}`;
      return { reports, outputShape: null, issue: { index, layerType: layer.type, field, message } };
    }
    const { shape: outputShape, params, trainableParams, flops } = step;
    reports.push({ index, type: layer.type, outputShape, params, trainableParams, flops });
    if (shape.length === 3 && step.shape.length === 1) flattenedBy = `layer ${index + 1} ${layer.type}`;
    shape = step.shape;
  }
  return { reports, outputShape: shape, issue: null };
}

type StepResult = LayerStep | string | { reason: string; field: string };

function applyLayer(layer: NormalizedLayerSpec, shape: number[], flattenedBy: string | null): StepResult {
  switch (layer.type) {
    case 'Conv2D': {
      if (shape.length !== 3) return needsSpatialInput(shape, flattenedBy);
      const [h, w, inC] = shape;
      const [kh, kw] = layer.kernelSize;
      const outH = windowOutputLength(h, kh, layer.strides[0], layer.padding);
      const outW = windowOutputLength(w, kw, layer.strides[1], layer.padding);
      if (outH === null || outW === null) return doesNotFit('kernelSize', layer.kernelSize, shape, layer.padding);
      const outC = layer.filters;
      const bias = layer.useBias ? outC : 0;
      const outputs = outH * outW * outC;
      const params = kh * kw * inC * outC + bias;
      const flops = 2 * outputs * kh * kw * inC + (layer.useBias ? outputs : 0);
      return { shape: [outH, outW, outC], params, trainableParams: params, flops };
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D': {
      if (shape.length !== 3) return needsSpatialInput(shape, flattenedBy);
      const [h, w, c] = shape;
      const [ph, pw] = layer.poolSize;
      const outH = windowOutputLength(h, ph, layer.strides[0], layer.padding);
      const outW = windowOutputLength(w, pw, layer.strides[1], layer.padding);
      if (outH === null || outW === null) return doesNotFit('poolSize', layer.poolSize, shape, layer.padding);
      return { shape: [outH, outW, c], params: 0, trainableParams: 0, flops: outH * outW * c * ph * pw };
    }
    case 'Dropout':
      return { shape: [...shape], params: 0, trainableParams: 0, flops: 0 };
    case 'BatchNormalization': {
      // gamma and beta are trained; the moving mean and variance are weights but not trainable.
      const channels = shape[shape.length - 1];
      const elements = product(shape);
      return { shape: [...shape], params: 4 * channels, trainableParams: 2 * channels, flops: 2 * elements };
    }
    case 'Flatten':
      // tfjs Flatten requires a rank >= 2 input (min_ndim 3 with the batch axis).
      if (shape.length === 1) {
        return `input is already a flat vector of ${shape[0]} values; Flatten needs a 3-D input, remove this layer`;
      }
      return { shape: [product(shape)], params: 0, trainableParams: 0, flops: 0 };
    case 'Dense': {
      // tfjs would apply Dense to the last axis of a 3-D input; a classifier needs a flat vector,
      // so we insist on an explicit Flatten instead of silently producing a per-pixel output.
      if (shape.length !== 1) {
        return `input is ${formatShape(shape)}, not a flat vector; add a Flatten layer before this Dense layer`;
      }
      const inputs = shape[0];
      const bias = layer.useBias ? layer.units : 0;
      const params = inputs * layer.units + bias;
      return { shape: [layer.units], params, trainableParams: params, flops: 2 * inputs * layer.units + bias };
    }
  }
}

function needsSpatialInput(shape: number[], flattenedBy: string | null): string {
  const origin = flattenedBy ? ` (flattened by ${flattenedBy})` : '';
  return (
    `needs a 3-D input [height, width, channels] but receives a flat vector of ${shape[0]} values${origin}; ` +
    'spatial layers must come before Flatten'
  );
}

function doesNotFit(field: string, size: [number, number], shape: number[], padding: Padding) {
  return {
    field,
    reason: `${field} ${formatShape(size)} does not fit input ${formatShape(shape)} (padding ${padding})`,
  };
}

function product(values: readonly number[]): number {
  return values.reduce((acc, v) => acc * v, 1);
}
