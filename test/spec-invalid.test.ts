// Invalid specs: each must be rejected with an issue that names the right layer (0-based index),
// layer type and field, and says why. Table-driven; no tfjs needed.

import { describe, expect, it } from 'vitest';
import { analyzeSpec, type SpecIssue, type SpecOptions } from '#shared/model/index.ts';

type Layer = Record<string, unknown>;
const softmax: Layer = { type: 'Dense', units: 10, activation: 'softmax' };
const flat: Layer = { type: 'Flatten' };
const conv = (extra: Layer = {}): Layer => ({ type: 'Conv2D', filters: 8, kernelSize: 3, ...extra });
const dense = (extra: Layer = {}): Layer => ({ type: 'Dense', units: 16, ...extra });
const dropout = (extra: Layer = {}): Layer => ({ type: 'Dropout', rate: 0.5, ...extra });
const model = (layers: unknown, inputShape: unknown = [28, 28, 1]) => ({ name: 'bad', inputShape, layers });
/** A valid network with `layer` as layer 2 (index 1): conv, layer, flatten, softmax. */
const second = (layer: unknown) => model([conv(), layer, flat, softmax]);
/** A valid network with `layer` as layer 3 (index 2) of the dense part. */
const inDense = (layer: unknown) => model([flat, dense(), layer, softmax]);

interface InvalidCase {
  name: string;
  input: unknown;
  options?: SpecOptions;
  index: number | null;
  layerType: string | null;
  field: string | null;
  /** A fragment of the message (or the whole of it). */
  reason: string;
}

const C = (
  name: string,
  input: unknown,
  index: number | null,
  layerType: string | null,
  field: string | null,
  reason: string,
  options?: SpecOptions,
): InvalidCase => ({ name, input, index, layerType, field, reason, options });

const CASES: InvalidCase[] = [
  // The model itself.
  C(
    'name missing',
    { inputShape: [28, 28, 1], layers: [flat, softmax] },
    null,
    null,
    'name',
    'name must be a non-empty string',
  ),
  C('name empty', { ...model([flat, softmax]), name: '' }, null, null, 'name', 'got ""'),
  C('name blank', { ...model([flat, softmax]), name: '   ' }, null, null, 'name', 'non-empty'),
  C(
    'name too long',
    { ...model([flat, softmax]), name: 'n'.repeat(101) },
    null,
    null,
    'name',
    'at most 100 characters',
  ),
  C('name not a string', { ...model([flat, softmax]), name: 7 }, null, null, 'name', 'got 7'),
  C(
    'inputShape missing',
    { name: 'bad', layers: [flat, softmax] },
    null,
    null,
    'inputShape',
    'inputShape must be [height, width, channels] of positive integers, got undefined',
  ),
  C(
    'inputShape rank 2',
    model([flat, softmax], [28, 28]),
    null,
    null,
    'inputShape',
    'inputShape must be [height, width, channels] of positive integers, got [28,28]',
  ),
  C('inputShape zero', model([flat, softmax], [28, 28, 0]), null, null, 'inputShape', 'got [28,28,0]'),
  C('inputShape fractional', model([flat, softmax], [28, 28.5, 1]), null, null, 'inputShape', 'positive integers'),
  C('inputShape string', model([flat, softmax], '28x28'), null, null, 'inputShape', 'got "28x28"'),
  C(
    'inputShape differs from dataset',
    model([flat, softmax], [32, 32, 3]),
    null,
    null,
    'inputShape',
    "inputShape [32, 32, 3] does not match the dataset's images [28, 28, 1]",
    { inputShape: [28, 28, 1] },
  ),
  C(
    'layers missing',
    { name: 'bad', inputShape: [28, 28, 1] },
    null,
    null,
    'layers',
    'layers must be a non-empty array',
  ),
  C(
    'layers an object',
    model({ 0: softmax }),
    null,
    null,
    'layers',
    'layers must be a non-empty array of layer objects, got {',
  ),
  C('layers empty', model([]), null, null, 'layers', 'layers must not be empty'),
  C(
    'too many layers',
    model([...Array.from({ length: 100 }, () => dropout()), flat, softmax]),
    null,
    null,
    'layers',
    'layers has 102 entries; at most 100 are allowed',
  ),
  C(
    'unknown model field',
    { ...model([flat, softmax]), input_shape: [28, 28, 1] },
    null,
    null,
    'input_shape',
    "unknown field 'input_shape' (did you mean 'inputShape'?)",
  ),
  C(
    'numClasses option out of range',
    model([flat, softmax]),
    null,
    null,
    'numClasses',
    'numClasses must be an integer between 2',
    { numClasses: 1 },
  ),

  // Layer type.
  C(
    'layer null',
    model([flat, null, softmax]),
    1,
    null,
    null,
    "layer 2: must be an object with a 'type' field, got null",
  ),
  C('layer an array', model([[flat], softmax]), 0, null, null, 'got [{"type":"Flatten"}]'),
  C('type missing', model([flat, { units: 10 }]), 1, null, 'type', "layer 2: field 'type' is required"),
  C(
    'type unknown',
    model([{ type: 'Conv3D', filters: 8 }, flat, softmax]),
    0,
    'Conv3D',
    'type',
    'unknown layer type "Conv3D"',
  ),
  C(
    'type lower case',
    second({ type: 'conv2d', filters: 8, kernelSize: 3 }),
    1,
    'conv2d',
    'type',
    "did you mean 'Conv2D'?",
  ),
  C('type Keras-style alias', second({ type: 'maxpool' }), 1, 'maxpool', 'type', "did you mean 'MaxPooling2D'?"),
  C(
    'type not a string',
    model([{ type: 5 }, flat, softmax]),
    0,
    null,
    'type',
    'unknown layer type 5 (known types: Conv2D',
  ),

  // Conv2D fields.
  C(
    'filters misspelt',
    model([conv(), { type: 'MaxPooling2D' }, { type: 'Conv2D', filter: 64, kernelSize: 3 }, flat, softmax]),
    2,
    'Conv2D',
    'filter',
    "layer 3 Conv2D: unknown field 'filter' (did you mean 'filters'?)",
  ),
  C(
    'filters missing',
    second({ type: 'Conv2D', kernelSize: 3 }),
    1,
    'Conv2D',
    'filters',
    "field 'filters' is required: an integer between 1 and 4096",
  ),
  C(
    'filters zero',
    second(conv({ filters: 0 })),
    1,
    'Conv2D',
    'filters',
    "field 'filters' must be an integer between 1 and 4096, got 0",
  ),
  C('filters too many', second(conv({ filters: 4097 })), 1, 'Conv2D', 'filters', 'got 4097'),
  C('filters fractional', second(conv({ filters: 3.5 })), 1, 'Conv2D', 'filters', 'got 3.5'),
  C('filters a string', second(conv({ filters: '32' })), 1, 'Conv2D', 'filters', 'got "32"'),
  C(
    'kernelSize missing',
    second({ type: 'Conv2D', filters: 8 }),
    1,
    'Conv2D',
    'kernelSize',
    "field 'kernelSize' is required",
  ),
  C(
    'kernelSize zero',
    second(conv({ kernelSize: 0 })),
    1,
    'Conv2D',
    'kernelSize',
    'an integer between 1 and 64 or a pair [height, width]',
  ),
  C('kernelSize too big', second(conv({ kernelSize: 65 })), 1, 'Conv2D', 'kernelSize', 'got 65'),
  C('kernelSize one-element', second(conv({ kernelSize: [3] })), 1, 'Conv2D', 'kernelSize', 'got [3]'),
  C('kernelSize three-element', second(conv({ kernelSize: [3, 3, 3] })), 1, 'Conv2D', 'kernelSize', 'got [3,3,3]'),
  C('kernelSize pair with zero', second(conv({ kernelSize: [3, 0] })), 1, 'Conv2D', 'kernelSize', 'got [3,0]'),
  C(
    'kernel_size spelt Keras-style',
    second({ type: 'Conv2D', filters: 8, kernel_size: 3 }),
    1,
    'Conv2D',
    'kernel_size',
    "did you mean 'kernelSize'?",
  ),
  C('strides zero', second(conv({ strides: 0 })), 1, 'Conv2D', 'strides', "field 'strides' must be"),
  C('strides too big', second(conv({ strides: [1, 65] })), 1, 'Conv2D', 'strides', 'got [1,65]'),
  C(
    'padding upper case',
    second(conv({ padding: 'SAME' })),
    1,
    'Conv2D',
    'padding',
    `one of 'valid', 'same', got "SAME" (did you mean 'same'?)`,
  ),
  C('padding unknown', second(conv({ padding: 'full' })), 1, 'Conv2D', 'padding', 'got "full"'),
  C('activation capitalised', second(conv({ activation: 'Relu' })), 1, 'Conv2D', 'activation', "did you mean 'relu'?"),
  C(
    'activation unknown',
    second(conv({ activation: 'gelu' })),
    1,
    'Conv2D',
    'activation',
    "must be one of 'relu', 'sigmoid', 'tanh', 'softmax', 'linear', got \"gelu\"",
  ),
  C(
    'useBias not boolean',
    second(conv({ useBias: 'yes' })),
    1,
    'Conv2D',
    'useBias',
    "field 'useBias' must be true or false",
  ),
  C(
    'field of another layer type',
    second(conv({ units: 3 })),
    1,
    'Conv2D',
    'units',
    'allowed: type, filters, kernelSize',
  ),
  C(
    'inputShape on a layer',
    model([conv({ inputShape: [28, 28, 1] }), flat, softmax]),
    0,
    'Conv2D',
    'inputShape',
    'belongs at the top level',
  ),
  C('null activation', second(conv({ activation: null })), 1, 'Conv2D', 'activation', 'got null'),

  // Pooling, Dropout, BatchNormalization, Flatten, Dense fields.
  C(
    'poolSize zero',
    second({ type: 'MaxPooling2D', poolSize: 0 }),
    1,
    'MaxPooling2D',
    'poolSize',
    "field 'poolSize' must be",
  ),
  C(
    'poolSize too big',
    second({ type: 'AveragePooling2D', poolSize: 65 }),
    1,
    'AveragePooling2D',
    'poolSize',
    'got 65',
  ),
  C(
    'pool strides with a string',
    second({ type: 'MaxPooling2D', strides: [2, 'x'] }),
    1,
    'MaxPooling2D',
    'strides',
    'got [2,"x"]',
  ),
  C(
    'pool padding null',
    second({ type: 'AveragePooling2D', padding: null }),
    1,
    'AveragePooling2D',
    'padding',
    'got null',
  ),
  C(
    'pool_size spelt Keras-style',
    second({ type: 'MaxPooling2D', pool_size: 2 }),
    1,
    'MaxPooling2D',
    'pool_size',
    "did you mean 'poolSize'?",
  ),
  C(
    'dropout rate missing',
    inDense({ type: 'Dropout' }),
    2,
    'Dropout',
    'rate',
    "field 'rate' is required: a number from 0 (inclusive) to 1 (exclusive)",
  ),
  C('dropout rate 1', inDense(dropout({ rate: 1 })), 2, 'Dropout', 'rate', 'got 1'),
  C('dropout rate negative', inDense(dropout({ rate: -0.1 })), 2, 'Dropout', 'rate', 'got -0.1'),
  C('dropout rate a string', inDense(dropout({ rate: '0.5' })), 2, 'Dropout', 'rate', 'got "0.5"'),
  C(
    'batchnorm axis',
    second({ type: 'BatchNormalization', axis: 1 }),
    1,
    'BatchNormalization',
    'axis',
    'always normalises the last axis',
  ),
  C(
    'batchnorm momentum 1',
    second({ type: 'BatchNormalization', momentum: 1 }),
    1,
    'BatchNormalization',
    'momentum',
    'got 1',
  ),
  C(
    'batchnorm epsilon 0',
    inDense({ type: 'BatchNormalization', epsilon: 0 }),
    2,
    'BatchNormalization',
    'epsilon',
    'a number from 0.00001 to 1',
  ),
  C(
    'batchnorm epsilon 1e-320',
    inDense({ type: 'BatchNormalization', epsilon: 1e-320 }),
    2,
    'BatchNormalization',
    'epsilon',
    "layer 3 BatchNormalization: field 'epsilon' must be a number from 0.00001 to 1 (smaller values make training produce NaN), got 1e-320",
  ),
  C(
    'batchnorm epsilon just under the minimum',
    inDense({ type: 'BatchNormalization', epsilon: 9.9e-6 }),
    2,
    'BatchNormalization',
    'epsilon',
    'got 0.0000099',
  ),
  C(
    'flatten with a field',
    model([{ type: 'Flatten', units: 10 }, softmax]),
    0,
    'Flatten',
    'units',
    "Flatten takes no fields besides 'type'",
  ),
  C(
    'units zero',
    model([flat, dense({ units: 0 }), softmax]),
    1,
    'Dense',
    'units',
    "layer 2 Dense: field 'units' must be an integer between 1 and 65536, got 0",
  ),
  C('units too many', model([flat, dense({ units: 65537 }), softmax]), 1, 'Dense', 'units', 'got 65537'),
  C('units missing', model([flat, { type: 'Dense' }, softmax]), 1, 'Dense', 'units', "field 'units' is required"),
  C('units misspelt', model([flat, { type: 'Dense', unit: 10 }, softmax]), 1, 'Dense', 'unit', "did you mean 'units'?"),
  C(
    'activation with a trailing space',
    model([flat, dense({ activation: 'relu ' }), softmax]),
    1,
    'Dense',
    'activation',
    "did you mean 'relu'?",
  ),

  // Shapes.
  C(
    'kernel does not fit (the documented example)',
    model([
      conv({ filters: 32 }),
      { type: 'MaxPooling2D', poolSize: 2 },
      conv({ filters: 64 }),
      { type: 'MaxPooling2D', poolSize: 5 },
      conv({ filters: 64 }),
      flat,
      softmax,
    ]),
    4,
    'Conv2D',
    'kernelSize',
    'layer 5 Conv2D: kernelSize 3x3 does not fit input 2x2x64 (padding valid)',
  ),
  C(
    'kernel larger than the image',
    model([conv({ kernelSize: 5 }), flat, softmax], [4, 4, 1]),
    0,
    'Conv2D',
    'kernelSize',
    'kernelSize 5x5 does not fit input 4x4x1',
  ),
  C(
    'non-square kernel too wide',
    model([conv({ kernelSize: [1, 30] }), flat, softmax]),
    0,
    'Conv2D',
    'kernelSize',
    'kernelSize 1x30 does not fit input 28x28x1',
  ),
  C(
    'pool does not fit',
    model([{ type: 'MaxPooling2D', poolSize: 3 }, flat, softmax], [2, 2, 1]),
    0,
    'MaxPooling2D',
    'poolSize',
    'poolSize 3x3 does not fit input 2x2x1 (padding valid)',
  ),
  C(
    'non-square pool too wide',
    model([{ type: 'AveragePooling2D', poolSize: [1, 8] }, flat, softmax], [28, 7, 1]),
    0,
    'AveragePooling2D',
    'poolSize',
    'poolSize 1x8 does not fit input 28x7x1',
  ),
  C(
    'strides shrink the map until a conv no longer fits',
    model([conv({ strides: 3 }), conv({ strides: 3 }), conv({ kernelSize: 5 }), flat, softmax]),
    2,
    'Conv2D',
    'kernelSize',
    'kernelSize 5x5 does not fit input 3x3x8',
  ),
  C(
    'conv after flatten',
    model([flat, conv(), softmax]),
    1,
    'Conv2D',
    null,
    'receives a flat vector of 784 values (flattened by layer 1 Flatten)',
  ),
  C(
    'pooling after dense',
    model([flat, dense(), { type: 'MaxPooling2D' }, softmax]),
    2,
    'MaxPooling2D',
    null,
    'needs a 3-D input',
  ),
  C(
    'dense without flatten',
    model([conv(), softmax]),
    1,
    'Dense',
    null,
    'input is 26x26x8, not a flat vector; add a Flatten layer',
  ),
  C('flatten twice', model([flat, flat, softmax]), 1, 'Flatten', null, 'already a flat vector of 784 values'),

  // The output layer.
  C(
    'wrong number of classes',
    model([flat, { type: 'Dense', units: 5, activation: 'softmax' }]),
    1,
    'Dense',
    'units',
    'units must be 10, got 5',
  ),
  C(
    'last activation relu',
    model([flat, { type: 'Dense', units: 10, activation: 'relu' }]),
    1,
    'Dense',
    'activation',
    "the last layer must use activation 'softmax' (training uses sparse categorical cross-entropy on probabilities), got 'relu'",
  ),
  C(
    'last activation defaulted to linear',
    model([flat, { type: 'Dense', units: 10 }]),
    1,
    'Dense',
    'activation',
    "got 'linear'",
  ),
  C(
    'ends in dropout',
    model([flat, softmax, dropout()]),
    2,
    'Dropout',
    null,
    'the last layer must be Dense with units 10',
  ),
  C('ends in flatten', model([conv(), flat]), 1, 'Flatten', null, 'got Flatten'),
  C('numClasses from the dataset', model([flat, softmax]), 1, 'Dense', 'units', 'units must be 26, got 10', {
    numClasses: 26,
  }),
];

function findIssue(issues: SpecIssue[], c: InvalidCase): SpecIssue | undefined {
  return issues.find((i) => i.index === c.index && i.layerType === c.layerType && i.field === c.field);
}

describe('invalid specs', () => {
  it('has at least 50 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(50);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    expect(new Set(CASES.map((c) => JSON.stringify([c.input, c.options]))).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = analyzeSpec(c.input, c.options);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const issue = findIssue(result.issues, c);
    expect(
      issue,
      `no issue for index ${c.index} ${c.layerType} '${c.field}' in:\n${result.issues.map((i) => i.message).join('\n')}`,
    ).toBeDefined();
    expect(issue!.message).toContain(c.reason);
    if (c.index === null) {
      expect(issue!.message).not.toMatch(/^layer /);
    } else {
      const known = issue!.layerType !== null && issue!.field !== 'type';
      expect(issue!.message.startsWith(`layer ${c.index + 1}${known ? ` ${c.layerType}` : ''}: `)).toBe(true);
    }
  });
});

describe('issue collection', () => {
  it('reports field issues of every layer, model issues first', () => {
    const result = analyzeSpec({
      name: '',
      inputShape: [28, 28, 1],
      layers: [
        conv({ filters: 0 }),
        { type: 'MaxPooling2D', poolSize: 'x' },
        flat,
        dense({ units: -1 }),
        { type: 'Dense', units: 10 },
      ],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.index, i.field])).toEqual([
      [null, 'name'],
      [0, 'filters'],
      [1, 'poolSize'],
      [3, 'units'],
      [4, 'activation'],
    ]);
    expect(result.layers).toEqual([]); // the first layer already has field errors
  });

  it('stops shape inference at the first shape error but keeps the reports before it', () => {
    const result = analyzeSpec(
      model([
        conv(),
        { type: 'MaxPooling2D', poolSize: 2 },
        conv({ kernelSize: 20 }),
        conv({ kernelSize: 40 }),
        flat,
        softmax,
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toHaveLength(1);
    expect(result.issues[0]).toMatchObject({ index: 2, layerType: 'Conv2D', field: 'kernelSize' });
    expect(result.layers.map((l) => l.outputShape)).toEqual([
      [26, 26, 8],
      [13, 13, 8],
    ]);
  });

  it('stops shape inference at a layer with field errors, still checking the output layer', () => {
    const result = analyzeSpec(
      model([conv(), flat, dense({ activation: 'swish' }), { type: 'Dense', units: 3, activation: 'softmax' }]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues.map((i) => [i.index, i.field])).toEqual([
      [2, 'activation'],
      [3, 'units'],
    ]);
    expect(result.layers.map((l) => l.index)).toEqual([0, 1]);
  });

  it('reports a misspelt required field once, as the typo', () => {
    const result = analyzeSpec(second({ type: 'Conv2D', filter: 8, kernelSize: 3 }));
    expect(!result.ok && result.issues.map((i) => i.field)).toEqual(['filter']);
  });
});

describe('parameter limit', () => {
  it('refuses a design above 50 million parameters, naming the layer where it crosses the limit', () => {
    const analysis = analyzeSpec({
      name: 'huge',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Conv2D', filters: 256, kernelSize: 3, padding: 'same' },
        { type: 'Flatten' },
        { type: 'Dense', units: 4096 },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    });
    expect(analysis.ok).toBe(false);
    if (analysis.ok) return;
    expect(analysis.issues).toHaveLength(1);
    expect(analysis.issues[0]).toMatchObject({ index: 2, layerType: 'Dense' });
    expect(analysis.issues[0].message).toMatch(
      /^layer 3 Dense: the model reaches 822,090,240 parameters here, more than the 50,000,000 allowed/,
    );
  });
});
