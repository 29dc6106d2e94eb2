import { describe, expect, it } from 'vitest';
import { getTemplate } from '#shared/model/index.ts';
import { MAX_SWEEP_POINTS } from '#shared/sweeps.ts';
import {
  formFieldOf,
  newRow,
  parameterChoices,
  previewSweep,
  rowsToParameters,
  showValue,
  type ParameterRow,
} from './sweep-form.ts';

const row = (over: Partial<ParameterRow> & { name: string }): ParameterRow => ({
  kind: 'values',
  values: '',
  min: '',
  max: '',
  steps: '',
  ...over,
});
const mlp = getTemplate('mlp');
const seed = getTemplate('seed');

describe('parameterChoices', () => {
  it('offers the hyperparameters, then each knob of each layer of the design that has it', () => {
    const names = parameterChoices(mlp).map((c) => c.name);
    expect(names).toContain('learningRate');
    expect(names).toContain('optimizer');
    expect(names.filter((n) => n.startsWith('layers.'))).toEqual(['layers.1.units', 'layers.2.rate', 'layers.3.units']);
    const conv = parameterChoices(seed).filter((c) => c.name.startsWith('layers.0.'));
    expect(conv.map((c) => c.name)).toEqual(['layers.0.filters', 'layers.0.kernelSize']);
    expect(conv[0].label).toBe('Layer 1 Conv2D filters');
  });

  it('marks names as categorical and starts a knob row around its current value', () => {
    const choices = parameterChoices(seed);
    expect(choices.find((c) => c.name === 'optimizer')!.categorical).toBe(true);
    expect(newRow(choices.find((c) => c.name === 'layers.0.filters')!)).toMatchObject({
      kind: 'values',
      values: '16, 32, 64',
    });
    expect(parameterChoices(null).some((c) => c.name.startsWith('layers.'))).toBe(false);
  });
});

describe('rowsToParameters', () => {
  it('parses lists (numbers, names, booleans) and ranges', () => {
    const { parameters, errors } = rowsToParameters(
      [
        row({ name: 'learningRate', kind: 'log', min: '1e-4', max: '1e-2', steps: '3' }),
        row({ name: 'optimizer', values: 'adam, sgd' }),
        row({ name: 'earlyStoppingRestoreBest', values: 'true,false' }),
        row({ name: 'batchSize', kind: 'int', min: '30', max: '32' }),
      ],
      'grid',
    );
    expect(errors).toEqual({});
    expect(parameters).toEqual([
      { name: 'learningRate', range: 'log', min: 1e-4, max: 1e-2, steps: 3 },
      { name: 'optimizer', values: ['adam', 'sgd'] },
      { name: 'earlyStoppingRestoreBest', values: [true, false] },
      { name: 'batchSize', range: 'int', min: 30, max: 32 },
    ]);
  });

  it('names the row field that is not a value yet; random ranges take no steps', () => {
    const { errors } = rowsToParameters(
      [row({ name: 'learningRate', kind: 'log', min: 'x', max: '1', steps: '' }), row({ name: 'seed', values: ' , ' })],
      'grid',
    );
    expect(Object.keys(errors).sort()).toEqual(['rows.0.min', 'rows.0.steps', 'rows.1.values']);
    const random = rowsToParameters([row({ name: 'learningRate', kind: 'log', min: '1e-4', max: '1e-1' })], 'random');
    expect(random).toEqual({ parameters: [{ name: 'learningRate', range: 'log', min: 1e-4, max: 1e-1 }], errors: {} });
  });
});

describe('previewSweep', () => {
  it('counts and lists a grid, the first parameter varying slowest', () => {
    const preview = previewSweep(
      [row({ name: 'learningRate', values: '0.001, 0.01' }), row({ name: 'optimizer', values: 'adam, sgd' })],
      'grid',
      mlp,
      '',
      '',
    );
    expect(preview.count).toBe(4);
    expect(preview.points).toEqual([
      { learningRate: 0.001, optimizer: 'adam' },
      { learningRate: 0.001, optimizer: 'sgd' },
      { learningRate: 0.01, optimizer: 'adam' },
      { learningRate: 0.01, optimizer: 'sgd' },
    ]);
    const log = previewSweep(
      [row({ name: 'lr', kind: 'log', min: '0.0001', max: '0.01', steps: '3' })],
      'grid',
      mlp,
      '',
      '',
    );
    expect(log.points.map((p) => p.learningRate)).toEqual([0.0001, 0.001, 0.01]);
  });

  it("refuses a grid over the engine's limit with the engine's message and the count", () => {
    const preview = previewSweep(
      [
        row({ name: 'seed', kind: 'int', min: '1', max: '50' }),
        row({ name: 'batchSize', values: '16, 32, 64, 128, 256' }),
      ],
      'grid',
      mlp,
      '',
      '',
    );
    expect(preview.count).toBe(250);
    expect(preview.points).toEqual([]);
    expect(preview.errors.parameters).toBe(
      `a grid of 50 × 5 = 250 points is more than ${MAX_SWEEP_POINTS}; shorten the lists, or sample it (random mode, samples: N)`,
    );
  });

  it("puts the engine's checks at the row they are about", () => {
    const bad = previewSweep(
      [row({ name: 'learningRate', values: '0.01' }), row({ name: 'learningRate', values: '-1' })],
      'grid',
      mlp,
      '',
      '',
    );
    expect(Object.keys(bad.errors)).toEqual(['rows.1.values']);
    expect(bad.errors['rows.1.values']).toMatch(/already varied/);
    const value = previewSweep([row({ name: 'learningRate', values: '0.01, 50' })], 'grid', mlp, '', '');
    expect(value.errors['rows.0.values']).toMatch(/parameters\[0\] \(learningRate\): value must be/);
    const knob = previewSweep([row({ name: 'layers.0.filters', values: '8' })], 'grid', mlp, '', '');
    expect(knob.errors['rows.0.values']).toMatch(/Flatten layer, which has no filters/);
    expect(previewSweep([], 'grid', mlp, '', '').errors.parameters).toMatch(/Add a parameter/);
  });

  it('draws the same random points as the engine for a seed, and checks samples and seed', () => {
    const rows = [
      row({ name: 'learningRate', kind: 'log', min: '0.0001', max: '0.1' }),
      row({ name: 'optimizer', values: 'adam,sgd' }),
    ];
    const a = previewSweep(rows, 'random', mlp, '5', '7');
    expect(a.count).toBe(5);
    expect(a.points).toHaveLength(5);
    expect(previewSweep(rows, 'random', mlp, '5', '7').points).toEqual(a.points);
    expect(previewSweep(rows, 'random', mlp, '5', '8').points).not.toEqual(a.points);
    for (const p of a.points) {
      expect(p.learningRate).toBeGreaterThanOrEqual(0.0001);
      expect(p.learningRate).toBeLessThanOrEqual(0.1);
    }
    expect(previewSweep(rows, 'random', mlp, '0', '7').errors.samples).toMatch(/1 to 200/);
    expect(previewSweep(rows, 'random', mlp, '3', '-1').errors.seed).toMatch(/seed/);
  });
});

describe('formFieldOf', () => {
  const rows = [
    row({ name: 'learningRate', values: '1' }),
    row({ name: 'batchSize', kind: 'int', min: '1', max: '2' }),
  ];
  it("maps the engine's fields to the form's", () => {
    expect(formFieldOf('parameters[0].values[1]', rows)).toBe('rows.0.values');
    expect(formFieldOf('parameters[1]', rows)).toBe('rows.1.min');
    expect(formFieldOf('parameters[1].steps', rows)).toBe('rows.1.steps');
    expect(formFieldOf('points.batchSize', rows)).toBe('rows.1.min');
    expect(formFieldOf('samples', rows)).toBe('samples');
    expect(formFieldOf('parameters', rows)).toBe('parameters');
    expect(formFieldOf(undefined, rows)).toBe('parameters');
  });
});

describe('showValue', () => {
  it('shows four significant digits', () => {
    expect(showValue(0.00031622776)).toBe('0.0003162');
    expect(showValue(64)).toBe('64');
    expect(showValue('adam')).toBe('adam');
    expect(showValue(undefined)).toBe('—');
  });
});
