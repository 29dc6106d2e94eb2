// A CLI sweep's queue survives kill -9: killed mid-run (and between a run's claim and its session), the sweep is
// left running with its queued runs still queued; `layerlab sweep resume` resumes the interrupted run and trains
// the rest, every run completed once. While it runs, training by hand and a second queue are refused naming the
// sweep; a pause from another process stops its run at the next batch; Ctrl-C pauses it; cancel deletes the rest.
// Phases are hit exactly with LAYERLAB_FAULT_PAUSE (electron/engine/fault-pause.ts), as in test/fault-kill.test.ts.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Store } from '#engine/store/index.ts';
import { cliOn, startCli, until } from './helpers/cli.ts';
import { writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir('layerlab-sweep-kill-');
const dataset = writeSyntheticIdx(path.join(dir, 'idx'), { train: 3000, test: 20 });
const BATCHES = 10;
const SHORT = ['--template', 'mlp', '--dataset', dataset, '--train-size', '300', '--validation-split', '0'];
const SWEEP = [
  'sweep',
  ...SHORT,
  '--epochs',
  '1',
  '--batch-size',
  '30',
  '--seed',
  '3',
  '--grid',
  'lr=0.001,0.003,0.01',
];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts `layerlab --db <db> ...args`, killed after the tests if it is still running. */
function layerlab(db: string, args: string[], env: Record<string, string> = {}) {
  const run = startCli(db, args, env);
  children.push(run.child);
  return run;
}

const lastJson = (text: string) => JSON.parse(text.trim().split('\n').at(-1)!);

function inspect(db: string) {
  const store = Store.open(db, { log: () => {} });
  try {
    const detail = store.sweeps.detail(1);
    return {
      detail,
      runs: store.listRuns().length,
      perRun: detail.points.map((p) => ({
        status: p.status,
        sessions: store.getRunSessions(p.runId!).map((s) => s.endStatus),
        epochs: store.getEpochMetrics(p.runId!).length,
        steps: store.getBatchMetrics(p.runId!).map((m) => m.step),
        heldBy: p.run?.heldBy ?? null,
      })),
    };
  } finally {
    store.close();
  }
}

describe('kill -9 of a CLI sweep', () => {
  const cases = [
    { fault: `batch@${BATCHES + 5}`, label: 'mid-run', left: 'running', sessions: ['interrupted', 'completed'] },
    {
      fault: 'session@2',
      label: 'between its claim of a run and the run’s session',
      left: 'queued',
      sessions: ['completed'],
    },
  ];
  for (const { fault, label, left, sessions } of cases) {
    it(`resumes and completes every run once after a kill ${label}`, async () => {
      const db = path.join(dir, fault.replace('@', '-'), 'layerlab.db');
      const cli = cliOn(db);
      const victim = layerlab(db, [...SWEEP, '--json'], { LAYERLAB_FAULT_PAUSE: fault });
      const phase = fault.split('@')[0];
      await until(() => victim.stderr.includes(`layerlab-fault-pause: ${phase}`), `the ${phase} pause`);
      const pid = victim.child.pid!;

      // While it runs: training by hand is refused naming the sweep, and so is a second queue.
      const manual = await cli('train', ...SHORT, '--epochs', '1', '--json');
      expect(manual.code).toBe(1);
      expect(manual.stderr).toMatch(
        new RegExp(
          `^layerlab: cannot start a new run: (run 2 \\(point 2 of sweep 1 “mlp: learningRate”\\) is being trained by|sweep 1 “mlp: learningRate” is running in) process ${pid} \\(layerlab sweep, started \\d\\d:\\d\\d\\)`,
          'm',
        ),
      );
      const second = await cli('sweep', 'resume', '1');
      expect(second.code).toBe(1);
      expect(second.stderr).toMatch(
        new RegExp(`sweep 1 “mlp: learningRate” is already being run by process ${pid} \\(layerlab sweep, started`),
      );
      const shown = JSON.parse((await cli('sweep', 'show', '1', '--json')).stdout);
      expect(shown.sweep).toMatchObject({ status: 'running', drivenBy: { pid, label: 'layerlab sweep' } });

      victim.child.kill('SIGKILL');
      await victim.exited;
      const raw = new Database(db, { readonly: true });
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(raw.prepare('SELECT status FROM runs ORDER BY id').pluck().all()).toEqual(['completed', left, 'queued']);
      raw.close();
      // Recovered: the run in training interrupted, the queued ones still queued (no lease left on them).
      const after = inspect(db);
      expect(after.detail.sweep).toMatchObject({ status: 'running', drivenBy: null });
      expect(after.perRun.map((r) => [r.status, r.heldBy])).toEqual([
        ['completed', null],
        [left === 'running' ? 'interrupted' : 'queued', null],
        ['queued', null],
      ]);

      const resumed = await cli('sweep', 'resume', '1', '--json');
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(lastJson(resumed.stdout)).toMatchObject({
        sweepId: 1,
        status: 'completed',
        counts: { total: 3, completed: 3 },
      });
      const done = inspect(db);
      expect(done.runs).toBe(3);
      expect(done.perRun).toEqual([
        { status: 'completed', sessions: ['completed'], epochs: 1, steps: [...Array(BATCHES).keys()], heldBy: null },
        { status: 'completed', sessions, epochs: 1, steps: [...Array(BATCHES).keys()], heldBy: null },
        { status: 'completed', sessions: ['completed'], epochs: 1, steps: [...Array(BATCHES).keys()], heldBy: null },
      ]);
      expect(done.detail.points.map((p) => p.run?.hyperparameters.learningRate)).toEqual([0.001, 0.003, 0.01]);
    });
  }
});

describe('pausing and cancelling a CLI sweep', () => {
  it('stops at the next batch when another process pauses it or on Ctrl-C, resumes, and cancels', async () => {
    const db = path.join(dir, 'pause', 'layerlab.db');
    const cli = cliOn(db);
    // Runs of several seconds (6,000 batches of one image), so a pause from another process lands mid-run.
    const args = [
      'sweep',
      ...SHORT.slice(0, 4),
      '--train-size',
      '3000',
      '--validation-split',
      '0',
      '--epochs',
      '2',
      '--batch-size',
      '1',
    ];
    const first = layerlab(db, [...args, '--grid', 'seed=1,2,3', '--json']);
    await until(() => first.stderr.includes('run 1:'), 'run 1 to start');
    const paused = await cli('sweep', 'pause', '1');
    expect(paused.stdout).toMatch(/^sweep 1 paused\. /);
    expect(await first.exited).toBe(0);
    expect(lastJson(first.stdout)).toMatchObject({ status: 'paused', error: null });
    expect(lastJson(first.stdout).points.map((p: { status: string }) => p.status)).toEqual([
      'stopped',
      'queued',
      'queued',
    ]);
    expect(first.stderr).toMatch(/sweep 1 was paused elsewhere; stopping run 1/);

    // Ctrl-C: the run stops at its next batch and the sweep is left paused, resumable.
    const second = layerlab(db, ['sweep', 'resume', '1', '--json']);
    await until(() => second.stderr.includes('run 1:'), 'run 1 to go on');
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
    const interrupted = lastJson(second.stdout);
    expect(interrupted.status).toBe('paused');
    expect(interrupted.points[0].status).toMatch(/^(stopped|completed)$/);
    expect(second.stdout + second.stderr).toMatch(/continue with: layerlab sweep resume 1|pausing the sweep/);

    const cancelled = await cli('sweep', 'cancel', '1');
    expect(cancelled.stdout).toBe('sweep 1 cancelled: 2 queued run(s) deleted.\n');
    const shown = JSON.parse((await cli('sweep', 'show', '1', '--json')).stdout);
    expect(shown.points.map((p: { status: string }) => p.status)).toEqual([
      interrupted.points[0].status,
      'cancelled',
      'cancelled',
    ]);
    expect((await cli('sweep', 'resume', '1')).stderr).toMatch(
      /sweep 1 is cancelled; a cancelled sweep cannot be resumed/,
    );
    expect(JSON.parse((await cli('runs', 'list', '--json')).stdout)).toHaveLength(1);
  });
});
