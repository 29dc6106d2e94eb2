// Everything Compare needs about one run, fetched from the engine.
import type { RunDetail } from '#shared/contract.ts';
import type { BatchMetric } from '#shared/types.ts';
import type { RunRecord } from '#shared/records.ts';
import { call } from '../../lib/api.ts';

export interface ComparedRun {
  detail: RunDetail;
  /** Per-batch metrics, downsampled to at most about MAX_POINTS per run. */
  batches: BatchMetric[];
  batchesPerEpoch: number;
  totalParams: number | null;
}

const MAX_POINTS = 600;

/** Batches per epoch, computed as the engine splits the training set (validation share rounded). */
export function batchesPerEpoch(run: RunRecord): number {
  const h = run.hyperparameters;
  const chosen = Math.min(h.trainSize ?? run.dataset.trainCount, run.dataset.trainCount);
  const train = chosen - Math.round(chosen * (h.validationSplit ?? 0));
  return Math.max(1, Math.ceil(train / Math.max(1, h.batchSize ?? 1)));
}

export async function loadComparedRun(runId: number): Promise<ComparedRun> {
  const detail = await call('runs:get', { runId });
  const perEpoch = batchesPerEpoch(detail.run);
  // A running run has part of an epoch more than it has completed.
  const steps = perEpoch * (detail.run.epochsCompleted + (detail.run.status === 'running' ? 1 : 0));
  const every = Math.min(100000, Math.max(1, Math.ceil(steps / MAX_POINTS)));
  const [batches, analysis] = await Promise.all([
    call('runs:batchMetrics', { runId, every }),
    call('spec:analyze', { spec: detail.run.spec, numClasses: detail.run.dataset.classes.length }).catch(() => null),
  ]);
  return { detail, batches, batchesPerEpoch: perEpoch, totalParams: analysis?.ok ? analysis.totalParams : null };
}
