import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultDatabasePath, SCHEMA_VERSION, Store, StoreError, type ModelSpec } from '#engine/store/index.ts';
import { MIGRATIONS } from '#engine/store/migrations.ts';
import type {
  BackendInfo,
  BatchMetric,
  DatasetRef,
  EpochMetric,
  EvaluationResult,
  Hyperparameters,
} from '#shared/types.ts';
import { ADDED_HYPERPARAMETERS_OFF } from '#shared/hyperparameters.ts';
import { cpuBackend } from './helpers/run-fixtures.ts';

const spec: ModelSpec = {
  name: 'small-cnn',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};
const denseSpec: ModelSpec = {
  name: 'mlp',
  inputShape: [28, 28, 1],
  layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'sigmoid' }],
};
const hyperparameters: Hyperparameters = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0,
  batchSize: 32,
  epochs: 3,
  validationSplit: 0.1,
  trainSize: null,
  seed: 1,
  ...ADDED_HYPERPARAMETERS_OFF,
};
const dataset: DatasetRef = {
  id: 'mnist',
  name: 'MNIST',
  classes: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  trainCount: 60000,
  testCount: 10000,
};
const wasm: BackendInfo = { ...cpuBackend, kind: 'wasm', tfBackend: 'wasm', reason: 'resumed elsewhere' };

function newRun(store: Store, name = 'run', extra: { tags?: string[]; notes?: string; spec?: ModelSpec } = {}) {
  return store.createRun({
    name,
    spec: extra.spec ?? spec,
    hyperparameters,
    dataset,
    tags: extra.tags,
    notes: extra.notes,
  });
}

function batches(epoch: number, count: number, firstStep = epoch * count): BatchMetric[] {
  return Array.from({ length: count }, (_, batch) => ({
    epoch,
    batch,
    step: firstStep + batch,
    loss: 1 / (firstStep + batch + 1),
    accuracy: 0.5,
    samplesPerSecond: 1000,
    time: 1_700_000_000_000 + batch,
  }));
}

function epochMetric(
  epoch: number,
  valAccuracy: number | null,
  valLoss: number | null,
  extra: Partial<EpochMetric> = {},
): EpochMetric {
  return {
    epoch,
    loss: 1 - epoch / 10,
    accuracy: 0.5 + epoch / 10,
    valLoss,
    valAccuracy,
    durationMs: 1000,
    samplesPerSecond: 100 * (epoch + 1),
    time: 1_700_000_000_000,
    learningRate: 0.001,
    note: null,
    ...extra,
  };
}

function expectStoreError(fn: () => unknown, message: string | RegExp): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  if (typeof message === 'string') expect((caught as Error).message).toBe(message);
  else expect((caught as Error).message).toMatch(message);
}

let dir: string;
let file: string;
const open: Store[] = [];
function openStore(target = file, options: Parameters<typeof Store.open>[1] = {}): Store {
  const store = Store.open(target, { log: () => {}, ...options });
  open.push(store);
  return store;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-store-'));
  file = path.join(dir, 'nested', 'layerlab.db');
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('opening and migrations', () => {
  it('creates the folder and migrates an empty database', () => {
    const store = openStore();
    expect(store.recoveredRuns).toBe(0);
    store.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(
      expect.arrayContaining([
        'runs',
        'run_tags',
        'run_sessions',
        'batch_metrics',
        'epoch_metrics',
        'checkpoints',
        'run_evaluations',
        'designs',
      ]),
    );
    const indexes = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'index'").pluck().all();
    expect(indexes).toContain('batch_metrics_run_epoch');
    raw.close();
  });

  it('keeps data and version on reopen, and turns foreign keys on', () => {
    const store = openStore();
    const run = newRun(store, 'kept');
    store.close();
    const again = openStore();
    expect(again.getRun(run.id)?.name).toBe('kept');
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    expect(again.deleteRun(run.id)).toEqual([]);
  });

  it('refuses a database from a newer Layerlab and leaves it untouched', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const raw = new Database(file);
    raw.exec('CREATE TABLE future (x)');
    raw.pragma('user_version = 7');
    raw.close();
    const before = fs.readFileSync(file);
    expectStoreError(
      () => openStore(),
      `database ${file} has schema version 7 but this Layerlab understands up to ${SCHEMA_VERSION}; update Layerlab`,
    );
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
  });

  it('refuses a file that is not a SQLite database, naming it', () => {
    const notDb = path.join(dir, 'notes.txt');
    fs.writeFileSync(notDb, 'definitely not sqlite\n'.repeat(100));
    const before = fs.readFileSync(notDb);
    expectStoreError(
      () => openStore(notDb),
      `${notDb} is not a SQLite database, so it cannot be used as the Layerlab run store`,
    );
    expect(fs.readFileSync(notDb).equals(before)).toBe(true);
  });

  it('refuses a foreign SQLite database that has no Layerlab version', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const raw = new Database(file);
    raw.exec('CREATE TABLE contacts (name TEXT)');
    raw.close();
    expectStoreError(() => openStore(), /already contains tables but no Layerlab schema version/);
  });

  it('opens read-only: reads work, writes are refused, a missing file is an error', () => {
    const run = newRun(openStore(), 'r');
    const reader = openStore(file, { readonly: true });
    expect(reader.getRun(run.id)?.name).toBe('r');
    expectStoreError(() => reader.renameRun(run.id, 'x'), `cannot rename run: database ${file} was opened read-only`);
    expectStoreError(
      () => openStore(path.join(dir, 'missing.db'), { readonly: true }),
      /cannot open database .*missing\.db/,
    );
  });

  it('numbers its migrations 1, 2, 3, … so each applies once, in order, after the ones before it', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('migrates a version 3 database forward: old runs and epochs read with no learning rate, no stop reason, schedules off', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const raw = new Database(file);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 3)) raw.exec(migration.sql);
    raw.pragma('user_version = 3');
    const { augmentRotation: _r, ...oldHyperparameters } = {
      optimizer: 'adam',
      learningRate: 0.001,
      momentum: 0,
      batchSize: 32,
      epochs: 2,
      validationSplit: 0.1,
      trainSize: null,
      seed: 1,
      augmentRotation: 0,
    };
    raw
      .prepare(
        `INSERT INTO runs (id, name, status, spec_json, architecture, hyperparameters_json, dataset_json, created_at, epochs_completed)
         VALUES (1, 'old', 'completed', ?, 'small-cnn', ?, ?, 1, 2)`,
      )
      .run(JSON.stringify(spec), JSON.stringify(oldHyperparameters), JSON.stringify(dataset));
    const insertEpoch = raw.prepare(
      `INSERT INTO epoch_metrics (run_id, epoch, loss, accuracy, val_loss, val_accuracy, duration_ms, samples_per_second, time)
       VALUES (1, ?, 0.5, 0.9, 0.4, 0.91, 1000, 100, 1)`,
    );
    insertEpoch.run(0);
    insertEpoch.run(1);
    raw
      .prepare(
        "INSERT INTO checkpoints (run_id, epoch, path, created_at) VALUES (1, 1, '/old/1', 1), (1, 2, '/old/2', 1)",
      )
      .run();
    raw.close();

    const store = openStore();
    const run = store.getRun(1)!;
    expect(run).toMatchObject({ name: 'old', stopReason: null, weightsEpoch: null, epochsCompleted: 2 });
    expect(run.hyperparameters).toMatchObject({
      earlyStopping: 'off',
      lrSchedule: 'constant',
      augmentRotation: 0,
      learningRate: 0.001,
    });
    expect(store.getEpochMetrics(1).map((e) => [e.epoch, e.learningRate, e.note, e.valLoss])).toEqual([
      [0, null, null, 0.4],
      [1, null, null, 0.4],
    ]);
    expect(store.checkpointFor(1, 'default')).toEqual({ epoch: 2, path: '/old/2' });
    store.close();
    const check = new Database(file, { readonly: true });
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    check.close();
  });

  it('allows :memory:', () => {
    const store = openStore(':memory:');
    expect(newRun(store).id).toBe(1);
  });
});

describe('interrupted-run recovery', () => {
  it('leaves running runs alone when opened with recoverInterrupted: false (a training thread of a live process)', () => {
    const store = openStore();
    const run = newRun(store);
    store.startRunSession(run.id, cpuBackend, 0);
    store.close(); // to this thread the session now looks ownerless, as another thread's live session would
    const worker = openStore(file, { recoverInterrupted: false });
    expect(worker.recoveredRuns).toBe(0);
    expect(worker.getRun(run.id)!.status).toBe('running');
    worker.close();
    expect(openStore().getRun(run.id)!.status).toBe('interrupted');
  });

  it('marks a run left running by a closed store as interrupted on reopen', () => {
    const store = openStore();
    const run = newRun(store);
    store.startRunSession(run.id, cpuBackend, 0);
    store.close();
    const logs: string[] = [];
    const again = openStore(file, { log: (m) => logs.push(m) });
    expect(again.recoveredRuns).toBe(1);
    expect(logs[0]).toMatch(/marked 1 run\(s\).*interrupted/);
    const recovered = again.getRun(run.id)!;
    expect(recovered.status).toBe('interrupted');
    expect(recovered.finishedAt).not.toBeNull();
    expect(again.getRunSessions(run.id)[0]).toMatchObject({ endStatus: 'interrupted' });
    expect(again.getRunSessions(run.id)[0].endedAt).not.toBeNull();
  });

  it('leaves runs alone whose owner is still alive (another open store, another live process)', () => {
    const trainer = openStore();
    const mine = newRun(trainer, 'live here');
    trainer.startRunSession(mine.id, cpuBackend, 0);
    const other = newRun(trainer, 'live elsewhere');
    trainer.startRunSession(other.id, cpuBackend, 0);
    const dead = newRun(trainer, 'dead elsewhere');
    trainer.startRunSession(dead.id, cpuBackend, 0);

    const exited = spawnSync(process.execPath, ['-e', '']).pid!;
    const raw = new Database(file);
    for (const table of ['run_sessions', 'run_leases']) {
      raw.prepare(`UPDATE ${table} SET owner_pid = ? WHERE run_id = ?`).run(process.ppid, other.id);
      raw.prepare(`UPDATE ${table} SET owner_pid = ? WHERE run_id = ?`).run(exited, dead.id);
    }
    raw.close();

    const cli = openStore();
    expect(cli.recoveredRuns).toBe(1);
    expect(cli.getRun(mine.id)?.status).toBe('running');
    expect(cli.getRun(other.id)?.status).toBe('running');
    expect(cli.getRun(dead.id)?.status).toBe('interrupted');
    expect(trainer.finishRunSession(mine.id, 'completed').status).toBe('completed');
  });
});

describe('run lifecycle', () => {
  it('resumes a stopped run on another backend and keeps both sessions', () => {
    const store = openStore();
    const run = newRun(store);
    expect(run.status).toBe('queued');
    expect(run.backend).toBeNull();
    const first = store.startRunSession(run.id, cpuBackend, 0);
    const started = store.getRun(run.id)!;
    expect(started.status).toBe('running');
    expect(started.startedAt).toBe(first.startedAt);
    const stopped = store.finishRunSession(run.id, 'stopped');
    expect(stopped.status).toBe('stopped');
    expect(stopped.finishedAt).not.toBeNull();

    store.startRunSession(run.id, wasm, 2);
    const resumed = store.getRun(run.id)!;
    expect(resumed).toMatchObject({ status: 'running', startedAt: started.startedAt, finishedAt: null, backend: wasm });
    const failed = store.finishRunSession(run.id, 'failed', 'out of memory');
    expect(failed).toMatchObject({ status: 'failed', error: 'out of memory' });
    store.startRunSession(run.id, cpuBackend, 2);
    expect(store.getRun(run.id)?.error).toBeNull();
    store.finishRunSession(run.id, 'completed');

    const sessions = store.getRunSessions(run.id);
    expect(sessions.map((s) => [s.backend.kind, s.fromEpoch, s.endStatus, s.error])).toEqual([
      ['cpu', 0, 'stopped', null],
      ['wasm', 2, 'failed', 'out of memory'],
      ['cpu', 2, 'completed', null],
    ]);
    expectStoreError(
      () => store.startRunSession(run.id, cpuBackend, 3),
      `run ${run.id} cannot change status from 'completed' to 'running' (allowed from 'completed': none, a completed run is final)`,
    );
  });

  it('rejects other invalid transitions', () => {
    const store = openStore();
    const run = newRun(store);
    expectStoreError(
      () => store.finishRunSession(run.id, 'completed'),
      /cannot change status from 'queued' to 'completed'/,
    );
    expect(store.finishRunSession(run.id, 'failed', 'dataset missing').status).toBe('failed');
    const other = newRun(store);
    store.startRunSession(other.id, cpuBackend, 0);
    expectStoreError(() => store.startRunSession(other.id, cpuBackend, 0), /from 'running' to 'running'/);
    expectStoreError(() => store.deleteRun(other.id), `run ${other.id} is running; stop it before deleting it`);
  });
});

describe('metrics', () => {
  it('appends 10,000 batch rows in one transaction, quickly', () => {
    const store = openStore();
    const run = newRun(store);
    const rows = batches(0, 10_000);
    const transaction = vi.spyOn(Database.prototype, 'transaction');
    const started = performance.now();
    store.appendBatchMetrics(run.id, rows);
    const elapsed = performance.now() - started;
    expect(transaction).toHaveBeenCalledTimes(1);
    transaction.mockRestore();
    expect(elapsed).toBeLessThan(1000);
    expect(store.getBatchMetrics(run.id)).toHaveLength(10_000);
  });

  it('writes none of the rows when one in the middle fails', () => {
    const store = openStore();
    const run = newRun(store);
    const duplicate = batches(0, 10_000);
    duplicate[5000] = { ...duplicate[5000], step: 3 };
    expectStoreError(
      () => store.appendBatchMetrics(run.id, duplicate),
      `batch metrics[5000]: step 3 of run ${run.id} is already recorded`,
    );
    const invalid = batches(0, 10_000) as unknown as Array<Record<string, unknown>>;
    invalid[5000] = { ...invalid[5000], loss: 'high' };
    expectStoreError(
      () => store.appendBatchMetrics(run.id, invalid as unknown as BatchMetric[]),
      'batch metrics[5000].loss must be a number (got "high")',
    );
    expect(store.getBatchMetrics(run.id)).toEqual([]);
  });

  it('reuses the prepared insert statement across appends', () => {
    const store = openStore();
    const run = newRun(store);
    store.appendBatchMetrics(run.id, batches(0, 10));
    const prepare = vi.spyOn(Database.prototype, 'prepare');
    store.appendBatchMetrics(run.id, batches(1, 10));
    expect(prepare.mock.calls.filter(([sql]) => String(sql).includes('INSERT INTO batch_metrics'))).toHaveLength(0);
    prepare.mockRestore();
  });

  it('reads batch metrics incrementally and downsampled, NaN round-trips', () => {
    const store = openStore();
    const run = newRun(store);
    const rows = batches(0, 25);
    rows[24] = { ...rows[24], loss: Number.NaN };
    store.appendBatchMetrics(run.id, rows);
    expect(store.getBatchMetrics(run.id, { afterStep: 20 }).map((m) => m.step)).toEqual([21, 22, 23, 24]);
    expect(store.getBatchMetrics(run.id, { every: 10 }).map((m) => m.step)).toEqual([0, 10, 20, 24]);
    expect(store.getBatchMetrics(run.id, { afterStep: 5, every: 10 }).map((m) => m.step)).toEqual([10, 20, 24]);
    expect(store.getBatchMetrics(run.id, { afterStep: 23 })[0].loss).toBeNaN();
    expectStoreError(() => store.getBatchMetrics(run.id, { every: 0 }), 'every must be a positive integer (got 0)');
  });

  it('computes best and final metrics as epochs are appended', () => {
    const store = openStore();
    const run = newRun(store);
    store.appendEpochMetric(run.id, epochMetric(0, 0.5, 1.0));
    store.appendEpochMetric(run.id, epochMetric(1, 0.8, 0.4));
    store.appendEpochMetric(run.id, epochMetric(2, 0.8, 0.5));
    const last = store.appendEpochMetric(run.id, epochMetric(3, 0.7, 0.45));
    expect(last).toMatchObject({
      epochsCompleted: 4,
      bestValAccuracy: 0.8,
      bestValAccuracyEpoch: 1,
      bestValLoss: 0.4,
      bestValLossEpoch: 1,
      finalTrainLoss: 0.7,
      finalTrainAccuracy: 0.8,
      finalValLoss: 0.45,
      finalValAccuracy: 0.7,
      trainingDurationMs: 4000,
      samplesPerSecond: 250,
    });
    expectStoreError(
      () => store.appendEpochMetric(run.id, epochMetric(3, 0.7, 0.45)),
      `epoch 3 of run ${run.id} is already recorded`,
    );
    expect(store.setFinalTrainingStats(run.id, { durationMs: 4321.4, samplesPerSecond: 240 })).toMatchObject({
      trainingDurationMs: 4321,
      samplesPerSecond: 240,
    });
    expect(store.getEpochMetrics(run.id).map((m) => m.epoch)).toEqual([0, 1, 2, 3]);
  });

  it('handles runs without validation and NaN losses', () => {
    const store = openStore();
    const run = newRun(store);
    const record = store.appendEpochMetric(run.id, epochMetric(0, null, null, { loss: Number.NaN }));
    expect(record).toMatchObject({
      bestValAccuracy: null,
      bestValAccuracyEpoch: null,
      finalTrainLoss: null,
      epochsCompleted: 1,
    });
    expect(store.getEpochMetrics(run.id)[0].loss).toBeNaN();
    expect(store.getEpochMetrics(run.id)[0].valLoss).toBeNull();
  });

  it('truncates the lost partial epoch before a resume and recomputes the summary', () => {
    const store = openStore();
    const run = newRun(store);
    for (let epoch = 0; epoch < 3; epoch++) {
      store.appendBatchMetrics(run.id, batches(epoch, 10));
      store.appendEpochMetric(run.id, epochMetric(epoch, [0.6, 0.7, 0.9][epoch], [0.9, 0.8, 0.3][epoch]));
    }
    store.appendBatchMetrics(run.id, batches(3, 4, 30)); // partial epoch 3
    expect(store.truncateMetricsAfter(run.id, 2)).toEqual({ batchRows: 14, epochRows: 1 });
    expect(store.getBatchMetrics(run.id).map((m) => m.epoch)).toEqual([...Array(10).fill(0), ...Array(10).fill(1)]);
    expect(store.getRun(run.id)).toMatchObject({
      epochsCompleted: 2,
      bestValAccuracy: 0.7,
      bestValAccuracyEpoch: 1,
      bestValLoss: 0.8,
      finalValAccuracy: 0.7,
    });
    store.appendBatchMetrics(run.id, batches(2, 10)); // the resumed epoch 2 can be recorded again
  });
});

describe('checkpoints, evaluation, tags, notes, deletion', () => {
  const evaluation: EvaluationResult = {
    testLoss: 0.1,
    testAccuracy: 0.97,
    confusion: [
      [5, 1],
      [0, 6],
    ],
    perClassAccuracy: [0.83, 1],
    mistakes: [{ testIndex: 4, trueLabel: 0, predicted: 1, confidence: 0.9 }],
    count: 12,
    durationMs: 50,
  };

  it('records checkpoints and evaluations', () => {
    const store = openStore();
    const run = newRun(store);
    expect(store.checkpointFor(run.id, 'default')).toBeUndefined();
    store.recordCheckpoint(run.id, { epoch: 1, path: '/ckpt/1' });
    store.recordCheckpoint(run.id, { epoch: 2, path: '/ckpt/2' });
    store.recordCheckpoint(run.id, { epoch: 2, path: '/ckpt/2b' });
    expect(store.checkpointFor(run.id, 'default')).toEqual({ epoch: 2, path: '/ckpt/2b' });
    expect(store.saveEvaluation(run.id, evaluation)).toMatchObject({ testLoss: 0.1, testAccuracy: 0.97 });
    expect(store.getEvaluation(run.id)).toMatchObject(evaluation);
  });

  it("keeps each epoch's learning rate and schedule note, and a run's stop reason and weights epoch", () => {
    const store = openStore();
    const run = newRun(store);
    store.startRunSession(run.id, cpuBackend, 0);
    const note =
      'reduce on plateau: val loss did not improve by 0.0001 for 2 epochs; learning rate 0.001 → 0.0005 from epoch 3';
    store.appendEpochMetric(run.id, epochMetric(0, 0.8, 0.5, { learningRate: 0.001 }));
    store.appendEpochMetric(run.id, epochMetric(1, 0.7, 0.6, { learningRate: 0.001, note }));
    store.appendEpochMetric(run.id, epochMetric(2, 0.6, 0.7, { learningRate: 0.0005 }));
    expect(store.getEpochMetrics(run.id).map((e) => [e.learningRate, e.note])).toEqual([
      [0.001, null],
      [0.001, note],
      [0.0005, null],
    ]);
    for (const epoch of [1, 2, 3]) store.recordCheckpoint(run.id, { epoch, path: `/ckpt/${epoch}` });
    expect(store.checkpointFor(run.id, 'default')?.epoch).toBe(3);
    const reason = 'early stopping: val loss did not improve for 2 epochs (best 0.5000 at epoch 1)';
    expect(store.setRunOutcome(run.id, { weightsEpoch: 1, stopReason: reason })).toMatchObject({
      stopReason: reason,
      weightsEpoch: 1,
    });
    // The run's weights (Evaluate, Draw, export) are the restored epoch's, not the newest checkpoint's.
    expect(store.checkpointFor(run.id, 'default')).toEqual({ epoch: 1, path: '/ckpt/1' });
    expect(store.listCheckpoints(run.id).map((c) => c.epoch)).toEqual([3, 2, 1]);
    expectStoreError(
      () => store.setRunOutcome(run.id, { weightsEpoch: 7, stopReason: null }),
      `run ${run.id} has no epoch 7 checkpoint to keep as its weights`,
    );
    expectStoreError(
      () => store.appendEpochMetric(run.id, epochMetric(3, 0.5, 0.5, { learningRate: -1 })),
      /epoch metric.learningRate must be a finite number >= 0/,
    );
    // A session that starts again clears them (a resumed run ends anew).
    store.finishRunSession(run.id, 'stopped');
    store.startRunSession(run.id, cpuBackend, 3);
    expect(store.getRun(run.id)).toMatchObject({ stopReason: null, weightsEpoch: null });
    expect(store.checkpointFor(run.id, 'default')?.epoch).toBe(3);
  });

  it('edits tags, notes and names, and deletes with cascade', () => {
    const store = openStore();
    const run = newRun(store, '  first  ', { tags: [' b ', 'a', 'B'], notes: 'hello' });
    expect(run).toMatchObject({ name: 'first', tags: ['a', 'b'], notes: 'hello' });
    expect(store.setTags(run.id, ['baseline', 'Adam']).tags).toEqual(['Adam', 'baseline']);
    expect(store.setNotes(run.id, 'changed').notes).toBe('changed');
    expect(store.renameRun(run.id, 'second').name).toBe('second');

    store.startRunSession(run.id, cpuBackend, 0);
    store.appendBatchMetrics(run.id, batches(0, 5));
    store.appendEpochMetric(run.id, epochMetric(0, 0.5, 0.5));
    store.recordCheckpoint(run.id, { epoch: 1, path: '/ckpt/a' });
    store.recordCheckpoint(run.id, { epoch: 2, path: '/ckpt/b' });
    store.finishRunSession(run.id, 'completed');
    store.saveEvaluation(run.id, evaluation);
    expect(store.deleteRun(run.id)).toEqual(['/ckpt/a', '/ckpt/b']);
    expect(store.getRun(run.id)).toBeUndefined();
    expectStoreError(() => store.deleteRun(run.id), `run ${run.id} does not exist`);

    const raw = new Database(file, { readonly: true });
    for (const table of [
      'run_tags',
      'run_sessions',
      'batch_metrics',
      'epoch_metrics',
      'checkpoints',
      'run_evaluations',
    ]) {
      expect(raw.prepare(`SELECT count(*) FROM ${table}`).pluck().get(), table).toBe(0);
    }
    raw.close();
  });
});

describe('listRuns', () => {
  it('filters by status, tag and search, and sorts', () => {
    const store = openStore();
    const a = newRun(store, 'Alpha', { tags: ['baseline'], notes: 'first try' });
    const b = newRun(store, 'beta', { tags: ['wide'], spec: denseSpec });
    const c = newRun(store, 'Gamma 100%', { notes: 'uses sgd' });
    store.startRunSession(a.id, cpuBackend, 0);
    store.appendEpochMetric(a.id, epochMetric(0, 0.9, 0.2));
    store.finishRunSession(a.id, 'completed');
    store.startRunSession(b.id, cpuBackend, 0);
    store.appendEpochMetric(b.id, epochMetric(0, 0.95, 0.1));
    store.saveEvaluation(c.id, {
      testLoss: 1,
      testAccuracy: 0.5,
      confusion: [],
      perClassAccuracy: [],
      mistakes: [],
      count: 0,
      durationMs: 0,
    });

    const ids = (runs: Array<{ id: number }>) => runs.map((r) => r.id);
    expect(ids(store.listRuns())).toEqual([c.id, b.id, a.id]);
    expect(ids(store.listRuns({ sort: 'created', order: 'asc' }))).toEqual([a.id, b.id, c.id]);
    expect(ids(store.listRuns({ sort: 'name' }))).toEqual([a.id, b.id, c.id]);
    expect(ids(store.listRuns({ sort: 'bestValAccuracy' }))).toEqual([b.id, a.id, c.id]);
    expect(ids(store.listRuns({ sort: 'bestValAccuracy', order: 'asc' }))).toEqual([a.id, b.id, c.id]);
    expect(ids(store.listRuns({ sort: 'testAccuracy' }))).toEqual([c.id, b.id, a.id]);
    expect(ids(store.listRuns({ status: ['completed', 'queued'] }))).toEqual([c.id, a.id]);
    expect(ids(store.listRuns({ status: [] }))).toHaveLength(3);
    expect(ids(store.listRuns({ tag: 'BASELINE' }))).toEqual([a.id]);
    expect(ids(store.listRuns({ search: 'alpha' }))).toEqual([a.id]);
    expect(ids(store.listRuns({ search: 'first' }))).toEqual([a.id]); // notes
    expect(ids(store.listRuns({ search: 'wid' }))).toEqual([b.id]); // tag
    expect(ids(store.listRuns({ search: 'conv2d' }))).toEqual([c.id, a.id]); // architecture
    expect(ids(store.listRuns({ search: 'sigmoid' }))).toEqual([b.id]);
    expect(ids(store.listRuns({ search: 'conv2d sgd' }))).toEqual([c.id]); // every word must match
    expect(ids(store.listRuns({ search: '100%' }))).toEqual([c.id]); // LIKE wildcards are literal
    expect(ids(store.listRuns({ search: '%' }))).toEqual([c.id]);
    expectStoreError(
      () => store.listRuns({ status: ['done' as never] }),
      /filter.status\[0\] must be one of queued, running/,
    );
    expectStoreError(() => store.listRuns({ sort: 'size' as never }), /filter.sort must be one of created, name/);
  });
});

describe('designs', () => {
  it('upserts by name', () => {
    const store = openStore();
    const first = store.saveDesign('My net', spec);
    const updated = store.saveDesign(' My net ', denseSpec);
    expect(updated.id).toBe(first.id);
    expect(updated.createdAt).toBe(first.createdAt);
    expect(updated.updatedAt).toBeGreaterThanOrEqual(first.updatedAt);
    expect(updated.spec).toEqual(denseSpec);
    store.saveDesign('another', spec);
    expect(store.listDesigns().map((d) => d.name)).toEqual(['another', 'My net']);
    expect(store.getDesign('My net')?.spec.name).toBe('mlp');
    expect(store.deleteDesign('My net')).toBe(true);
    expect(store.deleteDesign('My net')).toBe(false);
    expect(store.getDesign('My net')).toBeUndefined();
  });
});

describe('validation', () => {
  it('names the field and the reason', () => {
    const store = openStore();
    const run = newRun(store);
    expectStoreError(() => store.getRun(0), 'run id must be a positive integer (got 0)');
    expectStoreError(() => store.getRun(1.5), 'run id must be a positive integer (got 1.5)');
    expectStoreError(() => store.renameRun(42, 'x'), 'run 42 does not exist');
    expectStoreError(() => store.renameRun(run.id, '   '), 'run name must not be empty');
    expectStoreError(
      () => store.renameRun(run.id, 'x'.repeat(201)),
      'run name must be at most 200 characters (got 201)',
    );
    expectStoreError(() => store.setTags(run.id, ['ok', '']), 'tags[1] must not be empty');
    expectStoreError(
      () => store.setTags(run.id, ['t'.repeat(41)]),
      /^tags\[0\] must be at most 40 characters \(got 41/,
    );
    expectStoreError(
      () =>
        store.setTags(
          run.id,
          Array.from({ length: 51 }, (_, i) => `t${i}`),
        ),
      'tags must hold at most 50 tags (got 51)',
    );
    expectStoreError(
      () => store.setNotes(run.id, 'n'.repeat(20_001)),
      'notes must be at most 20000 characters (got 20001)',
    );
    expectStoreError(
      () => store.createRun({ name: 'x', spec: { ...spec, inputShape: [28, 28] as never }, hyperparameters, dataset }),
      'spec.inputShape must be three positive integers [height, width, channels]',
    );
    expectStoreError(
      () => store.createRun({ name: 'x', spec, hyperparameters: { ...hyperparameters, batchSize: 0 }, dataset }),
      'hyperparameters.batchSize must be a positive integer (got 0)',
    );
    expectStoreError(
      () => store.startRunSession(run.id, { ...cpuBackend, kind: 'tpu' as never }, 0),
      'backend.kind must be one of gpu, native, wasm, cpu (got "tpu")',
    );
    expectStoreError(
      () => store.startRunSession(run.id, cpuBackend, -1),
      'fromEpoch must be a non-negative integer (got -1)',
    );
    expectStoreError(
      () => store.finishRunSession(run.id, 'done' as never),
      /^finish status must be one of completed, stopped, failed, interrupted/,
    );
    expectStoreError(() => store.recordCheckpoint(run.id, { epoch: 1, path: '' }), 'checkpoint.path must not be empty');
    expectStoreError(() => store.saveDesign('', spec), 'design name must not be empty');
    store.close();
    expectStoreError(() => store.getRun(run.id), `cannot get run: the store for ${file} is closed`);
  });
});

describe('defaultDatabasePath', () => {
  it('follows LAYERLAB_DB and each platform convention', () => {
    expect(defaultDatabasePath({ LAYERLAB_DB: '/x/y.db' }, 'linux', '/home/u')).toBe('/x/y.db');
    expect(defaultDatabasePath({}, 'linux', '/home/u')).toBe('/home/u/.local/share/layerlab/layerlab.db');
    expect(defaultDatabasePath({ XDG_DATA_HOME: '/data' }, 'linux', '/home/u')).toBe('/data/layerlab/layerlab.db');
    expect(defaultDatabasePath({}, 'darwin', '/Users/u')).toBe(
      '/Users/u/Library/Application Support/Layerlab/layerlab.db',
    );
    expect(defaultDatabasePath({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\Layerlab\\layerlab.db',
    );
    expect(defaultDatabasePath()).toMatch(/layerlab\.db$/);
  });
});
