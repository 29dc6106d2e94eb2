// Starts and talks to the engine process (electron/engine/process.ts, bundled to out/main/engine.cjs).
//
// Default: an Electron utility process (Electron's own Node). With LAYERLAB_ENGINE_NODE naming a Node binary,
// a plain child Node process instead (the e2e tests use this: better-sqlite3 built for the system Node cannot load
// into the test Electron). Requests get ids and resolve to envelopes; a dead engine fails its pending requests at
// once, its unfinished runs are reported to the renderer as interrupted, and it is restarted automatically with a
// growing delay (engine-exit.ts), a few times in a row at most; restart() starts it again whenever the user asks.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { utilityProcess, type UtilityProcess } from 'electron';
import type { RunEvent } from '#shared/types.ts';
import type { Channel, EngineState, EngineStatus, Envelope } from '#shared/contract.ts';
import type { EngineConfig, EngineToMain, MainToEngine } from '#shared/engine-protocol.ts';
import { autoRestartDelay, DEFAULT_AUTO_RESTARTS, describeEngineExit, technicalExit } from './engine-exit.ts';

export interface EngineHostOptions {
  entry: string;
  config: EngineConfig;
  /** A Node binary to run the engine with instead of Electron's utility process. */
  nodeBinary?: string | null;
  /**
   * Where to find a Node binary when the utility process cannot load the native modules (built for another
   * Node ABI, as in a development checkout where npm built better-sqlite3 for the system Node).
   */
  fallbackNodeBinary?: () => string | null;
  /** Automatic restarts in a row after crashes (default DEFAULT_AUTO_RESTARTS; 0: only restart() restarts it). */
  autoRestarts?: number;
  onEvent(event: RunEvent): void;
  /** The engine's state changed (started, ready, crashed, restarting, quitting). */
  onStatus?(status: EngineStatus): void;
  log?: (line: string) => void;
  /** The engine's stdout and stderr, line by line (default: printed on main's own stdout and stderr). */
  output?: (stream: 'stdout' | 'stderr', line: string) => void;
}

/** The same interface over a utility process and a forked Node process. */
interface EngineChild {
  readonly pid: number | undefined;
  send(message: MainToEngine): void;
  kill(): void;
}

interface Pending {
  channel: Channel;
  resolve(envelope: Envelope<unknown>): void;
  timer: NodeJS.Timeout | null;
}

/** Channels that may run long legitimately get longer limits; training channels have none. */
const TIMEOUT_MS: Partial<Record<Channel, number | null>> = {
  'training:start': null,
  'training:resume': null,
  'training:stop': null,
  'training:active': null,
  'doctor:run': 180_000,
  'datasets:import': 300_000,
};
const DEFAULT_TIMEOUT_MS = 60_000;
const READY_TIMEOUT_MS = 90_000;
const SHUTDOWN_TIMEOUT_MS = 5_000;
/** An engine that has been ready this long before it crashes starts the count of crashes in a row afresh. */
const STABLE_AFTER_MS = 60_000;

function errorEnvelope(message: string): Envelope<never> {
  return { ok: false, error: { message } };
}

export class EngineHost {
  private child: EngineChild | null = null;
  private ready = false;
  private readyWaiters: Array<() => void> = [];
  private queue: MainToEngine[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private runtimeName: string | null = null;
  private lastFatal: string | null = null;
  private cause: string | null = null;
  private detail: string | null = null;
  private crashes = 0;
  private crashesInARow = 0;
  private readyAt: number | null = null;
  private restartTimer: NodeJS.Timeout | null = null;
  private restartAt: number | null = null;
  private interruptedRunIds: number[] = [];
  private lastState: EngineState | null = null;
  private stopping = false;
  private exited: Promise<void> = Promise.resolve();
  private readyTimer: NodeJS.Timeout | null = null;
  /** Runs started or resumed and not finished: reported as interrupted if the engine dies. */
  private readonly activeRuns = new Set<number>();

  constructor(private readonly options: EngineHostOptions) {}

  get mode(): 'utility' | 'node' {
    return this.options.nodeBinary ? 'node' : 'utility';
  }

  /** What runs the engine, as the engine reported it (or a description until it is ready). */
  get runtime(): string {
    if (this.runtimeName) return this.runtimeName;
    return this.mode === 'node'
      ? `Node (${this.options.nodeBinary})`
      : `Electron ${process.versions.electron} utility process`;
  }

  get status(): EngineStatus {
    return {
      state: this.state,
      cause: this.cause,
      detail: this.detail,
      crashes: this.crashes,
      restartAt: this.restartTimer ? this.restartAt : null,
      interruptedRunIds: [...this.interruptedRunIds],
    };
  }

  private get state(): EngineState {
    if (this.stopping) return 'quitting';
    if (this.child) return this.ready ? 'ready' : 'starting';
    if (this.restartTimer) return 'restarting';
    return this.crashes > 0 ? 'down' : 'starting';
  }

  /** Starts the engine now if it is not running (an automatic restart that is due is started early). */
  restart(): EngineStatus {
    if (!this.stopping && !this.child) {
      this.log('engine: restarting on request');
      this.start();
    }
    return this.status;
  }

  start(): void {
    if (this.child || this.stopping) return;
    this.cancelRestart();
    this.ready = false;
    this.readyAt = null;
    this.lastFatal = null;
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      LAYERLAB_ENGINE_CONFIG: JSON.stringify(this.options.config),
      // Lets the engine's child processes (the doctor's native probes) resolve packages from the app's node_modules.
      NODE_PATH: [path.resolve(this.options.entry, '../../../node_modules'), process.env.NODE_PATH]
        .filter(Boolean)
        .join(path.delimiter),
    };
    delete env.ELECTRON_RUN_AS_NODE;
    let resolveExited!: () => void;
    this.exited = new Promise((resolve) => (resolveExited = resolve));
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      resolveExited();
      this.handleExit(child, code, signal);
    };
    const onMessage = (message: EngineToMain) => this.handleMessage(child, message);

    let child: EngineChild;
    if (this.options.nodeBinary) {
      const proc: ChildProcess = fork(this.options.entry, [], {
        execPath: this.options.nodeBinary,
        serialization: 'advanced',
        env,
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      });
      this.readOutput(proc.stdout, proc.stderr);
      child = { pid: proc.pid, send: (m) => void proc.send(m), kill: () => void proc.kill('SIGKILL') };
      proc.on('message', (m) => onMessage(m as EngineToMain));
      proc.on('exit', onExit);
      proc.on('error', (err) => {
        this.log(`engine: ${err.message}`);
        // 'exit' does not follow a failed spawn
        if (proc.pid === undefined) onExit(null, null);
      });
    } else {
      const proc: UtilityProcess = utilityProcess.fork(this.options.entry, [], {
        serviceName: 'Layerlab engine',
        env,
        stdio: 'pipe',
      });
      this.readOutput(proc.stdout, proc.stderr);
      child = {
        get pid() {
          return proc.pid;
        },
        send: (m) => proc.postMessage(m),
        kill: () => void proc.kill(),
      };
      proc.on('spawn', () => this.log(`engine: utility process pid ${proc.pid}`));
      proc.on('message', (m: EngineToMain) => onMessage(m));
      proc.on('exit', (code: number) => onExit(code, null));
    }
    this.child = child;
    this.readyTimer = setTimeout(() => {
      if (this.child === child && !this.ready) {
        this.lastFatal = `the engine did not start within ${READY_TIMEOUT_MS / 1000} s`;
        child.kill();
      }
    }, READY_TIMEOUT_MS);
    this.log(
      `engine: starting (${this.mode === 'node' ? `${this.options.nodeBinary}, pid ${child.pid}` : 'utility process'})`,
    );
    this.reportStatus();
  }

  /** Resolves once the engine is ready, or after `ms` whatever happened. */
  whenReady(ms: number): Promise<boolean> {
    if (this.ready) return Promise.resolve(true);
    if (!this.child) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(this.ready), ms);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /** Sends a request (already validated by main) and resolves with the engine's envelope; never rejects. */
  request(channel: Channel, payload: unknown): Promise<Envelope<unknown>> {
    if (this.stopping) return Promise.resolve(errorEnvelope('Layerlab is quitting'));
    if (!this.child) {
      const cause = this.cause ?? 'The engine is not running.';
      const next = this.restartTimer ? 'It restarts in a moment; try again then.' : 'Restart the engine to continue.';
      return Promise.resolve(errorEnvelope(`${cause} ${next}`));
    }
    const id = this.nextId++;
    return new Promise((resolve) => {
      const limit = channel in TIMEOUT_MS ? TIMEOUT_MS[channel] : DEFAULT_TIMEOUT_MS;
      const timer =
        limit == null
          ? null
          : setTimeout(() => {
              this.pending.delete(id);
              resolve(errorEnvelope(`${channel}: the engine did not answer within ${Math.round(limit / 1000)} s`));
            }, limit);
      this.pending.set(id, { channel, resolve, timer });
      this.post({ kind: 'request', id, channel, payload });
    });
  }

  /** Asks the engine to stop (it ends training cleanly), then kills it if it has not exited in time. */
  async shutdown(timeoutMs = SHUTDOWN_TIMEOUT_MS): Promise<void> {
    this.stopping = true;
    this.cancelRestart();
    this.reportStatus();
    const child = this.child;
    if (!child) return;
    try {
      child.send({ kind: 'shutdown' });
    } catch {
      // already gone
    }
    const killed = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), timeoutMs)),
    ]);
    if (killed) {
      this.log(`engine: did not exit within ${timeoutMs} ms of shutdown; killing it`);
      child.kill();
      await Promise.race([this.exited, new Promise((r) => setTimeout(r, 1000))]);
    }
  }

  private post(message: MainToEngine): void {
    if (!this.ready || !this.child) {
      this.queue.push(message);
      return;
    }
    try {
      this.child.send(message);
    } catch (err) {
      if (message.kind === 'request')
        this.settle(
          message.id,
          errorEnvelope(`${message.channel}: could not reach the engine: ${(err as Error).message}`),
        );
    }
  }

  private settle(id: number, envelope: Envelope<unknown>): void {
    const pending = this.pending.get(id);
    if (!pending) return; // timed out already
    this.pending.delete(id);
    if (pending.timer) clearTimeout(pending.timer);
    // From here until its 'finished' event the run trains in this engine (its 'started' event comes later).
    if ((pending.channel === 'training:start' || pending.channel === 'training:resume') && envelope.ok) {
      this.activeRuns.add((envelope.value as { runId: number }).runId);
    }
    pending.resolve(envelope);
  }

  private handleMessage(child: EngineChild, message: EngineToMain): void {
    if (child !== this.child || !message || typeof message !== 'object') return;
    switch (message.kind) {
      case 'ready': {
        this.ready = true;
        this.readyAt = Date.now();
        this.runtimeName = message.runtime;
        if (this.readyTimer) clearTimeout(this.readyTimer);
        this.log(`engine: ready (${message.runtime})`);
        const queued = this.queue;
        this.queue = [];
        for (const m of queued) this.post(m);
        const waiters = this.readyWaiters;
        this.readyWaiters = [];
        for (const w of waiters) w();
        this.reportStatus();
        break;
      }
      case 'response':
        this.settle(message.id, message.envelope);
        break;
      case 'event': {
        const event = message.event;
        if (event.type === 'started') this.activeRuns.add(event.runId);
        else if (event.type === 'finished') this.activeRuns.delete(event.runId);
        this.options.onEvent(event);
        break;
      }
      case 'fatal':
        this.lastFatal = message.message;
        this.log(`engine: fatal: ${message.message}`);
        break;
    }
  }

  private handleExit(child: EngineChild, code: number | null, signal: NodeJS.Signals | null): void {
    if (child !== this.child) return;
    this.child = null;
    this.ready = false;
    if (this.readyTimer) clearTimeout(this.readyTimer);
    const exit = { code, signal, fatal: this.lastFatal };
    if (this.stopping) {
      this.log(`engine: stopped (${technicalExit(exit)})`);
      this.failPending('Layerlab is quitting');
      this.reportStatus();
      return;
    }
    const abiMismatch = /NODE_MODULE_VERSION|compiled against a different Node\.js version/.test(this.lastFatal ?? '');
    // A plain Node cannot read app.asar: a packaged engine's native modules must be rebuilt for Electron instead.
    const inAsar = /\.asar[\\/]/.test(this.options.entry);
    if (this.mode === 'utility' && abiMismatch && inAsar) {
      this.log(
        'engine: its native modules were built for another Node ABI, and a system Node cannot read app.asar: package with `npm run dist`, which rebuilds them for Electron',
      );
    }
    const fallback = this.mode === 'utility' && abiMismatch && !inAsar ? this.options.fallbackNodeBinary?.() : null;
    if (fallback) {
      this.log(`engine: native modules were built for another Node ABI; running the engine with ${fallback} instead`);
      // It died before becoming ready, so its requests are still queued: the new engine answers them.
      this.options.nodeBinary = fallback;
      this.start();
      return;
    }
    const cause = describeEngineExit(exit);
    this.cause = cause;
    this.detail = technicalExit(exit);
    this.crashes++;
    this.log(`engine: stopped unexpectedly (${this.detail})`);
    // Queued requests would wait for a ready that is not coming from this process.
    this.queue = [];
    this.failPending(cause);
    this.interruptedRunIds = [...this.activeRuns];
    for (const runId of this.activeRuns) {
      this.options.onEvent({
        type: 'finished',
        runId,
        status: 'interrupted',
        error: `${cause} The run can be resumed from its last finished epoch.`,
      });
    }
    this.activeRuns.clear();

    const stable = this.readyAt !== null && Date.now() - this.readyAt >= STABLE_AFTER_MS;
    this.crashesInARow = stable ? 1 : this.crashesInARow + 1;
    const delay = autoRestartDelay(this.crashesInARow, this.options.autoRestarts ?? DEFAULT_AUTO_RESTARTS);
    if (delay !== null) {
      this.log(`engine: restarting in ${delay} ms (crash ${this.crashesInARow} in a row)`);
      this.restartAt = Date.now() + delay;
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        this.start();
      }, delay);
    } else {
      this.log('engine: not restarting on its own (too many crashes in a row); restart() starts it again');
    }
    this.reportStatus();
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
    this.restartAt = null;
  }

  /** Tells the app about a change of state (not about every call: 'ready' is reported once per engine). */
  private reportStatus(): void {
    const status = this.status;
    if (status.state === this.lastState && status.state !== 'restarting' && status.state !== 'down') return;
    this.lastState = status.state;
    this.options.onStatus?.(status);
  }

  private failPending(reason: string): void {
    const pending = [...this.pending.entries()];
    this.pending.clear();
    for (const [, p] of pending) {
      if (p.timer) clearTimeout(p.timer);
      // The reason is for the user (the screens show it as is); the channel is in the log.
      p.resolve(errorEnvelope(reason));
    }
  }

  /** Hands the engine's output on line by line (a line cut across chunks is put together first). */
  private readOutput(stdout: NodeJS.ReadableStream | null, stderr: NodeJS.ReadableStream | null): void {
    const output =
      this.options.output ?? ((stream: 'stdout' | 'stderr', line: string) => void process[stream].write(`${line}\n`));
    for (const [stream, input] of [
      ['stdout', stdout],
      ['stderr', stderr],
    ] as const) {
      if (!input) continue;
      createInterface({ input, crlfDelay: Infinity }).on('line', (line) => output(stream, line));
    }
  }

  private log(line: string): void {
    (this.options.log ?? console.log)(line);
  }
}
