// What the app shows about one run (Runs, Train, Compare): its record, epoch metrics, evaluation and sessions.
import type { RunDetail } from '#shared/contract.ts';
import type { Store } from './store.ts';

export function getRunDetail(store: Store, runId: number): RunDetail {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} does not exist`);
  return {
    run,
    epochs: store.getEpochMetrics(runId),
    evaluation: store.getEvaluation(runId) ?? null,
    sessions: store.getRunSessions(runId),
  };
}
