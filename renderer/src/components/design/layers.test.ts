import { describe, expect, it } from 'vitest';
import { analyzeSpec, LAYER_TYPES, type LayerSpec } from '#shared/model/index.ts';
import {
  blankDesign,
  defaultLayer,
  formatCount,
  formatFlops,
  formatSize,
  isSquare,
  LAYER_LABELS,
  sizeHeight,
  summarize,
  toPair,
  type EditableLayer,
} from './layers.ts';

const summary = (layer: LayerSpec) => summarize(layer as EditableLayer);

describe('LAYER_LABELS', () => {
  it('labels every layer type', () => {
    expect(Object.keys(LAYER_LABELS).sort()).toEqual([...LAYER_TYPES].sort());
    expect(LAYER_LABELS.BatchNormalization).toBe('BatchNorm');
  });
});

describe('blankDesign', () => {
  it('is the smallest valid classifier: Flatten and a softmax with one unit per class', () => {
    const analysis = analyzeSpec(blankDesign());
    expect(analysis.ok && analysis.totalParams).toBe(28 * 28 * 10 + 10);
    expect(blankDesign().layers.map((layer) => layer.type)).toEqual(['Flatten', 'Dense']);
    expect(blankDesign()).not.toBe(blankDesign());
  });
});

describe('defaultLayer', () => {
  it('starts each type as Keras examples do', () => {
    expect(defaultLayer('Conv2D')).toEqual({ type: 'Conv2D', filters: 32, kernelSize: 3, activation: 'relu' });
    expect(defaultLayer('MaxPooling2D')).toEqual({ type: 'MaxPooling2D', poolSize: 2 });
    expect(defaultLayer('Dropout')).toEqual({ type: 'Dropout', rate: 0.25 });
    expect(defaultLayer('BatchNormalization')).toEqual({ type: 'BatchNormalization', momentum: 0.99, epsilon: 0.001 });
    expect(defaultLayer('Flatten')).toEqual({ type: 'Flatten' });
    expect(defaultLayer('Dense')).toEqual({ type: 'Dense', units: 64, activation: 'relu' });
  });

  it('gives layers the engine accepts as they are', () => {
    const layers = (
      ['Conv2D', 'BatchNormalization', 'MaxPooling2D', 'AveragePooling2D', 'Dropout', 'Flatten', 'Dense'] as const
    ).map(defaultLayer);
    const analysis = analyzeSpec({
      name: 'defaults',
      inputShape: [28, 28, 1],
      layers: [...layers, { type: 'Dense', units: 10, activation: 'softmax' }],
    });
    expect(analysis.ok).toBe(true);
  });

  it('hands out a fresh layer each time', () => {
    const first = defaultLayer('BatchNormalization') as EditableLayer;
    first.momentum = 0.5;
    expect(defaultLayer('BatchNormalization')).toMatchObject({ momentum: 0.99 });
  });
});

describe('size helpers', () => {
  it('formatSize: "h×w" for a number or a pair, null when absent, the raw value when malformed', () => {
    expect(formatSize(3)).toBe('3×3');
    expect(formatSize([3, 5])).toBe('3×5');
    expect(formatSize(undefined)).toBeNull();
    expect(formatSize(null)).toBeNull();
    expect(formatSize([1, 2, 3])).toBe('1,2,3');
    expect(formatSize('x')).toBe('x');
  });

  it('isSquare: a number or an equal pair', () => {
    expect(isSquare(3)).toBe(true);
    expect(isSquare([2, 2])).toBe(true);
    expect(isSquare([2, 3])).toBe(false);
    expect(isSquare(undefined)).toBe(true);
  });

  it('sizeHeight: the first number, whichever form', () => {
    expect(sizeHeight(4)).toBe(4);
    expect(sizeHeight([5, 2])).toBe(5);
    expect(sizeHeight(['5', 2])).toBeUndefined();
    expect(sizeHeight(undefined)).toBeUndefined();
  });

  it('toPair: pairs as numbers, a number doubled, anything else the fallback', () => {
    expect(toPair([3, '5'], 1)).toEqual([3, 5]);
    expect(toPair(4, 1)).toEqual([4, 4]);
    expect(toPair(undefined, 2)).toEqual([2, 2]);
    expect(toPair([1, 2, 3], 2)).toEqual([2, 2]);
  });
});

describe('summarize', () => {
  it("reads a convolution with the engine's defaults filled in", () => {
    expect(summary({ type: 'Conv2D', filters: 32, kernelSize: 3, activation: 'relu' })).toBe('32 filters 3×3 relu');
    expect(summary({ type: 'Conv2D', filters: 8, kernelSize: [3, 5] })).toBe('8 filters 3×5 linear');
  });

  it("names a convolution's non-default stride, same padding and missing bias", () => {
    expect(summary({ type: 'Conv2D', filters: 8, kernelSize: 3, strides: 1 })).toBe('8 filters 3×3 linear');
    expect(
      summary({
        type: 'Conv2D',
        filters: 8,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'tanh',
        useBias: false,
      }),
    ).toBe('8 filters 3×3 stride 2×2 same tanh no bias');
  });

  it('marks missing required settings with "?"', () => {
    expect(summarize({ type: 'Conv2D' } as EditableLayer)).toBe('? filters ? linear');
    expect(summarize({ type: 'Dense' } as EditableLayer)).toBe('? units linear');
    expect(summarize({ type: 'Dropout' } as EditableLayer)).toBe('rate ?');
  });

  it('names a pooling stride only when it differs from the pool size', () => {
    expect(summary({ type: 'MaxPooling2D', poolSize: 2 })).toBe('2×2');
    expect(summary({ type: 'MaxPooling2D', poolSize: 2, strides: [2, 2] })).toBe('2×2');
    expect(summary({ type: 'AveragePooling2D', poolSize: 3, strides: 1, padding: 'same' })).toBe('3×3 stride 1×1 same');
    expect(summary({ type: 'MaxPooling2D' })).toBe('2×2');
  });

  it('reads the other layer types', () => {
    expect(summary({ type: 'Dropout', rate: 0.5 })).toBe('rate 0.5');
    expect(summary({ type: 'BatchNormalization' })).toBe('momentum 0.99 ε 0.001');
    expect(summary({ type: 'Flatten' })).toBe('to a vector');
    expect(summary({ type: 'Dense', units: 10, activation: 'softmax', useBias: false })).toBe(
      '10 units softmax no bias',
    );
  });
});

describe('number formatting', () => {
  it('formatCount groups digits the en-US way', () => {
    expect(formatCount(93_322)).toBe('93,322');
    expect(formatCount(0)).toBe('0');
  });

  it('formatFlops uses engineering units, one decimal below a hundred', () => {
    expect(formatFlops(0)).toBe('0');
    expect(formatFlops(612)).toBe('612');
    expect(formatFlops(1_500)).toBe('1.5 k');
    expect(formatFlops(612_000)).toBe('612 k');
    expect(formatFlops(9_300_000)).toBe('9.3 M');
    expect(formatFlops(4.2e9)).toBe('4.2 G');
    expect(formatFlops(2.5e12)).toBe('2.5 T');
    expect(formatFlops(999_999)).toBe('1.0 M');
    expect(formatFlops(999_960_000)).toBe('1.0 G');
  });
});
