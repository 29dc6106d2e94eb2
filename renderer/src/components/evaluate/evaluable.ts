// Which runs Evaluate can score, why a run it cannot is left out, and which weights a score comes from.
import { FINISH_STATUSES, type RunRecord } from '#shared/records.ts';
import { BEST_MONITOR_LABELS, bestEpochOf } from '#shared/weights.ts';

/** Ended (completed, stopped, interrupted or failed) with saved weights: at least one finished epoch. */
export function isEvaluable(run: RunRecord): boolean {
  return (FINISH_STATUSES as readonly string[]).includes(run.status) && run.epochsCompleted > 0;
}

/** Why Evaluate cannot show this run, or null when it can. */
export function notEvaluableReason(run: RunRecord): string | null {
  if (isEvaluable(run)) return null;
  if (run.status === 'running') return `Run #${run.id} is training; evaluate it once it stops or completes.`;
  if (run.status === 'queued') return `Run #${run.id} has not started training yet.`;
  return `Run #${run.id} has not finished an epoch, so it has no saved weights to evaluate.`;
}

const ENDED: Record<string, string> = { stopped: 'was stopped', interrupted: 'was interrupted', failed: 'failed' };

/** "Test accuracy of the epoch 3 weights …": which checkpoint was scored, and how the run got there. */
export function weightsSentence(run: RunRecord, epoch: number): string {
  const total = run.hyperparameters.epochs;
  const best = bestEpochOf(run);
  if (best && best.epoch === epoch && epoch !== run.epochsCompleted)
    return `Test accuracy of the epoch ${epoch} weights, ${best.restored ? `early stopping's best by ${BEST_MONITOR_LABELS[best.monitor]} (gains of at least its min delta), restored` : `its best by ${BEST_MONITOR_LABELS[best.monitor]}`} (${run.epochsCompleted} of ${total} epochs trained).`;
  if (run.status === 'completed' && epoch === total)
    return `Test accuracy of the epoch ${epoch} weights, the end of training (${epoch} of ${total} epochs).`;
  const how = ENDED[run.status]
    ? `the run ${ENDED[run.status]} after ${run.epochsCompleted} of ${total} epochs`
    : `${run.epochsCompleted} of ${total} epochs trained`;
  return `Test accuracy of the epoch ${epoch} weights, its last checkpoint: ${how}.`;
}
