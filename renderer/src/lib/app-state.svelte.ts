// State shared across screens. Each screen owns its own details; this holds only what crosses screens.
import type { ModelSpec } from '#shared/model/spec.ts';
import type { ActiveTraining, EngineStatus, TrainingEvent } from '#shared/contract.ts';
import type { DesignCommand, Screen } from '#shared/screens.ts';
import { call, errorMessage, onEngineStatus, onTrainingEvent } from './api.ts';

type Listener = (event: TrainingEvent) => void;

/** For the Design screen, from the File menu or a dropped spec file: what its own buttons would do. */
export type DesignRequest =
  | { command: Exclude<DesignCommand, 'design:openFile'> }
  | { command: 'design:openFile'; file: string; spec: ModelSpec };

/** A test image Evaluate sends to Draw ("Try in Draw"): Draw reads exactly these pixels, no redrawing. */
export interface DrawImageRequest {
  /** 28×28 grey values 0..1, the test image as stored. */
  pixels: number[];
  datasetId: string;
  datasetName: string;
  testIndex: number;
  /** The image's label, as a class name. */
  trueLabel: string;
}

class AppState {
  screen = $state<Screen>('design');
  /** The design being edited; the Train screen trains it. */
  design = $state<{ name: string | null; spec: ModelSpec } | null>(null);
  /** Runs picked on the Runs screen for Compare. */
  compareRunIds = $state<number[]>([]);
  /** The run Evaluate and Draw look at. */
  focusRunId = $state<number | null>(null);
  /** Which weights of the focus run Evaluate or Draw shows (File › Export Run… exports those); null: its default. */
  focusWeights = $state<'last' | 'best' | null>(null);
  /** Evaluate's "Try in Draw": the image Draw takes as its input when it opens, until it has taken it. */
  drawImage = $state.raw<DrawImageRequest | null>(null);
  /** The training in progress, if any (one at a time per engine). */
  active = $state<ActiveTraining | null>(null);
  /**
   * The menu's "Import IDX Dataset…" (dir null: ask for a folder) or a dropped folder, until the Train screen's
   * dataset picker has taken it up (it may mount only after the request: the screen switches to Train with it).
   */
  importRequest = $state.raw<{ dir: string | null } | null>(null);
  /** The File menu's (or a drop's) latest design command, until the Design screen has carried it out. */
  designRequest = $state.raw<DesignRequest | null>(null);
  /** Bumped whenever runs change (finished, renamed, deleted) so lists reload. */
  runsVersion = $state(0);
  /** The engine process as main last reported it; null until it has. */
  engine = $state.raw<EngineStatus | null>(null);
  /** Bumped whenever the engine is ready again after a crash, so screens redo what failed meanwhile. */
  engineRestarts = $state(0);
  /** Why the last Restart engine request failed, if it did. */
  restartError = $state<string | null>(null);
  private listeners = new Set<Listener>();
  private started = false;
  private engineReported = false;

  /** False while the engine is starting again, waiting to restart or down: nothing it would do can work. */
  get engineAvailable(): boolean {
    const engine = this.engine;
    return engine === null || engine.state === 'ready' || (engine.state === 'starting' && engine.crashes === 0);
  }

  /** Subscribes once to engine events and fans them out; screens add their own listeners. */
  start(): void {
    if (this.started) return;
    this.started = true;
    onTrainingEvent((event) => {
      this.apply(event);
      for (const listener of this.listeners) listener(event);
    });
    onEngineStatus((status) => {
      this.engineReported = true;
      this.setEngine(status);
    });
    call('engine:status')
      .then((status) => !this.engineReported && this.setEngine(status))
      .catch(() => {}); // an older main without the channel: no banner, everything else works
    this.refreshActive();
  }

  /** Starts the engine again now (the banner's and the crash dialog's Restart engine). */
  async restartEngine(): Promise<void> {
    this.restartError = null;
    try {
      const status = await call('engine:restart');
      // The engine may have come up (and said so) before this answer arrived.
      if (this.engine?.state !== 'ready') this.setEngine(status);
    } catch (err) {
      this.restartError = errorMessage(err);
    }
  }

  private refreshActive(): void {
    call('training:active')
      .then((active) => (this.active = active))
      .catch(() => {});
  }

  private setEngine(status: EngineStatus): void {
    const previous = this.engine;
    this.engine = status;
    if (status.state !== 'ready') {
      // Whatever was training went down with the engine (main reports those runs interrupted).
      this.active = null;
    } else if (previous && previous.state !== 'ready' && status.crashes > 0) {
      this.engineRestarts++;
      this.runsVersion++;
      this.refreshActive();
    }
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
