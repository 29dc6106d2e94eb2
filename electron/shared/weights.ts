// Which weights of a run a prediction, an evaluation or an export uses: its last epoch's, or its best epoch's
// (by validation loss, or validation accuracy when that is what its early stopping monitored). The one place the
// best epoch is defined, from the run's stored epoch metrics (the store keeps their best values and epochs on the
// run, electron/engine/store/metrics.ts refreshRunSummary). Pure: the engine, the CLI and the renderer share it.
import type { RunRecord } from './records.ts';

export const WEIGHTS_CHOICES = ['last', 'best'] as const;
export type WeightsChoice = (typeof WEIGHTS_CHOICES)[number];

/** What decided the best epoch. */
export type BestMonitor = 'val_loss' | 'val_accuracy';
export const BEST_MONITOR_LABELS: Record<BestMonitor, string> = { val_loss: 'val loss', val_accuracy: 'val accuracy' };

type RunWeightsFields = Pick<
  RunRecord,
  'hyperparameters' | 'epochsCompleted' | 'weightsEpoch' | 'bestValLossEpoch' | 'bestValAccuracyEpoch'
>;

export interface BestEpoch {
  /** The checkpoint (finished-epoch count, 1 is the first epoch's end) of the best epoch. */
  epoch: number;
  monitor: BestMonitor;
  /** Early stopping restored these weights (so they are the run's default). */
  restored: boolean;
}

/** The monitor the best epoch is chosen by: early stopping's, else validation loss. */
export function bestMonitorOf(run: Pick<RunRecord, 'hyperparameters'>): BestMonitor {
  return run.hyperparameters.earlyStopping === 'val_accuracy' ? 'val_accuracy' : 'val_loss';
}

/** Early stopping restored an epoch before the last as the run's weights. */
function restoredEpoch(run: RunWeightsFields): number | null {
  return run.weightsEpoch !== null && run.weightsEpoch > 0 && run.weightsEpoch !== run.epochsCompleted
    ? run.weightsEpoch
    : null;
}

/**
 * The run's best epoch, or null when it has none: it trained without a validation split (no val loss or accuracy
 * to choose by), or has not finished an epoch. A restored early-stopping best is that epoch (early stopping counts
 * only improvements by its min delta, so it can differ from the bare minimum); otherwise the first epoch with the
 * lowest val loss (or highest val accuracy).
 */
export function bestEpochOf(run: RunWeightsFields): BestEpoch | null {
  const monitor = bestMonitorOf(run);
  const restored = restoredEpoch(run);
  if (restored !== null) return { epoch: restored, monitor, restored: true };
  const zeroBased = monitor === 'val_accuracy' ? run.bestValAccuracyEpoch : run.bestValLossEpoch;
  if (zeroBased === null || zeroBased < 0 || zeroBased >= run.epochsCompleted) return null;
  return { epoch: zeroBased + 1, monitor, restored: false };
}

/** The weights Evaluate, Draw, inspection and export use unless asked otherwise: the restored best, else the last. */
export function defaultWeightsOf(run: RunWeightsFields): WeightsChoice {
  return restoredEpoch(run) !== null ? 'best' : 'last';
}

/** The checkpoint epoch of `which` weights, or null (no best epoch; no epoch finished). */
export function weightsEpochOf(run: RunWeightsFields, which: WeightsChoice): number | null {
  if (which === 'best') return bestEpochOf(run)?.epoch ?? null;
  return run.epochsCompleted > 0 ? run.epochsCompleted : null;
}

/** Why a run has no best epoch, in words. */
export function noBestReason(run: RunWeightsFields): string {
  if (run.hyperparameters.validationSplit === 0)
    return 'it trained without a validation split, so only its last weights exist';
  return run.epochsCompleted === 0 ? 'it has not finished an epoch' : 'no epoch recorded a validation value';
}

/**
 * "after epoch 4 (best val loss)" / "after epoch 5 (last)" / "after epoch 5 (last and best val loss)": which
 * epoch's weights `which` means.
 */
export function describeWeights(run: RunWeightsFields, which: WeightsChoice): string {
  const best = bestEpochOf(run);
  const last = weightsEpochOf(run, 'last');
  if (which === 'best') {
    if (!best) return `no best epoch (${noBestReason(run)})`;
    // Early stopping's best counts only gains of its min delta, so it can differ from the bare best epoch: say whose.
    const label = `${best.restored ? "early stopping's " : ''}best ${BEST_MONITOR_LABELS[best.monitor]}`;
    return `after epoch ${best.epoch} (${best.epoch === last ? `last and ${label}` : label})`;
  }
  if (last === null) return 'no weights yet';
  return `after epoch ${last} (${best?.epoch === last ? `last and best ${BEST_MONITOR_LABELS[best.monitor]}` : 'last'})`;
}
