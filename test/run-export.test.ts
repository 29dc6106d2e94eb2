// Exporting a run as the app does (runs:export through the engine service) and as `layerlab export` does: the
// same files, Keras code (model.py) included, for a tiny run whose checkpoint is written without training.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { exportRun } from '#engine/model/run-model.ts';
import { EngineService } from '#engine/service.ts';
import type { RunExport } from '#shared/contract.ts';
import { datasetRefFor, tinyHyperparameters, tinyRunWithWeights, tinySpec } from './helpers/run-fixtures.ts';
import { cliOn } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const dbPath = path.join(dir, 'layerlab.db');
const dataset = datasetRefFor(path.join(dir, 'data')); // recorded on the run only; export never reads images
const EXPORTED = ['model.json', 'weights.bin', 'spec.json', 'run.json', 'metrics.json', 'model.py'];

let service: EngineService;
let runId: number;

beforeAll(async () => {
  await initBackend('cpu');
  service = new EngineService({ dbPath, dataDir: dir, emit: () => {} });
  runId = await tinyRunWithWeights(service.store, path.join(dir, 'runs'), dataset, 'Tiny\'s "first" run');
});
afterAll(() => service.shutdown());

describe('exportRun', () => {
  it("writes the CLI's files and model.py, the run's network as Keras code", async () => {
    const out = path.join(dir, 'direct');
    const files = await exportRun(service.store, runId, out);
    expect(files).toEqual(EXPORTED);
    for (const file of files) expect(fs.existsSync(path.join(out, file)), file).toBe(true);
    const code = fs.readFileSync(path.join(out, 'model.py'), 'utf8');
    expect(code.split('\n').slice(0, 2)).toEqual([
      `# Run #${runId} “Tiny's "first" run”, exported from Layerlab: the network only.`,
      '# The trained weights are in model.json + weights.bin (TensorFlow.js layers format).',
    ]);
    // tinySpec: Flatten, then Dense 10 softmax; 784 × 10 weights + 10 biases.
    expect(tinySpec.layers.map((l) => l.type)).toEqual(['Flatten', 'Dense']);
    expect(code).toContain(
      [
        'model = models.Sequential([',
        '    layers.Input(shape=(28, 28, 1)),',
        '    layers.Flatten(),',
        "    layers.Dense(10, activation='softmax'),",
        "], name='tiny')",
      ].join('\n'),
    );
    expect(code).toContain('model.summary()  # 7,850 parameters');
    expect(JSON.parse(fs.readFileSync(path.join(out, 'spec.json'), 'utf8'))).toEqual(tinySpec);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({
      id: runId,
      hyperparameters: tinyHyperparameters,
      exportedEpoch: 1,
    });
  });
});

describe('runs:export (the app: main asks for the folder, the engine writes it)', () => {
  it('answers where it wrote and which files', async () => {
    const out = path.join(dir, 'app', 'nested');
    const answer = await service.handle('runs:export', { runId, dir: out });
    expect(answer).toEqual({
      ok: true,
      value: { runId, dir: out, files: EXPORTED, epoch: 1, weights: 'last' } satisfies RunExport,
    });
    expect(fs.readdirSync(out).sort()).toEqual([...EXPORTED].sort());
    expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({
      exportedEpoch: 1,
      exportedWeights: 'last',
    });
  });

  it('exports the weights asked for, and refuses a best the run does not have, naming the field', async () => {
    const last = await service.handle('runs:export', { runId, dir: path.join(dir, 'app', 'last'), weights: 'last' });
    expect(last).toMatchObject({ ok: true, value: { epoch: 1, weights: 'last' } });
    const best = await service.handle('runs:export', { runId, dir: path.join(dir, 'app', 'best'), weights: 'best' });
    expect(best).toMatchObject({
      ok: false,
      error: { field: 'weights', message: expect.stringMatching(/no best epoch/) },
    });
    const bad = await service.handle('runs:export', { runId, dir: path.join(dir, 'app', 'bad'), weights: 'newest' });
    expect(bad).toMatchObject({ ok: false, error: { field: 'weights' } });
  });

  it('refuses a run without weights, a missing run and a folder it cannot write, saying why', async () => {
    const queued = service.store.createRun({
      name: 'queued',
      spec: tinySpec,
      hyperparameters: tinyHyperparameters,
      dataset,
    });
    expect(await service.handle('runs:export', { runId: queued.id, dir: path.join(dir, 'none') })).toEqual({
      ok: false,
      error: { message: `run ${queued.id} has no saved weights yet (it has not finished an epoch)` },
    });
    expect(await service.handle('runs:export', { runId: 9999, dir: path.join(dir, 'none') })).toEqual({
      ok: false,
      error: { message: 'run 9999 does not exist' },
    });
    const blocker = path.join(dir, 'a-file');
    fs.writeFileSync(blocker, 'not a folder');
    expect(await service.handle('runs:export', { runId, dir: path.join(blocker, 'out') })).toEqual({
      ok: false,
      error: { message: `cannot write the export to ${path.join(blocker, 'out')}: a file is in the way of the folder` },
    });
  });
});

describe('layerlab export', () => {
  it('writes model.py too (it calls exportRun)', async () => {
    const out = path.join(dir, 'cli');
    const cli = await cliOn(dbPath)('export', String(runId), out);
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('model.py');
    const code = fs.readFileSync(path.join(out, 'model.py'), 'utf8');
    expect(code).toContain("    layers.Dense(10, activation='softmax'),");
  });
});
