import { describe, expect, it } from 'vitest';
import type { EpochMetric } from '#shared/types.ts';
import { formatLearningRate, learningRateOption, showsLearningRate } from './learning-rate.ts';

const epoch = (index: number, learningRate: number | null, note: string | null = null): EpochMetric => ({
  epoch: index,
  loss: 1,
  accuracy: 0.5,
  valLoss: 1,
  valAccuracy: 0.5,
  durationMs: 1,
  samplesPerSecond: 1,
  time: 0,
  learningRate,
  note,
});

interface Option {
  xAxis: { data: string[] };
  yAxis: { type: string; axisLabel: { formatter: (v: number) => string } };
  series: { data: (number | null)[]; markLine?: { data: { xAxis: string }[] } }[];
  tooltip: { formatter: (p: { dataIndex: number; value: number | null; axisValue: string }[]) => string };
}

describe('the learning-rate chart', () => {
  it('is drawn for a run with a schedule or rates that changed, not for a constant rate or a run without rates', () => {
    expect(showsLearningRate([epoch(0, 0.001), epoch(1, 0.001)], 'constant')).toBe(false);
    expect(showsLearningRate([epoch(0, 0.001)], 'cosine')).toBe(true);
    expect(showsLearningRate([epoch(0, 0.001), epoch(1, 0.0005)], undefined)).toBe(true);
    expect(showsLearningRate([epoch(0, null), epoch(1, null)], 'step')).toBe(false);
    expect(showsLearningRate([], 'step')).toBe(false);
  });

  it("plots each epoch's starting rate over every planned epoch, marks the plateau's reductions and names them", () => {
    const note = 'reduce on plateau: …; learning rate 0.001 → 0.0005 from epoch 3';
    const o = learningRateOption([epoch(0, 0.001), epoch(1, 0.001, note), epoch(2, 0.0005)], 5) as unknown as Option;
    expect(o.xAxis.data).toEqual(['1', '2', '3', '4', '5']);
    expect(o.series[0].data).toEqual([0.001, 0.001, 0.0005, null, null]);
    expect(o.series[0].markLine?.data).toEqual([{ xAxis: '3' }]);
    expect(o.yAxis.type).toBe('value');
    expect(o.tooltip.formatter([{ dataIndex: 1, value: 0.001, axisValue: '2' }])).toBe(
      `epoch 2<br/>learning rate: 0.001<br/>${note}`,
    );
  });

  it('uses a log axis once the rate spans a factor of 10', () => {
    const o = learningRateOption([epoch(0, 0.1), epoch(1, 0.01), epoch(2, 0.001)], 3) as unknown as Option;
    expect(o.yAxis.type).toBe('log');
    expect(o.yAxis.axisLabel.formatter(0.001)).toBe('0.001');
  });

  it('formats rates as short as they are', () => {
    expect(formatLearningRate(0.001)).toBe('0.001');
    expect(formatLearningRate(0.00012345678)).toBe('0.0001235');
    expect(formatLearningRate(1e-9)).toBe('1e-9');
    expect(formatLearningRate(null)).toBe('—');
  });
});
