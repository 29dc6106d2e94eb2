// The app's log file (logs.ts): lines stamped with time and process, rotation by size with a fixed number of files
// kept, a log that cannot be written never throwing, main's console copied into it, and the engine's output reaching
// it through the engine host.
import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { KEPT_LOG_FILES, LOG_FILE_NAME, logUncaughtErrors, MAX_LOG_BYTES, RotatingLog, teeConsole } from './logs.ts';

vi.mock('electron', () => ({
  utilityProcess: {
    fork: () => {
      throw new Error('the tests run the engine as a Node child process');
    },
  },
}));

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-logs-'));
});
afterEach(() => {
  fs.chmodSync(dir, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
});

const NOW = () => new Date('2025-01-02T03:04:05.678Z');
const read = (file: string) => fs.readFileSync(file, 'utf8');
const logFiles = () => fs.readdirSync(path.join(dir, 'logs')).sort();

describe('RotatingLog', () => {
  it('defaults to layerlab.log, 5 MB, three files', () => {
    expect(new RotatingLog({ dir: '/logs' }).file).toBe(path.join('/logs', LOG_FILE_NAME));
    expect(LOG_FILE_NAME).toBe('layerlab.log');
    expect(MAX_LOG_BYTES).toBe(5 * 1024 * 1024);
    expect(KEPT_LOG_FILES).toBe(3);
  });

  it('creates a missing folder and stamps every line with the time and the process', () => {
    const log = new RotatingLog({ dir: path.join(dir, 'logs', 'deeper'), now: NOW });
    log.write('main', 'engine: starting');
    log.write('engine', 'Error: boom\n    at x (y.js:1:1)\n');
    log.close();
    expect(read(log.file)).toBe(
      '2025-01-02T03:04:05.678Z [main] engine: starting\n' +
        '2025-01-02T03:04:05.678Z [engine] Error: boom\n' +
        '2025-01-02T03:04:05.678Z [engine]     at x (y.js:1:1)\n',
    );
  });

  it('appends to the file a previous run left', () => {
    new RotatingLog({ dir, now: NOW }).write('main', 'first run');
    const log = new RotatingLog({ dir, now: NOW });
    log.write('main', 'second run');
    expect(read(log.file).split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('rotates before a line would take the file past the limit, and keeps that many files in all', () => {
    const line = (n: number) => `line ${String(n).padStart(3, '0')}`; // 41 bytes with stamp and source
    const bytes = Buffer.byteLength(`${NOW().toISOString()} [main] ${line(0)}\n`);
    const log = new RotatingLog({ dir: path.join(dir, 'logs'), maxBytes: bytes * 4, keep: 3, now: NOW });
    for (let n = 1; n <= 4; n++) log.write('main', line(n));
    expect(logFiles()).toEqual(['layerlab.log']);
    expect(fs.statSync(log.file).size).toBe(bytes * 4); // exactly at the limit: not rotated yet

    log.write('main', line(5));
    expect(logFiles()).toEqual(['layerlab.1.log', 'layerlab.log']);
    expect(read(log.file)).toContain(line(5));
    expect(read(log.rotated(1))).toContain(line(4));

    for (let n = 6; n <= 20; n++) log.write('main', line(n));
    // 20 lines, 4 a file: the last 12 are kept, in three files
    expect(logFiles()).toEqual(['layerlab.1.log', 'layerlab.2.log', 'layerlab.log']);
    const all = [log.rotated(2), log.rotated(1), log.file].map(read).join('');
    expect(all.match(/line \d+/g)).toEqual(Array.from({ length: 12 }, (_, i) => line(i + 9)));
    for (const file of logFiles())
      expect(fs.statSync(path.join(dir, 'logs', file)).size).toBeLessThanOrEqual(bytes * 4);
  });

  it('empties the file when full if it keeps one file only', () => {
    const log = new RotatingLog({ dir: path.join(dir, 'logs'), maxBytes: 100, keep: 1, now: NOW });
    for (let n = 0; n < 10; n++) log.write('main', `line ${n}`);
    expect(logFiles()).toEqual(['layerlab.log']);
    expect(fs.statSync(log.file).size).toBeLessThanOrEqual(100);
    expect(read(log.file)).toContain('line 9');
  });

  it('a line longer than the limit is still written, to a file of its own', () => {
    const log = new RotatingLog({ dir: path.join(dir, 'logs'), maxBytes: 50, keep: 2, now: NOW });
    log.write('main', 'short');
    log.write('main', 'x'.repeat(200));
    log.write('main', 'after');
    expect(read(log.rotated(1))).toContain('x'.repeat(200));
    expect(read(log.file)).toContain('after');
  });

  it('does not throw when the folder cannot be created, says so once, and writes once it can', () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const errors: string[] = [];
    const log = new RotatingLog({ dir: path.join(blocker, 'logs'), onError: (m) => errors.push(m), now: NOW });
    log.write('main', 'lost');
    log.write('main', 'lost too');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^cannot open the log file .*not-a-folder.*layerlab\.log: /);

    fs.rmSync(blocker);
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      log.write('main', 'too soon'); // tried again a few seconds later, not on every line
      expect(fs.existsSync(log.file)).toBe(false);
      vi.setSystemTime(Date.now() + 6_000);
      log.write('main', 'back');
    } finally {
      vi.useRealTimers();
    }
    expect(read(log.file)).toMatch(/\[main\] back\n$/);
    expect(errors).toHaveLength(1);
  });

  it.skipIf(process.getuid?.() === 0)('does not throw in a read-only folder', () => {
    fs.chmodSync(dir, 0o555);
    const errors: string[] = [];
    const log = new RotatingLog({ dir, onError: (m) => errors.push(m) });
    expect(() => log.write('main', 'lost')).not.toThrow();
    expect(errors).toHaveLength(1);
  });

  it('does not throw when writing fails, nor when onError throws', () => {
    const log = new RotatingLog({
      dir,
      onError: () => {
        throw new Error('no stderr either');
      },
    });
    log.write('main', 'opens the file');
    const write = vi.spyOn(fs, 'writeSync').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    });
    try {
      expect(() => log.write('main', 'lost')).not.toThrow();
      expect(write).toHaveBeenCalled();
    } finally {
      write.mockRestore();
    }
    expect(read(log.file)).not.toContain('lost');
  });
});

describe('teeConsole', () => {
  it("copies main's console into the log, marking warnings and errors, and still prints", () => {
    const printed: string[] = [];
    const fake = {
      log: (...a: unknown[]) => printed.push(`log ${a.join(' ')}`),
      info: (...a: unknown[]) => printed.push(`info ${a.join(' ')}`),
      debug: (...a: unknown[]) => printed.push(`debug ${a.join(' ')}`),
      warn: (...a: unknown[]) => printed.push(`warn ${a.join(' ')}`),
      error: (...a: unknown[]) => printed.push(`error ${a.join(' ')}`),
    } as unknown as Console;
    const lines: string[] = [];
    teeConsole(fake, { write: (source, text) => lines.push(`[${source}] ${text}`) });
    fake.log('engine: ready (%s)', 'Node');
    fake.warn('careful', { n: 1 });
    fake.error(new Error('boom'));
    expect(printed.slice(0, 2)).toEqual(['log engine: ready (%s) Node', 'warn careful [object Object]']);
    expect(lines[0]).toBe('[main] engine: ready (Node)');
    expect(lines[1]).toBe('[main warn] careful { n: 1 }');
    expect(lines[2]).toMatch(/^\[main error\] Error: boom\n {4}at /);
  });

  it('does not loop when writing to the log prints', () => {
    const fake = { log() {}, info() {}, debug() {}, warn() {}, error() {} } as unknown as Console;
    const lines: string[] = [];
    teeConsole(fake, {
      write: (_source, text) => {
        lines.push(text);
        fake.error('the log is full');
      },
    });
    fake.log('hello');
    expect(lines).toEqual(['hello']);
  });
});

describe('logUncaughtErrors', () => {
  it("logs main's uncaught exceptions with their stack, as a monitor only", () => {
    const proc = new EventEmitter();
    const lines: string[] = [];
    logUncaughtErrors(proc as NodeJS.Process, { write: (source, text) => lines.push(`[${source}] ${text}`) });
    expect(proc.listenerCount('uncaughtException')).toBe(0); // Electron's own handling (its dialog) stays
    proc.emit('uncaughtExceptionMonitor', new Error('main broke'), 'uncaughtException');
    expect(lines[0]).toMatch(/^\[main error\] uncaughtException: Error: main broke\n {4}at /);
  });
});

describe("the engine's output", () => {
  it('reaches the log line by line, from stdout and stderr, through the engine host', async () => {
    const { EngineHost } = await import('./engine-host.ts');
    const entry = path.join(dir, 'engine.mjs');
    fs.writeFileSync(
      entry,
      `process.stdout.write('half a ');
setTimeout(() => {
  process.stdout.write('line\\nand another\\n');
  process.stderr.write('layerlab engine: started (pid ' + process.pid + ')\\n');
  process.send({ kind: 'ready', runtime: 'fake engine' });
}, 50);
process.on('message', (m) => { if (m.kind === 'shutdown') process.exit(0); });
`,
    );
    const output: string[] = [];
    const host = new EngineHost({
      entry,
      config: { dbPath: '/nonexistent/layerlab.db', dataDir: '/nonexistent' },
      nodeBinary: process.execPath,
      onEvent: () => {},
      log: () => {},
      output: (stream, line) => output.push(`${stream}: ${line}`),
    });
    host.start();
    try {
      expect(await host.whenReady(30_000)).toBe(true);
      await vi.waitFor(() => expect(output).toHaveLength(3), { timeout: 10_000 });
    } finally {
      await host.shutdown(2000);
    }
    expect(output.filter((l) => l.startsWith('stdout'))).toEqual(['stdout: half a line', 'stdout: and another']);
    expect(output.filter((l) => l.startsWith('stderr'))).toEqual([
      expect.stringMatching(/^stderr: layerlab engine: started \(pid \d+\)$/),
    ]);
  });
});
