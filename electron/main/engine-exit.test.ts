import { describe, expect, it } from 'vitest';
import { autoRestartDelay, describeEngineExit, parseAutoRestarts, technicalExit } from './engine-exit.ts';

describe('describeEngineExit', () => {
  it('names a kill without the signal name', () => {
    const text = describeEngineExit({ code: null, signal: 'SIGKILL', fatal: null });
    expect(text).toMatch(/^The engine was killed/);
    expect(text).not.toMatch(/SIG/);
  });

  it('tells a native crash from a kill', () => {
    expect(describeEngineExit({ code: null, signal: 'SIGSEGV', fatal: null })).toBe(
      'The engine crashed inside native code (a segmentation fault).',
    );
    expect(describeEngineExit({ code: null, signal: 'SIGABRT', fatal: null })).toMatch(/aborted/);
  });

  it('says out of memory when the engine reported it', () => {
    const fatal = 'engine crashed: RangeError: Array buffer allocation failed\n    at new ArrayBuffer';
    expect(describeEngineExit({ code: 1, signal: null, fatal })).toBe('The engine ran out of memory.');
  });

  it('keeps the first line of an internal error, not its stack', () => {
    const fatal = "engine crashed: TypeError: Cannot read properties of null (reading 'kind')\n    at process.ts:52";
    expect(describeEngineExit({ code: 1, signal: null, fatal })).toBe(
      "The engine hit an internal error: TypeError: Cannot read properties of null (reading 'kind')",
    );
  });

  it('falls back to a plain sentence for an unexplained exit code', () => {
    expect(describeEngineExit({ code: 3, signal: null, fatal: null })).toBe('The engine stopped unexpectedly.');
  });

  it('keeps the technical form for the details view', () => {
    expect(technicalExit({ code: null, signal: 'SIGKILL', fatal: null })).toBe('signal SIGKILL');
    expect(technicalExit({ code: 1, signal: null, fatal: 'engine crashed: boom' })).toBe(
      'exit code 1; engine crashed: boom',
    );
  });
});

describe('autoRestartDelay', () => {
  it('backs off with each crash in a row, then stops trying on its own', () => {
    expect([1, 2, 3, 4].map((n) => autoRestartDelay(n, 3))).toEqual([1000, 4000, 16000, null]);
  });

  it('never restarts on its own when automatic restarts are off', () => {
    expect(autoRestartDelay(1, 0)).toBeNull();
  });
});

describe('parseAutoRestarts', () => {
  it('defaults when unset and reads a whole number', () => {
    expect(parseAutoRestarts(undefined)).toBe(3);
    expect(parseAutoRestarts('')).toBe(3);
    expect(parseAutoRestarts('0')).toBe(0);
    expect(parseAutoRestarts('1')).toBe(1);
  });

  it('names the variable and the reason for a bad value', () => {
    expect(() => parseAutoRestarts('-1')).toThrow(
      'LAYERLAB_ENGINE_AUTO_RESTARTS must be a whole number from 0 to 100 (got "-1")',
    );
    expect(() => parseAutoRestarts('two')).toThrow(/LAYERLAB_ENGINE_AUTO_RESTARTS/);
  });
});
