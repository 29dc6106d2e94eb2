// Per-layer rules of the spec format: the layer vocabulary, each layer type's fields with their
// defaults and ranges, and the check of one layer's fields (checkLayerFields). Shapes are infer.ts's;
// spec.ts composes both into analyzeSpec. The editor offers exactly this vocabulary and these ranges.

import { describeValue, simplify, suggestName } from './format.ts';
import { isIntegerIn, isPlainObject, own } from './guards.ts';
import type { Activation, LayerType, NormalizedLayerSpec, Padding, Pair, SpecIssue } from './types.ts';

export const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear'];
export const PADDINGS: readonly Padding[] = ['valid', 'same'];
export const LAYER_TYPES: readonly LayerType[] = [
  'Conv2D',
  'MaxPooling2D',
  'AveragePooling2D',
  'Dropout',
  'BatchNormalization',
  'Flatten',
  'Dense',
];
/** Largest side of a kernel, pool window or stride. */
export const MAX_WINDOW = 64;
/** Conv2D filters and Dense units: 1 to these. */
export const MAX_FILTERS = 4096;
export const MAX_UNITS = 65536;
/**
 * Smallest BatchNormalization epsilon: cuDNN's CUDNN_BN_MIN_EPSILON (PyTorch's default). Smaller values
 * train into NaN where a channel's batch variance is 0: below float32's smallest normal (1.2e-38) epsilon
 * rounds to a denormal or 0, and even above it (variance + epsilon)^-1.5 in the gradient overflows float32.
 */
export const MIN_BATCH_NORM_EPSILON = 1e-5;

/**
 * What an absent field means, per layer type (the defaults of tfjs-layers and Keras). Pooling strides
 * default to the pool size (non-overlapping windows). Fields missing here are required.
 */
export const LAYER_DEFAULTS = {
  Conv2D: { strides: [1, 1], padding: 'valid', activation: 'linear', useBias: true },
  MaxPooling2D: { poolSize: [2, 2], padding: 'valid' },
  AveragePooling2D: { poolSize: [2, 2], padding: 'valid' },
  Dropout: {},
  BatchNormalization: { momentum: 0.99, epsilon: 0.001 },
  Flatten: {},
  Dense: { activation: 'linear', useBias: true },
} as const satisfies Record<LayerType, Record<string, unknown>>;

/**
 * The layer with every unset field (undefined or null) set to its default, pooling strides to the pool
 * size: for display and comparison. Other values are kept as they are, valid or not (analyzeSpec judges).
 */
export function withDefaults<L extends { type: string }>(layer: L): L {
  if (!Object.hasOwn(LAYER_DEFAULTS, layer.type)) return layer;
  const filled: Record<string, unknown> = { ...layer };
  for (const [field, value] of Object.entries(LAYER_DEFAULTS[layer.type as LayerType])) {
    if (filled[field] == null) filled[field] = Array.isArray(value) ? [...value] : value;
  }
  if (layer.type.endsWith('Pooling2D') && filled.strides == null) {
    filled.strides = Array.isArray(filled.poolSize) ? [...filled.poolSize] : filled.poolSize;
  }
  return filled as L;
}

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
/** kernelSize, poolSize, strides: a number means a square window. */
const sizeField = (fallback?: Readonly<Pair>, required = false): FieldRule => ({
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
const booleanField = (fallback: boolean): FieldRule => ({
  expects: 'true or false',
  parse: (v) => (typeof v === 'boolean' ? { value: v } : null),
  fallback,
});
const { Conv2D: conv, MaxPooling2D: pool, BatchNormalization: batchNorm, Dense: dense } = LAYER_DEFAULTS;
// Pooling strides default to poolSize; that is filled in after parsing (see checkLayerFields).
const poolingFields = {
  poolSize: sizeField(pool.poolSize),
  strides: sizeField(),
  padding: choiceField(PADDINGS, pool.padding),
};

/** Rules in canonical order: the normalised layer lists its fields in this order. */
const LAYER_FIELDS: Record<LayerType, Record<string, FieldRule>> = {
  Conv2D: {
    filters: integerField(1, MAX_FILTERS),
    kernelSize: sizeField(undefined, true),
    strides: sizeField(conv.strides),
    padding: choiceField(PADDINGS, conv.padding),
    activation: choiceField(ACTIVATIONS, conv.activation),
    useBias: booleanField(conv.useBias),
  },
  MaxPooling2D: poolingFields,
  AveragePooling2D: poolingFields,
  Dropout: { rate: numberField('a number from 0 (inclusive) to 1 (exclusive)', (v) => v >= 0 && v < 1) },
  BatchNormalization: {
    momentum: numberField('a number from 0 (inclusive) to 1 (exclusive)', (v) => v >= 0 && v < 1, batchNorm.momentum),
    epsilon: numberField(
      `a number from ${MIN_BATCH_NORM_EPSILON} to 1 (smaller values make training produce NaN)`,
      (v) => v >= MIN_BATCH_NORM_EPSILON && v <= 1,
      batchNorm.epsilon,
    ),
  },
  Flatten: {},
  Dense: {
    units: integerField(1, MAX_UNITS),
    activation: choiceField(ACTIVATIONS, dense.activation),
    useBias: booleanField(dense.useBias),
  },
};

/** The fields a layer of this type may have besides 'type', in canonical order. */
export function layerFieldNames(type: LayerType): string[] {
  return Object.keys(LAYER_FIELDS[type]);
}

/** Common names from Keras, PyTorch and tfjs factories that mean one of our layer types. */
const TYPE_ALIASES: Record<string, LayerType> = {
  conv: 'Conv2D',
  convolution2d: 'Conv2D',
  maxpool: 'MaxPooling2D',
  maxpool2d: 'MaxPooling2D',
  pool: 'MaxPooling2D',
  avgpool: 'AveragePooling2D',
  avgpool2d: 'AveragePooling2D',
  averagepool2d: 'AveragePooling2D',
  batchnorm: 'BatchNormalization',
  batchnorm2d: 'BatchNormalization',
  bn: 'BatchNormalization',
  fc: 'Dense',
  linear: 'Dense',
  fullyconnected: 'Dense',
  flat: 'Flatten',
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
    // Own aliases only: TYPE_ALIASES['constructor'] would be Object itself.
    const alias =
      typeof type === 'string' && Object.hasOwn(TYPE_ALIASES, simplify(type))
        ? TYPE_ALIASES[simplify(type)]
        : undefined;
    const hint = typeof type === 'string' ? (alias ?? suggestName(type, LAYER_TYPES)) : null;
    const message =
      type === undefined
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
