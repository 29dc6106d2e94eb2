// Confusion-matrix heatmaps for several runs on one scale, in Evaluate's colours. Only the mistakes are
// spread over the scale (the diagonal would dwarf them); correct predictions take its top colour, as on Evaluate.
import { CONFUSION_STEPS, confusionColors, confusionStep, confusionTextColor } from '../../lib/confusion-colors.ts';
import type { ChartOption } from '../../lib/echarts.ts';
import type { ConfusionScale } from './curve-metrics.ts';

/** Empty cells get -1: below the scale, so they stay uncoloured as on Evaluate. */
const EMPTY = -1;

export function cellValues(confusion: number[][], scale: ConfusionScale): number[][] {
  if (scale === 'count') return confusion;
  return confusion.map((row) => {
    const total = row.reduce((a, b) => a + b, 0);
    return row.map((v) => (total ? v / total : 0));
  });
}

/** The largest off-diagonal value across all matrices: the top of the shared scale. */
export function sharedMax(matrices: number[][][]): number {
  let max = 0;
  for (const m of matrices) m.forEach((row, i) => row.forEach((v, j) => i !== j && v > max && (max = v)));
  return max || 1;
}

const show = (v: number, scale: ConfusionScale) =>
  scale === 'count' ? String(v) : v === 0 ? '0' : `${(v * 100).toFixed(v < 0.1 ? 1 : 0)}%`;

export function confusionOption(
  values: number[][],
  counts: number[][],
  classes: string[],
  scale: ConfusionScale,
  max: number,
  dark: boolean,
): ChartOption {
  const off: { value: [number, number, number]; label: { color: string } }[] = [];
  const diagonal: [number, number, number][] = [];
  values.forEach((row, t) =>
    row.forEach((v, p) => {
      if (t === p) diagonal.push([p, t, v]);
      else off.push({ value: [p, t, v || EMPTY], label: { color: confusionTextColor(confusionStep(v / max), dark) } });
    }),
  );
  const colors = confusionColors(dark);
  const top = colors[CONFUSION_STEPS - 1];
  // Small cells cannot hold every number: label the diagonal and the mistakes that stand out; the tooltip has the rest.
  const small = classes.length > 12;
  const label = (threshold: number) => ({
    show: !small,
    fontSize: 9,
    textBorderWidth: 0,
    formatter: (p: { value: number[] }) => (p.value[2] && p.value[2] >= threshold ? show(p.value[2], scale) : ''),
  });
  return {
    animation: false,
    grid: { left: 36, right: 46, top: 8, bottom: 36 },
    tooltip: {
      formatter: (p: { value: number[] }) => {
        const [pred, truth] = p.value;
        const count = counts[truth]?.[pred] ?? 0;
        const total = counts[truth]?.reduce((a, b) => a + b, 0) ?? 0;
        return `true ${classes[truth]} → predicted ${classes[pred]}<br/>${count} of ${total} (${total ? ((count / total) * 100).toFixed(1) : 0}%)`;
      },
    },
    xAxis: {
      type: 'category',
      data: classes,
      name: 'predicted',
      nameLocation: 'middle',
      nameGap: 22,
      splitArea: { show: false },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'category',
      data: classes,
      name: 'true',
      nameLocation: 'middle',
      nameGap: 24,
      inverse: true,
      axisTick: { show: false },
    },
    visualMap: [
      {
        type: 'continuous',
        seriesIndex: 0,
        min: 0,
        max,
        calculable: false,
        orient: 'vertical',
        right: 0,
        top: 'center',
        itemHeight: 120,
        itemWidth: 8,
        text: [show(max, scale), '0'],
        textStyle: { fontSize: 10 },
        inRange: { color: colors },
        outOfRange: { color: 'rgba(0,0,0,0)' },
      },
      // ECharts requires a visualMap for every heatmap series; this one paints the diagonal one flat tone.
      { type: 'continuous', seriesIndex: 1, show: false, min: 0, max: 1, inRange: { color: [top, top] } },
    ],
    series: [
      {
        name: 'mistakes',
        type: 'heatmap',
        data: off,
        label: label(max * 0.3),
        emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } },
      },
      {
        name: 'correct',
        type: 'heatmap',
        data: diagonal,
        label: { ...label(0), color: confusionTextColor(CONFUSION_STEPS - 1, dark) },
      },
    ],
  };
}
