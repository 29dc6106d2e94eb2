// The request helpers around the store: a run's detail, deleting a run's files (saving designs: designs.test.ts).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRunDetail, Store } from '#engine/store/index.ts';
import { removeRunCheckpoints, runCheckpointDir } from '#engine/train/checkpoint.ts';
import { cpuBackend, datasetRefFor, tinyHyperparameters, tinySpec } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const dataset = datasetRefFor(path.join(dir, 'data'));
let store: Store;

beforeAll(() => {
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
});
afterAll(() => store.close());

describe('run detail', () => {
  it('gathers the run, its epochs, evaluation and sessions', () => {
    const run = store.createRun({ name: 'detail', spec: tinySpec, hyperparameters: tinyHyperparameters, dataset });
    expect(getRunDetail(store, run.id)).toEqual({ run, epochs: [], evaluation: null, evaluations: [], sessions: [] });
    store.startRunSession(run.id, cpuBackend, 0);
    store.appendEpochMetric(run.id, {
      epoch: 0,
      loss: 1,
      accuracy: 0.5,
      valLoss: null,
      valAccuracy: null,
      durationMs: 10,
      samplesPerSecond: 100,
      time: 1,
      learningRate: 0.001,
      note: null,
    });
    store.finishRunSession(run.id, 'stopped');
    const detail = getRunDetail(store, run.id);
    expect(detail.run.status).toBe('stopped');
    expect(detail.epochs.map((e) => e.loss)).toEqual([1]);
    expect(detail.sessions).toEqual([expect.objectContaining({ fromEpoch: 0, endStatus: 'stopped' })]);
  });

  it('refuses a run that does not exist', () => {
    expect(() => getRunDetail(store, 4242)).toThrow('run 4242 does not exist');
  });
});

describe('removing a deleted run’s checkpoints', () => {
  it('removes the folders its records named and its folder under the checkpoint root, and nothing else', () => {
    const root = path.join(dir, 'runs');
    const own = path.join(runCheckpointDir(root, 7), 'epoch-1');
    const elsewhere = path.join(dir, 'moved', 'epoch-2');
    const neighbour = path.join(runCheckpointDir(root, 70), 'epoch-1');
    for (const folder of [own, elsewhere, neighbour]) {
      fs.mkdirSync(folder, { recursive: true });
      fs.writeFileSync(path.join(folder, 'weights.bin'), 'w');
    }
    fs.writeFileSync(path.join(runCheckpointDir(root, 7), 'stray.tmp'), 'x');
    removeRunCheckpoints(root, 7, [own, elsewhere]);
    expect(fs.existsSync(runCheckpointDir(root, 7))).toBe(false);
    expect(fs.existsSync(elsewhere)).toBe(false);
    expect(fs.existsSync(neighbour)).toBe(true);
    removeRunCheckpoints(root, 8, []); // a run that never saved one
  });
});
