// A test-set evaluation of a run's default (or last, or best epoch's) checkpoint, for runs that ended without one
// (stopped, interrupted, failed after an epoch): Evaluate shows it and says which epoch's weights it scored. It is
// not stored, so the run's own test accuracy stays the one its completed training measured.
import type { CheckpointEvaluation } from '#shared/contract.ts';
import type { Store } from '../store/index.ts';
import { summarize } from './evaluate.ts';
import type { TestPredictionCache } from './test-predictions.ts';
import type { WeightsChoice } from '#shared/weights.ts';

export async function evaluateCheckpoint(
  store: Store,
  predictions: TestPredictionCache,
  runId: number,
  weights?: WeightsChoice,
): Promise<CheckpointEvaluation> {
  if (!store.getRun(runId)) throw new Error(`run ${runId} does not exist`);
  // A run training on may save a newer checkpoint meanwhile: score again until the epoch holds still.
  for (;;) {
    const started = performance.now();
    const scored = await predictions.withEpoch(runId, weights);
    if (store.checkpointFor(runId, weights ?? 'default')?.epoch === scored.epoch) {
      return { epoch: scored.epoch, evaluation: summarize(scored.predictions, performance.now() - started) };
    }
  }
}
