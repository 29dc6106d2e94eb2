// Parallel coordinates of runs: one axis per setting that varies among them (categorical for names, log for
// learning rates), then the chosen metric; each run one line coloured by the metric. And the brushing filter:
// the runs inside every axis's selected intervals (ECharts' own rule: inclusive ends, categories by index).
import type { RunRecord } from '#shared/records.ts';
import { HYPERPARAMETER_NAMES } from '#shared/hyperparameters.ts';
import { LAYER_KNOBS, type SweepValue } from '#shared/sweeps.ts';
import { hyperparameterLabel } from '../runs/format.ts';
import { categorySpread, spearman } from './correlation.ts';

export const METRICS = [
  { key: 'testAccuracy', label: 'Test accuracy', higherIsBetter: true, percent: true },
  { key: 'bestValAccuracy', label: 'Best val accuracy', higherIsBetter: true, percent: true },
  { key: 'finalValAccuracy', label: 'Final val accuracy', higherIsBetter: true, percent: true },
  { key: 'bestValLoss', label: 'Best val loss', higherIsBetter: false, percent: false },
  { key: 'finalValLoss', label: 'Final val loss', higherIsBetter: false, percent: false },
  { key: 'testLoss', label: 'Test loss', higherIsBetter: false, percent: false },
  { key: 'finalTrainLoss', label: 'Final train loss', higherIsBetter: false, percent: false },
] as const satisfies readonly { key: keyof RunRecord; label: string; higherIsBetter: boolean; percent: boolean }[];
export type MetricKey = (typeof METRICS)[number]['key'];
export const metricInfo = (key: MetricKey) => METRICS.find((m) => m.key === key)!;

/** Settings drawn on a log axis: rates spanning decades. */
const LOG_SETTINGS = new Set(['learningRate', 'lrMinimum', 'earlyStoppingMinDelta']);

/** A run's settings as flat values: its hyperparameters and its layers' knobs ('layers.0.filters'). */
export function runSettings(run: Pick<RunRecord, 'hyperparameters' | 'spec'>): Record<string, SweepValue | null> {
  const out: Record<string, SweepValue | null> = {};
  for (const [key, value] of Object.entries(run.hyperparameters as unknown as Record<string, unknown>))
    if (value === null || ['number', 'string', 'boolean'].includes(typeof value)) out[key] = value as SweepValue | null;
  (run.spec?.layers ?? []).forEach((layer, index) => {
    for (const [field, types] of Object.entries(LAYER_KNOBS) as [string, readonly string[]][]) {
      if (!types.includes(layer.type)) continue;
      const value = (layer as unknown as Record<string, unknown>)[field];
      const scalar = Array.isArray(value) ? value[0] : value;
      if (typeof scalar === 'number') out[`layers.${index}.${field}`] = scalar;
    }
  });
  return out;
}

export function settingLabel(key: string, spec?: RunRecord['spec']): string {
  const knob = /^layers\.(\d+)\.(\w+)$/.exec(key);
  if (knob) {
    const type = spec?.layers[Number(knob[1])]?.type;
    const field = knob[2] === 'kernelSize' ? 'kernel' : knob[2] === 'rate' ? 'dropout' : knob[2];
    return `L${Number(knob[1]) + 1}${type ? ` ${type}` : ''} ${field}`;
  }
  return hyperparameterLabel(key);
}

export interface ParallelRun {
  id: number;
  name: string;
  settings: Record<string, SweepValue | null>;
  metric: number | null;
}

export function parallelRun(run: RunRecord, metric: MetricKey): ParallelRun {
  return { id: run.id, name: run.name, settings: runSettings(run), metric: run[metric] };
}

export interface ParallelAxis {
  /** The setting's key, or 'metric'. */
  key: string;
  /** ECharts parallelAxis id (what a brush, or dispatchAction axisAreaSelect, names). */
  id: string;
  label: string;
  type: 'value' | 'log' | 'category';
  /** Category axes: their values in order. */
  categories?: string[];
}

const keyOrder = (key: string) => {
  const i = (HYPERPARAMETER_NAMES as string[]).indexOf(key);
  return i >= 0 ? i : HYPERPARAMETER_NAMES.length;
};

/** The settings whose values differ among the runs, hyperparameters in the form's order, then layer knobs. */
export function varyingSettings(runs: ParallelRun[]): string[] {
  const keys = new Set(runs.flatMap((r) => Object.keys(r.settings)));
  return [...keys]
    .filter((key) => new Set(runs.map((r) => JSON.stringify(r.settings[key] ?? null))).size > 1)
    .sort((a, b) => keyOrder(a) - keyOrder(b) || a.localeCompare(b, 'en', { numeric: true }));
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The axes for these runs: one per varying setting (or the keys given, e.g. a sweep's parameters), then the metric. */
export function buildAxes(
  runs: ParallelRun[],
  metric: MetricKey,
  keys: string[] = varyingSettings(runs),
  spec?: RunRecord['spec'],
): ParallelAxis[] {
  const axes: ParallelAxis[] = keys.map((key) => {
    const values = runs.map((r) => r.settings[key] ?? null);
    const id = `axis-${key}`;
    const label = settingLabel(key, spec);
    if (values.every((v) => v === null || isNumber(v))) {
      const positive = values.every((v) => v === null || v > 0);
      return { key, id, label, type: LOG_SETTINGS.has(key) && positive ? 'log' : 'value' };
    }
    const categories = [...new Set(values.map(categoryOf))].sort();
    return { key, id, label, type: 'category', categories };
  });
  axes.push({ key: 'metric', id: 'axis-metric', label: metricInfo(metric).label, type: 'value' });
  return axes;
}

const categoryOf = (v: SweepValue | null) => (v === null ? '—' : String(v));

/** A run's coordinate on an axis: the value (category axes: the category's name), or null when it has none. */
export function coordinate(run: ParallelRun, axis: ParallelAxis): number | string | null {
  if (axis.key === 'metric') return run.metric;
  const v = run.settings[axis.key] ?? null;
  if (axis.type === 'category') return categoryOf(v);
  return isNumber(v) ? v : null;
}

/** The runs that can be drawn: a metric value and a value on every numeric axis. */
export function drawable(runs: ParallelRun[], axes: ParallelAxis[]): ParallelRun[] {
  return runs.filter((r) => axes.every((a) => coordinate(r, a) !== null));
}

/** Brushed intervals by axis id, as ECharts reports them (axisAreaSelected); an empty list clears that axis. */
export type BrushSelection = Record<string, [number, number][]>;

/** Whether a run lies inside every brushed axis's intervals (category axes compare the category's index). */
export function insideBrush(run: ParallelRun, axes: ParallelAxis[], selection: BrushSelection): boolean {
  return axes.every((axis) => {
    const intervals = selection[axis.id];
    if (!intervals || intervals.length === 0) return true;
    const c = coordinate(run, axis);
    if (c === null) return false;
    const x = axis.type === 'category' ? axis.categories!.indexOf(String(c)) : (c as number);
    return intervals.some(([a, b]) => Math.min(a, b) <= x && x <= Math.max(a, b));
  });
}

export function brushFilter(runs: ParallelRun[], axes: ParallelAxis[], selection: BrushSelection): ParallelRun[] {
  return runs.filter((r) => insideBrush(r, axes, selection));
}

export const brushActive = (selection: BrushSelection) => Object.values(selection).some((v) => v.length > 0);

export interface Relation {
  key: string;
  label: string;
  kind: 'spearman' | 'spread';
  /** ρ for numeric settings, the spread of the per-value means for categorical ones. */
  value: number | null;
  n: number;
  /** Categorical: the metric's mean per value, best first. */
  means?: { value: string; mean: number; n: number }[];
}

/** How strongly each axis's setting relates to the metric, over the runs that have the metric. */
export function relations(runs: ParallelRun[], axes: ParallelAxis[], metric: MetricKey): Relation[] {
  const scored = runs.filter((r) => isNumber(r.metric));
  const y = scored.map((r) => r.metric as number);
  return axes
    .filter((a) => a.key !== 'metric')
    .map((axis) => {
      if (axis.type === 'category') {
        const c = categorySpread(
          scored.map((r) => String(coordinate(r, axis))),
          y,
          metricInfo(metric).higherIsBetter,
        );
        return { key: axis.key, label: axis.label, kind: 'spread', value: c.spread, n: c.n, means: c.means };
      }
      const x = scored.map((r) => {
        const c = coordinate(r, axis);
        return typeof c === 'number' ? c : NaN;
      });
      const s = spearman(x, y);
      return { key: axis.key, label: axis.label, kind: 'spearman', value: s.rho, n: s.n };
    });
}

/** The ECharts option: a parallel coordinate system, one line per run, coloured by the metric (visualMap). */
export function parallelOption(runs: ParallelRun[], axes: ParallelAxis[], metric: MetricKey, dark = false) {
  const info = metricInfo(metric);
  const values = runs.map((r) => r.metric).filter(isNumber);
  const lo = values.length ? Math.min(...values) : 0;
  const hi = values.length ? Math.max(...values) : 1;
  const text = dark ? '#ccc' : '#333';
  const fmt = (v: number) => (info.percent ? `${(v * 100).toFixed(1)}%` : v.toFixed(3));
  return {
    animation: false,
    tooltip: { trigger: 'item' },
    parallel: { left: 70, right: 70, top: 48, bottom: 70, parallelAxisDefault: { nameGap: 14 } },
    parallelAxis: axes.map((axis, dim) => ({
      dim,
      id: axis.id,
      name: axis.label,
      type: axis.type,
      ...(axis.type === 'category' ? { data: axis.categories, boundaryGap: false } : { scale: true }),
      ...(axis.type === 'log' ? { logBase: 10 } : {}),
      nameTextStyle: { color: text, fontSize: 11 },
      axisLabel: {
        color: text,
        fontSize: 10,
        ...(axis.key === 'metric' ? { formatter: (v: number) => fmt(v) } : {}),
      },
      areaSelectStyle: { width: 18 },
    })),
    visualMap: {
      type: 'continuous',
      dimension: axes.length - 1,
      min: lo,
      max: hi === lo ? lo + 1e-9 : hi,
      orient: 'horizontal',
      left: 'center',
      bottom: 6,
      itemHeight: 160,
      text: [fmt(hi), fmt(lo)],
      textStyle: { color: text },
      calculable: false,
      inRange: { color: info.higherIsBetter ? ['#d94e5d', '#eac736', '#50a3ba'] : ['#50a3ba', '#eac736', '#d94e5d'] },
    },
    series: [
      {
        type: 'parallel',
        lineStyle: { width: 2.5, opacity: 0.9 },
        inactiveOpacity: 0.08,
        activeOpacity: 1,
        data: runs.map((r) => ({ name: `#${r.id} ${r.name}`, value: axes.map((a) => coordinate(r, a)) })),
      },
    ],
  };
}
