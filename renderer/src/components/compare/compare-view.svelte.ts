// Compare screen options kept while the user visits other screens.
import type { ConfusionScale, CurveAxis, CurveMetric } from './curve-metrics.ts';

class CompareView {
  metric = $state<CurveMetric>('valAccuracy');
  axis = $state<CurveAxis>('epoch');
  logScale = $state(false);
  /** EMA weight for per-batch curves, as TensorBoard's slider. */
  smoothing = $state(0.6);
  onlyDifferences = $state(true);
  /** The run the architecture diff compares the others against; null = the first run. */
  baselineId = $state<number | null>(null);
  confusionScale = $state<ConfusionScale>('rate');
}

export const compareView = new CompareView();
