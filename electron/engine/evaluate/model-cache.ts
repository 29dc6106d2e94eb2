// Loaded models of recorded runs, so Draw and the confusion-cell gallery do not rebuild a model and read its
// checkpoint for every request.
import type * as tf from '@tensorflow/tfjs';
import { activeBackend } from '../backend/backends.ts';
import { loadRunModel } from '../model/run-model.ts';
import type { Store } from '../store/index.ts';

export const MODEL_CACHE_SIZE = 8;

/** Keyed by run id and checkpoint epoch, so a run that trained further is loaded again; least recently used dropped first. */
export class RunModelCache {
  private models = new Map<string, tf.LayersModel>();

  constructor(private readonly store: Store) {}

  /** The run's model with the weights of its latest checkpoint. */
  async get(runId: number): Promise<tf.LayersModel> {
    const checkpoint = this.store.latestCheckpoint(runId);
    const key = `${runId}@${checkpoint?.epoch ?? 0}`;
    const cached = this.models.get(key);
    if (cached) {
      this.models.delete(key);
      this.models.set(key, cached);
      return cached;
    }
    this.drop(runId);
    const { model } = await loadRunModel(this.store, runId, activeBackend()?.kind ?? 'auto');
    this.models.set(key, model);
    if (this.models.size > MODEL_CACHE_SIZE) {
      const [oldest, old] = this.models.entries().next().value!;
      old.dispose();
      this.models.delete(oldest);
    }
    return model;
  }

  /** Disposes the run's models (it trained on, or was deleted). */
  drop(runId: number): void {
    for (const [key, model] of this.models) {
      if (key.startsWith(`${runId}@`)) {
        model.dispose();
        this.models.delete(key);
      }
    }
  }

  dispose(): void {
    for (const model of this.models.values()) model.dispose();
    this.models.clear();
  }
}
