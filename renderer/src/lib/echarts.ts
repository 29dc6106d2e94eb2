// ECharts, tree-shaken to what Layerlab draws. Every chart in the app goes through components/Chart.svelte.
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import {
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([
  BarChart,
  HeatmapChart,
  LineChart,
  ParallelChart,
  ScatterChart,
  DataZoomComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  MarkPointComponent,
  ParallelComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

export { echarts };
export type { EChartsCoreOption as ChartOption } from 'echarts/core';

/** Exponential moving average, as TensorBoard smooths noisy per-batch curves (0 = raw). */
export function smooth(values: number[], weight: number): number[] {
  if (weight <= 0) return values;
  const out: number[] = [];
  let last = values[0] ?? 0;
  for (const v of values) {
    last = last * weight + (1 - weight) * v;
    out.push(last);
  }
  return out;
}

/** A qualitative palette that stays readable in light and dark themes. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Height of the "best" pin. ECharts stands a pin on its point with the head a symbol's height above it. */
export const BEST_PIN_SIZE = 30;
/** Room a grid leaves above its plot so a pin on a point at the top of the axis is drawn whole, not clipped. */
export const BEST_PIN_HEADROOM = BEST_PIN_SIZE + 6;

/** The markPoint of a series' best point: one pin, labelled "best". */
export function bestPin(coord: [number | string, number | null], name: string, tooltip?: string) {
  return {
    symbol: 'pin',
    symbolSize: BEST_PIN_SIZE,
    label: { fontSize: 9, formatter: 'best' },
    data: [{ name, coord }],
    ...(tooltip === undefined ? {} : { tooltip: { formatter: tooltip } }),
  };
}
