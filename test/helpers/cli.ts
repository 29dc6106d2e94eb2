// The CLI as a user runs it: `node bin/layerlab.mjs --db <db> ...args` from the repository's root, a real process.
import { execFile } from 'node:child_process';
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
