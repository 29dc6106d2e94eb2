// Kill -9 at each phase of a run, then recover: a CLI training process killed before its session starts,
// mid-epoch, during validation, during the checkpoint write and during evaluation; and the app's main process
// killed under a training engine. Each kill is followed by the recovery checks (integrity, status, epochs and
// steps consistent, batch metrics without gaps or duplicates) and a resume that must reach the uninterrupted
// run's result. Phases are hit exactly with the test-only LAYERLAB_FAULT_PAUSE hook (electron/engine/fault-pause.ts).
import { fork, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { processIsAlive } from '#engine/store/leases.ts';
import { Store } from '#engine/store/index.ts';
import type { FaultPhase } from '#engine/fault-pause.ts';
import type { EngineToMain } from '#shared/engine-protocol.ts';
import { getTemplate } from '#shared/model/index.ts';
import { startCli, until } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = tempDir('layerlab-fault-');
const EPOCHS = 2;
const TRAIN = [
  '--template',
  'mlp',
  '--train-size',
  '600',
  '--validation-split',
  '0.2',
  '--epochs',
  String(EPOCHS),
  '--batch-size',
  '32',
  '--seed',
  '5',
];
const BATCHES_PER_EPOCH = Math.ceil(480 / 32);
const children: ChildProcess[] = [];
/** Per kind of fault: kills tried, runs that recovered and resumed to the uninterrupted result, runs lost. */
const tally = new Map<string, { tried: number; survived: number; lost: number }>();

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  const lines = [...tally].map(
    ([fault, t]) => `  ${fault.padEnd(40)} tried ${t.tried}, survived ${t.survived}, lost ${t.lost}`,
  );
  console.log(`kill -9 faults:\n${lines.join('\n')}`);
});

function count(fault: string, survived: boolean): void {
  const t = tally.get(fault) ?? { tried: 0, survived: 0, lost: 0 };
  t.tried++;
  if (survived) t.survived++;
  else t.lost++;
  tally.set(fault, t);
}

/** Starts `layerlab --db <db> ...args`, killed after the tests if it is still running. */
function layerlab(db: string, args: string[], env: Record<string, string> = {}) {
  const run = startCli(db, args, env);
  children.push(run.child);
  return run;
}

async function completedRun(
  db: string,
  args: string[],
): Promise<{ runId: number; status: string; epochsCompleted: number; testAccuracy: number }> {
  const run = layerlab(db, [...args, '--json']);
  const code = await run.exited;
  expect(code, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

/** What a fresh process sees after the kill, before and after its recovery runs. */
function inspect(db: string, runId: number) {
  const raw = new Database(db, { readonly: true });
  const integrity = raw.pragma('integrity_check', { simple: true });
  const statusLeft = raw.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId);
  raw.close();
  const store = Store.open(db, { log: () => {} });
  try {
    return {
      integrity,
      statusLeft,
      run: store.getRun(runId)!,
      epochs: store.getEpochMetrics(runId).map((e) => e.epoch),
      checkpoint: store.checkpointFor(runId, 'last'),
      batches: store.getBatchMetrics(runId),
      sessions: store.getRunSessions(runId),
    };
  } finally {
    store.close();
  }
}

/** Steps 0..n-1 once each, each in its own epoch and batch: no gap, no duplicate. */
function expectContiguousBatches(batches: { step: number; epoch: number; batch: number }[]): void {
  batches.forEach((m, i) => {
    expect(m.step).toBe(i);
    expect([m.epoch, m.batch]).toEqual([Math.floor(i / BATCHES_PER_EPOCH), i % BATCHES_PER_EPOCH]);
  });
}

let reference: { testAccuracy: number } | null = null;
async function uninterrupted(): Promise<{ testAccuracy: number }> {
  reference ??= await completedRun(path.join(dir, 'reference', 'layerlab.db'), ['train', ...TRAIN]);
  return reference;
}

describe('kill -9 of a CLI training at each phase', () => {
  // phase@n: the n-th time the run reaches it; epochsKept: complete epochs the kill leaves recorded.
  const cases: { phase: FaultPhase; nth: number; label: string; epochsKept: number }[] = [
    { phase: 'session', nth: 1, label: 'before its session starts', epochsKept: 0 },
    { phase: 'batch', nth: BATCHES_PER_EPOCH + 7, label: 'mid-epoch', epochsKept: 1 },
    { phase: 'validation', nth: 1, label: 'during validation', epochsKept: 0 },
    { phase: 'checkpoint', nth: 2, label: 'during the checkpoint write', epochsKept: 1 },
    { phase: 'evaluation', nth: 1, label: 'during evaluation', epochsKept: EPOCHS },
  ];

  for (const { phase, nth, label, epochsKept } of cases) {
    it(`recovers and resumes a run killed ${label}`, async () => {
      const db = path.join(dir, phase, 'layerlab.db');
      let survived = false;
      try {
        const victim = layerlab(db, ['train', ...TRAIN, '--json'], { LAYERLAB_FAULT_PAUSE: `${phase}@${nth}` });
        await until(() => victim.stderr.includes(`layerlab-fault-pause: ${phase}`), `the ${phase} pause`);
        victim.child.kill('SIGKILL');
        await victim.exited;

        const after = inspect(db, 1);
        expect(after.integrity).toBe('ok');
        expect(after.statusLeft).toBe(phase === 'session' ? 'queued' : 'running');
        expect(after.run).toMatchObject({ status: 'interrupted', epochsCompleted: epochsKept, heldBy: null });
        expect(after.epochs).toEqual([...Array(epochsKept).keys()]);
        expect(after.checkpoint?.epoch ?? 0).toBe(epochsKept);
        if (after.checkpoint) expect(fs.existsSync(path.join(after.checkpoint.path, 'checkpoint.json'))).toBe(true);
        expectContiguousBatches(after.batches);
        // Every finished epoch's batches are flushed by its end; at most the epoch in progress is lost.
        expect(after.batches.length).toBeGreaterThanOrEqual(Math.min(epochsKept, EPOCHS) * BATCHES_PER_EPOCH);
        expect(after.sessions.map((s) => s.endStatus)).toEqual(phase === 'session' ? [] : ['interrupted']);

        const resumed = await completedRun(db, ['resume', '1']);
        expect(resumed).toMatchObject({ runId: 1, status: 'completed', epochsCompleted: EPOCHS });
        const done = inspect(db, 1);
        expect(done.epochs).toEqual([...Array(EPOCHS).keys()]);
        expect(done.batches).toHaveLength(EPOCHS * BATCHES_PER_EPOCH);
        expectContiguousBatches(done.batches);
        expect(done.sessions.at(-1)).toMatchObject({ fromEpoch: epochsKept, endStatus: 'completed' });
        // Resumed from the last finished epoch's weights and optimizer state, it ends where an uninterrupted run does.
        expect(resumed.testAccuracy).toBeCloseTo((await uninterrupted()).testAccuracy, 2);
        console.log(
          `killed ${label}: ${after.batches.length} batch metrics and ${epochsKept} epoch(s) kept; resumed from epoch ${epochsKept} to test accuracy ${resumed.testAccuracy}`,
        );
        survived = true;
      } finally {
        count(`CLI killed ${label}`, survived);
      }
    });
  }
});

describe('kill -9 of the app under a training engine', () => {
  const startTraining = {
    kind: 'request',
    id: 1,
    channel: 'training:start',
    payload: {
      spec: getTemplate('mlp'),
      hyperparameters: { trainSize: 2000, epochs: 2, batchSize: 10 },
      dataset: 'mnist',
      backend: 'auto',
    },
  };
  // The engine's training thread waits at its 5th batch, so the app is killed mid-run however fast training goes.
  const PAUSED = { LAYERLAB_FAULT_PAUSE: 'batch@5' };
  const MARKER = 'layerlab-fault-pause: batch';

  async function expectEngineGone(pid: number, fault: string): Promise<void> {
    const killed = Date.now();
    await until(() => !processIsAlive(pid), `engine ${pid} to exit`, 20_000);
    console.log(`${fault}: engine ${pid} exited ${Date.now() - killed} ms after its app`);
  }

  function expectInterruptedByTheApp(db: string, why: RegExp): void {
    const raw = new Database(db, { readonly: true });
    try {
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      // Recorded by the dying engine itself, before any other process opened the database.
      const run = raw.prepare('SELECT status, error FROM runs WHERE id = 1').get() as { status: string; error: string };
      expect(run.status).toBe('interrupted');
      expect(run.error).toMatch(
        /^the app that started this engine ended \(.+\); resume the run from its last checkpoint$/,
      );
      expect(run.error).toMatch(why);
      expect(raw.prepare('SELECT end_status FROM run_sessions WHERE run_id = 1').pluck().all()).toEqual([
        'interrupted',
      ]);
      expect(raw.prepare('SELECT count(*) FROM run_leases').pluck().get()).toBe(0);
    } finally {
      raw.close();
    }
  }

  it('an engine whose IPC parent is killed exits, its run recorded interrupted, and the run resumes', async () => {
    const fault = 'app (IPC parent) killed';
    let survived = false;
    try {
      const db = path.join(dir, 'app', 'layerlab.db');
      fs.mkdirSync(path.dirname(db), { recursive: true });
      // A stand-in for Electron main with the Node engine: forks the engine, says its pid, and starts a run.
      const app = path.join(dir, 'app', 'main.mjs');
      fs.writeFileSync(
        app,
        `import { fork } from 'node:child_process';
const engine = fork(${JSON.stringify(path.join(root, 'electron/engine/process.ts'))}, [], {
  execArgv: ['--import', 'tsx'], serialization: 'advanced',
  env: { ...process.env, LAYERLAB_ENGINE_CONFIG: ${JSON.stringify(JSON.stringify({ dbPath: db, dataDir: path.dirname(db) }))} },
});
console.log(JSON.stringify({ enginePid: engine.pid }));
engine.on('message', (m) => {
  if (m.kind === 'ready') engine.send(${JSON.stringify(startTraining)});
  else if (m.kind === 'response' && !m.envelope.ok) console.log(JSON.stringify({ error: m.envelope.error.message }));
});
`,
      );
      const main = spawn(process.execPath, [app], { cwd: root, env: { ...process.env, ...PAUSED } });
      children.push(main);
      let stdout = '';
      let stderr = '';
      main.stdout.on('data', (d) => (stdout += d));
      main.stderr.on('data', (d) => (stderr += d));
      await until(() => stderr.includes(MARKER) || stdout.includes('error'), 'the engine to train');
      const { enginePid } = JSON.parse(stdout.split('\n')[0]);
      expect(stdout.split('\n')[1]).toBe('');
      main.kill('SIGKILL');
      await expectEngineGone(enginePid, fault);
      expectInterruptedByTheApp(db, /channel to the app closed|parent process \d+ is gone/);
      const resumed = await completedRun(db, ['resume', '1']);
      expect(resumed).toMatchObject({ status: 'completed', epochsCompleted: 2 });
      survived = true;
    } finally {
      count(fault, survived);
    }
  });

  it('an engine whose parent pid dies exits even while its IPC channel stays open (a utility process has no disconnect)', async () => {
    const fault = 'app (parent pid) killed';
    let survived = false;
    try {
      const db = path.join(dir, 'app-pid', 'layerlab.db');
      fs.mkdirSync(path.dirname(db), { recursive: true });
      const app = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      children.push(app);
      // Forked by this test (which keeps the IPC channel open), with the stand-in app's pid as main passes its own.
      const engine = fork(path.join(root, 'electron/engine/process.ts'), [], {
        cwd: root,
        execArgv: ['--import', 'tsx'],
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
        env: {
          ...process.env,
          ...PAUSED,
          LAYERLAB_ENGINE_CONFIG: JSON.stringify({ dbPath: db, dataDir: path.dirname(db), parentPid: app.pid }),
        },
      });
      children.push(engine);
      let stderr = '';
      engine.stderr!.on('data', (d) => (stderr += d));
      engine.on('message', (m: EngineToMain) => {
        if (m.kind === 'ready') engine.send(startTraining);
      });
      await until(() => stderr.includes(MARKER), 'the engine to train');
      app.kill('SIGKILL');
      await expectEngineGone(engine.pid!, fault);
      // Its own clean exit (leave() in process.ts), not the deadline's.
      const code = engine.exitCode ?? (await new Promise((resolve) => engine.once('exit', resolve)));
      expect(code).toBe(0);
      expectInterruptedByTheApp(db, new RegExp(`the app's process ${app.pid} is gone`));
      survived = true;
    } finally {
      count(fault, survived);
    }
  });
});
