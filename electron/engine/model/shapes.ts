// Per-layer rules of the spec format: the layer vocabulary, each layer type's fields (with their
// defaults and ranges), and shape inference with parameter counts and FLOP estimates. Shape
// inference mirrors tfjs-layers (conv_utils.convOutputLength, Layer.countParams) so the editor can
// show a model summary without building a tfjs model. spec.ts composes these into analyzeSpec.
//
// FLOP convention (an estimate for comparing architectures, not a profiler):
//   - a multiply-add counts as 2 FLOPs; activations are ignored;
//   - Conv2D: 2*outH*outW*outC*kh*kw*inC, plus outH*outW*outC for the bias add;
//   - Dense: 2*in*units, plus units for the bias add;
//   - MaxPooling2D / AveragePooling2D: outH*outW*C*ph*pw (one op per window element);
//   - BatchNormalization: 2 per element (inference form: x*scale + shift);
//   - Dropout and Flatten: 0 (identity at inference, reshape only).

import type { Activation, LayerReport, LayerType, NormalizedLayerSpec, Padding, Pair, SpecIssue } from './spec.ts';

export const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear'];
export const PADDINGS: readonly Padding[] = ['valid', 'same'];
export const LAYER_TYPES: readonly LayerType[] = [
  'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'Dropout', 'BatchNormalization', 'Flatten', 'Dense',
];

// ---- Layer fields -------------------------------------------------------------------------

interface FieldRule {
  /** Completes "must be ..." and "is required: ...". */
  expects: string;
  /** The normalised value, or null when the value is invalid. */
  parse(value: unknown): { value: unknown } | null;
  required?: boolean;
  /** Filled in when the field is absent (and not required). */
  fallback?: unknown;
  /** Names to suggest for a near-miss string value ('Relu' -> 'relu'). */
  choices?: readonly string[];
}

const integerField = (min: number, max: number): FieldRule => ({
  expects: `an integer between ${min} and ${max}`,
  parse: (v) => (isIntegerIn(v, min, max) ? { value: v } : null),
  required: true,
});
const MAX_WINDOW = 64;
/** kernelSize, poolSize, strides: a number means a square window. */
const sizeField = (fallback?: Pair, required = false): FieldRule => ({
  expects: `an integer between 1 and ${MAX_WINDOW} or a pair [height, width] of such integers`,
  parse: (v) => {
    if (isIntegerIn(v, 1, MAX_WINDOW)) return { value: [v, v] };
    const isPair = Array.isArray(v) && v.length === 2 && v.every((x) => isIntegerIn(x, 1, MAX_WINDOW));
    return isPair ? { value: [v[0], v[1]] } : null;
  },
  required,
  fallback,
});
const choiceField = (choices: readonly string[], fallback: string): FieldRule => ({
  expects: `one of ${choices.map((c) => `'${c}'`).join(', ')}`,
  parse: (v) => (typeof v === 'string' && choices.includes(v) ? { value: v } : null),
  fallback,
  choices,
});
const numberField = (expects: string, test: (v: number) => boolean, fallback?: number): FieldRule => ({
  expects,
  parse: (v) => (typeof v === 'number' && Number.isFinite(v) && test(v) ? { value: v } : null),
  required: fallback === undefined,
  fallback,
});
const useBiasField: FieldRule = {
  expects: 'true or false',
  parse: (v) => (typeof v === 'boolean' ? { value: v } : null),
  fallback: true,
};
const activationField = choiceField(ACTIVATIONS, 'linear');
const paddingField = choiceField(PADDINGS, 'valid');
// Pooling strides default to poolSize; that is filled in after parsing (see checkLayerFields).
const poolingFields = { poolSize: sizeField([2, 2]), strides: sizeField(), padding: paddingField };

/** Rules in canonical order: the normalised layer lists its fields in this order. */
const LAYER_FIELDS: Record<LayerType, Record<string, FieldRule>> = {
  Conv2D: {
    filters: integerField(1, 4096),
    kernelSize: sizeField(undefined, true),
    strides: sizeField([1, 1]),
    padding: paddingField,
    activation: activationField,
    useBias: useBiasField,
  },
  MaxPooling2D: poolingFields,
  AveragePooling2D: poolingFields,
  Dropout: { rate: numberField('a number from 0 (inclusive) to 1 (exclusive)', (v) => v >= 0 && v < 1) },
  BatchNormalization: {
    momentum: numberField('a number from 0 (inclusive) to 1 (exclusive)', (v) => v >= 0 && v < 1, 0.99),
    epsilon: numberField('a number greater than 0 and at most 1', (v) => v > 0 && v <= 1, 0.001),
  },
  Flatten: {},
  Dense: { units: integerField(1, 65536), activation: activationField, useBias: useBiasField },
};

/** Common names from Keras, PyTorch and tfjs factories that mean one of our layer types. */
const TYPE_ALIASES: Record<string, LayerType> = {
  conv: 'Conv2D', convolution2d: 'Conv2D', maxpool: 'MaxPooling2D', maxpool2d: 'MaxPooling2D',
  pool: 'MaxPooling2D', avgpool: 'AveragePooling2D', avgpool2d: 'AveragePooling2D',
  averagepool2d: 'AveragePooling2D', batchnorm: 'BatchNormalization', batchnorm2d: 'BatchNormalization',
  bn: 'BatchNormalization', fc: 'Dense', linear: 'Dense', fullyconnected: 'Dense', flat: 'Flatten',
};

/** Validates one layer's type and fields, pushing every problem; returns null if there was any. */
export function checkLayerFields(raw: unknown, index: number, issues: SpecIssue[]): NormalizedLayerSpec | null {
  const n = index + 1;
  if (!isPlainObject(raw)) {
    const message = `layer ${n}: must be an object with a 'type' field, got ${describeValue(raw)}`;
    issues.push({ index, layerType: null, field: null, message });
    return null;
  }
  const type = own(raw, 'type');
  if (!LAYER_TYPES.includes(type as LayerType)) {
    const known = `known types: ${LAYER_TYPES.join(', ')}`;
    const hint = typeof type === 'string' ? (TYPE_ALIASES[simplify(type)] ?? suggestName(type, LAYER_TYPES)) : null;
    const message = type === undefined
      ? `layer ${n}: field 'type' is required (${known})`
      : `layer ${n}: unknown layer type ${describeValue(type)} (${hint ? `did you mean '${hint}'?` : known})`;
    issues.push({ index, layerType: typeof type === 'string' ? type : null, field: 'type', message });
    return null;
  }
  const layerType = type as LayerType;
  const rules = LAYER_FIELDS[layerType];
  const issuesBefore = issues.length;
  const report = (field: string, reason: string) =>
    issues.push({ index, layerType, field, message: `layer ${n} ${layerType}: ${reason}` });

  // A misspelt required field ("filter") is reported once, as the typo, not again as missing.
  const misspelt = new Set<string>();
  for (const key of Object.keys(raw)) {
    if (key === 'type' || Object.hasOwn(rules, key)) continue;
    const meant = suggestName(key, Object.keys(rules));
    if (meant) misspelt.add(meant);
    report(key, `unknown field '${key}' (${unknownFieldHint(key, layerType)})`);
  }
  const normalized: Record<string, unknown> = { type: layerType };
  for (const [field, rule] of Object.entries(rules)) {
    const value = own(raw, field);
    if (value === undefined) {
      if (rule.required && !misspelt.has(field)) report(field, `field '${field}' is required: ${rule.expects}`);
      normalized[field] = Array.isArray(rule.fallback) ? [...rule.fallback] : rule.fallback;
      continue;
    }
    const parsed = rule.parse(value);
    if (parsed) {
      normalized[field] = parsed.value;
      continue;
    }
    const hint = rule.choices && typeof value === 'string' ? suggestName(value, rule.choices) : null;
    const suggestion = hint ? ` (did you mean '${hint}'?)` : '';
    report(field, `field '${field}' must be ${rule.expects}, got ${describeValue(value)}${suggestion}`);
  }
  if (issues.length > issuesBefore) return null;
  if (layerType.endsWith('Pooling2D') && normalized.strides === undefined) {
    normalized.strides = [...(normalized.poolSize as Pair)];
  }
  return normalized as NormalizedLayerSpec;
}

function unknownFieldHint(key: string, layerType: LayerType): string {
  if (key === 'inputShape') return "inputShape belongs at the top level of the spec, next to 'layers'";
  if (layerType === 'BatchNormalization' && key === 'axis') return 'BatchNormalization always normalises the last axis';
  const allowed = ['type', ...Object.keys(LAYER_FIELDS[layerType])];
  const hint = suggestName(key, allowed);
  if (hint) return `did you mean '${hint}'?`;
  return allowed.length === 1 ? `${layerType} takes no fields besides 'type'` : `allowed: ${allowed.join(', ')}`;
}

// ---- Shapes, parameters, FLOPs ---------------------------------------------------------

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

/** "2x2x64" — the way shapes appear in messages. */
export function formatShape(shape: readonly number[]): string {
  return shape.join('x');
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
  return { field, reason: `${field} ${formatShape(size)} does not fit input ${formatShape(shape)} (padding ${padding})` };
}

function product(values: readonly number[]): number {
  return values.reduce((acc, v) => acc * v, 1);
}

// ---- Small helpers -----------------------------------------------------------------------

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Own properties only, so a key like "constructor" is never picked up from the prototype. */
export function own(object: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(object, key) ? object[key] : undefined;
}

export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Lower-case without separators, so kernel_size, KernelSize and kernelSize compare equal. */
function simplify(name: string): string {
  return name.toLowerCase().replace(/[\s_-]/g, '');
}

/** The candidate the user most likely meant, or null when none is close. */
export function suggestName(name: string, candidates: readonly string[]): string | null {
  const wanted = simplify(name);
  if (wanted === '') return null;
  const exact = candidates.find((c) => simplify(c) === wanted);
  if (exact) return exact;
  // Short names tolerate one typo, longer ones two; the closest candidate wins.
  const tolerance = wanted.length <= 4 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = tolerance + 1;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, simplify(candidate));
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  if (best) return best;
  // A truncated name ("kernel", "act") is a prefix of what was meant.
  return wanted.length >= 3 ? (candidates.find((c) => simplify(c).startsWith(wanted)) ?? null) : null;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

/** A value as it appears in messages: numbers bare, strings quoted, long JSON cut short. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  if (typeof value === 'function' || typeof value === 'symbol') return `a ${typeof value}`;
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return Array.isArray(value) ? 'an array' : 'an object';
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
