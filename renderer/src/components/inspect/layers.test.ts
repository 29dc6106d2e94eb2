import { describe, expect, it } from 'vitest';
import type { LayerActivation, ModelInspection } from '#shared/contract.ts';
import { getTemplate, type ModelSpec } from '#shared/model/index.ts';
import { layerViews, matchLayer, matchNote, ordinal, sameLayout } from './layers.ts';

const SMALL: ModelSpec = {
  name: 'small',
  inputShape: [6, 6, 1],
  layers: [
    { type: 'Conv2D', filters: 2, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Dropout', rate: 0.25 },
    { type: 'Flatten' },
    { type: 'Dense', units: 4, activation: 'relu' },
    { type: 'Dense', units: 3, activation: 'softmax' },
  ],
};

function activation(index: number, type: string, shape: number[], values: number[]): LayerActivation {
  return { index, type, shape, values: Float32Array.from(values), min: 0, max: 1, mean: 0 };
}

function inspection(layers: LayerActivation[]): ModelInspection {
  return {
    runId: 1,
    epoch: 2,
    input: Array.from({ length: 36 }, (_, i) => (i % 7 === 0 ? 1 : 0)),
    blank: false,
    layers,
    probabilities: [0.2, 0.7, 0.1],
    predicted: 1,
    classes: ['a', 'b', 'c'],
    saliency: null,
    durationMs: 3,
  };
}

const conv = Array.from({ length: 4 * 4 * 2 }, (_, i) => i / 32);
const pool = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];

describe('the layer list of the inside view', () => {
  it('draws maps, vectors and the output, and folds pass-through layers into notes', () => {
    const views = layerViews(
      inspection([
        activation(0, 'Conv2D', [4, 4, 2], conv),
        activation(1, 'MaxPooling2D', [2, 2, 2], pool),
        activation(2, 'Dropout', [2, 2, 2], pool),
        activation(3, 'Flatten', [8], pool),
        activation(4, 'Dense', [4], [0, 1, 2, 0]),
        activation(5, 'Dense', [3], [0.2, 0.7, 0.1]),
      ]),
      SMALL,
    );
    expect(views.map((v) => [v.position, v.kind, v.title, v.shapeText])).toEqual([
      [1, 'maps', 'Conv2D', '4×4×2'],
      [2, 'maps', 'MaxPool', '2×2×2'],
      [3, 'same', 'Dropout', '2×2×2'],
      [4, 'same', 'Flatten', '8'],
      [5, 'vector', 'Dense', '4'],
      [6, 'output', 'Dense', '3'],
    ]);
    expect(views[0]).toMatchObject({ settings: '2 filters 3×3 relu', height: 4, width: 4, channels: 2 });
    const [dropout, flatten] = [views[2], views[3]];
    if (dropout.kind !== 'same' || flatten.kind !== 'same') throw new Error('expected notes');
    expect(dropout.sameAs).toBe('layer 2 MaxPool');
    expect(dropout.why).toMatch(/only acts while training/);
    // The Flatten points at the picture actually drawn, not at the Dropout note.
    expect(flatten.sameAs).toBe('layer 2 MaxPool');
    expect(flatten.why).toBe(
      'Flatten lays the 2×2×2 values of layer 2 MaxPool out in one row of 8: the same numbers, drawn above.',
    );
    expect(views[5]).toMatchObject({ kind: 'output', softmax: true });
  });

  it('folds a Flatten of the input itself, and shows a Dropout that changed values (it never should)', () => {
    const mlp: ModelSpec = getTemplate('mlp');
    mlp.inputShape = [6, 6, 1];
    const input = inspection([]).input;
    const views = layerViews(
      inspection([
        activation(0, 'Flatten', [36], input),
        activation(1, 'Dense', [4], [1, 2, 3, 4]),
        activation(2, 'Dropout', [4], [0, 2, 3, 4]),
        activation(3, 'Dense', [3], [0.2, 0.7, 0.1]),
      ]),
      mlp,
    );
    expect(views.map((v) => v.kind)).toEqual(['same', 'vector', 'vector', 'output']);
    expect(views[0].kind === 'same' && views[0].why).toMatch(/^Flatten lays the 6×6×1 values of the input out/);
  });

  it('marks an output that is no softmax', () => {
    const spec: ModelSpec = { ...SMALL, layers: [{ type: 'Flatten' }, { type: 'Dense', units: 3 }] };
    const views = layerViews(
      inspection([activation(0, 'Flatten', [36], []), activation(1, 'Dense', [3], [1, 2, 3])]),
      spec,
    );
    expect(views.at(-1)).toMatchObject({ kind: 'output', softmax: false });
  });
});

describe('matching layers of two designs', () => {
  const seed = getTemplate('seed');
  const lenet = getTemplate('lenet5');

  it('matches the same design by position, without a note', () => {
    expect(sameLayout(seed, getTemplate('seed-augmented'))).toBe(true);
    const match = matchLayer(seed, 2, getTemplate('seed-augmented'));
    expect(match).toEqual({ index: 2, by: 'position' });
    expect(matchNote(seed, 2, getTemplate('seed-augmented'), match, ['#1', '#2'])).toBe('');
  });

  it('matches different designs by the n-th layer of the type, and says so', () => {
    expect(sameLayout(seed, lenet)).toBe(false);
    // seed: C P C P C F D D; lenet5: C AP C AP F D D D.
    expect(matchLayer(seed, 0, lenet)).toEqual({ index: 0, by: 'position' });
    expect(matchLayer(seed, 2, lenet)).toEqual({ index: 2, by: 'position' });
    const third = matchLayer(seed, 4, lenet);
    expect(third).toEqual({ index: null, by: null });
    expect(matchNote(seed, 4, lenet, third, ['#1', '#2'])).toBe(
      "#2 has no 3rd Conv2D layer to show beside #1's layer 5.",
    );
    const dense = matchLayer(seed, 6, lenet);
    expect(dense).toEqual({ index: 5, by: 'type' });
    expect(matchNote(seed, 6, lenet, dense, ['#1', '#2'])).toBe(
      'The designs differ, so layers are matched by type: the 1st Dense of each, layer 7 of #1 and layer 6 of #2.',
    );
    expect(matchNote(seed, 0, lenet, matchLayer(seed, 0, lenet), ['#1', '#2'])).toMatch(/^The designs differ; layer 1/);
  });

  it('always matches the output layers', () => {
    const match = matchLayer(seed, 7, lenet);
    expect(match).toEqual({ index: 7, by: 'output' });
    expect(matchNote(seed, 7, lenet, match, ['#1', '#2'])).toBe(
      "Both runs' output layers: layer 8 of #1, layer 8 of #2.",
    );
    // A hidden layer is never matched with the other's output layer.
    const tiny: ModelSpec = {
      ...seed,
      layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
    };
    expect(matchLayer(seed, 6, tiny)).toEqual({ index: null, by: null });
  });

  it('writes ordinals', () => {
    expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111].map(ordinal)).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '101st',
      '111th',
    ]);
  });
});
