// Sweep points: grids and seeded random samples (electron/shared/sweeps.ts), design knobs applied to the right
// layer, and the refusals that name the parameter; then the engine's plan of a sweep (electron/engine/sweeps/
// plan.ts), which checks every point as a training request is checked and names the parameter that breaks one.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { planSweep } from '#engine/sweeps/plan.ts';
import type { ModelSpec } from '#shared/model/types.ts';
import {
  applySweepPoint,
  canonicalParameterName,
  checkPointValues,
  checkSweepParameters,
  gridPoints,
  gridSize,
  parseParameterArgument,
  randomPoints,
  SweepError,
  sweepPoints,
  type SweepParameter,
} from '#shared/sweeps.ts';
import { writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const cnn: ModelSpec = {
  name: 'cnn',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'Dropout', rate: 0.25 },
    { type: 'Flatten' },
    { type: 'Dense', units: 32, activation: 'relu' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

/** The SweepError a call throws: its field and message. */
function refusal(call: () => unknown): { field: string; message: string } {
  try {
    call();
  } catch (err) {
    if (err instanceof SweepError) return err.issues[0];
    throw err;
  }
  throw new Error('expected a SweepError');
}

const check = (parameters: unknown, mode: 'grid' | 'random' = 'grid') => checkSweepParameters(parameters, cnn, mode);

describe('grid points', () => {
  it('takes every combination, the first parameter varying slowest', () => {
    const parameters = check([
      { name: 'lr', values: [1e-4, 1e-3, 1e-2] },
      { name: 'optimizer', values: ['adam', 'sgd'] },
    ]);
    expect(parameters.map((p) => p.name)).toEqual(['learningRate', 'optimizer']);
    expect(gridSize(parameters)).toBe(6);
    expect(gridPoints(parameters)).toEqual([
      { learningRate: 1e-4, optimizer: 'adam' },
      { learningRate: 1e-4, optimizer: 'sgd' },
      { learningRate: 1e-3, optimizer: 'adam' },
      { learningRate: 1e-3, optimizer: 'sgd' },
      { learningRate: 1e-2, optimizer: 'adam' },
      { learningRate: 1e-2, optimizer: 'sgd' },
    ]);
  });

  it('spaces a log range evenly on the log scale, a linear one linearly, and takes every integer of an int range', () => {
    const [log, linear, int, intSteps] = check([
      { name: 'learningRate', range: 'log', min: 1e-4, max: 1e-1, steps: 4 },
      { name: 'momentum', range: 'linear', min: 0, max: 0.9, steps: 4 },
      { name: 'layers.0.kernelSize', range: 'int', min: 3, max: 5 },
      { name: 'layers.2.filters', range: 'int', min: 8, max: 64, steps: 3 },
    ]);
    expect(gridPoints([log]).map((p) => p.learningRate)).toEqual([1e-4, 1e-3, 1e-2, 1e-1]);
    expect(gridPoints([linear]).map((p) => p.momentum)).toEqual([0, 0.3, 0.6, 0.9]);
    expect(gridPoints([int]).map((p) => p['layers.0.kernelSize'])).toEqual([3, 4, 5]);
    expect(gridPoints([intSteps]).map((p) => p['layers.2.filters'])).toEqual([8, 36, 64]);
    expect(gridSize([log, linear, int, intSteps])).toBe(4 * 4 * 3 * 3);
  });

  it(`refuses a grid of more than 200 points, naming the count`, () => {
    const parameters = check([
      { name: 'lr', values: [1e-4, 1e-3, 1e-2] },
      { name: 'batchSize', values: [16, 32, 64, 128] },
      { name: 'seed', range: 'int', min: 1, max: 20 },
    ]);
    expect(refusal(() => gridPoints(parameters))).toEqual({
      field: 'parameters',
      message:
        'a grid of 3 × 4 × 20 = 240 points is more than 200; shorten the lists, or sample it (random mode, samples: N)',
    });
    // Counted without making them: an int range of a billion integers is refused as quickly.
    const huge = check([{ name: 'seed', range: 'int', min: 0, max: 1e9 }]);
    expect(refusal(() => gridPoints(huge)).message).toMatch(/^a grid of 1000000001 points is more than 200/);
  });
});

describe('random points', () => {
  const parameters = check(
    [
      { name: 'lr', range: 'log', min: 1e-4, max: 1e-1 },
      { name: 'optimizer', values: ['adam', 'sgd', 'rmsprop'] },
      { name: 'layers.0.filters', range: 'int', min: 8, max: 64 },
      { name: 'layers.3.rate', range: 'linear', min: 0, max: 0.5 },
    ],
    'random',
  );

  it('draws N points within the bounds, log-uniformly for a log range', () => {
    const points = randomPoints(parameters, 7, 200);
    expect(points).toHaveLength(200);
    for (const p of points) {
      expect(p.learningRate).toBeGreaterThanOrEqual(1e-4);
      expect(p.learningRate).toBeLessThanOrEqual(1e-1);
      expect(['adam', 'sgd', 'rmsprop']).toContain(p.optimizer);
      expect(Number.isInteger(p['layers.0.filters'])).toBe(true);
      expect(p['layers.0.filters']).toBeGreaterThanOrEqual(8);
      expect(p['layers.0.filters']).toBeLessThanOrEqual(64);
      expect(p['layers.3.rate']).toBeGreaterThanOrEqual(0);
      expect(p['layers.3.rate']).toBeLessThanOrEqual(0.5);
    }
    // Log-uniform: about a third of the draws in each decade (a uniform draw would put 90% in the last one).
    const decades = [1e-3, 1e-2, 1e-1].map(
      (top) => points.filter((p) => (p.learningRate as number) <= top && (p.learningRate as number) > top / 10).length,
    );
    for (const n of decades) expect(n).toBeGreaterThan(40);
    expect(new Set(points.map((p) => p.optimizer)).size).toBe(3);
  });

  it('is reproducible from its seed, and later draws continue the same sequence', () => {
    expect(randomPoints(parameters, 7, 10)).toEqual(randomPoints(parameters, 7, 10));
    expect(randomPoints(parameters, 8, 10)).not.toEqual(randomPoints(parameters, 7, 10));
    // Adding 4 samples to a sweep of 6 draws points 6..9 of the same sequence.
    expect([...randomPoints(parameters, 7, 6), ...randomPoints(parameters, 7, 4, 6)]).toEqual(
      randomPoints(parameters, 7, 10),
    );
    expect(sweepPoints({ mode: 'random', parameters, samples: 5, seed: 7 })).toEqual(randomPoints(parameters, 7, 5));
  });

  it('needs a sample count from 1 to 200, and no grid steps', () => {
    expect(refusal(() => sweepPoints({ mode: 'random', parameters, samples: null, seed: 1 }))).toMatchObject({
      field: 'samples',
    });
    expect(refusal(() => sweepPoints({ mode: 'random', parameters, samples: 201, seed: 1 })).message).toMatch(
      /^samples must be a whole number from 1 to 200/,
    );
    expect(refusal(() => check([{ name: 'lr', range: 'log', min: 1e-4, max: 1e-1, steps: 3 }], 'random'))).toEqual({
      field: 'parameters[0].steps',
      message: "parameters[0] (learningRate): steps sets a grid's points; a random sweep samples the range itself",
    });
  });
});

describe('design knobs', () => {
  it('set the field of the layer named by its index in spec.layers, on a copy', () => {
    const before = JSON.stringify(cnn);
    const { spec, hyperparameters } = applySweepPoint(
      cnn,
      { epochs: 1 },
      {
        'layers.2.filters': 32,
        'layers.5.units': 64,
        'layers.0.kernelSize': 5,
        'layers.3.rate': 0.5,
        learningRate: 0.01,
      },
    );
    expect(spec.layers[2]).toMatchObject({ type: 'Conv2D', filters: 32, kernelSize: 3 });
    expect(spec.layers[0]).toMatchObject({ type: 'Conv2D', filters: 8, kernelSize: 5 });
    expect(spec.layers[5]).toMatchObject({ type: 'Dense', units: 64 });
    expect(spec.layers[3]).toEqual({ type: 'Dropout', rate: 0.5 });
    expect(spec.layers[6]).toEqual(cnn.layers[6]);
    expect(hyperparameters).toEqual({ epochs: 1, learningRate: 0.01 });
    expect(JSON.stringify(cnn)).toBe(before);
  });

  it('refuses a knob the layer does not have, a layer that does not exist and an unknown field, naming it', () => {
    expect(refusal(() => check([{ name: 'layers.5.filters', values: [8] }]))).toEqual({
      field: 'parameters[0].name',
      message:
        'parameters[0] (layers.5.filters): spec.layers[5] is a Dense layer, which has no filters; filters is a field of Conv2D layers',
    });
    expect(
      refusal(() =>
        check([
          { name: 'lr', values: [0.1] },
          { name: 'layers.9.units', values: [8] },
        ]),
      ),
    ).toEqual({
      field: 'parameters[1].name',
      message:
        'parameters[1] (layers.9.units): the spec has no layer 9 (spec.layers holds 7, numbered from 0); units is a field of Dense layers',
    });
    expect(refusal(() => check([{ name: 'layers.0.strides', values: [2] }]))).toMatchObject({
      field: 'parameters[0].name',
      message: expect.stringMatching(
        /layers\.0\.strides: unknown layer field \(a sweep varies filters, units, kernelSize, rate\)/,
      ),
    });
    expect(refusal(() => check([{ name: 'warmup', values: [1] }]))).toMatchObject({
      field: 'parameters[0].name',
      message: expect.stringMatching(
        /^parameters\[0\]: unknown parameter "warmup" \(a hyperparameter: optimizer, learningRate/,
      ),
    });
  });

  it('accepts the CLI’s spellings of parameter names', () => {
    expect(canonicalParameterName('lr')).toBe('learningRate');
    expect(canonicalParameterName('batch-size')).toBe('batchSize');
    expect(canonicalParameterName('validation-split')).toBe('validationSplit');
    expect(canonicalParameterName('layers.2.kernel-size')).toBe('layers.2.kernelSize');
    expect(canonicalParameterName('layers.3.dropout')).toBe('layers.3.rate');
    expect(canonicalParameterName('nope')).toBeNull();
  });
});

describe('parameter refusals', () => {
  it('name the parameter and the field that is wrong', () => {
    expect(refusal(() => check([]))).toMatchObject({ field: 'parameters' });
    expect(
      refusal(() =>
        check([
          { name: 'lr', values: [0.1] },
          { name: 'learningRate', values: [1] },
        ]),
      ),
    ).toEqual({
      field: 'parameters[1].name',
      message: 'parameters[1] (learningRate): learningRate is already varied by parameters[0]',
    });
    expect(refusal(() => check([{ name: 'lr', values: [20] }]))).toEqual({
      field: 'parameters[0].values[0]',
      message: 'parameters[0] (learningRate): value must be greater than 0 and at most 10, got 20',
    });
    expect(refusal(() => check([{ name: 'optimizer', values: ['adam', 3] }]))).toMatchObject({
      field: 'parameters[0].values[1]',
    });
    expect(refusal(() => check([{ name: 'optimizer', range: 'log', min: 1, max: 2 }]))).toEqual({
      field: 'parameters[0].range',
      message: 'parameters[0] (optimizer): optimizer takes a list of values, not a range',
    });
    expect(refusal(() => check([{ name: 'lr', range: 'log', min: 0, max: 0.1, steps: 3 }]))).toMatchObject({
      field: 'parameters[0].min',
    });
    expect(refusal(() => check([{ name: 'momentum', range: 'linear', min: 0, max: 1, steps: 3 }]))).toEqual({
      field: 'parameters[0].max',
      message: 'parameters[0] (momentum): max must be at least 0 and less than 1, got 1',
    });
    expect(refusal(() => check([{ name: 'lr', range: 'log', min: 1e-4, max: 1e-2 }]))).toEqual({
      field: 'parameters[0].steps',
      message: 'parameters[0] (learningRate): a log range in a grid needs steps (how many points between min and max)',
    });
    expect(refusal(() => check([{ name: 'lr', range: 'log', min: 0.1, max: 0.01, steps: 2 }]))).toMatchObject({
      field: 'parameters[0].min',
      message: 'parameters[0] (learningRate): min 0.1 is more than max 0.01',
    });
    expect(refusal(() => check([{ name: 'lr', values: [0.1], scale: 'log' }]))).toMatchObject({
      field: 'parameters[0].scale',
    });
  });

  it('check explicit points (sweeps:addRuns) the same way', () => {
    expect(checkPointValues([{ lr: 0.01, 'layers.5.units': 16 }], cnn)).toEqual([
      { learningRate: 0.01, 'layers.5.units': 16 },
    ]);
    expect(refusal(() => checkPointValues([{ 'layers.1.units': 16 }], cnn))).toMatchObject({
      field: 'points[0].layers.1.units',
      message: expect.stringMatching(/spec\.layers\[1\] is a MaxPooling2D layer, which has no units/),
    });
  });
});

describe('the command line’s parameter syntax', () => {
  it('reads lists and ranges', () => {
    const parsed: SweepParameter[] = [
      'lr=1e-4,1e-3,1e-2',
      'optimizer=adam,sgd',
      'lr=log:1e-4..1e-1',
      'lr=log:1e-4..1e-1:4',
      'layers.0.filters=int:8..64',
      'momentum=linear:0..0.9:3',
      'earlyStoppingRestoreBest=true,false',
    ].map(parseParameterArgument);
    expect(parsed).toEqual([
      { name: 'lr', values: [1e-4, 1e-3, 1e-2] },
      { name: 'optimizer', values: ['adam', 'sgd'] },
      { name: 'lr', range: 'log', min: 1e-4, max: 1e-1 },
      { name: 'lr', range: 'log', min: 1e-4, max: 1e-1, steps: 4 },
      { name: 'layers.0.filters', range: 'int', min: 8, max: 64 },
      { name: 'momentum', range: 'linear', min: 0, max: 0.9, steps: 3 },
      { name: 'earlyStoppingRestoreBest', values: [true, false] },
    ]);
    expect(refusal(() => parseParameterArgument('lr'))).toMatchObject({ field: 'parameters' });
    expect(refusal(() => parseParameterArgument('lr=log:1e-4')).message).toMatch(/KIND:MIN\.\.MAX\[:STEPS\]/);
  });
});

describe('the engine’s plan of a sweep', () => {
  const dir = tempDir('layerlab-sweep-plan-');
  const dataset = writeSyntheticIdx(path.join(dir, 'idx'), { train: 60, test: 20 });
  const request = (over: Record<string, unknown>) => ({
    spec: cnn,
    hyperparameters: { epochs: 1, batchSize: 8 },
    dataset,
    mode: 'grid' as const,
    parameters: [{ name: 'lr', values: [0.001, 0.01] }],
    ...over,
  });

  it('makes one checked run per point, named after the sweep and the point', () => {
    const plan = planSweep(
      request({
        parameters: [
          { name: 'lr', values: [0.001, 0.01] },
          { name: 'layers.2.filters', values: [4, 12] },
        ],
      }),
    );
    expect(plan.name).toBe('cnn: learningRate × layers.2.filters');
    expect(
      plan.points.map((p) => [
        p.values,
        p.hyperparameters.learningRate,
        (p.spec.layers[2] as { filters: number }).filters,
      ]),
    ).toEqual([
      [{ learningRate: 0.001, 'layers.2.filters': 4 }, 0.001, 4],
      [{ learningRate: 0.001, 'layers.2.filters': 12 }, 0.001, 12],
      [{ learningRate: 0.01, 'layers.2.filters': 4 }, 0.01, 4],
      [{ learningRate: 0.01, 'layers.2.filters': 12 }, 0.01, 12],
    ]);
    expect(plan.points[1].name).toBe(
      'cnn: learningRate × layers.2.filters #2 · learningRate=0.001 layers.2.filters=12',
    );
    expect(plan.points.every((p) => p.hyperparameters.epochs === 1 && p.hyperparameters.batchSize === 8)).toBe(true);
    expect(plan.definition).toEqual({
      mode: 'grid',
      parameters: plan.definition.parameters,
      samples: null,
      seed: null,
    });
  });

  it('keeps a random sweep’s seed, choosing one when none is given', () => {
    const seeded = planSweep(
      request({
        mode: 'random',
        samples: 3,
        seed: 11,
        parameters: [{ name: 'lr', range: 'log', min: 1e-4, max: 1e-1 }],
      }),
    );
    expect(seeded.definition).toMatchObject({ samples: 3, seed: 11 });
    const unseeded = planSweep(
      request({ mode: 'random', samples: 3, parameters: [{ name: 'lr', range: 'log', min: 1e-4, max: 1e-1 }] }),
    );
    expect(Number.isInteger(unseeded.definition.seed)).toBe(true);
  });

  it('refuses a point the spec or the hyperparameters cannot train, naming the point and its parameter', () => {
    expect(
      refusal(() =>
        planSweep(
          request({
            parameters: [
              { name: 'lr', values: [0.01] },
              { name: 'layers.2.kernelSize', values: [3, 14] },
            ],
          }),
        ),
      ),
    ).toEqual({
      field: 'parameters[1]',
      message: expect.stringMatching(
        /^point 2 \(learningRate=0\.01 layers\.2\.kernelSize=14\): layer 3 Conv2D: kernelSize 14x14 does not fit/,
      ),
    });
    expect(refusal(() => planSweep(request({ parameters: [{ name: 'trainSize', values: [30, 100] }] })))).toEqual({
      field: 'parameters[0]',
      message: expect.stringMatching(
        /^point 2 \(trainSize=100\): trainSize must be at least 1 and at most 60, got 100/,
      ),
    });
    expect(refusal(() => planSweep(request({ hyperparameters: { epochs: 0 } })))).toMatchObject({
      field: 'hyperparameters',
      message: expect.stringMatching(/^hyperparameters: epochs must be/),
    });
    expect(refusal(() => planSweep(request({ samples: 3 })))).toMatchObject({ field: 'samples' });
  });
});
