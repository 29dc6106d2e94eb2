// One cell of the confusion matrix: the test images of a true class that the model assigned to a predicted
// class, with its confidence, so the Evaluate screen can show what a mistake (or a hit) looks like.
import type { EvaluationCell, ParsedRequestOf } from '#shared/contract.ts';
import { argmax, type Predictions } from './evaluate.ts';

export type ConfusionCellQuery = Pick<
  ParsedRequestOf<'evaluation:cell'>,
  'trueLabel' | 'predicted' | 'limit' | 'order'
>;

/** Every row of `p` in the cell, sorted by confidence in the prediction; `total` counts them all, `items` holds the first `limit`. */
export function confusionCell(
  p: Predictions,
  { trueLabel, predicted, limit, order }: ConfusionCellQuery,
): EvaluationCell {
  const items: EvaluationCell['items'] = [];
  for (let row = 0; row < p.labels.length; row++) {
    if (p.labels[row] !== trueLabel) continue;
    const offset = row * p.numClasses;
    const best = argmax(p.probabilities, offset, p.numClasses);
    if (best === predicted)
      items.push({
        testIndex: p.indices[row],
        confidence: p.probabilities[offset + best],
        trueProbability: p.probabilities[offset + trueLabel],
      });
  }
  items.sort((a, b) => (order === 'confidence-desc' ? b.confidence - a.confidence : a.confidence - b.confidence));
  return { total: items.length, items: items.slice(0, limit) };
}
