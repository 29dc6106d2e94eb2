// The CLI as a user runs it: `node bin/layerlab.mjs --db <db> ...args` from the repository's root, a real process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');

export interface CliResult {
  /** The exit code: 0 when it succeeded. */
  code: number;
  stdout: string;
  stderr: string;
}

/** `layerlab(...args)` runs the CLI on the database `db` and resolves to how it ended, whether or not it failed. */
export function cliOn(db: string): (...args: string[]) => Promise<CliResult> {
  return async (...args) => {
    try {
      const { stdout, stderr } = await exec(process.execPath, ['bin/layerlab.mjs', '--db', db, ...args], {
        cwd: root,
        maxBuffer: 32 << 20,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; signal?: string | null; stdout: string; stderr: string };
      // A process ended by a signal has no exit code: say which signal, so a failing test shows it.
      const ended = e.signal ? `\n[the CLI process ended by signal ${e.signal}]` : '';
      return { code: e.code, stdout: e.stdout, stderr: `${e.stderr}${ended}` };
    }
  };
}

export interface CliProcess {
  child: ChildProcess;
  /** What it wrote so far. */
  stdout: string;
  stderr: string;
  /** Its exit code, or null when a signal ended it (then stderr names the signal). */
  exited: Promise<number | null>;
}

/** Starts `layerlab --db <db> ...args` and returns at once, for tests that pause, kill or interrupt it mid-run. */
export function startCli(db: string, args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ['bin/layerlab.mjs', '--db', db, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  const out: CliProcess = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => {
        // No exit code when a signal ended it: name the signal in what a failing test prints.
        if (signal) out.stderr += `\n[the process ended by signal ${signal}]`;
        resolve(code);
      }),
    ),
  };
  child.stdout!.on('data', (d) => (out.stdout += d));
  child.stderr!.on('data', (d) => (out.stderr += d));
  return out;
}

/** Waits until `condition` holds, polling every 25 ms; fails naming `what` after `limitMs`. */
export async function until(condition: () => boolean, what: string, limitMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
