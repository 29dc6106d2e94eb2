// The engine's side of the training worker, with stand-in workers (plain scripts) instead of real training.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { Store } from '#engine/store/index.ts';
import { TrainingSupervisor } from '#engine/training-supervisor.ts';
import type { BackendInfo, RunEvent } from '#shared/types.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const dbPath = path.join(dir, 'layerlab.db');
const dataset = writeSyntheticIdx(path.join(dir, 'synthetic'));
const request = { spec: tinySpec, hyperparameters: { batchSize: 4, epochs: 1 }, dataset, backend: 'cpu' as const };
let store: Store;
let backend: BackendInfo;

/** A stand-in training worker: `onStart` and `onStop` are script bodies run with `post` and the start message `start`. */
function standInWorker(name: string, onStart: string, onStop: string): string {
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(
    file,
    `import { parentPort } from 'node:worker_threads';
const post = (message) => parentPort.postMessage(message);
let start;
parentPort.on('message', (message) => {
  if (message.kind === 'start') { start = message; ${onStart} }
  else if (message.kind === 'stop') { ${onStop} }
});
`,
  );
  return file;
}

function supervisor() {
  const events: RunEvent[] = [];
  const finished: number[] = [];
  const training = new TrainingSupervisor({
    store,
    dbPath,
    checkpointRoot: path.join(dir, 'runs'),
    emit: (e) => events.push(e),
    onFinished: (runId) => finished.push(runId),
  });
  return { training, events, finished };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((r) => setTimeout(r, 10));
}

beforeAll(async () => {
  backend = await initBackend('cpu');
  store = Store.open(dbPath, { log: () => {} });
});
afterAll(() => {
  delete process.env.LAYERLAB_TRAINING_WORKER;
  store.close();
});

describe('training supervisor', () => {
  it('forwards the worker’s events, tracks its progress, and stops it on request', async () => {
    process.env.LAYERLAB_TRAINING_WORKER = standInWorker(
      'obedient',
      `post({ kind: 'event', event: { type: 'started', runId: start.runId, backend: { kind: 'cpu' }, fromEpoch: 0, epochs: 1, batchesPerEpoch: 5, trainCount: 20, validationCount: 0 } });
       post({ kind: 'event', event: { type: 'batch', runId: start.runId, progress: { epoch: 0, batch: 0, step: 0, loss: 2 } } });`,
      `post({ kind: 'event', event: { type: 'finished', runId: start.runId, status: 'stopped', error: null } });
       post({ kind: 'done' });
       parentPort.close();`,
    );
    const { training, events, finished } = supervisor();
    const { runId } = await training.start(request);
    expect(store.getRun(runId)?.status).toBe('queued');
    expect(training.active()).toMatchObject({
      runId,
      stopping: false,
      latest: null,
      started: { type: 'started', runId, backend, epochs: 0 },
    });
    await until(() => events.some((e) => e.type === 'batch'));
    expect(training.active()).toMatchObject({
      started: { batchesPerEpoch: 5, trainCount: 20 },
      latest: { step: 0, loss: 2 },
    });
    expect(training.isTraining(runId)).toBe(true);

    expect(training.stop(runId + 1)).toEqual({ stopping: false });
    expect(training.stop(runId)).toEqual({ stopping: true });
    await until(() => events.some((e) => e.type === 'finished'));
    expect(events.map((e) => e.type)).toEqual(['started', 'batch', 'finished']);
    expect(finished).toEqual([runId]);
    expect(training.active()).toBeNull();
    expect(training.isTraining(runId)).toBe(false);
    await training.shutdown(); // resolves once the worker has exited
  });

  it('trains one run at a time and resumes only runs that can be resumed', async () => {
    process.env.LAYERLAB_TRAINING_WORKER = standInWorker('idle', '', 'process.exit(3);');
    const { training, events } = supervisor();
    const runsBefore = store.listRuns().length;
    const { runId } = await training.start(request);
    await expect(training.start(request)).rejects.toThrow(
      `run ${runId} is training; stop it before starting another (one run trains at a time)`,
    );
    await expect(training.resume(runId, 'cpu')).rejects.toThrow(/is training/);
    expect(store.listRuns()).toHaveLength(runsBefore + 1);
    training.stop(runId);
    await until(() => events.some((e) => e.type === 'finished'));

    await expect(training.resume(9999, 'cpu')).rejects.toThrow('run 9999 does not exist');
    const { spec, hyperparameters, dataset: ref } = store.getRun(runId)!;
    const queued = store.createRun({ name: 'never started', spec, hyperparameters, dataset: ref });
    // Queued by another live process: refused, naming it. Once no process owns it, it resumes (from the start).
    const raw = new Database(dbPath);
    raw.prepare('UPDATE run_leases SET owner_pid = ? WHERE run_id = ?').run(process.ppid, queued.id);
    await expect(training.resume(queued.id, 'cpu')).rejects.toThrow(
      new RegExp(
        `^run ${queued.id} is being trained by process ${process.ppid} \\(Layerlab, started \\d\\d:\\d\\d\\)$`,
      ),
    );
    raw.prepare('DELETE FROM run_leases WHERE run_id = ?').run(queued.id);
    raw.close();
    await expect(training.resume(queued.id, 'cpu')).resolves.toEqual({ runId: queued.id });
    training.stop(queued.id);
    await until(() => events.filter((e) => e.type === 'finished').length === 2);
    expect(store.getRun(queued.id)?.status).toBe('failed');
    await training.shutdown();
  });

  it('ends as failed, in the store too, a run whose worker dies without finishing it', async () => {
    process.env.LAYERLAB_TRAINING_WORKER = standInWorker('dying', '', 'process.exit(3);');
    const { training, events, finished } = supervisor();
    const { runId } = await training.start(request);
    store.startRunSession(runId, backend, 0); // as the real worker does through its own connection
    training.stop(runId);
    await until(() => finished.length > 0);
    const error = `training worker exited unexpectedly (exit code 3) before run ${runId} finished`;
    expect(events.at(-1)).toEqual({ type: 'finished', runId, status: 'failed', error });
    expect(store.getRun(runId)?.status).toBe('failed');
    expect(store.getRunSessions(runId).at(-1)).toMatchObject({ endStatus: 'failed', error });
    expect(training.active()).toBeNull();
    await training.shutdown();
  });
});
