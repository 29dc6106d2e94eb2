// Which weights (issue 12 item 4): a run's best epoch by each monitor, its last and best checkpoints, both test
// evaluations stored and read, the migration of a database whose runs had one evaluation, and the requests that
// predict, inspect and export with weights 'last' or 'best'.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { predictStrokes } from '#engine/evaluate/draw-predictions.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { predictPixels } from '#engine/evaluate/predict.ts';
import { preprocessStrokes } from '#engine/evaluate/stroke-raster.ts';
import { inspectModel } from '#engine/inspect/inspect-model.ts';
import { buildModel } from '#engine/model/build.ts';
import { exportRun, runCheckpoint } from '#engine/model/run-model.ts';
import { Store } from '#engine/store/index.ts';
import { MIGRATIONS } from '#engine/store/migrations.ts';
import { parseRequest } from '#shared/contract.ts';
import type { Stroke } from '#shared/drawing.ts';
import type { RunRecord } from '#shared/records.ts';
import type { EpochMetric, EvaluationResult } from '#shared/types.ts';
import { bestEpochOf, defaultWeightsOf, describeWeights, weightsEpochOf } from '#shared/weights.ts';
import {
  cpuBackend,
  datasetRefFor,
  saveTinyCheckpoint,
  tinyHyperparameters,
  tinySpec,
} from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const checkpointRoot = path.join(dir, 'runs');
const dataset = datasetRefFor(path.join(dir, 'data'));

function metric(epoch: number, valLoss: number | null, valAccuracy: number | null): EpochMetric {
  return {
    epoch,
    loss: 1,
    accuracy: 0.5,
    valLoss,
    valAccuracy,
    durationMs: 1000,
    samplesPerSecond: 100,
    time: 1_700_000_000_000,
    learningRate: 0.001,
    note: null,
  };
}

function evaluation(testAccuracy: number): EvaluationResult {
  return {
    testLoss: 1 - testAccuracy,
    testAccuracy,
    confusion: [
      [5, 1],
      [1, 5],
    ],
    perClassAccuracy: [0.8, 0.8],
    mistakes: [],
    count: 12,
    durationMs: 5,
  };
}

/** Val loss is lowest after epoch 2, val accuracy highest after epoch 3 (of 4). */
const HISTORY: [number, number][] = [
  [0.5, 0.8],
  [0.3, 0.85],
  [0.35, 0.9],
  [0.4, 0.88],
];

function runFields(overrides: Partial<RunRecord> = {}) {
  return {
    hyperparameters: { ...tinyHyperparameters, validationSplit: 0.1 },
    epochsCompleted: 4,
    weightsEpoch: null,
    bestValLossEpoch: 1,
    bestValAccuracyEpoch: 2,
    ...overrides,
  } as Pick<
    RunRecord,
    'hyperparameters' | 'epochsCompleted' | 'weightsEpoch' | 'bestValLossEpoch' | 'bestValAccuracyEpoch'
  >;
}

describe('the best epoch', () => {
  it('is the lowest val loss, or the highest val accuracy when early stopping monitors it', () => {
    expect(bestEpochOf(runFields())).toEqual({ epoch: 2, monitor: 'val_loss', restored: false });
    const byAccuracy = runFields({
      hyperparameters: { ...tinyHyperparameters, validationSplit: 0.1, earlyStopping: 'val_accuracy' },
    });
    expect(bestEpochOf(byAccuracy)).toEqual({ epoch: 3, monitor: 'val_accuracy', restored: false });
    const byLoss = runFields({
      hyperparameters: { ...tinyHyperparameters, validationSplit: 0.1, earlyStopping: 'val_loss' },
    });
    expect(bestEpochOf(byLoss)?.epoch).toBe(2);
    expect(defaultWeightsOf(byLoss)).toBe('last');
    expect(describeWeights(runFields(), 'best')).toBe('after epoch 2 (best val loss)');
    expect(describeWeights(runFields(), 'last')).toBe('after epoch 4 (last)');
  });

  it("is early stopping's restored epoch when it restored one, and then the default weights", () => {
    const restored = runFields({
      hyperparameters: { ...tinyHyperparameters, validationSplit: 0.1, earlyStopping: 'val_loss' },
      weightsEpoch: 3,
    });
    expect(bestEpochOf(restored)).toEqual({ epoch: 3, monitor: 'val_loss', restored: true });
    expect(defaultWeightsOf(restored)).toBe('best');
    // weightsEpoch equal to the last is no restore.
    expect(defaultWeightsOf(runFields({ weightsEpoch: 4 }))).toBe('last');
  });

  it('does not exist without a validation split: only the last weights do', () => {
    const none = runFields({
      hyperparameters: tinyHyperparameters,
      bestValLossEpoch: null,
      bestValAccuracyEpoch: null,
    });
    expect(bestEpochOf(none)).toBeNull();
    expect(weightsEpochOf(none, 'best')).toBeNull();
    expect(weightsEpochOf(none, 'last')).toBe(4);
    expect(describeWeights(none, 'best')).toBe(
      'no best epoch (it trained without a validation split, so only its last weights exist)',
    );
    expect(describeWeights(runFields({ bestValLossEpoch: 3 }), 'last')).toBe('after epoch 4 (last and best val loss)');
  });
});

let store: Store;
beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
});
afterAll(() => store.close());

/** A run with HISTORY's four epochs and a checkpoint after each (weights seeded by the epoch). */
async function fourEpochRun(hyperparameters = { ...tinyHyperparameters, validationSplit: 0.1, epochs: 4 }) {
  const run = store.createRun({ name: 'four', spec: tinySpec, hyperparameters, dataset });
  store.startRunSession(run.id, cpuBackend, 0);
  for (const [i, [valLoss, valAccuracy]] of HISTORY.entries()) {
    store.appendEpochMetric(run.id, metric(i, valLoss, valAccuracy));
    await saveTinyCheckpoint(store, checkpointRoot, run.id, i + 1, 1000 + i + 1);
  }
  return run.id;
}

describe('the store', () => {
  it('gives the last, best, default and an epoch’s checkpoint, and keeps every checkpoint', async () => {
    const runId = await fourEpochRun();
    expect(store.checkpointFor(runId, 'last')?.epoch).toBe(4);
    expect(store.checkpointFor(runId, 'best')?.epoch).toBe(2);
    expect(store.checkpointFor(runId, 'default')?.epoch).toBe(4);
    expect(store.checkpointFor(runId, 3)?.epoch).toBe(3);
    expect(store.listCheckpoints(runId).map((c) => c.epoch)).toEqual([4, 3, 2, 1]);
    store.setRunOutcome(runId, { weightsEpoch: 3, stopReason: 'early stopping' });
    expect(store.defaultWeights(runId)).toBe('best');
    expect(store.checkpointFor(runId, 'default')?.epoch).toBe(3);
    expect(store.checkpointFor(runId, 'best')?.epoch).toBe(3);
    // Resume still starts from the newest.
    expect(store.checkpointFor(runId, 'last')?.epoch).toBe(4);
  });

  it('stores and reads the evaluations of both weights; the run’s test accuracy is its default weights’', async () => {
    const runId = await fourEpochRun();
    store.saveEvaluation(runId, evaluation(0.9), 4);
    store.saveEvaluation(runId, evaluation(0.95), 2);
    expect(store.getEvaluation(runId, 'last')).toMatchObject({ epoch: 4, testAccuracy: 0.9 });
    expect(store.getEvaluation(runId, 'best')).toMatchObject({ epoch: 2, testAccuracy: 0.95 });
    expect(store.getEvaluations(runId).map((e) => e.epoch)).toEqual([2, 4]);
    let run = store.getRun(runId)!;
    expect(run.testAccuracy).toBe(0.9);
    expect(run.testEvaluations).toEqual([
      { epoch: 2, testLoss: expect.closeTo(0.05), testAccuracy: 0.95 },
      { epoch: 4, testLoss: expect.closeTo(0.1), testAccuracy: 0.9 },
    ]);
    // Early stopping restoring epoch 2 makes it the default: the run's test accuracy follows.
    run = store.setRunOutcome(runId, { weightsEpoch: 2, stopReason: null });
    expect(run.testAccuracy).toBe(0.95);
    expect(store.getEvaluation(runId)?.epoch).toBe(2);
    expect(store.listRuns({}).find((r) => r.id === runId)?.testEvaluations).toHaveLength(2);
  });

  it('forgets the evaluations and checkpoints after a resume point, and the best follows the metrics left', async () => {
    const runId = await fourEpochRun();
    store.saveEvaluation(runId, evaluation(0.9), 4);
    store.saveEvaluation(runId, evaluation(0.95), 2);
    store.finishRunSession(runId, 'stopped');
    store.truncateMetricsAfter(runId, 1);
    expect(store.listCheckpoints(runId).map((c) => c.epoch)).toEqual([1]);
    expect(store.getEvaluations(runId)).toEqual([]);
    expect(store.checkpointFor(runId, 'best')?.epoch).toBe(1);
  });

  it('has no best checkpoint for a run without validation, and says why when one is asked for', async () => {
    const run = store.createRun({ name: 'no val', spec: tinySpec, hyperparameters: tinyHyperparameters, dataset });
    store.appendEpochMetric(run.id, metric(0, null, null));
    await saveTinyCheckpoint(store, checkpointRoot, run.id, 1);
    expect(store.checkpointFor(run.id, 'best')).toBeUndefined();
    expect(store.checkpointFor(run.id, 'last')?.epoch).toBe(1);
    expect(() => runCheckpoint(store, run.id, 'best')).toThrow(
      `run ${run.id} has no best epoch: it trained without a validation split, so only its last weights exist (best weights)`,
    );
  });
});

describe('migration 6', () => {
  it("keeps an old run's one evaluation as its last (or its restored best's), and moves the table", () => {
    const file = path.join(dir, 'v5.db');
    const raw = new Database(file);
    for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) raw.exec(migration.sql);
    raw.pragma('user_version = 5');
    const insertRun = raw.prepare(
      `INSERT INTO runs (id, name, status, spec_json, architecture, hyperparameters_json, dataset_json, created_at,
         epochs_completed, weights_epoch, test_accuracy, test_loss)
       VALUES (?, 'old', 'completed', ?, 'tiny', ?, ?, 1, 3, ?, ?, 0.2)`,
    );
    const h = JSON.stringify({ ...tinyHyperparameters, validationSplit: 0.1, earlyStopping: 'val_loss' });
    insertRun.run(1, JSON.stringify(tinySpec), h, JSON.stringify(dataset), null, 0.91);
    insertRun.run(2, JSON.stringify(tinySpec), h, JSON.stringify(dataset), 2, 0.93);
    const insertEpoch = raw.prepare(
      `INSERT INTO epoch_metrics (run_id, epoch, loss, accuracy, val_loss, val_accuracy, duration_ms, samples_per_second, time)
       VALUES (?, ?, 0.5, 0.9, ?, 0.9, 1000, 100, 1)`,
    );
    for (const runId of [1, 2]) {
      [0.5, 0.3, 0.4].forEach((valLoss, epoch) => insertEpoch.run(runId, epoch, valLoss));
      raw.prepare('UPDATE runs SET best_val_loss_epoch = 1, best_val_accuracy_epoch = 0 WHERE id = ?').run(runId);
      for (const epoch of [1, 2, 3])
        raw
          .prepare('INSERT INTO checkpoints (run_id, epoch, path, created_at) VALUES (?, ?, ?, 1)')
          .run(runId, epoch, `/old/${runId}/${epoch}`);
    }
    const insertEvaluation = raw.prepare(
      `INSERT INTO evaluations (run_id, test_loss, test_accuracy, confusion_json, per_class_json, mistakes_json, count, duration_ms, created_at)
       VALUES (?, 0.2, ?, '[[1]]', '[1]', '[]', 12, 5, 1)`,
    );
    insertEvaluation.run(1, 0.91);
    insertEvaluation.run(2, 0.93);
    raw.close();

    const migrated = Store.open(file, { log: () => {} });
    expect(migrated.getEvaluation(1, 'last')).toMatchObject({ epoch: 3, testAccuracy: 0.91, confusion: [[1]] });
    expect(migrated.getEvaluation(1, 'best')).toBeUndefined();
    expect(migrated.getRun(1)).toMatchObject({
      testAccuracy: 0.91,
      testEvaluations: [{ epoch: 3, testAccuracy: 0.91 }],
    });
    // Early stopping had restored epoch 2: its one evaluation was of those weights, its best.
    expect(migrated.getEvaluation(2, 'best')).toMatchObject({ epoch: 2, testAccuracy: 0.93 });
    expect(migrated.getEvaluation(2, 'last')).toBeUndefined();
    expect(migrated.getRun(2)?.testAccuracy).toBe(0.93);
    migrated.close();
    const check = new Database(file, { readonly: true });
    const tables = check.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toContain('run_evaluations');
    expect(tables).not.toContain('evaluations');
    check.close();
  });
});

describe('requests with weights', () => {
  const ONE: Stroke[] = [Array.from({ length: 12 }, (_, i) => ({ x: 70, y: 20 + i * 8, width: 10 }))];

  it("predict with the best or last epoch's weights, and say which epoch", async () => {
    const runId = await fourEpochRun();
    const models = new RunModelCache(store);
    const best = await predictStrokes(store, models, [runId], ONE, 'best');
    const last = await predictStrokes(store, models, [runId], ONE, 'last');
    const byDefault = await predictStrokes(store, models, [runId], ONE);
    expect(best.predictions[0].epoch).toBe(2);
    expect(last.predictions[0].epoch).toBe(4);
    expect(byDefault.predictions[0]).toEqual(last.predictions[0]);
    const { pixels } = preprocessStrokes(ONE);
    for (const [epoch, result] of [
      [2, best],
      [4, last],
    ] as const) {
      const reference = buildModel(tinySpec, { seed: 1000 + epoch });
      expect(result.predictions[0].probabilities).toEqual(predictPixels(reference, pixels).probabilities);
      reference.dispose();
    }
    const inspected = await inspectModel(store, models, {
      runId,
      input: { strokes: ONE },
      weights: 'best',
      saliency: null,
    });
    expect(inspected.epoch).toBe(2);
    models.dispose();
  });

  it('export the chosen weights and say which epoch in run.json', async () => {
    const runId = await fourEpochRun();
    store.saveEvaluation(runId, evaluation(0.95), 2);
    const out = path.join(dir, `export-${runId}`);
    await exportRun(store, runId, out, 'best');
    const run = JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'));
    expect(run).toMatchObject({
      exportedEpoch: 2,
      exportedWeights: 'best',
      exportedWeightsLabel: 'weights after epoch 2 (best val loss)',
    });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'evaluation.json'), 'utf8'))).toMatchObject({ epoch: 2 });
    const lastOut = path.join(dir, `export-${runId}-last`);
    await exportRun(store, runId, lastOut);
    expect(JSON.parse(fs.readFileSync(path.join(lastOut, 'run.json'), 'utf8'))).toMatchObject({
      exportedEpoch: 4,
      exportedWeights: 'last',
    });
    expect(fs.existsSync(path.join(lastOut, 'evaluation.json'))).toBe(false);
  });

  it('are validated at the boundary', () => {
    for (const channel of ['predict:strokes', 'evaluation:checkpoint', 'runs:get', 'runs:export']) {
      const payload =
        channel === 'predict:strokes' ? { runIds: [1], strokes: [], weights: 'best' } : { runId: 1, weights: 'best' };
      expect(parseRequest(channel, payload).ok).toBe(true);
      const bad = parseRequest(channel, { ...payload, weights: 'newest' });
      expect(bad).toMatchObject({ ok: false, error: { field: 'weights' } });
    }
    const both = parseRequest('inspect:model', { runId: 1, input: { testIndex: 0 }, epoch: 2, weights: 'best' });
    expect(both).toMatchObject({ ok: false, error: { field: 'weights' } });
    expect(both.ok === false && both.error.message).toMatch(/give epoch or weights, not both/);
  });
});
