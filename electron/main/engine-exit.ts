// What the app tells the user when the engine process ends unexpectedly, and when it tries again on its own.
// Pure (no Electron), so the wording and the backoff are tested directly (engine-exit.test.ts).

export interface EngineExit {
  code: number | null;
  signal: string | null;
  /** The engine's last 'fatal' message (an uncaught error, a startup failure), if it sent one. */
  fatal: string | null;
}

const CRASH_SIGNALS: Record<string, string> = {
  SIGSEGV: 'The engine crashed inside native code (a segmentation fault).',
  SIGBUS: 'The engine crashed inside native code (a bus error).',
  SIGILL: 'The engine crashed inside native code (an illegal instruction).',
  SIGFPE: 'The engine crashed inside native code (an arithmetic fault).',
  SIGABRT: 'The engine aborted (a native library gave up).',
};

/** The first line of an error, without its stack. */
function firstLine(text: string): string {
  return text.split('\n')[0].trim();
}

/** Why the engine stopped, in words for the user: no exit codes or signal names. */
export function describeEngineExit({ code, signal, fatal }: EngineExit): string {
  if (fatal && /out of memory|allocation failed|heap limit/i.test(fatal)) return 'The engine ran out of memory.';
  if (fatal && /^the engine did not start within/.test(fatal)) return `${firstLine(fatal).replace(/^the/, 'The')}.`;
  if (fatal)
    return `The engine hit an internal error: ${firstLine(fatal).replace(/^engine (crashed|could not start): /, '')}`;
  if (signal === 'SIGKILL')
    return 'The engine was killed (by the system, for example when memory ran out, or by another program).';
  if (signal === 'SIGTERM' || signal === 'SIGINT' || signal === 'SIGHUP')
    return 'The engine was asked to stop by another program.';
  if (signal && CRASH_SIGNALS[signal]) return CRASH_SIGNALS[signal];
  if (signal) return 'The engine stopped unexpectedly.';
  if (code === 0) return 'The engine exited on its own.';
  return 'The engine stopped unexpectedly.';
}

/** The exit as the system reported it, for a details view and the log. */
export function technicalExit({ code, signal, fatal }: EngineExit): string {
  const how = signal ? `signal ${signal}` : `exit code ${code}`;
  return fatal ? `${how}; ${fatal}` : how;
}

/** The first automatic restart waits this long; each further one in a row waits RESTART_BACKOFF_FACTOR times longer. */
export const FIRST_RESTART_DELAY_MS = 1000;
export const RESTART_BACKOFF_FACTOR = 4;
/** Automatic restarts in a row before the app stops trying on its own (the Restart button always works). */
export const DEFAULT_AUTO_RESTARTS = 3;

/**
 * How long to wait before restarting the engine automatically after its `crashesInARow`-th crash in a row,
 * or null when the app should stop trying on its own (a crash loop: the user restarts it when ready).
 */
export function autoRestartDelay(crashesInARow: number, autoRestarts = DEFAULT_AUTO_RESTARTS): number | null {
  if (crashesInARow < 1 || crashesInARow > autoRestarts) return null;
  return FIRST_RESTART_DELAY_MS * RESTART_BACKOFF_FACTOR ** (crashesInARow - 1);
}

/** LAYERLAB_ENGINE_AUTO_RESTARTS: a whole number of automatic restarts in a row (0 turns them off). */
export function parseAutoRestarts(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return DEFAULT_AUTO_RESTARTS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 100) {
    throw new Error(`LAYERLAB_ENGINE_AUTO_RESTARTS must be a whole number from 0 to 100 (got "${value}")`);
  }
  return n;
}
