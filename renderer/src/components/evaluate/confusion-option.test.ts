import { describe, expect, it } from 'vitest';
import { confusionOption, CONFUSION_GRID, escapeHtml, worstConfusion } from './confusion-option.ts';

interface Cell {
  value: [number, number, number, number];
  label: { color: string };
}
interface Option {
  grid: typeof CONFUSION_GRID;
  xAxis: { data: string[] };
  series: [{ data: Cell[]; label: { formatter: (p: { value: number[] }) => string } }, { data: number[][] }];
  tooltip: { formatter: (p: { value: number[] }) => string };
}

// Rows are true classes, columns predictions.
const matrix = [
  [95, 4, 1],
  [0, 100, 0],
  [30, 0, 0],
];
const option = (classes: string[], cursor: { row: number; col: number } | null = null, dark = false) =>
  confusionOption(matrix, classes, cursor, dark) as unknown as Option;

describe('escapeHtml', () => {
  it("escapes what could break out of the tooltip's HTML", () => {
    expect(escapeHtml(`<b a="1">'&'</b>`)).toBe('&#60;b a=&#34;1&#34;&#62;&#39;&#38;&#39;&#60;/b&#62;');
    expect(escapeHtml('seven')).toBe('seven');
  });
});

describe('worstConfusion', () => {
  it('is the largest off-diagonal cell', () => {
    expect(worstConfusion(matrix)).toEqual({ row: 2, col: 0 });
  });

  it('takes the first of equal cells, and an off-diagonal one even when there are no mistakes', () => {
    expect(
      worstConfusion([
        [5, 2],
        [2, 5],
      ]),
    ).toEqual({ row: 0, col: 1 });
    expect(
      worstConfusion([
        [5, 0],
        [0, 5],
      ]),
    ).toEqual({ row: 0, col: 1 });
  });

  it('falls back to the first cell for a single class', () => {
    expect(worstConfusion([[7]])).toEqual({ row: 0, col: 0 });
  });
});

describe('confusionOption', () => {
  it('has one cell per pair, as [predicted, true, share of the true class, count]', () => {
    const cells = option(['a', 'b', 'c']).series[0].data.map((c) => c.value);
    expect(cells).toHaveLength(9);
    expect(cells[0]).toEqual([0, 0, 0.95, 95]);
    expect(cells[1]).toEqual([1, 0, 0.04, 4]);
    expect(cells[6]).toEqual([0, 2, 1, 30]);
  });

  it('leaves empty cells outside the colour scale and without a number', () => {
    const o = option(['a', 'b', 'c']);
    expect(o.series[0].data[3].value).toEqual([0, 1, -1, 0]);
    expect(o.series[0].label.formatter({ value: [0, 1, -1, 0] })).toBe('');
    expect(o.series[0].label.formatter({ value: [1, 0, 0.04, 4] })).toBe('4');
  });

  it('writes numbers in white on the deep colours and dark on the pale ones', () => {
    const colour = (dark: boolean, index: number) =>
      option(['a', 'b', 'c'], null, dark).series[0].data[index].label.color;
    // Light theme: 95% (deep blue) white, 4% (pale) dark.
    expect([colour(false, 0), colour(false, 1)]).toEqual(['#ffffff', '#111111']);
    // Dark theme: the scale runs the other way.
    expect([colour(true, 0), colour(true, 1)]).toEqual(['#111111', '#ffffff']);
  });

  it('names classes by index when their names are missing', () => {
    expect(option(['zero']).xAxis.data).toEqual(['zero', '1', '2']);
  });

  it('escapes class names in the tooltip', () => {
    expect(option(['<a>', 'b', 'c']).tooltip.formatter({ value: [0, 0, 0.95, 95] })).toBe(
      'True <b>&#60;a&#62;</b> → predicted <b>&#60;a&#62;</b><br/>95 images (95.0% of 100)',
    );
    expect(option(['a', 'b', 'c']).tooltip.formatter({ value: [1, 2, -1, 0] })).toBe(
      'True <b>c</b> → predicted <b>b</b><br/>0 images (0.0% of 30)',
    );
  });

  it('draws the keyboard cursor as its own layer, empty without a cursor', () => {
    expect(option(['a', 'b', 'c'], { row: 2, col: 0 }).series[1].data).toEqual([[0, 2, 0]]);
    expect(option(['a', 'b', 'c']).series[1].data).toEqual([]);
  });

  it('uses the grid insets the e2e test aims with', () => {
    expect(option(['a', 'b', 'c']).grid).toEqual(CONFUSION_GRID);
  });
});
