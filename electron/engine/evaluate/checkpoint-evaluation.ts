// A test-set evaluation of a run's latest checkpoint, for runs that ended without one (stopped, interrupted,
// failed after an epoch): Evaluate shows it and says which epoch's weights it scored. It is not stored, so the
// run's own test accuracy stays the one its completed training measured.
import type { CheckpointEvaluation } from '#shared/contract.ts';
import type { Store } from '../store/index.ts';
import { summarize } from './evaluate.ts';
import type { TestPredictionCache } from './test-predictions.ts';

export async function evaluateLatestCheckpoint(
  store: Store,
  predictions: TestPredictionCache,
  runId: number,
): Promise<CheckpointEvaluation> {
  if (!store.getRun(runId)) throw new Error(`run ${runId} does not exist`);
  // A run training on may save a newer checkpoint meanwhile: score again until the epoch holds still.
  for (;;) {
    const checkpoint = store.latestCheckpoint(runId);
    if (!checkpoint) throw new Error(`run ${runId} has no saved weights yet (it has not finished an epoch)`);
    const started = performance.now();
    const scored = await predictions.forRun(runId);
    if (store.latestCheckpoint(runId)?.epoch === checkpoint.epoch) {
      return { epoch: checkpoint.epoch, evaluation: summarize(scored, performance.now() - started) };
    }
  }
}
