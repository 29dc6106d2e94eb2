// Electron main's engine host against a stand-in engine process (helpers/fake-engine.mjs) killed with SIGKILL:
// requests in flight are answered at once with the cause, runs in training are reported interrupted, the
// engine restarts on its own a limited number of times in a row, and restart() brings it back whenever asked.
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineStatus, Envelope } from '#shared/contract.ts';
import type { RunEvent } from '#shared/types.ts';

vi.mock('electron', () => ({
  utilityProcess: {
    fork: () => {
      throw new Error('the tests run the engine as a Node child process');
    },
  },
}));
const { EngineHost } = await import('#main/engine-host.ts');

const KILLED = /^The engine was killed/;

interface Harness {
  host: InstanceType<typeof EngineHost>;
  events: RunEvent[];
  statuses: EngineStatus[];
  /** The pid of the engine process started last. */
  pid(): number;
  /** Kills the current engine and waits until the host has noticed. */
  kill(): Promise<void>;
  waitFor(state: EngineStatus['state']): Promise<EngineStatus>;
}

const hosts: Harness[] = [];

function harness(autoRestarts: number): Harness {
  const events: RunEvent[] = [];
  const statuses: EngineStatus[] = [];
  const pids: number[] = [];
  const host = new EngineHost({
    entry: path.resolve(import.meta.dirname, 'helpers/fake-engine.mjs'),
    config: { dbPath: '/nonexistent/layerlab.db', dataDir: '/nonexistent' },
    nodeBinary: process.execPath,
    autoRestarts,
    onEvent: (event) => events.push(event),
    onStatus: (status) => statuses.push(status),
    log: (line) => {
      const pid = /pid (\d+)\)/.exec(line)?.[1];
      if (pid) pids.push(Number(pid));
    },
  });
  const waitFor = (state: EngineStatus['state']) =>
    vi.waitFor(
      () => {
        const status = host.status;
        if (status.state !== state) throw new Error(`engine is ${status.state}, not ${state}`);
        return status;
      },
      { timeout: 30_000, interval: 20 },
    );
  const h: Harness = {
    host,
    events,
    statuses,
    pid: () => pids.at(-1)!,
    async kill() {
      const crashes = host.status.crashes;
      process.kill(h.pid(), 'SIGKILL');
      await vi.waitFor(() => expect(host.status.crashes).toBe(crashes + 1), { timeout: 30_000, interval: 20 });
    },
    waitFor,
  };
  hosts.push(h);
  host.start();
  return h;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.host.shutdown(2000)));
});

const failed = (envelope: Envelope<unknown>) => (envelope.ok ? null : envelope.error.message);

describe('a crashed engine', () => {
  it('answers the requests in flight at once, with the cause in words for the user', async () => {
    const h = harness(0);
    await h.waitFor('ready');
    const unanswered = h.host.request('doctor:run', undefined);
    await h.kill();
    const message = failed(await unanswered);
    expect(message).toMatch(KILLED);
    expect(message).not.toMatch(/SIGKILL|doctor:run/);
    expect(h.host.status).toMatchObject({ state: 'down', detail: 'signal SIGKILL', crashes: 1 });
    // Later requests are refused at once, saying what to do.
    expect(failed(await h.host.request('runs:list', {}))).toMatch(
      /^The engine was killed .* Restart the engine to continue\.$/,
    );
  });

  it('reports a run it had started as interrupted, even before the run said it started', async () => {
    const h = harness(0);
    await h.waitFor('ready');
    expect(await h.host.request('training:start', {})).toEqual({ ok: true, value: { runId: 7 } });
    await h.kill();
    expect(h.events).toEqual([
      {
        type: 'finished',
        runId: 7,
        status: 'interrupted',
        error: expect.stringMatching(/The run can be resumed from its last finished epoch\.$/),
      },
    ]);
    expect(h.host.status.interruptedRunIds).toEqual([7]);
  });
});

describe('restarting', () => {
  it('restarts on its own after a crash, then leaves it to the user once the crashes come in a row', async () => {
    const h = harness(1);
    await h.waitFor('ready');
    await h.kill();
    const restarting = h.host.status;
    expect(restarting.state).toBe('restarting');
    expect(restarting.restartAt).toBeGreaterThan(0);
    expect(failed(await h.host.request('runs:list', {}))).toMatch(/It restarts in a moment; try again then\.$/);
    await h.waitFor('ready');
    expect(await h.host.request('runs:list', {})).toEqual({ ok: true, value: 'runs:list' });

    await h.kill();
    expect(h.host.status).toMatchObject({ state: 'down', crashes: 2, restartAt: null });
    expect(h.statuses.map((s) => s.state)).toEqual(['starting', 'ready', 'restarting', 'starting', 'ready', 'down']);
  });

  it('restart() brings the engine back after one, two and three crashes in a row', async () => {
    const h = harness(0);
    await h.waitFor('ready');
    for (let crash = 1; crash <= 3; crash++) {
      await h.kill();
      expect(h.host.status).toMatchObject({ state: 'down', crashes: crash });
      expect(h.host.restart().state).toBe('starting');
      await h.waitFor('ready');
      expect(await h.host.request('templates:list', undefined)).toEqual({ ok: true, value: 'templates:list' });
    }
  });

  it('restart() starts a due automatic restart at once, and does nothing to an engine that runs', async () => {
    const h = harness(3);
    await h.waitFor('ready');
    const pid = h.pid();
    expect(h.host.restart().state).toBe('ready');
    expect(h.pid()).toBe(pid);
    await h.kill();
    expect(h.host.status.state).toBe('restarting');
    expect(h.host.restart()).toMatchObject({ state: 'starting', restartAt: null });
    await h.waitFor('ready');
    expect(h.pid()).not.toBe(pid);
  });
});
