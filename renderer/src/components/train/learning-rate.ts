// The learning rate per epoch, as the Train and Runs screens draw it under their per-epoch charts: the rate each
// epoch started with (a schedule may move it within the epoch), with what the schedule did after an epoch.
import type { EpochMetric } from '#shared/types.ts';
import { PALETTE, type ChartOption } from '../../lib/echarts.ts';

const COLOR = PALETTE[4];

/** 0.001 → "0.001", 0.000125 → "0.000125", 1e-9 → "1e-9": as short as the value, at most 4 significant digits. */
export function formatLearningRate(rate: number | null | undefined): string {
  return rate === null || rate === undefined || !Number.isFinite(rate) ? '—' : String(Number(rate.toPrecision(4)));
}

/**
 * Whether the chart is worth drawing: the run follows a schedule, or its recorded rates differ. A constant run has a
 * flat line, which says nothing the learning-rate field does not.
 */
export function showsLearningRate(epochs: readonly EpochMetric[], schedule: string | null | undefined): boolean {
  const rates = epochs.map((e) => e.learningRate).filter((r): r is number => r !== null);
  if (rates.length === 0) return false;
  return (schedule !== undefined && schedule !== null && schedule !== 'constant') || new Set(rates).size > 1;
}

/** A small line chart of each epoch's starting learning rate, on a log axis once it spans a factor of 10 or more. */
export function learningRateOption(epochs: readonly EpochMetric[], totalEpochs: number): ChartOption {
  const count = Math.max(totalEpochs, (epochs.at(-1)?.epoch ?? -1) + 1, 1);
  const values: (number | null)[] = new Array(count).fill(null);
  const notes: (string | null)[] = new Array(count).fill(null);
  for (const e of epochs)
    if (e.epoch < count) {
      values[e.epoch] = e.learningRate;
      notes[e.epoch] = e.note;
    }
  const known = values.filter((v): v is number => v !== null && v > 0);
  const log = known.length > 0 && Math.max(...known) / Math.min(...known) >= 10;
  const changes = epochs.filter((e) => e.note && e.epoch + 1 < count);
  return {
    animation: false,
    // The per-epoch chart's margins, so the epochs line up with its own.
    grid: { left: 52, right: 52, top: 24, bottom: 26 },
    tooltip: {
      trigger: 'axis',
      formatter: (params: { dataIndex: number; value: number | null; axisValue: string }[]) => {
        const p = params[0];
        if (!p) return '';
        const note = notes[p.dataIndex];
        return [`epoch ${p.axisValue}`, `learning rate: ${formatLearningRate(p.value)}`, ...(note ? [note] : [])].join(
          '<br/>',
        );
      },
    },
    xAxis: {
      type: 'category',
      data: Array.from({ length: count }, (_, i) => String(i + 1)),
      boundaryGap: true,
    },
    yAxis: {
      type: log ? 'log' : 'value',
      name: 'learning rate',
      scale: !log,
      axisLabel: { formatter: (v: number) => formatLearningRate(v) },
      splitLine: { lineStyle: { opacity: 0.4 } },
    },
    series: [
      {
        name: 'learning rate',
        type: 'line',
        data: values,
        color: COLOR,
        symbolSize: 5,
        connectNulls: false,
        lineStyle: { width: 2 },
        // Where the schedule lowered the rate after an epoch (reduce on plateau): a line before the next one.
        markLine: changes.length
          ? {
              symbol: 'none',
              silent: true,
              label: { show: false },
              lineStyle: { type: 'dotted', color: COLOR },
              data: changes.map((e) => ({ xAxis: String(e.epoch + 2) })),
            }
          : undefined,
      },
    ],
  };
}
