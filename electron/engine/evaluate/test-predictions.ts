// A run's predictions on its test set, kept for the latest run and checkpoint asked about, so browsing the
// cells of one confusion matrix predicts the test set only once.
import { activeBackend, initBackend } from '../backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '../data/datasets.ts';
import type { Store } from '../store/index.ts';
import { predictSet, type Predictions } from './evaluate.ts';
import type { RunModelCache } from './model-cache.ts';

export class TestPredictionCache {
  private cached: { key: string; predictions: Predictions } | null = null;

  constructor(
    private readonly store: Store,
    private readonly models: RunModelCache,
  ) {}

  /** Predictions on the test images the run was evaluated on (the whole test set if it has no evaluation). */
  async forRun(runId: number): Promise<Predictions> {
    if (!activeBackend()) await initBackend('auto');
    const run = this.store.getRun(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    const key = `${runId}@${this.store.latestCheckpoint(runId)?.epoch ?? 0}`;
    if (this.cached?.key !== key) {
      const test = loadDataset(resolveDatasetSource(run.dataset.id)).test;
      const count = this.store.getEvaluation(runId)?.count ?? test.count;
      const predictions = await predictSet(
        await this.models.get(runId),
        test,
        Uint32Array.from({ length: count }, (_, i) => i),
      );
      this.cached = { key, predictions };
    }
    return this.cached.predictions;
  }
}
