// The engine's side of the training worker (training-worker.ts): starts one run at a time on a worker thread,
// forwards its events, remembers its progress for 'training:active', stops it on request, and makes sure a
// worker that dies still ends its run.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { activeBackend, initBackend, type BackendPreference } from './backend/backends.ts';
import { createRun, resumableRun } from './runner.ts';
import type { Store } from './store/index.ts';
import type { FromTrainingWorker, ToTrainingWorker } from './training-worker.ts';
import type { ActiveTraining, ParsedRequestOf } from '#shared/contract.ts';
import type { RunEvent } from '#shared/types.ts';

/** How long a worker that reported 'done' may take to exit on its own before it is terminated. */
const WORKER_EXIT_GRACE_MS = 5000;
/** How long an engine whose app is gone waits for its terminated worker before recording the run interrupted. */
const ABANDON_WAIT_MS = 400;

/**
 * The training worker's entry: from TypeScript source (tests, tsx) a bootstrap that registers tsx, from the
 * bundle (out/main/engine.cjs) the bundled out/main/training-worker.cjs. LAYERLAB_TRAINING_WORKER overrides it
 * (tests use it to start a worker that crashes).
 */
export function trainingWorkerEntry(): string {
  const override = process.env.LAYERLAB_TRAINING_WORKER;
  if (override) return path.resolve(override);
  // The CommonJS bundle has __filename; the ES-module source has import.meta.url.
  const self = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const dir = path.dirname(self);
  if (/\.[cm]?ts$/.test(self)) return path.join(dir, 'training-worker-bootstrap.mjs');
  // This code may sit in a shared chunk (out/main/chunks) rather than in engine.cjs itself.
  const candidates = [path.join(dir, 'training-worker.cjs'), path.join(dir, '..', 'training-worker.cjs')];
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[0];
}

export interface TrainingSupervisorOptions {
  store: Store;
  /** The worker opens its own connection to the same database. */
  dbPath: string;
  checkpointRoot: string;
  emit: (event: RunEvent) => void;
  /** Called once when a run's session ends, however it ended (its saved weights may have changed). */
  onFinished: (runId: number) => void;
}

export class TrainingSupervisor {
  private current: (ActiveTraining & { worker: Worker; stop: () => void }) | null = null;
  /** A start or resume between its checks and its worker's launch (it awaits the backend meanwhile), with its run once known. */
  private preparing: { runId: number | null } | null = null;
  /** Set when the engine is leaving: a worker's exit then records nothing, abandon() does. */
  private abandoning = false;
  /** Exits of training workers still alive (a finished run's worker may still be closing its store). */
  private workerExits = new Set<Promise<void>>();

  constructor(private readonly options: TrainingSupervisorOptions) {}

  /** Records a new run (validating spec, hyperparameters and dataset first) and starts training it. */
  async start(request: ParsedRequestOf<'training:start'>): Promise<{ runId: number }> {
    this.requireIdle();
    const { store } = this.options;
    this.preparing = { runId: null };
    try {
      const run = createRun(store, request);
      this.preparing.runId = run.id;
      try {
        await initBackend(request.backend);
      } catch (err) {
        store.deleteRun(run.id);
        throw err;
      }
      return this.launch(run.id, request.backend);
    } finally {
      this.preparing = null;
    }
  }

  async resume(runId: number, backend: BackendPreference): Promise<{ runId: number }> {
    this.requireIdle();
    const { store } = this.options;
    this.preparing = { runId };
    try {
      // Takes the run's lease here, on the engine's main thread: its heartbeat goes on while the worker is busy.
      resumableRun(store, runId);
      try {
        await initBackend(backend);
      } catch (err) {
        store.releaseRun(runId);
        throw err;
      }
      return this.launch(runId, backend);
    } finally {
      this.preparing = null;
    }
  }

  /** Asks the run to stop at its next batch (it stays resumable); false when it is not the one training. */
  stop(runId: number): { stopping: boolean } {
    if (this.current?.runId !== runId) return { stopping: false };
    this.current.stopping = true;
    this.current.stop();
    return { stopping: true };
  }

  active(): ActiveTraining | null {
    if (!this.current) return null;
    const { runId, started, latest, stopping } = this.current;
    return { runId, started, latest, stopping };
  }

  isTraining(runId: number): boolean {
    return this.current?.runId === runId;
  }

  /** Stops the run in training and waits for every worker to exit (each closes its store connection first). */
  async shutdown(): Promise<void> {
    this.current?.stop();
    await Promise.all([...this.workerExits]);
  }

  /**
   * The engine's app is gone and it is about to exit: terminates the worker at once (the run must not train on
   * unseen) and records every run this engine holds, queued or running, interrupted with `reason`.
   */
  async abandon(reason: string): Promise<void> {
    this.abandoning = true;
    const current = this.current;
    if (current) {
      void current.worker.terminate();
      await Promise.race([
        Promise.all([...this.workerExits]),
        new Promise((resolve) => setTimeout(resolve, ABANDON_WAIT_MS)),
      ]);
    }
    try {
      this.options.store.interruptHeldRuns(reason);
    } catch (err) {
      // The leases of this dying process expire with it, so recovery elsewhere still interrupts the run.
      console.warn(
        `layerlab engine: could not record run ${current?.runId ?? ''} interrupted: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private requireIdle(): void {
    if (this.abandoning) throw new Error('the engine is shutting down');
    if (this.current)
      throw new Error(
        `run ${this.current.runId} is training; stop it before starting another (one run trains at a time)`,
      );
    if (this.preparing)
      throw new Error(
        'another run is starting; wait for it, or stop it, before starting another (one run trains at a time)',
      );
  }

  private emit(event: RunEvent): void {
    if (this.current && event.runId === this.current.runId) {
      if (event.type === 'started') this.current.started = event;
      else if (event.type === 'batch') this.current.latest = event.progress;
    }
    this.options.emit(event);
  }

  /**
   * Trains the run on a worker thread and forwards its events. The run counts as active until its 'finished'
   * event; a worker that dies without one (a crash, a native abort) gets a 'failed' ending, and its run is
   * finished in the store here so it is not left 'running'.
   */
  private launch(runId: number, backend: BackendPreference): { runId: number } {
    const placeholder = {
      type: 'started',
      runId,
      backend: activeBackend()!,
      fromEpoch: 0,
      epochs: 0,
      batchesPerEpoch: 0,
      trainCount: 0,
      validationCount: 0,
    } as const;
    const worker = new Worker(trainingWorkerEntry());
    const send = (message: ToTrainingWorker) => worker.postMessage(message);
    let finished = false;
    let failure: string | null = null;
    let exitTimer: NodeJS.Timeout | undefined;
    const finish = (event: RunEvent & { type: 'finished' }) => {
      if (finished) return;
      finished = true;
      this.emit(event);
      if (this.current?.worker === worker) this.current = null;
      this.options.onFinished(runId);
    };

    worker.on('message', (message: FromTrainingWorker) => {
      if (message.kind === 'event') {
        if (message.event.type === 'finished' && message.event.runId === runId) finish(message.event);
        else this.emit(message.event);
      } else if (message.kind === 'failed') {
        failure ??= message.message;
        finish({ type: 'finished', runId, status: 'failed', error: message.message });
      } else if (message.kind === 'done') {
        exitTimer = setTimeout(() => void worker.terminate(), WORKER_EXIT_GRACE_MS);
        exitTimer.unref();
      }
    });
    worker.on('error', (err) => {
      failure ??= `training worker crashed: ${err instanceof Error ? err.message : String(err)}`;
    });
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        clearTimeout(exitTimer);
        this.workerExits.delete(exited);
        if (this.abandoning) {
          resolve();
          return;
        }
        if (!finished) {
          const error =
            failure ?? `training worker exited unexpectedly (exit code ${code}) before run ${runId} finished`;
          this.recoverAbandonedRun(runId, error);
          finish({ type: 'finished', runId, status: 'failed', error });
        } else if (this.current?.runId !== runId) {
          // e.g. trainRun failed while recording the run's end
          this.recoverAbandonedRun(runId, failure ?? 'the training worker ended without recording the end of the run');
        }
        // Unless the run trains again already (a quick resume): then the new session holds the lease.
        if (this.current?.runId !== runId && this.preparing?.runId !== runId) this.releaseLease(runId);
        resolve();
      });
    });
    this.workerExits.add(exited);

    send({ kind: 'start', dbPath: this.options.dbPath, checkpointRoot: this.options.checkpointRoot, runId, backend });
    const stop = () => {
      if (!finished) send({ kind: 'stop' });
    };
    this.current = { runId, started: placeholder, latest: null, stopping: false, worker, stop };
    return { runId };
  }

  /**
   * Finishes as failed a run its dead worker left 'running', or 'queued' when its session never started (its
   * checkpoints stay, so it can be resumed).
   */
  private recoverAbandonedRun(runId: number, error: string): void {
    const { store } = this.options;
    try {
      const status = store.getRun(runId)?.status;
      if (status === 'running' || status === 'queued') store.finishRunSession(runId, 'failed', error);
    } catch (err) {
      console.warn(
        `layerlab engine: could not record the end of run ${runId}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  /** A resumed run whose session never started keeps its earlier ending; this process lets go of it. */
  private releaseLease(runId: number): void {
    try {
      this.options.store.releaseRun(runId);
    } catch (err) {
      console.warn(
        `layerlab engine: could not release run ${runId}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
}
