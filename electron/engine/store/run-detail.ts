// What the app shows about one run (Runs, Train, Compare): its record, epoch metrics, evaluation and sessions.
import type { RunDetail } from '#shared/contract.ts';
import type { WeightsChoice } from '#shared/weights.ts';
import type { Store } from './store.ts';

/** evaluation: the one with the run's default weights, or with `weights`. */
export function getRunDetail(store: Store, runId: number, weights?: WeightsChoice): RunDetail {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} does not exist`);
  return {
    run,
    epochs: store.getEpochMetrics(runId),
    evaluation: store.getEvaluation(runId, weights ?? 'default') ?? null,
    evaluations: store.getEvaluations(runId),
    sessions: store.getRunSessions(runId),
  };
}
