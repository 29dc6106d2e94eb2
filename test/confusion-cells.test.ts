import { describe, expect, it } from 'vitest';
import { confusionCell } from '#engine/evaluate/confusion-cells.ts';
import { summarize, type Predictions } from '#engine/evaluate/evaluate.ts';

// Six test images of three classes; `indices` are their test-set positions, not the row numbers.
const predictions: Predictions = {
  numClasses: 3,
  labels: Int32Array.from([1, 1, 1, 0, 1, 1]),
  indices: [10, 11, 12, 13, 14, 15],
  probabilities: Float32Array.from([
    0.1,
    0.8,
    0.1, // 10: 1 as 1
    0.6,
    0.3,
    0.1, // 11: 1 as 0
    0.05,
    0.9,
    0.05, // 12: 1 as 1
    0.2,
    0.7,
    0.1, // 13: 0 as 1
    0.4,
    0.4,
    0.2, // 14: a tie goes to the first class: 1 as 0
    0.2,
    0.5,
    0.3, // 15: 1 as 1
  ]),
};

const rounded = (cell: ReturnType<typeof confusionCell>) => ({
  total: cell.total,
  items: cell.items.map((i) => ({
    testIndex: i.testIndex,
    confidence: +i.confidence.toFixed(3),
    trueProbability: +i.trueProbability.toFixed(3),
  })),
});

describe('confusion-matrix cells', () => {
  it('lists the correct predictions of a class, most confident first, up to the limit', () => {
    expect(
      rounded(confusionCell(predictions, { trueLabel: 1, predicted: 1, limit: 2, order: 'confidence-desc' })),
    ).toEqual({
      total: 3,
      items: [
        { testIndex: 12, confidence: 0.9, trueProbability: 0.9 },
        { testIndex: 10, confidence: 0.8, trueProbability: 0.8 },
      ],
    });
  });

  it('lists the least confident first when asked', () => {
    const cell = confusionCell(predictions, { trueLabel: 1, predicted: 1, limit: 10, order: 'confidence-asc' });
    expect(cell.items.map((i) => i.testIndex)).toEqual([15, 10, 12]);
  });

  it('gives a mistake the probability the model gave the true class', () => {
    expect(
      rounded(confusionCell(predictions, { trueLabel: 1, predicted: 0, limit: 10, order: 'confidence-desc' })),
    ).toEqual({
      total: 2,
      items: [
        { testIndex: 11, confidence: 0.6, trueProbability: 0.3 },
        { testIndex: 14, confidence: 0.4, trueProbability: 0.4 },
      ],
    });
    expect(
      confusionCell(predictions, { trueLabel: 0, predicted: 1, limit: 10, order: 'confidence-desc' }).items.map(
        (i) => i.testIndex,
      ),
    ).toEqual([13]);
  });

  it('counts every cell as the stored confusion matrix does', () => {
    const { confusion } = summarize(predictions, 0);
    for (let trueLabel = 0; trueLabel < 3; trueLabel++) {
      for (let predicted = 0; predicted < 3; predicted++) {
        const cell = confusionCell(predictions, { trueLabel, predicted, limit: 1, order: 'confidence-desc' });
        expect(cell.total, `cell ${trueLabel}/${predicted}`).toBe(confusion[trueLabel][predicted]);
        expect(cell.items).toHaveLength(Math.min(cell.total, 1));
      }
    }
  });
});
