import { describe, expect, it } from 'vitest';
import type { RunRecord } from '#shared/records.ts';
import type { BatchMetric, EpochMetric } from '#shared/types.ts';
import { BEST_PIN_HEADROOM, BEST_PIN_SIZE, smooth } from '../../lib/echarts.ts';
import { curvesOption, type CurveRun, type CurveSettings } from './curves.ts';
import type { ComparedRun } from './load.ts';
import { runRecord } from '../../test-support/run-record.ts';

interface Series {
  name: string;
  data: [number, number | null][];
  showSymbol: boolean;
  lineStyle: { type: string };
  markPoint: { symbolSize: number; data: { coord: [number, number] }[] } | null;
}
interface Option {
  series: Series[];
  xAxis: { name: string; min: number };
  yAxis: { type: string; name: string; axisLabel?: { formatter: (v: number) => string } };
  tooltip: { valueFormatter: (v: unknown) => string };
  grid: { top: number };
}

const BATCHES_PER_EPOCH = 4;

function epoch(index: number, values: Partial<EpochMetric>): EpochMetric {
  return {
    epoch: index,
    loss: 1,
    accuracy: 0.5,
    valLoss: 1,
    valAccuracy: 0.5,
    durationMs: 1000,
    samplesPerSecond: 100,
    time: 0,
    learningRate: 0.001,
    note: null,
    ...values,
  };
}

function batch(step: number, loss: number, accuracy = 0.5): BatchMetric {
  return {
    epoch: Math.floor(step / BATCHES_PER_EPOCH),
    batch: step % BATCHES_PER_EPOCH,
    step,
    loss,
    accuracy,
    samplesPerSecond: 100,
    time: 0,
  };
}

function record(bestValAccuracyEpoch: number | null): RunRecord {
  return runRecord({
    dataset: { id: 'mnist', name: 'MNIST', classes: ['0', '1'], trainCount: 16, testCount: 4 },
    bestValAccuracyEpoch,
    epochsCompleted: 3,
  });
}

const epochs = [
  epoch(0, { loss: 0.9, valLoss: 0.8, valAccuracy: 0.7, learningRate: 0.01 }),
  epoch(1, { loss: 0.5, valLoss: NaN, valAccuracy: 0.9, learningRate: 0.001 }),
  epoch(2, { loss: 0.3, valLoss: 0.4, valAccuracy: 0.85, learningRate: null }),
];
const batches = [batch(0, 2), batch(1, 1), batch(2, NaN), batch(3, 0.5), batch(4, 0)];

function curveRun(best: number | null = 1, dashed = false): CurveRun {
  const run: ComparedRun = {
    detail: { run: record(best), epochs, evaluation: null, evaluations: [], sessions: [] },
    batches,
    batchesPerEpoch: BATCHES_PER_EPOCH,
    totalParams: null,
  };
  return { run, label: 'A', color: '#4e79a7', dashed };
}

const settings = (changes: Partial<CurveSettings>): CurveSettings => ({
  metric: 'valAccuracy',
  axis: 'epoch',
  logScale: false,
  smoothing: 0,
  ...changes,
});
const option = (changes: Partial<CurveSettings>, run = curveRun()) =>
  curvesOption([run], settings(changes)) as unknown as Option;

describe('curvesOption', () => {
  it('plots one point per epoch, numbered from 1, with NaN as a gap', () => {
    expect(option({ metric: 'valAccuracy' }).series[0].data).toEqual([
      [1, 0.7],
      [2, 0.9],
      [3, 0.85],
    ]);
    expect(option({ metric: 'valLoss' }).series[0].data).toEqual([
      [1, 0.8],
      [2, null],
      [3, 0.4],
    ]);
    expect(option({}).xAxis).toMatchObject({ name: 'epoch', min: 1 });
  });

  it("on the step axis, plots validation at each epoch's last batch", () => {
    const o = option({ metric: 'valAccuracy', axis: 'step' });
    expect(o.series[0].data).toEqual([
      [4, 0.7],
      [8, 0.9],
      [12, 0.85],
    ]);
    expect(o.series[0].showSymbol).toBe(true);
    expect(o.xAxis).toMatchObject({ name: 'batch step', min: 0 });
  });

  it('on the step axis, plots training batches, smoothing over the finite values only', () => {
    const o = option({ metric: 'loss', axis: 'step', smoothing: 0.5 });
    const smoothed = smooth([2, 1, 0.5, 0], 0.5);
    expect(o.series[0].data).toEqual([
      [1, smoothed[0]],
      [2, smoothed[1]],
      [3, null],
      [4, smoothed[2]],
      [5, smoothed[3]],
    ]);
    expect(o.series[0].showSymbol).toBe(false);
  });

  it('drops values a log scale cannot show, for losses only', () => {
    const o = option({ metric: 'loss', axis: 'step', logScale: true });
    expect(o.series[0].data.map(([, y]) => y)).toEqual([2, 1, null, 0.5, null]);
    expect(o.yAxis).toMatchObject({ type: 'log', name: 'Training loss' });
    expect(option({ metric: 'accuracy', logScale: true }).yAxis).toMatchObject({
      type: 'value',
      name: 'Training accuracy',
    });
  });

  it('marks the best validation epoch, at its plotted point', () => {
    expect(option({ metric: 'valAccuracy' }).series[0].markPoint?.data[0].coord).toEqual([2, 0.9]);
    expect(option({ metric: 'valAccuracy', axis: 'step' }).series[0].markPoint?.data[0].coord).toEqual([8, 0.9]);
  });

  it("marks the last point before the best epoch ends when that epoch's own value is missing", () => {
    // Epoch 2's validation loss is NaN: the pin goes on epoch 1's point.
    expect(option({ metric: 'valLoss' }).series[0].markPoint?.data[0].coord).toEqual([1, 0.8]);
    // Per batch, the last plotted batch of epoch 2 (steps 4–8) is step 5 (a loss of 0 is a value, not a gap).
    expect(option({ metric: 'loss', axis: 'step' }).series[0].markPoint?.data[0].coord).toEqual([5, 0]);
  });

  it('leaves room above the plot for a whole pin, so a best point at the top of the axis is not clipped', () => {
    const o = option({ metric: 'valAccuracy' });
    expect(o.series[0].markPoint?.symbolSize).toBe(BEST_PIN_SIZE);
    expect(o.grid.top).toBeGreaterThan(BEST_PIN_SIZE);
    expect(o.grid.top).toBe(BEST_PIN_HEADROOM);
  });

  it('has no marker for a run without a best validation epoch', () => {
    expect(option({}, curveRun(null)).series[0].markPoint).toBeNull();
  });

  it('draws one series per run, named and styled as given', () => {
    const o = curvesOption([curveRun(), { ...curveRun(1, true), label: 'B' }], settings({})) as unknown as Option;
    expect(o.series.map((s) => [s.name, s.lineStyle.type])).toEqual([
      ['A', 'solid'],
      ['B', 'dashed'],
    ]);
  });

  it("plots the learning rate each epoch started with, at the epoch's first batch on the step axis, on a log scale if asked", () => {
    expect(option({ metric: 'learningRate' }).series[0].data).toEqual([
      [1, 0.01],
      [2, 0.001],
      [3, null], // an epoch recorded before learning rates were stored
    ]);
    const steps = option({ metric: 'learningRate', axis: 'step', logScale: true });
    expect(steps.series[0].data).toEqual([
      [1, 0.01],
      [5, 0.001],
      [9, null],
    ]);
    expect(steps.series[0].showSymbol).toBe(true);
    expect(steps.yAxis).toMatchObject({ type: 'log', name: 'Learning rate' });
    expect(steps.yAxis.axisLabel?.formatter(0.00009999999999999999)).toBe('0.0001');
    expect(steps.series[0].markPoint).toBeNull(); // the best validation epoch is pinned on the metrics, not here
    expect(option({ metric: 'learningRate' }).tooltip.valueFormatter(0.000125)).toBe('0.000125');
    expect(option({ metric: 'learningRate' }).yAxis.axisLabel?.formatter(1e-9)).toBe('1e-9');
  });

  it('formats values as losses or percentages', () => {
    expect(option({ metric: 'loss' }).tooltip.valueFormatter(0.123456)).toBe('0.1235');
    expect(option({ metric: 'valAccuracy' }).tooltip.valueFormatter(0.98765)).toBe('98.77%');
    expect(option({ metric: 'valAccuracy' }).tooltip.valueFormatter(null)).toBe('—');
    expect(option({ metric: 'valAccuracy' }).yAxis.axisLabel?.formatter(0.985)).toBe('98.5%');
    expect(option({ metric: 'valLoss' }).yAxis.axisLabel).toBeUndefined();
  });
});
