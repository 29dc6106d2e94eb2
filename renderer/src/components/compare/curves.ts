// The overlaid learning curves: one series per run, the best validation epoch of each marked.
import type { EpochMetric } from '#shared/types.ts';
import { BEST_PIN_HEADROOM, bestPin, smooth, type ChartOption } from '../../lib/echarts.ts';
import type { ComparedRun } from './load.ts';
import { allowsLogScale, isEpochMetric, METRIC_LABELS, type CurveAxis, type CurveMetric } from './curve-metrics.ts';
import { formatLearningRate } from '../train/learning-rate.ts';

export interface CurveRun {
  run: ComparedRun;
  label: string;
  color: string;
  /** Beyond the palette's ten colours, runs alternate line styles so they stay distinguishable. */
  dashed: boolean;
}

export interface CurveSettings {
  metric: CurveMetric;
  axis: CurveAxis;
  logScale: boolean;
  smoothing: number;
}

type Point = [number, number | null];

const isLoss = (metric: CurveMetric) => metric === 'loss' || metric === 'valLoss';

function epochValue(epoch: EpochMetric, metric: CurveMetric): number | null {
  const value = epoch[metric];
  return value === null || Number.isNaN(value) ? null : value;
}

function points(entry: CurveRun, settings: CurveSettings): Point[] {
  const { detail, batches, batchesPerEpoch } = entry.run;
  const { metric, axis } = settings;
  if (axis === 'epoch') return detail.epochs.map((e) => [e.epoch + 1, epochValue(e, metric)]);
  if (metric === 'learningRate') {
    // The rate each epoch started with: plotted at the epoch's first batch.
    return detail.epochs.map((e) => [e.epoch * batchesPerEpoch + 1, epochValue(e, metric)]);
  }
  if (metric === 'valLoss' || metric === 'valAccuracy') {
    // Validation happens once per epoch: plot it at the epoch's last batch.
    return detail.epochs.map((e) => [(e.epoch + 1) * batchesPerEpoch, epochValue(e, metric)]);
  }
  const raw = batches.map((b) => b[metric as 'loss' | 'accuracy']);
  // Smooth over the finite values only, so one NaN batch does not poison the rest of the curve.
  const finite = raw.filter((v) => Number.isFinite(v));
  const smoothed = smooth(finite, settings.smoothing);
  let k = 0;
  return batches.map((b, i) => [b.step + 1, Number.isFinite(raw[i]) ? smoothed[k++] : null]);
}

/** The plotted point at (or just before) the end of the run's best validation epoch. */
function bestPoint(entry: CurveRun, data: Point[], settings: CurveSettings): Point | null {
  const best = entry.run.detail.run.bestValAccuracyEpoch;
  if (best === null || settings.metric === 'learningRate') return null;
  const x = settings.axis === 'epoch' ? best + 1 : (best + 1) * entry.run.batchesPerEpoch;
  let found: Point | null = null;
  for (const point of data) if (point[0] <= x && point[1] !== null) found = point;
  return found;
}

export function curvesOption(runs: CurveRun[], settings: CurveSettings): ChartOption {
  const log = settings.logScale && allowsLogScale(settings.metric);
  const format = (v: number) =>
    settings.metric === 'learningRate'
      ? formatLearningRate(v)
      : isLoss(settings.metric)
        ? v.toFixed(4)
        : `${(v * 100).toFixed(2)}%`;
  const series = runs.map((entry) => {
    let data = points(entry, settings);
    if (log) data = data.map(([x, y]) => [x, y !== null && y > 0 ? y : null]);
    const best = bestPoint(entry, data, settings);
    const perEpoch = settings.axis === 'epoch' || isEpochMetric(settings.metric);
    return {
      name: entry.label,
      type: 'line',
      data,
      color: entry.color,
      showSymbol: perEpoch,
      symbolSize: 5,
      connectNulls: false,
      lineStyle: { width: 2, type: entry.dashed ? 'dashed' : 'solid' },
      emphasis: { focus: 'series' },
      markPoint:
        best &&
        bestPin(
          best,
          'best validation epoch',
          `${entry.label}: best validation accuracy at epoch ${(entry.run.detail.run.bestValAccuracyEpoch ?? 0) + 1}`,
        ),
    };
  });
  return {
    animation: false,
    grid: { left: 56, right: 24, top: BEST_PIN_HEADROOM, bottom: 78 },
    tooltip: {
      trigger: 'axis',
      valueFormatter: (v: unknown) => (typeof v === 'number' ? format(v) : '—'),
    },
    legend: { type: 'scroll', bottom: 0, itemWidth: 18 },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
    xAxis: {
      type: 'value',
      name: settings.axis === 'epoch' ? 'epoch' : 'batch step',
      nameLocation: 'middle',
      nameGap: 26,
      min: settings.axis === 'epoch' ? 1 : 0,
      minInterval: 1,
    },
    yAxis: log
      ? {
          type: 'log',
          logBase: 10,
          name: METRIC_LABELS[settings.metric],
          nameLocation: 'middle',
          nameGap: 42,
          axisLabel: { formatter: (v: number) => formatLearningRate(v) },
        }
      : {
          type: 'value',
          name: METRIC_LABELS[settings.metric],
          nameLocation: 'middle',
          nameGap: 42,
          scale: true,
          axisLabel:
            settings.metric === 'learningRate'
              ? { formatter: (v: number) => formatLearningRate(v) }
              : isLoss(settings.metric)
                ? undefined
                : { formatter: (v: number) => `${Math.round(v * 1000) / 10}%` },
        },
    series,
  };
}
