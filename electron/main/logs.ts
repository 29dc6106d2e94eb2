// The app's log file, <logs folder>/layerlab.log: main's console output and uncaught errors, and the engine's
// output (engine-host.ts hands it over line by line), each line stamped with the time and the process it came from:
//
//   2025-01-02T03:04:05.678Z [main] engine: starting (utility process)
//   2025-01-02T03:04:06.012Z [engine] layerlab engine: started (pid 4242, v18.15.0; database /home/u/…/layerlab.db)
//   2025-01-02T03:04:06.345Z [main] engine: ready (Electron 25.1.1 utility process v18.15.0)
//   2025-01-02T03:04:07.345Z [main warn] layerlab: …
//
// (The engine's stdout and stderr are both [engine]: it writes its diagnostics to stderr, warnings or not.)
//
// Rotated by size: past MAX_LOG_BYTES the file becomes layerlab.1.log (the one before that layerlab.2.log, and so
// on), KEPT_LOG_FILES files in all. Logging never takes the app down: a folder that cannot be created or written
// is said once on stderr, and writing is tried again a few seconds later.
// No Electron here (index.ts passes app.getPath('logs')), so the tests load this module as it is.
import fs from 'node:fs';
import path from 'node:path';
import { formatWithOptions } from 'node:util';

export const LOG_FILE_NAME = 'layerlab.log';
export const MAX_LOG_BYTES = 5 * 1024 * 1024;
/** The current file and the older ones: layerlab.log, layerlab.1.log, layerlab.2.log. */
export const KEPT_LOG_FILES = 3;
const RETRY_AFTER_MS = 5_000;

export interface RotatingLogOptions {
  dir: string;
  name?: string;
  maxBytes?: number;
  /** Files kept in all, the current one included (at least 1: then the file is emptied when full). */
  keep?: number;
  /** Told why the log cannot be written (once until writing works again); default: a line on stderr. */
  onError?: (message: string) => void;
  now?: () => Date;
}

/** Appends lines to a file, rotating it by size. Synchronous: a log line is on disk before a crash can lose it. */
export class RotatingLog {
  readonly dir: string;
  readonly file: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly onError: (message: string) => void;
  private readonly now: () => Date;
  private fd: number | null = null;
  private size = 0;
  private retryAt = 0;
  private failing = false;

  constructor(options: RotatingLogOptions) {
    this.dir = options.dir;
    this.file = path.join(options.dir, options.name ?? LOG_FILE_NAME);
    this.maxBytes = options.maxBytes ?? MAX_LOG_BYTES;
    this.keep = Math.max(1, Math.floor(options.keep ?? KEPT_LOG_FILES));
    this.onError = options.onError ?? ((message) => void process.stderr.write(`layerlab: ${message}\n`));
    this.now = options.now ?? (() => new Date());
  }

  /** layerlab.<n>.log: the n-th older file (0: the current one). */
  rotated(n: number): string {
    if (n === 0) return this.file;
    const ext = path.extname(this.file);
    return `${this.file.slice(0, this.file.length - ext.length)}.${n}${ext}`;
  }

  /** Writes `text` (one line or several) with the time and `source` in front of each line. */
  write(source: string, text: string): void {
    const stamp = this.now().toISOString();
    const lines = text.replace(/\r?\n$/, '').split(/\r?\n/);
    this.append(lines.map((line) => `${stamp} [${source}] ${line}\n`).join(''));
  }

  close(): void {
    if (this.fd === null) return;
    try {
      fs.closeSync(this.fd);
    } catch {
      // closing is best effort
    }
    this.fd = null;
  }

  private append(text: string): void {
    const bytes = Buffer.byteLength(text);
    if (!this.open()) return;
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    if (this.fd === null) return;
    try {
      fs.writeSync(this.fd, text);
      this.size += bytes;
      this.failing = false;
    } catch (err) {
      this.fail(`cannot write the log file ${this.file}`, err);
    }
  }

  private open(): boolean {
    if (this.fd !== null) return true;
    if (Date.now() < this.retryAt) return false;
    try {
      fs.mkdirSync(this.dir, { recursive: true });
      this.fd = fs.openSync(this.file, 'a');
      this.size = fs.fstatSync(this.fd).size;
      return true;
    } catch (err) {
      this.fail(`cannot open the log file ${this.file}`, err);
      return false;
    }
  }

  /** layerlab.log → layerlab.1.log → …, the oldest kept overwritten; if the file cannot be moved, it is emptied. */
  private rotate(): void {
    this.close();
    const move = (from: string, to: string) => {
      try {
        fs.renameSync(from, to);
        return true;
      } catch {
        return false; // an older file that is not there yet, or one held open elsewhere (Windows)
      }
    };
    for (let n = this.keep - 1; n >= 2; n--) move(this.rotated(n - 1), this.rotated(n));
    const moved = this.keep > 1 && move(this.file, this.rotated(1));
    try {
      this.fd = fs.openSync(this.file, moved ? 'a' : 'w');
      this.size = fs.fstatSync(this.fd).size;
    } catch (err) {
      this.fail(`cannot open the log file ${this.file}`, err);
    }
  }

  private fail(message: string, err: unknown): void {
    this.close();
    this.retryAt = Date.now() + RETRY_AFTER_MS;
    if (this.failing) return;
    this.failing = true;
    try {
      this.onError(`${message}: ${err instanceof Error ? err.message : String(err)}`);
    } catch {
      // nowhere left to say it
    }
  }
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const CONSOLE_SOURCES: Record<ConsoleMethod, string> = {
  log: 'main',
  info: 'main',
  debug: 'main',
  warn: 'main warn',
  error: 'main error',
};

/**
 * Copies what `target` (main's console) prints into the log, and still prints it. A write to the log that itself
 * logs (an onError that uses the console) is not copied again.
 */
export function teeConsole(target: Console, log: Pick<RotatingLog, 'write'>): void {
  let inside = false;
  for (const method of Object.keys(CONSOLE_SOURCES) as ConsoleMethod[]) {
    const original = target[method].bind(target);
    target[method] = (...args: unknown[]) => {
      original(...args);
      if (inside) return;
      inside = true;
      try {
        log.write(CONSOLE_SOURCES[method], formatWithOptions({ colors: false }, ...args));
      } finally {
        inside = false;
      }
    };
  }
}

/**
 * Logs main's uncaught errors without changing what Electron does with them (its error dialog stays): a monitor,
 * not a handler. An unhandled rejection is logged through the console: Electron's Node warns about it with
 * console.error (or, in Node's default "throw" mode, it becomes an uncaught exception and reaches the monitor).
 */
export function logUncaughtErrors(proc: NodeJS.Process, log: Pick<RotatingLog, 'write'>): void {
  proc.on('uncaughtExceptionMonitor', (err, origin) =>
    log.write('main error', `${origin}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
  );
}
