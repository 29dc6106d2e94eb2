// What the Compare screen's curves can show (plain values, so pure modules and their tests need no runes).
export type CurveMetric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';
export type CurveAxis = 'step' | 'epoch';
export type ConfusionScale = 'rate' | 'count';

export const METRIC_LABELS: Record<CurveMetric, string> = {
  loss: 'Training loss',
  accuracy: 'Training accuracy',
  valLoss: 'Validation loss',
  valAccuracy: 'Validation accuracy',
};
