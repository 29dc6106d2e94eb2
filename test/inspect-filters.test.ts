// inspect:filters: every Conv2D layer's kernel and bias at a checkpoint, read from the file without a model, and
// the change since another checkpoint. The file layout is checked against tfjs's own model.getWeights().
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { checkpointLayout } from '#engine/inspect/filters.ts';
import { buildModel } from '#engine/model/build.ts';
import { trainNewRun } from '#engine/runner.ts';
import { EngineService } from '#engine/service.ts';
import { readCheckpoint } from '#engine/train/checkpoint.ts';
import type { Envelope, FilterInspection, RequestOf } from '#shared/contract.ts';
import { getTemplate, templateNames } from '#shared/model/index.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import { createRun, recordCheckpoint, SMALL_CNN } from './helpers/inspect-suite.ts';
import { datasetRefFor, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

/** Two Conv2D layers, the second without a bias, around a BatchNormalization; a Dense head. */
const FILTERED: ModelSpec = {
  name: 'filtered',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 3, kernelSize: [3, 2], activation: 'relu' },
    { type: 'BatchNormalization' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: 5, kernelSize: 3, useBias: false, activation: 'relu' },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};
const NO_CONV: ModelSpec = {
  name: 'mlp',
  inputShape: [28, 28, 1],
  layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
};

const dir = tempDir();
const root = path.join(dir, 'runs');
const dataDir = writeSyntheticIdx(path.join(dir, 'data'), { train: 48, test: 12 });
const dataset = datasetRefFor(dataDir, { train: 48, test: 12 });
let service: EngineService;
const runs = { filtered: 0, bare: 0, mlp: 0 };

async function filters(request: RequestOf<'inspect:filters'>): Promise<FilterInspection> {
  const envelope = (await service.handle('inspect:filters', request)) as Envelope<FilterInspection>;
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value;
}
async function refusal(request: unknown) {
  const envelope = await service.handle('inspect:filters', request);
  expect(envelope.ok).toBe(false);
  return (envelope as { error: { message: string; field?: string } }).error;
}

/** The checkpoint's weights at `epoch`, as tfjs reads them (readCheckpoint), by model.getWeights() position. */
function checkpointWeights(runId: number, epoch: number, spec: ModelSpec): Float32Array[] {
  const folder = service.store.listCheckpoints(runId).find((c) => c.epoch === epoch)!.path;
  const model = buildModel(spec);
  const shapes = model.getWeights().map((w) => w.shape);
  model.dispose();
  const contents = readCheckpoint(folder, shapes, false);
  const values = contents.weights.map((w) => w.tensor.dataSync() as Float32Array);
  tf.dispose(contents.weights.map((w) => w.tensor));
  return values;
}

beforeAll(async () => {
  await initBackend('cpu');
  service = new EngineService({ dbPath: path.join(dir, 'layerlab.db'), dataDir: dir, emit: () => {} });
  runs.filtered = createRun(service.store, FILTERED, dataset);
  for (const epoch of [1, 2, 3]) await recordCheckpoint(service.store, root, runs.filtered, FILTERED, epoch);
  runs.bare = createRun(service.store, FILTERED, dataset, 'no checkpoint');
  runs.mlp = createRun(service.store, NO_CONV, dataset);
  await recordCheckpoint(service.store, root, runs.mlp, NO_CONV, 1);
});
afterAll(() => service?.shutdown());

describe('checkpoint layout', () => {
  it.each([
    ...templateNames().map((name) => [name, getTemplate(name)]),
    ['filtered', FILTERED],
    ['small-cnn', SMALL_CNN],
  ])('%s: the layout read from the spec is model.getWeights() of the built model', (_name, spec) => {
    const model = buildModel(spec as ModelSpec);
    const shapes = model.getWeights().map((w) => w.shape);
    model.dispose();
    expect(checkpointLayout(spec as ModelSpec, 10).map((slot) => slot.shape)).toEqual(shapes);
  });
});

describe('inspect:filters', () => {
  it("returns each Conv2D layer's kernel, bias, size and largest weight at the latest checkpoint", async () => {
    const result = await filters({ runId: runs.filtered });
    expect([result.runId, result.epoch, result.compareEpoch, result.epochs]).toEqual([
      runs.filtered,
      3,
      null,
      [1, 2, 3],
    ]);
    expect(result.layers.map((l) => [l.index, l.kernelSize, l.inChannels, l.filters, l.parameters])).toEqual([
      [0, [3, 2], 1, 3, 3 * 2 * 1 * 3 + 3],
      [3, [3, 3], 3, 5, 3 * 3 * 3 * 5],
    ]);
    const weights = checkpointWeights(runs.filtered, 3, FILTERED);
    // model.getWeights(): conv 0 kernel, bias, batch norm gamma, beta, conv 3 kernel, dense kernel, bias, moving stats.
    const [first, second] = result.layers;
    expect(first.kernel).toBeInstanceOf(Float32Array);
    expect(Array.from(first.kernel)).toEqual(Array.from(weights[0]));
    expect(Array.from(first.bias!)).toEqual(Array.from(weights[1]));
    expect(Array.from(second.kernel)).toEqual(Array.from(weights[4]));
    expect(second.bias).toBeNull();
    expect(first.maxAbs).toBe(Math.max(...Array.from(weights[0], Math.abs)));
    expect(first.change).toBeNull();
  });

  it('gives the change since another epoch: the difference of the two checkpoints, per filter and per layer', async () => {
    const result = await filters({ runId: runs.filtered, epoch: 2, compareEpoch: 1 });
    expect([result.epoch, result.compareEpoch]).toEqual([2, 1]);
    const now = checkpointWeights(runs.filtered, 2, FILTERED);
    const then = checkpointWeights(runs.filtered, 1, FILTERED);
    for (const [layer, slot] of [
      [result.layers[0], 0],
      [result.layers[1], 4],
    ] as const) {
      const expected = now[slot].map((v, i) => v - then[slot][i]);
      const change = layer.change!;
      expect(change.fromEpoch).toBe(1);
      expect(Array.from(change.delta)).toEqual(Array.from(expected));
      const perFilter = Array.from({ length: layer.filters }, (_, f) => {
        const mine = Array.from(expected).filter((_, i) => i % layer.filters === f);
        return mine.reduce((a, v) => a + Math.abs(v), 0) / mine.length;
      });
      change.meanAbsPerFilter.forEach((v, f) => expect(v).toBeCloseTo(perFilter[f], 7));
      expect(change.meanAbs).toBeCloseTo(
        Array.from(expected).reduce((a, v) => a + Math.abs(v), 0) / expected.length,
        7,
      );
      expect(change.meanAbs).toBeGreaterThan(0);
    }
    const same = await filters({ runId: runs.filtered, compareEpoch: 3 });
    expect(same.layers.every((l) => l.change!.meanAbs === 0)).toBe(true);
  });

  it('has no layers for a design without Conv2D', async () => {
    expect(await filters({ runId: runs.mlp })).toMatchObject({ epoch: 1, epochs: [1], layers: [] });
  });

  it('refuses epochs the run has no checkpoint for, naming the field and the epochs it has', async () => {
    expect(await refusal({ runId: runs.filtered, epoch: 4 })).toEqual({
      message: `run ${runs.filtered} has no checkpoint for epoch 4; it has epochs 1–3`,
      field: 'epoch',
    });
    expect(await refusal({ runId: runs.filtered, compareEpoch: 9 })).toEqual({
      message: `run ${runs.filtered} has no checkpoint for epoch 9; it has epochs 1–3`,
      field: 'compareEpoch',
    });
    expect((await refusal({ runId: runs.bare })).message).toBe(
      `run ${runs.bare} has no saved weights yet (it has not finished an epoch)`,
    );
    expect((await refusal({ runId: 9999 })).message).toBe('run 9999 does not exist');
  });

  it('reads the checkpoints a training run writes, and their change from epoch to epoch', async () => {
    const before = tf.memory().numTensors;
    const spec: ModelSpec = {
      name: 'trained',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' },
        { type: 'MaxPooling2D', poolSize: 4 },
        { type: 'Flatten' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    };
    const outcome = await trainNewRun(
      { store: service.store, checkpointRoot: root, backend: 'cpu', log: () => {} },
      {
        spec,
        dataset: dataDir,
        hyperparameters: { epochs: 2, batchSize: 8, validationSplit: 0, seed: 3, learningRate: 0.01 },
      },
    );
    expect(outcome.run.status).toBe('completed');
    const runId = outcome.run.id;
    const result = await filters({ runId, compareEpoch: 1 });
    expect([result.epoch, result.epochs]).toEqual([2, [1, 2]]);
    const now = checkpointWeights(runId, 2, spec);
    const then = checkpointWeights(runId, 1, spec);
    const [conv] = result.layers;
    expect(Array.from(conv.kernel)).toEqual(Array.from(now[0]));
    expect(Array.from(conv.change!.delta)).toEqual(Array.from(now[0].map((v, i) => v - then[0][i])));
    expect(conv.change!.meanAbs).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });
});
