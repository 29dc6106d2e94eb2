// Valid specs: the analyser's shapes and parameter counts must equal what tfjs itself reports
// for the built model, layer by layer. Models are built on the cpu backend and never trained.

import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '#engine/model/build.ts';
import {
  AUGMENTATION_NAMES,
  DEFAULT_HYPERPARAMETERS,
  NO_AUGMENTATION,
  parseHyperparameters,
  usesAugmentation,
} from '#shared/hyperparameters.ts';
import {
  analyzeSpec,
  describeArchitecture,
  getTemplate,
  parseSpec,
  SpecError,
  templateHyperparameters,
  templateNames,
  TEMPLATES,
  type LayerSpec,
  type ModelSpec,
} from '#shared/model/index.ts';

beforeAll(async () => {
  await tf.setBackend('cpu');
  await tf.ready();
});

const softmax = (units = 10): LayerSpec => ({ type: 'Dense', units, activation: 'softmax' });
const flat: LayerSpec = { type: 'Flatten' };
const spec = (name: string, layers: LayerSpec[], inputShape: [number, number, number] = [28, 28, 1]): ModelSpec => ({
  name,
  inputShape,
  layers,
});

interface ValidCase {
  spec: ModelSpec;
  numClasses?: number;
}

const VALID: ValidCase[] = [
  ...templateNames().map((name) => ({ spec: getTemplate(name) })),
  {
    spec: spec('conv same stride 2', [
      { type: 'Conv2D', filters: 8, kernelSize: 3, strides: 2, padding: 'same' },
      flat,
      softmax(),
    ]),
  },
  {
    spec: spec('conv valid stride 3', [
      { type: 'Conv2D', filters: 4, kernelSize: 5, strides: 3, activation: 'relu' },
      flat,
      softmax(),
    ]),
  },
  {
    spec: spec(
      'conv same stride 3 odd input',
      [{ type: 'Conv2D', filters: 4, kernelSize: 4, strides: 3, padding: 'same' }, flat, softmax()],
      [29, 31, 1],
    ),
  },
  {
    spec: spec('non-square kernel and strides', [
      { type: 'Conv2D', filters: 6, kernelSize: [3, 5], strides: [1, 2] },
      flat,
      softmax(),
    ]),
  },
  {
    spec: spec(
      'non-square input, non-square pool',
      [
        { type: 'Conv2D', filters: 16, kernelSize: [5, 3], activation: 'relu' },
        { type: 'MaxPooling2D', poolSize: [2, 3] },
        flat,
        softmax(),
      ],
      [32, 20, 3],
    ),
  },
  {
    spec: spec(
      'cifar-style rgb',
      [
        { type: 'Conv2D', filters: 32, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'Conv2D', filters: 32, kernelSize: 3, activation: 'relu' },
        { type: 'MaxPooling2D', poolSize: 2 },
        { type: 'Dropout', rate: 0.25 },
        { type: 'Conv2D', filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' },
        { type: 'Conv2D', filters: 64, kernelSize: 3, activation: 'relu' },
        { type: 'MaxPooling2D', poolSize: 2 },
        flat,
        { type: 'Dense', units: 512, activation: 'relu' },
        { type: 'Dropout', rate: 0.5 },
        softmax(),
      ],
      [32, 32, 3],
    ),
  },
  {
    spec: spec('batchnorm in conv part', [
      { type: 'Conv2D', filters: 16, kernelSize: 3, useBias: false },
      { type: 'BatchNormalization' },
      { type: 'MaxPooling2D' },
      flat,
      softmax(),
    ]),
  },
  {
    spec: spec('batchnorm in dense part', [
      flat,
      { type: 'Dense', units: 64, activation: 'relu' },
      { type: 'BatchNormalization', momentum: 0.9, epsilon: 0.0001 },
      softmax(),
    ]),
  },
  { spec: spec('batchnorm first', [{ type: 'BatchNormalization', momentum: 0.5 }, flat, softmax()], [8, 8, 3]) },
  { spec: spec('dropout first, rate 0', [{ type: 'Dropout', rate: 0 }, flat, softmax()]) },
  {
    spec: spec(
      'average pool same 3/2',
      [{ type: 'AveragePooling2D', poolSize: 3, strides: 2, padding: 'same' }, flat, softmax()],
      [13, 13, 2],
    ),
  },
  {
    spec: spec(
      'overlapping max pool',
      [{ type: 'MaxPooling2D', poolSize: 3, strides: 1 }, flat, softmax()],
      [10, 9, 2],
    ),
  },
  {
    spec: spec(
      'pool larger than input, same',
      [{ type: 'MaxPooling2D', poolSize: 7, padding: 'same' }, flat, softmax()],
      [5, 5, 2],
    ),
  },
  { spec: spec('pool strides 3', [{ type: 'MaxPooling2D', poolSize: 2, strides: 3 }, flat, softmax()], [28, 28, 1]) },
  {
    spec: spec('avg pool non-square strides', [
      { type: 'AveragePooling2D', poolSize: [3, 2], strides: [2, 1] },
      flat,
      softmax(),
    ]),
  },
  {
    spec: spec('no bias anywhere', [
      { type: 'Conv2D', filters: 8, kernelSize: 3, useBias: false, activation: 'sigmoid' },
      flat,
      { type: 'Dense', units: 32, useBias: false, activation: 'tanh' },
      { type: 'Dense', units: 10, useBias: false, activation: 'softmax' },
    ]),
  },
  { spec: spec('kernel equals input', [{ type: 'Conv2D', filters: 3, kernelSize: 5 }, flat, softmax()], [5, 5, 1]) },
  { spec: spec('1x1 convolution', [{ type: 'Conv2D', filters: 2, kernelSize: 1 }, flat, softmax()], [6, 6, 7]) },
  {
    spec: spec(
      'factorised 1x7 and 7x1',
      [
        { type: 'Conv2D', filters: 8, kernelSize: [1, 7], padding: 'same' },
        { type: 'Conv2D', filters: 8, kernelSize: [7, 1] },
        flat,
        softmax(),
      ],
      [20, 20, 3],
    ),
  },
  { spec: spec('tiny input', [flat, softmax()], [1, 1, 3]) },
  {
    spec: spec(
      'every activation',
      [
        { type: 'Conv2D', filters: 3, kernelSize: 3, activation: 'softmax' },
        flat,
        { type: 'Dense', units: 16, activation: 'relu' },
        { type: 'Dense', units: 16, activation: 'sigmoid' },
        { type: 'Dense', units: 16, activation: 'tanh' },
        { type: 'Dense', units: 16, activation: 'linear' },
        softmax(),
      ],
      [6, 6, 1],
    ),
  },
  {
    spec: spec(
      'deep strided',
      [
        { type: 'Conv2D', filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
        { type: 'Conv2D', filters: 16, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
        { type: 'BatchNormalization' },
        { type: 'Conv2D', filters: 32, kernelSize: [3, 2], strides: [2, 3], activation: 'relu' },
        { type: 'AveragePooling2D', poolSize: 2, padding: 'same' },
        flat,
        { type: 'Dropout', rate: 0.3 },
        { type: 'Dense', units: 20, activation: 'linear' },
        softmax(),
      ],
      [64, 48, 3],
    ),
  },
  { spec: spec('26 letters', [flat, { type: 'Dense', units: 50, activation: 'relu' }, softmax(26)]), numClasses: 26 },
  { spec: spec('two classes', [{ type: 'Conv2D', filters: 2, kernelSize: 28 }, flat, softmax(2)]), numClasses: 2 },
  {
    spec: spec(
      'pool then conv same',
      [
        { type: 'MaxPooling2D', poolSize: [4, 2] },
        { type: 'Conv2D', filters: 5, kernelSize: [2, 4], strides: [1, 3], padding: 'same', activation: 'tanh' },
        flat,
        softmax(),
      ],
      [17, 23, 4],
    ),
  },
];

const sizeOf = (shape: number[]) => shape.reduce((acc, d) => acc * d, 1);
const weightCount = (weights: tf.LayerVariable[]) => weights.reduce((acc, w) => acc + sizeOf(w.shape as number[]), 0);

describe('analyzeSpec agrees with tfjs', () => {
  it('has at least 25 valid specs with distinct names', () => {
    expect(VALID.length).toBeGreaterThanOrEqual(25);
    expect(new Set(VALID.map((c) => c.spec.name)).size).toBe(VALID.length);
  });

  it.each(VALID.map((c) => [c.spec.name, c] as const))('%s', (_name, { spec: input, numClasses }) => {
    const analysis = analyzeSpec(input, { numClasses });
    if (!analysis.ok) throw new Error(analysis.issues.map((i) => i.message).join('\n'));
    const model = buildModel(input, { numClasses });
    try {
      expect(model.layers.length).toBe(analysis.layers.length);
      model.layers.forEach((layer, i) => {
        const report = analysis.layers[i];
        expect(report.index).toBe(i);
        expect(report.type).toBe(input.layers[i].type);
        expect([null, ...report.outputShape]).toEqual(layer.outputShape);
        expect(report.params).toBe(layer.countParams());
        expect(report.trainableParams).toBe(weightCount(layer.trainableWeights));
      });
      expect(analysis.totalParams).toBe(model.countParams());
      expect(analysis.trainableParams).toBe(weightCount(model.trainableWeights));
      expect([null, ...analysis.outputShape]).toEqual(model.outputs[0].shape);
      expect(analysis.outputShape).toEqual([numClasses ?? 10]);
    } finally {
      model.dispose();
    }
  });
});

describe('templates', () => {
  it('lists seed, seed-augmented, lenet5 and mlp, each valid, with valid training recipes', () => {
    expect(templateNames()).toEqual(['seed', 'seed-augmented', 'lenet5', 'mlp']);
    for (const name of templateNames()) {
      expect(TEMPLATES[name].title).not.toBe('');
      expect(analyzeSpec(getTemplate(name)).ok).toBe(true);
      expect(() => parseHyperparameters(templateHyperparameters(name))).not.toThrow();
    }
  });

  it('seed-augmented is the seed network with augmentation on, and the seed recipe has none', () => {
    expect(getTemplate('seed-augmented').layers).toEqual(getTemplate('seed').layers);
    expect(usesAugmentation(parseHyperparameters(templateHyperparameters('seed')))).toBe(false);
    const augmented = parseHyperparameters(templateHyperparameters('seed-augmented'));
    expect(AUGMENTATION_NAMES.filter((name) => augmented[name] > 0)).toEqual(AUGMENTATION_NAMES);
    // Only augmentation differs from the seed recipe.
    expect({ ...augmented, ...NO_AUGMENTATION }).toEqual(DEFAULT_HYPERPARAMETERS);
  });

  it('seed has exactly 93,322 parameters and the expected shapes and FLOPs', () => {
    const { layers, totalParams, trainableParams, totalFlops } = parseSpec(getTemplate('seed'));
    expect(totalParams).toBe(93_322);
    expect(trainableParams).toBe(93_322);
    expect(layers.map((l) => l.outputShape)).toEqual([
      [26, 26, 32],
      [13, 13, 32],
      [11, 11, 64],
      [5, 5, 64],
      [3, 3, 64],
      [576],
      [64],
      [10],
    ]);
    expect(layers.map((l) => l.params)).toEqual([320, 0, 18_496, 0, 36_928, 0, 36_928, 650]);
    // 2*outH*outW*outC*kh*kw*inC + bias; pooling outH*outW*C*ph*pw; dense 2*in*units + units.
    const flops = [
      2 * 26 * 26 * 32 * 9 * 1 + 26 * 26 * 32,
      13 * 13 * 32 * 4,
      2 * 11 * 11 * 64 * 9 * 32 + 11 * 11 * 64,
      5 * 5 * 64 * 4,
      2 * 3 * 3 * 64 * 9 * 64 + 3 * 3 * 64,
      0,
      2 * 576 * 64 + 64,
      2 * 64 * 10 + 10,
    ];
    expect(layers.map((l) => l.flops)).toEqual(flops);
    expect(totalFlops).toBe(5_646_538);
  });

  it('counts BatchNormalization and Dropout FLOPs per the convention', () => {
    const { layers } = parseSpec(
      spec('bn', [{ type: 'BatchNormalization' }, { type: 'Dropout', rate: 0.1 }, flat, softmax()], [4, 4, 3]),
    );
    expect(layers.map((l) => l.flops)).toEqual([2 * 48, 0, 0, 2 * 48 * 10 + 10]);
    expect(layers[0]).toMatchObject({ params: 12, trainableParams: 6 });
  });

  it('getTemplate returns a fresh copy and names the known templates on error', () => {
    const copy = getTemplate('seed');
    copy.layers.pop();
    expect(getTemplate('seed').layers).toHaveLength(8);
    expect(() => getTemplate('resnet')).toThrow(/unknown template 'resnet'.*seed, seed-augmented, lenet5, mlp/);
  });
});

describe('describeArchitecture', () => {
  it('summarises the templates and every layer type', () => {
    expect(describeArchitecture(getTemplate('seed'))).toBe('C32-P-C64-P-C64-F-D64-D10');
    expect(describeArchitecture(getTemplate('lenet5'))).toBe('C6-AP-C16-AP-F-D120-D84-D10');
    expect(describeArchitecture(getTemplate('mlp'))).toBe('F-D128-Drop0.2-D10');
    const all = spec('all', [
      { type: 'BatchNormalization' },
      { type: 'Conv2D', filters: 4, kernelSize: 1 },
      flat,
      softmax(),
    ]);
    expect(describeArchitecture(all)).toBe('BN-C4-F-D10');
  });
});

describe('normalisation', () => {
  it('fills every default and turns sizes into pairs', () => {
    const input = spec('defaults', [
      { type: 'Conv2D', filters: 4, kernelSize: 3 },
      { type: 'MaxPooling2D' },
      { type: 'AveragePooling2D', poolSize: [1, 2] },
      { type: 'BatchNormalization' },
      { type: 'Dropout', rate: 0.1 },
      flat,
      { type: 'Dense', units: 10, activation: 'softmax' },
    ]);
    const before = JSON.stringify(input);
    const { spec: normalized } = parseSpec(input);
    expect(JSON.stringify(input)).toBe(before); // the input is not modified
    expect(normalized).toEqual({
      name: 'defaults',
      inputShape: [28, 28, 1],
      layers: [
        {
          type: 'Conv2D',
          filters: 4,
          kernelSize: [3, 3],
          strides: [1, 1],
          padding: 'valid',
          activation: 'linear',
          useBias: true,
        },
        { type: 'MaxPooling2D', poolSize: [2, 2], strides: [2, 2], padding: 'valid' },
        { type: 'AveragePooling2D', poolSize: [1, 2], strides: [1, 2], padding: 'valid' },
        { type: 'BatchNormalization', momentum: 0.99, epsilon: 0.001 },
        { type: 'Dropout', rate: 0.1 },
        { type: 'Flatten' },
        { type: 'Dense', units: 10, activation: 'softmax', useBias: true },
      ],
    });
    // Normalising is idempotent.
    expect(parseSpec(normalized).spec).toEqual(normalized);
  });

  it('takes a missing inputShape from the options', () => {
    const result = analyzeSpec({ name: 'x', layers: [flat, softmax()] }, { inputShape: [8, 8, 3] });
    expect(result.ok && result.spec.inputShape).toEqual([8, 8, 3]);
    expect(result.ok && result.layers[0].outputShape).toEqual([192]);
  });
});

describe('parseSpec and buildModel', () => {
  it('parseSpec throws a SpecError whose message joins the issues', () => {
    const bad = spec('bad', [
      { type: 'Dense', units: 0 },
      { type: 'Dense', units: 10, activation: 'relu' },
    ]);
    let caught: unknown;
    try {
      parseSpec(bad);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SpecError);
    const error = caught as SpecError;
    expect(error.issues.length).toBe(2);
    expect(error.message).toBe(error.issues.map((i) => i.message).join('\n'));
  });

  it('buildModel validates first and does not compile', () => {
    expect(() => buildModel(spec('bad', [softmax()]))).toThrow(SpecError);
    const model = buildModel(getTemplate('mlp'));
    try {
      expect(model.optimizer).toBeUndefined();
    } finally {
      model.dispose();
    }
  });

  it('buildModel accepts the last layer units as the class count unless told otherwise', () => {
    const letters = spec('letters', [flat, softmax(26)]);
    const model = buildModel(letters);
    model.dispose();
    expect(() => buildModel(letters, { numClasses: 10 })).toThrow(/units must be 10, got 26/);
  });

  it('buildModel with a seed gives reproducible initial weights', () => {
    const [a, b] = [buildModel(getTemplate('mlp'), { seed: 7 }), buildModel(getTemplate('mlp'), { seed: 7 })];
    try {
      const [wa, wb] = [a.layers[1].getWeights()[0], b.layers[1].getWeights()[0]];
      expect(Array.from(wa.dataSync())).toEqual(Array.from(wb.dataSync()));
    } finally {
      a.dispose();
      b.dispose();
    }
  });
});

describe('analyzeSpec never throws', () => {
  const cyclic: Record<string, unknown> = { type: 'Dense', units: 10, activation: 'softmax' };
  cyclic.self = cyclic;
  const throwing = new Proxy(
    {},
    {
      ownKeys: () => {
        throw new Error('boom');
      },
    },
  );
  const garbage: unknown[] = [
    null,
    undefined,
    42,
    'x',
    '',
    true,
    [],
    [1, 2],
    () => 1,
    Symbol('s'),
    10n,
    new Date(0),
    throwing,
    {},
    { layers: 5 },
    { layers: 'Dense' },
    { layers: {} },
    { layers: [null] },
    { layers: [[]] },
    { layers: [42, 'Conv2D', true, undefined] },
    { name: 7, inputShape: 'mnist', layers: [{ type: 7 }] },
    { name: 'x', inputShape: [28, 28, 1], layers: [cyclic] },
    { name: 'x', inputShape: [28, 28, 1], layers: [{ type: 'Conv2D', filters: cyclic, kernelSize: [cyclic, 1] }] },
    {
      name: 'x',
      inputShape: [28, 28, 1],
      layers: [{ type: 'constructor' }, { type: '__proto__' }, { type: 'toString' }],
    },
    JSON.parse('{"name":"x","inputShape":[28,28,1],"layers":[{"type":"Flatten","__proto__":{"units":3}}]}'),
    { name: 'x', inputShape: [28, 28, 1], layers: new Array(1000).fill(null) },
  ];

  it.each(garbage.map((value, i) => [i, value] as const))('garbage #%i', (_i, value) => {
    const result = analyzeSpec(value);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.issues.length).toBeGreaterThan(0);
      for (const issue of result.issues) expect(typeof issue.message).toBe('string');
    }
  });

  it('ignores garbage options', () => {
    expect(analyzeSpec(getTemplate('seed'), null as never).ok).toBe(true);
    expect(analyzeSpec(getTemplate('seed'), 'x' as never).ok).toBe(true);
  });
});
