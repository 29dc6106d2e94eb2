import { describe, expect, it } from 'vitest';
import { confusionColors } from '../../lib/confusion-colors.ts';
import { cellValues, confusionOption, sharedMax } from './confusion.ts';

interface Label {
  show: boolean;
  color: string;
  formatter: (p: { value: number[] }) => string;
}
interface Cell {
  value: [number, number, number];
  label: { color: string };
}
interface Option {
  series: { name: string; data: ([number, number, number] | Cell)[]; label: Label }[];
  visualMap: { max: number; text?: string[] }[];
  tooltip: { formatter: (p: { value: number[] }) => string };
}

// Rows are true classes, columns predictions.
const counts = [
  [8, 2, 0],
  [1, 9, 0],
  [0, 0, 0],
];
const classes = ['cat', 'dog', 'fox'];

describe('cellValues', () => {
  it('keeps counts as they are', () => {
    expect(cellValues(counts, 'count')).toBe(counts);
  });

  it('turns counts into shares of each true class, an empty class into zeros', () => {
    expect(cellValues(counts, 'rate')).toEqual([
      [0.8, 0.2, 0],
      [0.1, 0.9, 0],
      [0, 0, 0],
    ]);
  });
});

describe('sharedMax', () => {
  it('is the largest mistake across every matrix, ignoring the diagonal', () => {
    expect(
      sharedMax([
        counts,
        [
          [100, 0],
          [5, 100],
        ],
      ]),
    ).toBe(5);
  });

  it('is 1 when there are no mistakes, so the scale is not empty', () => {
    expect(
      sharedMax([
        [
          [10, 0],
          [0, 10],
        ],
      ]),
    ).toBe(1);
    expect(sharedMax([])).toBe(1);
  });
});

describe('confusionOption', () => {
  const rates = cellValues(counts, 'rate');
  const option = (classNames = classes, dark = false) =>
    confusionOption(rates, counts, classNames, 'rate', sharedMax([rates]), dark) as unknown as Option;

  it('puts mistakes and correct predictions in separate series, as [predicted, true, value]', () => {
    const [mistakes, correct] = option().series;
    expect(mistakes.name).toBe('mistakes');
    // Empty cells are -1, below the scale, so they stay uncoloured.
    expect((mistakes.data as Cell[]).map((c) => c.value)).toEqual([
      [1, 0, 0.2],
      [2, 0, -1],
      [0, 1, 0.1],
      [2, 1, -1],
      [0, 2, -1],
      [1, 2, -1],
    ]);
    expect(correct.name).toBe('correct');
    expect(correct.data).toEqual([
      [0, 0, 0.8],
      [1, 1, 0.9],
      [2, 2, 0],
    ]);
  });

  it('scales the mistakes to the shared maximum and labels its end', () => {
    expect(option().visualMap[0]).toMatchObject({ max: 0.2, text: ['20%', '0'] });
    const byCount = confusionOption(counts, counts, classes, 'count', 2, false) as unknown as Option;
    expect(byCount.visualMap[0]).toMatchObject({ max: 2, text: ['2', '0'] });
  });

  it('labels only mistakes that stand out (30% of the maximum), as percentages', () => {
    const label = option().series[0].label;
    expect(label.formatter({ value: [1, 0, 0.2] })).toBe('20%');
    expect(label.formatter({ value: [0, 1, 0.06] })).toBe('6.0%');
    expect(label.formatter({ value: [0, 1, 0.05] })).toBe('');
    expect(label.formatter({ value: [2, 0, 0] })).toBe('');
    expect(option().series[1].label.formatter({ value: [0, 0, 0.8] })).toBe('80%');
  });

  it('hides the cell labels when there are too many classes to fit them', () => {
    expect(option().series[0].label.show).toBe(true);
    const many = Array.from({ length: 13 }, (_, i) => String(i));
    expect(option(many).series[0].label.show).toBe(false);
  });

  it("uses Evaluate's colour scale, with numbers readable on each cell", () => {
    expect(
      (option(classes, false) as unknown as { visualMap: { inRange: { color: string[] } }[] }).visualMap[0].inRange
        .color,
    ).toEqual(confusionColors(false));
    const [mistakes, correct] = option(classes, false).series;
    // The largest mistake is at the top of the scale (deep blue): white; the diagonal too.
    expect((mistakes.data[0] as Cell).label.color).toBe('#ffffff');
    expect(correct.label.color).toBe('#ffffff');
    // Dark theme: the top of the scale is bright, so its numbers are dark.
    expect(option(classes, true).series[1].label.color).toBe('#111111');
  });

  it('names the classes and counts in the tooltip', () => {
    const tooltip = option().tooltip.formatter;
    expect(tooltip({ value: [1, 0, 0.2] })).toBe('true cat → predicted dog<br/>2 of 10 (20.0%)');
    expect(tooltip({ value: [0, 2, 0] })).toBe('true fox → predicted cat<br/>0 of 0 (0%)');
  });
});
