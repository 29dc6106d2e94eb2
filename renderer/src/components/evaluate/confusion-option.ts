// The ECharts option for the confusion-matrix heatmap. Cells are coloured by their share of the true class on a
// stepped, non-linear scale: with one linear scale the diagonal (~98%) would wash out the mistakes (~1%) that
// are the reason to look at the matrix at all.
import { confusionColors, confusionTextColor } from '../../lib/confusion-colors.ts';
import type { ChartOption } from '../../lib/echarts.ts';

/** Plot area insets in pixels (the e2e test aims its clicks with them). */
export const CONFUSION_GRID = { left: 56, right: 118, top: 12, bottom: 52 };

export interface Cell {
  row: number;
  col: number;
}

const STEPS = [
  { gt: 0, lte: 0.01, label: '< 1%' },
  { gt: 0.01, lte: 0.02, label: '1–2%' },
  { gt: 0.02, lte: 0.05, label: '2–5%' },
  { gt: 0.05, lte: 0.1, label: '5–10%' },
  { gt: 0.1, lte: 0.25, label: '10–25%' },
  { gt: 0.25, lte: 0.5, label: '25–50%' },
  { gt: 0.5, lte: 0.9, label: '50–90%' },
  { gt: 0.9, lte: 1, label: '≥ 90%' },
];

function stepOf(share: number): number {
  return STEPS.findIndex((s) => share > s.gt && share <= s.lte);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function confusionOption(
  confusion: number[][],
  classes: string[],
  cursor: Cell | null,
  dark: boolean,
): ChartOption {
  const n = confusion.length;
  const names = Array.from({ length: n }, (_, i) => classes[i] ?? String(i));
  const rowTotals = confusion.map((row) => row.reduce((a, b) => a + b, 0));
  const data = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      const count = confusion[row][col];
      // Empty cells get share -1: outside every step, so they stay uncoloured.
      const share = count > 0 && rowTotals[row] > 0 ? count / rowTotals[row] : -1;
      data.push({
        value: [col, row, share, count],
        label: { color: confusionTextColor(stepOf(share), dark) },
        itemStyle: { borderColor: dark ? '#2a313b' : '#e6e9ee', borderWidth: 1 },
      });
    }
  }
  return {
    animation: false,
    tooltip: {
      formatter: (p: { value: number[] }) => {
        const [col, row, , count] = p.value;
        const share = rowTotals[row] > 0 ? ((count / rowTotals[row]) * 100).toFixed(1) : '0.0';
        return `True <b>${escapeHtml(names[row])}</b> → predicted <b>${escapeHtml(names[col])}</b><br/>${count} images (${share}% of ${rowTotals[row]})`;
      },
    },
    grid: { ...CONFUSION_GRID },
    xAxis: {
      type: 'category',
      data: names,
      name: 'Predicted class',
      nameLocation: 'middle',
      nameGap: 30,
      axisLine: { show: false },
      axisTick: { show: false },
    },
    yAxis: {
      type: 'category',
      data: names,
      name: 'True class',
      nameLocation: 'middle',
      nameGap: 36,
      inverse: true,
      axisLine: { show: false },
      axisTick: { show: false },
    },
    visualMap: [
      {
        type: 'piecewise',
        seriesIndex: 0,
        dimension: 2,
        pieces: STEPS.map((s, i) => ({ ...s, color: confusionColors(dark)[i] })).reverse(),
        outOfRange: { color: 'rgba(0,0,0,0)' },
        orient: 'vertical',
        right: 0,
        top: 'middle',
        itemWidth: 14,
        itemHeight: 10,
        showLabel: true,
        text: ['share of true class', ''],
        textGap: 8,
        textStyle: { fontSize: 11 },
      },
      // ECharts insists every heatmap series has a visualMap; the cursor layer's is invisible and colourless.
      {
        type: 'continuous',
        show: false,
        seriesIndex: 1,
        dimension: 2,
        min: 0,
        max: 1,
        inRange: { color: ['rgba(0,0,0,0)'] },
      },
    ],
    series: [
      {
        type: 'heatmap',
        data,
        label: {
          show: true,
          fontSize: 11,
          formatter: (p: { value: number[] }) => (p.value[3] > 0 ? String(p.value[3]) : ''),
        },
        emphasis: { itemStyle: { shadowBlur: 6, shadowColor: 'rgba(0,0,0,0.4)' } },
        progressive: 0,
      },
      {
        // The keyboard cursor, as a second layer so its frame is drawn above the neighbouring cells. Always
        // present (empty without a cursor) because the chart merges options and would keep a removed series.
        type: 'heatmap',
        silent: true,
        data: cursor ? [[cursor.col, cursor.row, 0]] : [],
        itemStyle: { color: 'rgba(0,0,0,0)', borderColor: dark ? '#ffd166' : '#e8590c', borderWidth: 3 },
        label: { show: false },
      },
    ],
  };
}

/** The largest off-diagonal cell: where the keyboard cursor starts, since that is what people look for first. */
export function worstConfusion(confusion: number[][]): Cell {
  let best: Cell = { row: 0, col: 0 };
  let bestCount = -1;
  confusion.forEach((counts, row) =>
    counts.forEach((count, col) => {
      if (row !== col && count > bestCount) {
        best = { row, col };
        bestCount = count;
      }
    }),
  );
  return best;
}
