// The sweep queue: trains the runs of the sweeps this process runs, one after another, in the order the store
// keeps (sweeps by age; in a sweep a run cut short first, resumed from its checkpoint, then the queued ones by
// point). The same queue runs in the app's engine (its runs train on the training thread, through the training
// supervisor) and in the CLI (in-process, through runner.ts): a SweepRunner says how a run trains.
//
// The store is the queue's memory: a sweep's status, its points and their runs' statuses are all it reads, so it
// picks up where it was after a quit, a crash or a reboot. The process running a sweep's queue holds the sweep's
// lease (store/sweeps.ts), renewed every second; on each beat it also reads the sweep's status, so a pause or
// cancel written by another process (layerlab sweep pause) stops the run it trains at the next batch.
//
// Pause stops the current run at its next batch by default (it is 'stopped' and resumed from its last checkpoint
// when the sweep resumes); with finishCurrent (after-run) the run finishes first. A run stopped by hand (the Train
// screen's Stop, Ctrl-C) pauses its sweep too. Cancel deletes the queued runs and stops the current one.
import { BackendSwitchError, type BackendPreference } from '../backend/backends.ts';
import { resumeRun, type RunnerContext } from '../runner.ts';
import type { Store } from '../store/index.ts';
import { TrainingBusyError } from '../store/leases.ts';
import type { TrainingSupervisor } from '../training-supervisor.ts';
import type { SweepDetail, SweepRecord } from '#shared/sweeps.ts';
import type { RunEvent, RunStatus } from '#shared/types.ts';
import { planMorePoints, planSweep, type SweepRequest } from './plan.ts';

/** How the queue trains one run. */
export interface SweepRunner {
  /** Trains the run to its end (from its checkpoint, or from the start when it never trained); its final status. */
  train(runId: number, backend: BackendPreference): Promise<RunStatus>;
  /** Asks the run to stop at its next batch (also when it is still starting). */
  stop(runId: number): void;
  /** A run this process trains outside the queue (started on the Train screen), which the queue waits for. */
  otherTraining(): number | null;
}

/** The app's engine: runs train on the training thread, through the supervisor's resume (a queued run starts). */
export class SupervisorSweepRunner implements SweepRunner {
  private training: TrainingSupervisor | null = null;
  private readonly waiters = new Map<number, (status: RunStatus) => void>();
  private readonly stopWanted = new Set<number>();

  attach(training: TrainingSupervisor): void {
    this.training = training;
  }

  /** Every event the supervisor emits: a 'finished' one ends the wait for its run. */
  noteEvent(event: RunEvent): void {
    if (event.type !== 'finished') return;
    const resolve = this.waiters.get(event.runId);
    this.waiters.delete(event.runId);
    this.stopWanted.delete(event.runId);
    resolve?.(event.status);
  }

  async train(runId: number, backend: BackendPreference): Promise<RunStatus> {
    const training = this.training!;
    const done = new Promise<RunStatus>((resolve) => this.waiters.set(runId, resolve));
    try {
      await training.resume(runId, backend);
    } catch (err) {
      this.waiters.delete(runId);
      this.stopWanted.delete(runId);
      throw err;
    }
    // A stop asked for while the run was starting (the supervisor ignores it then).
    if (this.stopWanted.has(runId)) training.stop(runId);
    return done;
  }

  stop(runId: number): void {
    this.stopWanted.add(runId);
    this.training?.stop(runId);
  }

  otherTraining(): number | null {
    const active = this.training?.active();
    return active && !this.waiters.has(active.runId) ? active.runId : null;
  }
}

/** The CLI: each run trains in this process, as `layerlab resume` trains it. */
export class InProcessSweepRunner implements SweepRunner {
  private controller: AbortController | null = null;
  private stopping: number | null = null;

  constructor(private readonly context: Omit<RunnerContext, 'signal' | 'backend'>) {}

  async train(runId: number, backend: BackendPreference): Promise<RunStatus> {
    this.controller = new AbortController();
    if (this.stopping === runId) this.controller.abort();
    try {
      const outcome = await resumeRun({ ...this.context, backend, signal: this.controller.signal }, runId);
      return outcome.run.status;
    } finally {
      this.controller = null;
      this.stopping = null;
    }
  }

  stop(runId: number): void {
    this.stopping = runId;
    this.controller?.abort();
  }

  otherTraining(): number | null {
    return null;
  }
}

/** How often the queue renews its sweeps' leases and reads their status. */
const BEAT_MS = 1000;
/** How long it waits before trying again when another process trains on the database. */
const BUSY_RETRY_MS = 2000;

type StopReason = 'pause' | 'cancel' | 'shutdown' | 'elsewhere';

export interface SweepQueueOptions {
  store: Store;
  runner: SweepRunner;
  log?: (message: string) => void;
  /** A run of a sweep starts training (the CLI prints which point). */
  onRunStart?(sweep: SweepRecord, point: number, runId: number): void;
  onRunEnd?(sweep: SweepRecord, point: number, runId: number, status: RunStatus): void;
  /** The queue stops running a sweep: it completed, paused or was cancelled. */
  onSweepEnd?(sweep: SweepRecord): void;
  /** The queue waits before a sweep's next run (another process trains), with why; once per reason. */
  onWaiting?(sweep: SweepRecord, why: string): void;
  beatMs?: number;
}

export class SweepQueue {
  private current: { sweepId: number; runId: number; point: number; stop: StopReason | null } | null = null;
  private pumping: Promise<void> | null = null;
  private closing = false;
  private readonly waiting = new Map<number, string>();
  private wakeUp: (() => void) | null = null;
  private beat: NodeJS.Timeout | null = null;

  constructor(private readonly options: SweepQueueOptions) {}

  private get store(): Store {
    return this.options.store;
  }

  /** Records a sweep (every point as a queued run) and, unless `start` is false, runs its queue here. */
  create(request: SweepRequest & { start?: boolean }): SweepDetail {
    const plan = planSweep(request);
    const start = request.start ?? true;
    const id = this.store.sweeps.create({ ...plan, status: start ? 'running' : 'paused' });
    if (start) {
      this.store.sweeps.claim(id);
      this.pump();
    }
    return this.detail(id);
  }

  list(): SweepRecord[] {
    return this.store.sweeps.list().map((sweep) => this.withWaiting(sweep));
  }

  detail(id: number): SweepDetail {
    const detail = this.store.sweeps.detail(id);
    return { ...detail, sweep: this.withWaiting(detail.sweep) };
  }

  /** Pauses the sweep: its run stops at the next batch, or with `finishCurrent` finishes first. */
  pause(id: number, finishCurrent = false): SweepRecord {
    const sweep = this.store.sweeps.pause(id, finishCurrent ? 'after-run' : 'now');
    if (this.current?.sweepId === id && !finishCurrent) this.stopCurrent('pause');
    this.wake();
    return this.withWaiting(sweep);
  }

  /** Runs the sweep's queue here again (refused, naming it, while another live process runs it). */
  resume(id: number): SweepRecord {
    this.store.sweeps.claim(id);
    try {
      this.store.sweeps.resume(id);
    } catch (err) {
      this.store.sweeps.release(id);
      throw err;
    }
    this.pump();
    return this.withWaiting(this.store.sweeps.require(id));
  }

  /** Cancels the sweep: queued runs are deleted, the current run stops (and is kept, stopped). */
  cancel(id: number): SweepRecord {
    this.store.sweeps.cancel(id);
    if (this.current?.sweepId === id) this.stopCurrent('cancel');
    this.wake();
    return this.withWaiting(this.store.sweeps.require(id));
  }

  /**
   * Adds points: explicit values, or `samples` more random draws continuing the sweep's sequence. A completed
   * sweep reopens as `reopenAs` ('running' here runs it at once).
   */
  addRuns(id: number, request: { points?: unknown; samples?: number }, reopenAs: 'running' | 'paused'): SweepDetail {
    const before = this.store.sweeps.detail(id);
    const first = before.points.reduce((max, p) => Math.max(max, p.point), -1) + 1;
    const drawn = before.sweep.samples ?? 0;
    const points = planMorePoints(before.sweep, request, first, drawn);
    this.store.sweeps.addPoints(
      id,
      points,
      reopenAs,
      request.samples === undefined ? undefined : drawn + request.samples,
    );
    const after = this.store.sweeps.require(id);
    if (after.status === 'running' && reopenAs === 'running' && !this.store.sweeps.holds(id) && !after.drivenBy) {
      this.store.sweeps.claim(id);
    }
    if (this.store.sweeps.holds(id)) this.pump();
    this.wake();
    return this.detail(id);
  }

  /**
   * Deletes a sweep that is not running (its runs too with `withRuns`); returns the deleted runs and their
   * checkpoint folders.
   */
  delete(id: number, withRuns: boolean): { runId: number; checkpoints: string[] }[] {
    // A running sweep is refused by the store, naming it; a paused one may still be stopping its run here.
    if (this.current?.sweepId === id && this.store.sweeps.require(id).status !== 'running')
      throw new Error(
        `sweep ${id} is still stopping its run ${this.current.runId}; delete it when that run has stopped`,
      );
    const deleted = this.store.sweeps.delete(id, withRuns);
    this.waiting.delete(id);
    this.wake();
    return deleted;
  }

  /** Takes a queued run out of the sweep (it is deleted; its point stays, marked removed). */
  removeRun(id: number, runId: number): SweepDetail {
    if (this.current?.runId === runId)
      throw new Error(`run ${runId} is starting to train; pause the sweep, then remove it`);
    this.store.sweeps.removeRun(id, runId);
    this.wake();
    return this.detail(id);
  }

  /** Runs here every running sweep no live process runs (after a quit, a crash or a reboot). */
  adopt(): number[] {
    if (this.closing) return [];
    const adopted: number[] = [];
    for (const sweep of this.store.sweeps.list().reverse()) {
      if (sweep.status !== 'running' || sweep.drivenBy) continue;
      try {
        this.store.sweeps.claim(sweep.id);
        adopted.push(sweep.id);
      } catch (err) {
        this.log(`sweep ${sweep.id} could not be resumed: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    if (adopted.length) {
      this.log(`resuming sweep(s) ${adopted.join(', ')} where they were`);
      this.pump();
    }
    return adopted;
  }

  /** The running sweep this queue runs, if any: training by hand waits for it (or is refused). */
  runningSweep(): SweepRecord | null {
    for (const id of this.store.sweeps.heldSweeps()) {
      const sweep = this.store.sweeps.get(id);
      if (sweep?.status === 'running') return this.withWaiting(sweep);
    }
    return null;
  }

  /** Refuses training by hand while a sweep runs here, naming it. */
  requireNoSweep(action: string): void {
    const sweep = this.runningSweep();
    if (!sweep) return;
    const doing = sweep.currentRunId !== null ? `, training its run ${sweep.currentRunId}` : '';
    throw new Error(
      `sweep ${sweep.id} “${sweep.name}” is running${doing}; pause it before ${action} (one run trains at a time, and the sweep trains its runs one after another)`,
    );
  }

  /** Ctrl-C in the CLI: pauses the sweeps this queue runs; the current run stops at its next batch. */
  interrupt(): void {
    for (const id of this.store.sweeps.heldSweeps()) {
      try {
        if (this.store.sweeps.get(id)?.status === 'running') this.store.sweeps.pause(id, 'now');
      } catch (err) {
        this.log(`could not pause sweep ${id}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.stopCurrent('pause');
    this.wake();
  }

  /** Resolves once the queue has nothing left to run here (the CLI waits for it). */
  async idle(): Promise<void> {
    while (this.pumping) await this.pumping;
  }

  /**
   * The process is leaving: the current run stops at its next batch and the sweeps stay running (their runs go on
   * from the stopped run's checkpoint when a process runs their queue again).
   */
  async shutdown(): Promise<void> {
    this.closing = true;
    this.stopCurrent('shutdown');
    this.wake();
    await this.idle();
    this.stopBeat();
    for (const id of this.store.sweeps.heldSweeps()) this.store.sweeps.release(id);
  }

  /** The process is gone without a clean stop (its app was killed): nothing more is started. */
  abandon(): void {
    this.closing = true;
    this.stopBeat();
    this.wake();
  }

  // ---- the loop -------------------------------------------------------------------------------

  private pump(): void {
    if (this.closing || this.pumping) return;
    this.startBeat();
    this.pumping = this.loop();
  }

  private async loop(): Promise<void> {
    try {
      for (;;) if (this.closing || !(await this.step())) break;
    } catch (err) {
      this.log(`the sweep queue stopped: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      this.pumping = null;
    }
  }

  /** Trains the next run (or completes a sweep, or waits a moment); false when nothing is left to run here. */
  private async step(): Promise<boolean> {
    const { store, runner } = this.options;
    try {
      // A sweep run whose process died mid-run counts as interrupted, so it is resumed rather than waited for.
      store.recoverInterruptedRuns();
    } catch {
      // a busy database: its runs are recovered at the next step
    }
    let sweep: SweepRecord | null = null;
    for (const id of store.sweeps.heldSweeps()) {
      const held = store.sweeps.get(id);
      if (held?.status === 'running') {
        sweep ??= held;
        continue;
      }
      store.sweeps.release(id);
      this.waiting.delete(id);
      if (held) this.options.onSweepEnd?.(held);
    }
    if (!sweep) return false;
    const other = runner.otherTraining();
    if (other !== null) {
      await this.wait(sweep, `run ${other} is training; the sweep's next run starts when it ends`, BEAT_MS);
      return true;
    }
    const next = store.sweeps.nextRun(sweep.id);
    if (!next) {
      const done = store.sweeps.complete(sweep.id);
      store.sweeps.release(sweep.id);
      this.waiting.delete(sweep.id);
      this.options.onSweepEnd?.(done);
      return true;
    }
    if (next.status === 'running') {
      await this.wait(sweep, `its run ${next.runId} is training in another process`, BUSY_RETRY_MS);
      return true;
    }
    this.current = { sweepId: sweep.id, runId: next.runId, point: next.point, stop: null };
    let status: RunStatus;
    try {
      this.options.onRunStart?.(sweep, next.point, next.runId);
      status = await runner.train(next.runId, sweep.backend as BackendPreference);
    } catch (err) {
      const stopped = this.current?.stop ?? null;
      this.current = null;
      if (err instanceof TrainingBusyError) {
        await this.wait(sweep, err.message, BUSY_RETRY_MS);
        return true;
      }
      const message = `run ${next.runId} (point ${next.point + 1}) could not start: ${err instanceof Error ? err.message : String(err)}; ${howToGoOn(err, sweep.id)}`;
      this.log(`sweep ${sweep.id}: ${message}`);
      if (stopped === null && !this.closing) this.pauseQuietly(sweep.id, message);
      return true;
    }
    const stopped = this.current?.stop ?? null;
    this.current = null;
    this.waiting.delete(sweep.id);
    this.options.onRunEnd?.(sweep, next.point, next.runId, status);
    if (stopped === null && !this.closing && (status === 'stopped' || status === 'interrupted')) {
      this.pauseQuietly(
        sweep.id,
        status === 'stopped'
          ? `run ${next.runId} was stopped by hand, so the sweep paused; resume it to go on from that run's last epoch`
          : `run ${next.runId} was taken over by another process, so the sweep paused`,
      );
    }
    return true;
  }

  private pauseQuietly(id: number, why: string): void {
    try {
      this.store.sweeps.pause(id, 'now', why);
    } catch (err) {
      this.log(`could not pause sweep ${id}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Notes why the sweep waits (reported once per reason) and sleeps, or until something changes. */
  private wait(sweep: SweepRecord, why: string, ms: number): Promise<void> {
    if (this.waiting.get(sweep.id) !== why) {
      this.waiting.set(sweep.id, why);
      this.options.onWaiting?.(sweep, why);
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private wake(): void {
    this.wakeUp?.();
  }

  private stopCurrent(reason: StopReason): void {
    const current = this.current;
    if (!current || current.stop) return;
    current.stop = reason;
    this.options.runner.stop(current.runId);
  }

  private startBeat(): void {
    if (this.beat) return;
    this.beat = setInterval(() => this.onBeat(), this.options.beatMs ?? BEAT_MS);
    this.beat.unref();
  }

  private stopBeat(): void {
    if (this.beat) clearInterval(this.beat);
    this.beat = null;
  }

  /** Renews the sweeps' leases; stops the current run when its sweep was paused, cancelled or taken elsewhere. */
  private onBeat(): void {
    try {
      const lost = this.store.sweeps.renew();
      const current = this.current;
      if (!current || current.stop) {
        if (!this.pumping && this.store.sweeps.heldSweeps().length === 0) this.stopBeat();
        return;
      }
      const sweep = this.store.sweeps.get(current.sweepId);
      if (
        lost.includes(current.sweepId) ||
        !sweep ||
        sweep.status === 'cancelled' ||
        (sweep.status === 'paused' && sweep.pauseMode !== 'after-run')
      ) {
        this.log(`sweep ${current.sweepId} was ${sweep?.status ?? 'deleted'} elsewhere; stopping run ${current.runId}`);
        this.stopCurrent('elsewhere');
        this.wake();
      }
    } catch {
      // a busy database: the next beat tries again
    }
  }

  private withWaiting(sweep: SweepRecord): SweepRecord {
    const waiting = this.store.sweeps.holds(sweep.id) ? (this.waiting.get(sweep.id) ?? null) : null;
    return waiting ? { ...sweep, waiting } : sweep;
  }

  private log(message: string): void {
    (this.options.log ?? ((m: string) => console.warn(`layerlab: ${m}`)))(message);
  }
}

/** What a paused sweep's user can do about the error that stopped its next run from starting. */
function howToGoOn(err: unknown, sweepId: number): string {
  // One process holds one backend for good, so resuming in the same engine would fail the same way.
  if (err instanceof BackendSwitchError)
    return `a process trains on one backend only: restart the engine and resume the sweep first thing, or run \`layerlab sweep resume ${sweepId}\` in a terminal`;
  return 'resume the sweep to try again';
}
