// A run's predictions on its test set, kept for the latest run and checkpoint asked about (its default, last or
// best epoch's weights), so browsing the cells of one confusion matrix predicts the test set only once.
import { activeBackend, initBackend } from '../backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '../data/datasets.ts';
import type { Store } from '../store/index.ts';
import { predictSet, type Predictions } from './evaluate.ts';
import type { RunModelCache } from './model-cache.ts';
import { runCheckpoint } from '../model/run-model.ts';
import type { WeightsChoice } from '#shared/weights.ts';

export class TestPredictionCache {
  private cached: { key: string; predictions: Predictions } | null = null;

  constructor(
    private readonly store: Store,
    private readonly models: RunModelCache,
  ) {}

  /**
   * Predictions with the run's default (or `weights`) weights on the test images it was evaluated on (the whole
   * test set if it has no evaluation), and the checkpoint epoch they are from.
   */
  async forRun(runId: number, weights?: WeightsChoice): Promise<Predictions> {
    return (await this.withEpoch(runId, weights)).predictions;
  }

  async withEpoch(runId: number, weights?: WeightsChoice): Promise<{ epoch: number; predictions: Predictions }> {
    if (!activeBackend()) await initBackend('auto');
    const run = this.store.getRun(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    const checkpoint = runCheckpoint(this.store, runId, weights ?? 'default');
    const key = `${runId}@${checkpoint.epoch}:${checkpoint.path}`;
    if (this.cached?.key !== key) {
      const test = loadDataset(resolveDatasetSource(run.dataset.id)).test;
      const count =
        this.store.getEvaluation(runId, checkpoint.epoch)?.count ??
        this.store.getEvaluation(runId)?.count ??
        test.count;
      const predictions = await predictSet(
        await this.models.get(runId, weights ?? 'default'),
        test,
        Uint32Array.from({ length: count }, (_, i) => i),
      );
      this.cached = { key, predictions };
    }
    return { epoch: checkpoint.epoch, predictions: this.cached.predictions };
  }
}
