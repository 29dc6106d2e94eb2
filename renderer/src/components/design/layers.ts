// The layer vocabulary as the editor presents it: defaults for new layers, one-line summaries, and
// number/shape formatting. The engine validates everything; these only decide what the UI offers.
import type { Activation, LayerSpec, LayerType, Padding, Pair } from '../../../../electron/engine/model/spec.ts';

// Mirrors electron/engine/model/shapes.ts (the renderer may import engine types only, not values).
export const LAYER_TYPES: readonly LayerType[] = [
  'Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'Dropout', 'BatchNormalization', 'Flatten', 'Dense',
];
export const ACTIVATIONS: readonly Activation[] = ['relu', 'sigmoid', 'tanh', 'softmax', 'linear'];
export const PADDINGS: readonly Padding[] = ['valid', 'same'];
export const MAX_WINDOW = 64;

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
    case 'Conv2D': return { type, filters: 32, kernelSize: 3, activation: 'relu' };
    case 'MaxPooling2D':
    case 'AveragePooling2D': return { type, poolSize: 2 };
    case 'Dropout': return { type, rate: 0.25 };
    case 'BatchNormalization': return { type, momentum: 0.99, epsilon: 0.001 };
    case 'Flatten': return { type };
    case 'Dense': return { type, units: 64, activation: 'relu' };
  }
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

/** A compact reading of the layer's settings, e.g. "32 filters 3×3 relu". */
export function summarize(layer: EditableLayer): string {
  const parts: string[] = [];
  const stride = formatSize(layer.strides);
  const nonDefaultStride = stride !== null && stride !== '1×1';
  switch (layer.type) {
    case 'Conv2D':
      parts.push(`${layer.filters ?? '?'} filters`, formatSize(layer.kernelSize) ?? '?');
      if (nonDefaultStride) parts.push(`stride ${stride}`);
      if (layer.padding === 'same') parts.push('same');
      parts.push(layer.activation ?? 'linear');
      if (layer.useBias === false) parts.push('no bias');
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      parts.push(formatSize(layer.poolSize) ?? '2×2');
      if (stride !== null && stride !== formatSize(layer.poolSize ?? 2)) parts.push(`stride ${stride}`);
      if (layer.padding === 'same') parts.push('same');
      break;
    case 'Dropout':
      parts.push(`rate ${layer.rate ?? '?'}`);
      break;
    case 'BatchNormalization':
      parts.push(`momentum ${layer.momentum ?? 0.99}`, `ε ${layer.epsilon ?? 0.001}`);
      break;
    case 'Flatten':
      parts.push('to a vector');
      break;
    case 'Dense':
      parts.push(`${layer.units ?? '?'} units`, layer.activation ?? 'linear');
      if (layer.useBias === false) parts.push('no bias');
      break;
  }
  return parts.join(' ');
}

/** "C32-P-C64-F-D10": the architecture at a glance, for lists of designs. */
export function architecture(layers: readonly LayerSpec[]): string {
  const short: Record<LayerType, (l: EditableLayer) => string> = {
    Conv2D: (l) => `C${l.filters}`,
    MaxPooling2D: () => 'P',
    AveragePooling2D: () => 'AP',
    Dropout: (l) => `Drop${l.rate}`,
    BatchNormalization: () => 'BN',
    Flatten: () => 'F',
    Dense: (l) => `D${l.units}`,
  };
  return layers.map((layer) => short[layer.type]?.(layer as EditableLayer) ?? '?').join('-');
}

export function formatShape(shape: readonly number[]): string {
  return shape.join('×');
}

const integer = new Intl.NumberFormat('en-US');

/** 93,322 */
export function formatCount(value: number): string {
  return integer.format(value);
}

/** FLOPs in engineering units: "9.3 M", "612 k". */
export function formatFlops(value: number): string {
  if (value === 0) return '0';
  const units: [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [scale, unit] of units) {
    if (value >= scale) return `${(value / scale).toFixed(value >= scale * 100 ? 0 : 1)} ${unit}`;
  }
  return String(value);
}
