// Run leases: the live process that creates or trains a run owns it; other processes refuse to train it (or
// anything else on the database) meanwhile and name that process; a dead or silent owner's runs are recovered.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { createRun, resumeRun, resumableRun, trainNewRun } from '#engine/runner.ts';
import { LEASE_STALE_MS, ownerHost } from '#engine/store/leases.ts';
import { Store } from '#engine/store/index.ts';
import { recoverInterruptedRuns } from '#engine/store/sessions.ts';
import { TrainingSupervisor } from '#engine/training-supervisor.ts';
import type { RunEvent } from '#shared/types.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const dataset = writeSyntheticIdx(path.join(dir, 'synthetic'));
const request = { spec: tinySpec, hyperparameters: { batchSize: 4, epochs: 1, validationSplit: 0 }, dataset };
let dbPath: string;
let dbCount = 0;
const stores: Store[] = [];
const children: ChildProcess[] = [];

function openStore(owner?: string): Store {
  const store = Store.open(dbPath, { log: () => {}, ...(owner ? { owner } : {}) });
  stores.push(store);
  return store;
}

/** Changes a lease behind the store's back, as another process's row would look. */
function setLease(
  runId: number,
  values: Partial<{ owner_pid: number; owner_host: string; owner_label: string; heartbeat_at: number }>,
): void {
  const raw = new Database(dbPath);
  const columns = Object.keys(values);
  raw
    .prepare(`UPDATE run_leases SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE run_id = ?`)
    .run(...Object.values(values), runId);
  raw.close();
}

/** A live process that is not this one: it holds nothing open, it just lives until killed. */
function otherProcess(): ChildProcess {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

async function until(condition: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  await initBackend('cpu');
});
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
  for (const child of children.splice(0)) child.kill('SIGKILL');
  dbPath = path.join(dir, `lease-${++dbCount}.db`);
});
afterAll(() => {
  delete process.env.LAYERLAB_TRAINING_WORKER;
});
dbPath = path.join(dir, `lease-${++dbCount}.db`);

describe('run leases', () => {
  it('names the live process that holds a run, and refuses to train, finish or delete it, or to start another run', async () => {
    const store = openStore();
    const held = createRun(store, request);
    const other = otherProcess();
    await until(() => other.pid !== undefined, 'the other process');
    setLease(held.id, { owner_pid: other.pid!, owner_label: 'layerlab train' });
    const holder = new RegExp(`process ${other.pid} \\(layerlab train, started \\d\\d:\\d\\d\\)`);

    expect(() => resumableRun(store, held.id)).toThrow(
      new RegExp(`^run ${held.id} is being trained by ${holder.source}$`),
    );
    expect(() => createRun(store, request)).toThrow(
      new RegExp(
        `^cannot start a new run: run ${held.id} is being trained by ${holder.source}; one run trains at a time on a database$`,
      ),
    );
    expect(() => store.deleteRun(held.id)).toThrow(holder);
    expect(() => store.finishRunSession(held.id, 'failed', 'not mine')).toThrow(holder);
    expect(store.listRuns()[0]).toMatchObject({
      id: held.id,
      status: 'queued',
      heldBy: { pid: other.pid, label: 'layerlab train' },
    });

    // Its process dies: the next list recovers the run, which was never started, and frees the database.
    other.kill('SIGKILL');
    await new Promise((r) => other.once('exit', r));
    const [recovered] = store.listRuns();
    expect(recovered).toMatchObject({ id: held.id, status: 'interrupted', heldBy: null });
    expect(recovered.error).toMatch(/the process that created this run ended before its training started/);
    expect(createRun(store, request).status).toBe('queued');
  });

  it('counts a lease as gone when its heartbeat is stale, even if its pid lives (a reused pid), and trusts another host only while it beats', () => {
    const store = openStore();
    const [a, b] = [createRun(store, request), createRun(store, request)];
    store.close();
    const now = Date.now();
    const stale = now - LEASE_STALE_MS - 1000;
    const raw = new Database(dbPath);
    const lease = raw.prepare('INSERT OR REPLACE INTO run_leases VALUES (?, ?, ?, ?, ?, ?)');
    lease.run(a.id, ownerHost, process.ppid, 'Layerlab app', now, stale); // this host, a live pid, silent too long
    lease.run(b.id, 'gpu-box', 4242, 'layerlab train', now, now); // another machine, beating
    raw.close();

    const again = openStore();
    expect(again.recoveredRuns).toBe(1);
    expect(again.getRun(a.id)?.status).toBe('interrupted');
    expect(again.getRun(b.id)?.status).toBe('queued');
    expect(() => again.claimRun(b.id)).toThrow(
      new RegExp(`^run ${b.id} is being trained by process 4242 on host gpu-box \\(layerlab train, started`),
    );
    setLease(b.id, { heartbeat_at: stale });
    expect(again.recoverInterruptedRuns()).toBe(1);
    expect(again.getRun(b.id)?.status).toBe('interrupted');
  });

  it('looks for abandoned runs without the write lock, so listing never waits on a writer when nothing needs recovering', () => {
    const store = openStore();
    const held = createRun(store, request); // queued and owned by this live store: nothing to recover
    const writer = new Database(dbPath);
    writer.prepare('BEGIN IMMEDIATE').run(); // another process in the middle of a write
    const reader = new Database(dbPath);
    reader.pragma('busy_timeout = 0'); // a write lock asked for would fail at once instead of waiting
    try {
      expect(recoverInterruptedRuns(reader, dbPath, Date.now())).toBe(0);
      expect(store.listRuns().map((run) => run.status)).toEqual(['queued']);
      // Once there is something to recover it does take the lock, and so waits for the writer.
      writer.prepare('ROLLBACK').run();
      setLease(held.id, { heartbeat_at: Date.now() - LEASE_STALE_MS - 1000, owner_pid: 999_999_999 });
      writer.prepare('BEGIN IMMEDIATE').run();
      expect(() => recoverInterruptedRuns(reader, dbPath, Date.now())).toThrow(/database is locked/);
    } finally {
      writer.prepare('ROLLBACK').run();
      writer.close();
      reader.close();
    }
  });

  it('renews its heartbeat while it holds a run, and expires it when its store closes without finishing the run', async () => {
    const store = openStore();
    const run = createRun(store, request);
    setLease(run.id, { heartbeat_at: 1 });
    const heartbeat = () => {
      const raw = new Database(dbPath, { readonly: true });
      const value = raw.prepare('SELECT heartbeat_at FROM run_leases WHERE run_id = ?').pluck().get(run.id) as number;
      raw.close();
      return value;
    };
    await until(() => heartbeat() > 1, 'a heartbeat');
    store.close();
    expect(heartbeat()).toBe(0);
    // Same process, other store: the closed store's run has no owner left.
    expect(openStore().getRun(run.id)).toMatchObject({ status: 'interrupted', heldBy: null });
  });

  it('resumes a run stranded in queued from the beginning', async () => {
    const store = openStore();
    const run = createRun(store, request);
    store.close(); // its creator is gone before the session started
    const again = openStore();
    expect(again.recoveredRuns).toBe(1);
    expect(again.getRun(run.id)?.status).toBe('interrupted');
    const outcome = await resumeRun({ store: again, checkpointRoot: path.join(dir, 'runs'), backend: 'cpu' }, run.id);
    expect(outcome.run).toMatchObject({ status: 'completed', epochsCompleted: 1, heldBy: null });
    expect(again.getRunSessions(run.id).map((s) => [s.fromEpoch, s.endStatus])).toEqual([[0, 'completed']]);
    expect(again.getBatchMetrics(run.id).map((m) => m.step)).toEqual([0, 1, 2, 3, 4]);
  });

  it('stops training a run another process took over, and leaves its record to that process', async () => {
    const store = openStore();
    const other = otherProcess();
    await until(() => other.pid !== undefined, 'the other process');
    const events: RunEvent[] = [];
    let tookOver = false;
    const outcome = await trainNewRun(
      {
        store,
        checkpointRoot: path.join(dir, 'runs'),
        backend: 'cpu',
        onEvent: (event) => {
          events.push(event);
          if (event.type === 'batch' && !tookOver) {
            tookOver = true;
            setLease(event.runId, { owner_pid: other.pid!, owner_label: 'layerlab resume', heartbeat_at: Date.now() });
          }
        },
      },
      { ...request, hyperparameters: { batchSize: 4, epochs: 1000, validationSplit: 0 } },
    );
    const finished = events.at(-1)!;
    expect(finished).toMatchObject({ type: 'finished', status: 'interrupted' });
    expect(finished.type === 'finished' && finished.error).toMatch(
      new RegExp(
        `^run ${outcome.run.id} was taken over by process ${other.pid} \\(layerlab resume, started .*\\); this process stopped training it$`,
      ),
    );
    expect(outcome.run).toMatchObject({ status: 'running', heldBy: { pid: other.pid } });
    expect(store.getRunSessions(outcome.run.id).at(-1)?.endStatus).toBeNull();
  });
});

describe('the training supervisor and leases', () => {
  let store: Store;
  /** A stand-in training worker that runs `body` (with `post` and the start message `start`) when it starts. */
  function standInWorker(name: string, body: string): string {
    const file = path.join(dir, `${name}.mjs`);
    fs.writeFileSync(
      file,
      `import { parentPort } from 'node:worker_threads';
const post = (message) => parentPort.postMessage(message);
parentPort.on('message', (start) => { if (start.kind === 'start') { ${body} } });
`,
    );
    return file;
  }
  function supervisor() {
    const events: RunEvent[] = [];
    const training = new TrainingSupervisor({
      store,
      dbPath,
      checkpointRoot: path.join(dir, 'runs'),
      emit: (e) => events.push(e),
      onFinished: () => {},
    });
    return { training, events };
  }

  it('never leaves queued a run whose session did not start, and refuses a start while another is starting', async () => {
    store = openStore();
    process.env.LAYERLAB_TRAINING_WORKER = standInWorker(
      'fails-early',
      `post({ kind: 'failed', message: 'no trainer for this design' }); post({ kind: 'done' }); parentPort.close();`,
    );
    const { training, events } = supervisor();
    const first = training.start({ ...request, backend: 'cpu' });
    await expect(training.start({ ...request, backend: 'cpu' })).rejects.toThrow(/another run is starting/);
    const { runId } = await first;
    await until(() => events.some((e) => e.type === 'finished'), 'the failure');
    await until(() => store.getRun(runId)?.heldBy === null, 'the lease to go');
    expect(store.getRun(runId)).toMatchObject({ status: 'failed', error: 'no trainer for this design' });
    await training.shutdown();
  });

  it('abandons: ends the worker and records every run it holds interrupted', async () => {
    store = openStore('Layerlab app');
    process.env.LAYERLAB_TRAINING_WORKER = standInWorker('trains-forever', 'setInterval(() => {}, 1000);');
    const { training } = supervisor();
    const { runId } = await training.start({ ...request, backend: 'cpu' });
    expect(store.getRun(runId)?.heldBy?.label).toBe('Layerlab app');
    await training.abandon('the app that started this engine ended');
    expect(store.getRun(runId)).toMatchObject({
      status: 'interrupted',
      error: 'the app that started this engine ended',
      heldBy: null,
    });
    await expect(training.start({ ...request, backend: 'cpu' })).rejects.toThrow(/shutting down/);
  });
});
