// The layer vocabulary as the editor presents it: labels, what a new layer starts as, one-line summaries,
// and number formatting. The vocabulary itself, its defaults and ranges, and the validation and shapes are
// the spec module's (electron/shared/model), the same code the engine runs.
import {
  DEFAULT_NUM_CLASSES,
  LAYER_DEFAULTS,
  withDefaults,
  type LayerSpec,
  type LayerType,
  type ModelSpec,
  type Pair,
} from '#shared/model/index.ts';

/** Layers as the user edits them: any field may be missing or hold a half-typed value. */
export type EditableLayer = LayerSpec & Record<string, unknown>;

export const LAYER_LABELS: Record<LayerType, string> = {
  Conv2D: 'Conv2D',
  MaxPooling2D: 'MaxPool',
  AveragePooling2D: 'AvgPool',
  Dropout: 'Dropout',
  BatchNormalization: 'BatchNorm',
  Flatten: 'Flatten',
  Dense: 'Dense',
};

/** What a freshly added layer starts as: the common choice in Keras examples. */
export function defaultLayer(type: LayerType): LayerSpec {
  switch (type) {
    case 'Conv2D':
      return { type, filters: 32, kernelSize: 3, activation: 'relu' };
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      return { type, poolSize: 2 };
    case 'Dropout':
      return { type, rate: 0.25 };
    case 'BatchNormalization':
      return { type, ...LAYER_DEFAULTS.BatchNormalization };
    case 'Flatten':
      return { type };
    case 'Dense':
      return { type, units: 64, activation: 'relu' };
  }
}

/**
 * "New blank design": the MNIST input and the smallest classifier on it (Flatten, then Dense softmax with one
 * unit per class). Valid from the start, so it trains as it is; layers go in between.
 */
export function blankDesign(): ModelSpec {
  return {
    name: 'untitled',
    inputShape: [28, 28, 1],
    layers: [{ type: 'Flatten' }, { type: 'Dense', units: DEFAULT_NUM_CLASSES, activation: 'softmax' }],
  };
}

/** "3×3" for 3 or [3, 3]; "3×5" for [3, 5]; null when absent; the raw value when malformed. */
export function formatSize(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number') return `${value}×${value}`;
  if (Array.isArray(value) && value.length === 2) return `${value[0]}×${value[1]}`;
  return String(value);
}

export function isSquare(value: unknown): boolean {
  return !Array.isArray(value) || value[0] === value[1];
}

/** The height of a size field, whichever form it is stored in. */
export function sizeHeight(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (Array.isArray(value) && typeof value[0] === 'number') return value[0];
  return undefined;
}

export function toPair(value: unknown, fallback: number): Pair {
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])];
  const n = typeof value === 'number' ? value : fallback;
  return [n, n];
}

/** A compact reading of the layer's settings, e.g. "32 filters 3×3 relu"; defaults are the engine's. */
export function summarize(layer: EditableLayer): string {
  const parts: string[] = [];
  const filled = withDefaults(layer);
  const stride = formatSize(layer.strides);
  switch (filled.type) {
    case 'Conv2D':
      parts.push(`${filled.filters ?? '?'} filters`, formatSize(filled.kernelSize) ?? '?');
      if (stride !== null && stride !== formatSize(LAYER_DEFAULTS.Conv2D.strides)) parts.push(`stride ${stride}`);
      if (filled.padding === 'same') parts.push('same');
      parts.push(String(filled.activation));
      if (filled.useBias === false) parts.push('no bias');
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      parts.push(formatSize(filled.poolSize) ?? '?');
      if (stride !== null && stride !== formatSize(filled.poolSize)) parts.push(`stride ${stride}`);
      if (filled.padding === 'same') parts.push('same');
      break;
    case 'Dropout':
      parts.push(`rate ${filled.rate ?? '?'}`);
      break;
    case 'BatchNormalization':
      parts.push(`momentum ${filled.momentum}`, `ε ${filled.epsilon}`);
      break;
    case 'Flatten':
      parts.push('to a vector');
      break;
    case 'Dense':
      parts.push(`${filled.units ?? '?'} units`, String(filled.activation));
      if (filled.useBias === false) parts.push('no bias');
      break;
  }
  return parts.join(' ');
}

const integer = new Intl.NumberFormat('en-US');

/** 93,322 */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** FLOPs in engineering units: "9.3 M", "612 k". */
export function formatFlops(value: number): string {
  if (value === 0) return '0';
  const units: [number, string][] = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ];
  // Round first, so 999,999 reads "1.0 M", not "1000 k".
  for (const [index, [scale, unit]] of units.entries()) {
    const digits = value >= scale * 100 ? 0 : 1;
    const scaled = Number((value / scale).toFixed(digits));
    if (scaled >= 1000 && index > 0) return `${(value / units[index - 1][0]).toFixed(1)} ${units[index - 1][1]}`;
    if (value >= scale) return `${scaled.toFixed(digits)} ${unit}`;
  }
  return String(value);
}
