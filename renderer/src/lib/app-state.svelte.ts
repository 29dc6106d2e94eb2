// State shared across screens. Each screen owns its own details; this holds only what crosses screens.
import type { ModelSpec } from '#shared/model/spec.ts';
import type { ActiveTraining, TrainingEvent } from '#shared/contract.ts';
import type { Screen } from '#shared/screens.ts';
import { call, onTrainingEvent } from './api.ts';

type Listener = (event: TrainingEvent) => void;

class AppState {
  screen = $state<Screen>('design');
  /** The design being edited; the Train screen trains it. */
  design = $state<{ name: string | null; spec: ModelSpec } | null>(null);
  /** Runs picked on the Runs screen for Compare. */
  compareRunIds = $state<number[]>([]);
  /** The run Evaluate and Draw look at. */
  focusRunId = $state<number | null>(null);
  /** The training in progress, if any (one at a time per engine). */
  active = $state<ActiveTraining | null>(null);
  /** Bumped by the menu's "Import IDX Dataset…"; the Train screen's dataset picker opens its import. */
  importRequests = $state(0);
  /** Bumped whenever runs change (finished, renamed, deleted) so lists reload. */
  runsVersion = $state(0);
  private listeners = new Set<Listener>();
  private started = false;

  /** Subscribes once to engine events and fans them out; screens add their own listeners. */
  start(): void {
    if (this.started) return;
    this.started = true;
    onTrainingEvent((event) => {
      this.apply(event);
      for (const listener of this.listeners) listener(event);
    });
    call('training:active').then((active) => (this.active = active)).catch(() => {});
  }

  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  go(screen: Screen): void {
    this.screen = screen;
  }

  private apply(event: TrainingEvent): void {
    if (event.type === 'started') {
      this.active = { runId: event.runId, started: event, latest: null, stopping: false };
      this.runsVersion++;
    } else if (event.type === 'batches' && this.active?.runId === event.runId) {
      this.active.latest = event.items.at(-1) ?? this.active.latest;
    } else if (event.type === 'finished') {
      if (this.active?.runId === event.runId) this.active = null;
      this.runsVersion++;
    } else if (event.type === 'epoch' || event.type === 'evaluation') {
      this.runsVersion++;
    }
  }
}

export const app = new AppState();
