import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import { getTemplate } from '#shared/model/index.ts';
import type { RunRecord } from '#shared/records.ts';
import { runRecord } from '../../test-support/run-record.ts';
import {
  brushActive,
  brushFilter,
  buildAxes,
  drawable,
  parallelOption,
  parallelRun,
  relations,
  runSettings,
  varyingSettings,
} from './parallel.ts';

const mlp = getTemplate('mlp');
function run(id: number, h: Partial<typeof DEFAULT_HYPERPARAMETERS>, over: Partial<RunRecord> = {}): RunRecord {
  return runRecord({ id, name: `r${id}`, spec: mlp, hyperparameters: { ...DEFAULT_HYPERPARAMETERS, ...h }, ...over });
}
const runs = [
  run(1, { learningRate: 0.0001, optimizer: 'adam' }, { testAccuracy: 0.8 }),
  run(2, { learningRate: 0.001, optimizer: 'sgd' }, { testAccuracy: 0.9 }),
  run(3, { learningRate: 0.01, optimizer: 'adam' }, { testAccuracy: 0.95 }),
  run(4, { learningRate: 0.1, optimizer: 'sgd' }, { testAccuracy: null, status: 'queued' }),
];
const lines = runs.map((r) => parallelRun(r, 'testAccuracy'));

describe('runSettings and varyingSettings', () => {
  it("flattens hyperparameters and the layers' knobs", () => {
    const s = runSettings(runs[0]);
    expect(s.learningRate).toBe(0.0001);
    expect(s['layers.1.units']).toBe(
      mlp.layers[1].type === 'Dense' ? (mlp.layers[1] as { units: number }).units : undefined,
    );
    expect(s['layers.2.rate']).toBeDefined();
  });

  it('lists the settings that differ, in the form order, knobs last', () => {
    const wide = { ...mlp, layers: mlp.layers.map((l, i) => (i === 1 ? { ...l, units: 256 } : l)) };
    const other = parallelRun(run(5, { learningRate: 0.0001, batchSize: 64 }, { spec: wide }), 'testAccuracy');
    expect(varyingSettings([lines[0], other])).toEqual(['batchSize', 'layers.1.units']);
    expect(varyingSettings(lines)).toEqual(['optimizer', 'learningRate']);
  });
});

describe('buildAxes', () => {
  it('makes a log axis for the learning rate, a category axis for names, then the metric', () => {
    const axes = buildAxes(lines, 'testAccuracy');
    expect(axes).toEqual([
      { key: 'optimizer', id: 'axis-optimizer', label: 'Optimizer', type: 'category', categories: ['adam', 'sgd'] },
      { key: 'learningRate', id: 'axis-learningRate', label: 'Learning rate', type: 'log' },
      { key: 'metric', id: 'axis-metric', label: 'Test accuracy', type: 'value' },
    ]);
    const knob = buildAxes(lines, 'bestValLoss', ['layers.1.units'], mlp);
    expect(knob[0]).toMatchObject({ key: 'layers.1.units', label: 'L2 Dense units', type: 'value' });
    expect(knob[1].label).toBe('Best val loss');
  });

  it('draws only runs with the metric', () => {
    expect(drawable(lines, buildAxes(lines, 'testAccuracy')).map((r) => r.id)).toEqual([1, 2, 3]);
  });
});

describe('brushFilter', () => {
  const axes = buildAxes(lines, 'testAccuracy');
  const drawn = drawable(lines, axes);
  it('keeps every run without a brush', () => {
    expect(brushFilter(drawn, axes, {}).map((r) => r.id)).toEqual([1, 2, 3]);
    expect(brushActive({ 'axis-metric': [] })).toBe(false);
  });

  it('keeps the runs inside every brushed axis (inclusive, either order, several intervals)', () => {
    expect(brushFilter(drawn, axes, { 'axis-learningRate': [[0.0005, 0.01]] }).map((r) => r.id)).toEqual([2, 3]);
    expect(brushFilter(drawn, axes, { 'axis-learningRate': [[0.01, 0.0005]] }).map((r) => r.id)).toEqual([2, 3]);
    expect(
      brushFilter(drawn, axes, { 'axis-learningRate': [[0.0005, 0.01]], 'axis-metric': [[0.92, 1]] }).map((r) => r.id),
    ).toEqual([3]);
    expect(
      brushFilter(drawn, axes, {
        'axis-metric': [
          [0.7, 0.85],
          [0.94, 0.96],
        ],
      }).map((r) => r.id),
    ).toEqual([1, 3]);
    expect(brushActive({ 'axis-metric': [[0, 1]] })).toBe(true);
  });

  it('compares a category axis by the index of the category, as ECharts does', () => {
    expect(brushFilter(drawn, axes, { 'axis-optimizer': [[0.6, 1.4]] }).map((r) => r.id)).toEqual([2]);
    expect(brushFilter(drawn, axes, { 'axis-optimizer': [[-0.2, 0.3]] }).map((r) => r.id)).toEqual([1, 3]);
  });
});

describe('relations', () => {
  it('gives ρ with n for numeric settings and the spread of means for categorical ones', () => {
    const axes = buildAxes(lines, 'testAccuracy');
    const rel = relations(drawable(lines, axes), axes, 'testAccuracy');
    expect(rel.find((r) => r.key === 'learningRate')).toEqual({
      key: 'learningRate',
      label: 'Learning rate',
      kind: 'spearman',
      value: expect.closeTo(1),
      n: 3,
    });
    const opt = rel.find((r) => r.key === 'optimizer')!;
    expect(opt.kind).toBe('spread');
    expect(opt.value).toBeCloseTo(0.9 - (0.8 + 0.95) / 2); // sgd's mean minus adam's
    expect(opt.means!.map((m) => m.value)).toEqual(['sgd', 'adam']);
    expect(opt.n).toBe(3);
  });
});

describe('parallelOption', () => {
  it('has one parallel axis per axis (ids for brushing), one line per run and a visualMap on the metric', () => {
    const axes = buildAxes(lines, 'testAccuracy');
    const drawn = drawable(lines, axes);
    const option = parallelOption(drawn, axes, 'testAccuracy');
    expect(option.parallelAxis.map((a) => [a.id, a.type])).toEqual([
      ['axis-optimizer', 'category'],
      ['axis-learningRate', 'log'],
      ['axis-metric', 'value'],
    ]);
    expect(option.series[0].data).toEqual([
      { name: '#1 r1', value: ['adam', 0.0001, 0.8] },
      { name: '#2 r2', value: ['sgd', 0.001, 0.9] },
      { name: '#3 r3', value: ['adam', 0.01, 0.95] },
    ]);
    expect(option.visualMap).toMatchObject({ dimension: 2, min: 0.8, max: 0.95 });
  });
});
