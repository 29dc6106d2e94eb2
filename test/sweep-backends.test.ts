// A sweep trains on the backend it names. On wasm in its own process (`layerlab sweep --backend wasm`), every run
// is recorded on wasm; on the native backend the same sweep's runs use the graph trainer (CI has native; where it
// is absent that half skips). And in an engine already on another backend (one process holds one backend for good)
// the sweep pauses before its first run, saying why and how to go on, with every point still queued.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { activeBackend, nativeAddonStatus } from '#engine/backend/backends.ts';
import { EngineService } from '#engine/service.ts';
import { Store } from '#engine/store/index.ts';
import type { Channel, RequestOf, Responses } from '#shared/contract.ts';
import { cliOn } from './helpers/cli.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir('layerlab-sweep-backends-');
const dataset = writeSyntheticIdx(path.join(dir, 'idx'), { train: 200, test: 20 });
const specFile = path.join(dir, 'tiny.json');
fs.writeFileSync(specFile, JSON.stringify(tinySpec));
const SMALL = ['--epochs', '1', '--train-size', '100', '--batch-size', '20', '--validation-split', '0.2'];
const nativeThere = nativeAddonStatus('native').ok;

/** Runs a 2-point learning-rate sweep in a `layerlab sweep` process on `backend`; returns its runs as stored. */
async function sweepOn(backend: string) {
  const db = path.join(dir, `${backend}.db`);
  const grid = ['--grid', 'lr=0.001,0.01'];
  const done = await cliOn(db)(
    'sweep',
    '--spec',
    specFile,
    '--dataset',
    dataset,
    '--backend',
    backend,
    ...grid,
    ...SMALL,
    '--json',
  );
  expect(done.code, done.stderr).toBe(0);
  expect(JSON.parse(done.stdout.trim().split('\n').at(-1)!)).toMatchObject({ status: 'completed' });
  const store = Store.open(db, { log: () => {} });
  try {
    return store.listRuns();
  } finally {
    store.close();
  }
}

describe('a sweep on the backend it names', () => {
  it('trains every run on wasm in its own process', async () => {
    const runs = await sweepOn('wasm');
    expect(runs.map((r) => r.status)).toEqual(['completed', 'completed']);
    for (const run of runs) {
      expect(run.backend?.kind, `run ${run.id}`).toBe('wasm');
      expect(run.backend?.trainer, `run ${run.id}`).toBe('eager');
      expect(run.testAccuracy, `run ${run.id}`).toBeTypeOf('number');
    }
  });

  it.skipIf(!nativeThere)('trains every run with the graph trainer on native', async () => {
    const runs = await sweepOn('native');
    expect(runs.map((r) => [r.status, r.backend?.kind, r.backend?.trainer])).toEqual([
      ['completed', 'native', 'graph'],
      ['completed', 'native', 'graph'],
    ]);
  });
});

describe('a sweep in an engine already on another backend', () => {
  const service = new EngineService({
    dbPath: path.join(dir, 'engine.db'),
    dataDir: path.join(dir, 'engine-data'),
    emit: () => {},
  });
  afterAll(() => service.shutdown().catch(() => {}));
  const call = async <C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Responses[C]> => {
    const envelope = await service.handle(channel, payload);
    if (!envelope.ok) throw new Error(envelope.error.message);
    return envelope.value as Responses[C];
  };

  it('pauses before its first run, naming both backends and how to go on', async () => {
    // A run by hand loads this engine's backend first (as a prediction on Draw would).
    const hyperparameters = { epochs: 1, batchSize: 20, validationSplit: 0, trainSize: 40 };
    const { runId } = await call('training:start', { spec: tinySpec, hyperparameters, dataset });
    await waitFor(async () => (await call('runs:get', { runId })).run.status === 'completed', 'the run by hand');
    const running = activeBackend()!.kind;
    const other = running === 'wasm' ? 'cpu' : 'wasm';

    const { sweep } = await call('sweeps:create', {
      name: 'elsewhere',
      spec: tinySpec,
      hyperparameters,
      dataset,
      backend: other,
      mode: 'grid',
      parameters: [{ name: 'lr', values: [0.001, 0.01] }],
    });
    await waitFor(async () => (await call('sweeps:get', { sweepId: sweep.id })).sweep.status === 'paused', 'the pause');
    const paused = await call('sweeps:get', { sweepId: sweep.id });
    expect(paused.sweep.error).toBe(
      `run ${paused.points[0]!.runId} (point 1) could not start: backend ${running} is already initialised in this process; cannot switch to ${other}; a process trains on one backend only: restart the engine and resume the sweep first thing, or run \`layerlab sweep resume ${sweep.id}\` in a terminal`,
    );
    expect(paused.points.map((p) => p.status)).toEqual(['queued', 'queued']);
  });
});

async function waitFor(condition: () => Promise<boolean>, what: string, limitMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
