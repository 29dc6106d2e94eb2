// What the Compare screen's curves can show (plain values, so pure modules and their tests need no runes).
export type CurveMetric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'learningRate';
export type CurveAxis = 'step' | 'epoch';
export type ConfusionScale = 'rate' | 'count';

export const METRIC_LABELS: Record<CurveMetric, string> = {
  loss: 'Training loss',
  accuracy: 'Training accuracy',
  valLoss: 'Validation loss',
  valAccuracy: 'Validation accuracy',
  learningRate: 'Learning rate',
};

/** Recorded once per epoch (the learning rate: the one each epoch started with), not per batch. */
export function isEpochMetric(metric: CurveMetric): boolean {
  return metric === 'valLoss' || metric === 'valAccuracy' || metric === 'learningRate';
}

/** Drawn on a log scale when asked: losses and the learning rate (accuracies stay linear). */
export function allowsLogScale(metric: CurveMetric): boolean {
  return metric === 'loss' || metric === 'valLoss' || metric === 'learningRate';
}
