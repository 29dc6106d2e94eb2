// Loaded models of recorded runs, so Draw, inspection and the confusion-cell gallery do not rebuild a model and
// read its checkpoint for every request. What is derived from a loaded model (inspect/'s multi-output graph over
// its layers) is kept with it and disposed with it.
import type * as tf from '@tensorflow/tfjs';
import { activeBackend } from '../backend/backends.ts';
import { loadRunModel, runCheckpoint } from '../model/run-model.ts';
import type { Store } from '../store/index.ts';
import type { CheckpointChoice } from '../store/store.ts';

export const MODEL_CACHE_SIZE = 8;

/** Something made from a cached model that must go when the model goes. */
export interface ModelCompanion {
  dispose(): void;
}

/** A cached model with the checkpoint epoch its weights are from. */
export interface CachedRunModel {
  readonly runId: number;
  readonly epoch: number;
  readonly model: tf.LayersModel;
  /** The companion `name` made from this model by `make`, made once; disposed before the model is. */
  companion<T extends ModelCompanion>(name: string, make: (model: tf.LayersModel) => T): T;
}

class Entry implements CachedRunModel {
  private readonly companions = new Map<string, ModelCompanion>();
  /** Asked for by its epoch rather than as the run's latest: it stays when the run saves a newer checkpoint. */
  pinned = false;

  constructor(
    readonly runId: number,
    readonly epoch: number,
    readonly path: string,
    readonly model: tf.LayersModel,
  ) {}

  companion<T extends ModelCompanion>(name: string, make: (model: tf.LayersModel) => T): T {
    let made = this.companions.get(name) as T | undefined;
    if (!made) {
      made = make(this.model);
      this.companions.set(name, made);
    }
    return made;
  }

  dispose(): void {
    for (const companion of this.companions.values()) companion.dispose();
    this.companions.clear();
    this.model.dispose();
  }
}

/**
 * Keyed by run id, checkpoint epoch and folder, so a run that trained further (or saved an epoch again) is loaded
 * again; least recently used dropped first. A run's latest model is replaced when it saves a newer checkpoint;
 * models asked for by epoch stay until they are the least recently used.
 */
export class RunModelCache {
  private entries = new Map<string, Entry>();
  private loading = new Map<string, Promise<Entry>>();

  constructor(private readonly store: Store) {}

  /**
   * The run's model with the weights of its default checkpoint, of its 'last' or 'best' epoch's, or of the
   * checkpoint after `epoch` epochs.
   */
  async get(runId: number, epoch?: CheckpointChoice): Promise<tf.LayersModel> {
    return (await this.load(runId, epoch)).model;
  }

  /** As get, with the epoch the weights are from and the model's companions. */
  async load(runId: number, choice?: CheckpointChoice): Promise<CachedRunModel> {
    // Only a model asked for by its epoch number is pinned; 'last' and 'best' follow the run as it trains.
    const epoch = typeof choice === 'number' ? choice : undefined;
    const checkpoint = runCheckpoint(this.store, runId, choice);
    const key = `${runId}@${checkpoint.epoch}:${checkpoint.path}`;
    const cached = this.entries.get(key);
    if (cached) {
      this.entries.delete(key);
      this.entries.set(key, cached);
      if (epoch !== undefined) cached.pinned = true;
      return cached;
    }
    // Two requests for a model not loaded yet share one load.
    let pending = this.loading.get(key);
    if (!pending) {
      pending = this.loadEntry(key, runId, checkpoint.epoch, checkpoint.path).finally(() => this.loading.delete(key));
      this.loading.set(key, pending);
    }
    const entry = await pending;
    if (epoch !== undefined) entry.pinned = true;
    return entry;
  }

  private async loadEntry(key: string, runId: number, epoch: number, folder: string): Promise<Entry> {
    const { model } = await loadRunModel(this.store, runId, activeBackend()?.kind ?? 'auto', epoch);
    // Stale: the run's model loaded as its last or best when it had fewer epochs, and this epoch from another folder.
    const current = [this.store.checkpointFor(runId, 'last')?.epoch, this.store.checkpointFor(runId, 'best')?.epoch];
    for (const [other, entry] of this.entries) {
      if (entry.runId !== runId) continue;
      if (entry.epoch === epoch || (!entry.pinned && !current.includes(entry.epoch))) this.remove(other);
    }
    const entry = new Entry(runId, epoch, folder, model);
    this.entries.set(key, entry);
    if (this.entries.size > MODEL_CACHE_SIZE) this.remove(this.entries.keys().next().value!);
    return entry;
  }

  private remove(key: string): void {
    this.entries.get(key)?.dispose();
    this.entries.delete(key);
  }

  /** Disposes the run's models (it trained on, or was deleted). */
  drop(runId: number): void {
    for (const [key, entry] of this.entries) if (entry.runId === runId) this.remove(key);
  }

  dispose(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
  }
}
