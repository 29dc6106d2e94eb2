// A sweep beyond one machine: `layerlab sweep export` writes a command per point (a spec file per point when layer
// fields vary), a SLURM array script and Kubernetes Jobs; two of its jobs run as separate processes against their
// own databases; `layerlab runs import` merges their exported runs back as the sweep's runs, with the points'
// hyperparameters, metrics and weights (predicting as they did where they trained), never twice, and refuses a
// folder that is no export. The sweep is defined by a sweep file (--file), as README's "Sweeps" describes it.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { loadRunModel } from '#engine/model/run-model.ts';
import { Store } from '#engine/store/index.ts';
import type { SweepDetail } from '#shared/sweeps.ts';
import { cliOn } from './helpers/cli.ts';
import { writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = tempDir('layerlab-sweep-cluster-');
const dataset = writeSyntheticIdx(path.join(dir, 'idx'), { train: 200, test: 20 });
const home = path.join(dir, 'home', 'layerlab.db');
const cli = cliOn(home);
const yaml = createRequire(import.meta.url)('js-yaml') as { loadAll(text: string): unknown[] };

/** Runs `sh run-point.sh JOB` in the export folder as a cluster node would, with Layerlab from this checkout. */
function job(folder: string, index: number): Promise<{ code: number | null; stderr: string }> {
  const child = spawn('sh', ['run-point.sh', String(index)], {
    cwd: folder,
    env: { ...process.env, LAYERLAB: `${process.execPath} ${path.join(root, 'bin', 'layerlab.mjs')}` },
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

const show = async (): Promise<SweepDetail> => JSON.parse((await cli('sweep', 'show', '1', '--json')).stdout);

describe('a sweep exported for a cluster and imported back', () => {
  it('round-trips two points run as separate processes against separate databases', async () => {
    const file = path.join(dir, 'sweep.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        name: 'width × lr',
        template: 'mlp',
        dataset,
        hyperparameters: { epochs: 1, trainSize: 100, batchSize: 20, validationSplit: 0.2, seed: 9 },
        mode: 'grid',
        parameters: [
          { name: 'learningRate', values: [0.001, 0.01] },
          { name: 'layers.1.units', values: [8, 16] },
        ],
      }),
    );
    const created = await cli('sweep', '--file', file, '--paused', '--json');
    expect(created.code, created.stderr).toBe(0);
    const summary = JSON.parse(created.stdout.trim().split('\n').at(-1)!);
    expect(summary).toMatchObject({
      sweepId: 1,
      name: 'width × lr',
      status: 'paused',
      counts: { total: 4, queued: 4 },
    });

    const out = path.join(dir, 'slurm');
    const exported = await cli('sweep', 'export', '1', '--format', 'slurm', out);
    expect(exported.code, exported.stderr).toBe(0);
    const commands = fs.readFileSync(path.join(out, 'commands.txt'), 'utf8').trim().split('\n');
    expect(commands).toHaveLength(4);
    expect(commands[2]).toBe(
      `layerlab train --spec points/point-002/spec.json --dataset ${dataset} --learning-rate 0.01 --batch-size 20 --epochs 1 --validation-split 0.2 --train-size 100 --seed 9 --name 'width × lr #3 · learningRate=0.01 layers.1.units=8' --tag sweep-1 --json`,
    );
    for (const [i, units] of [8, 16, 8, 16].entries()) {
      const spec = JSON.parse(fs.readFileSync(path.join(out, `points/point-00${i}/spec.json`), 'utf8'));
      expect(spec.layers[1]).toMatchObject({ type: 'Dense', units });
    }
    const slurm = fs.readFileSync(path.join(out, 'slurm.sh'), 'utf8');
    expect(slurm).toMatch(/^#SBATCH --array=0-3$/m);
    expect(slurm).toMatch(/^exec sh run-point\.sh "\$SLURM_ARRAY_TASK_ID"$/m);
    const k8s = path.join(dir, 'k8s');
    expect((await cli('sweep', 'export', '1', '--format', 'k8s', k8s)).code).toBe(0);
    const jobs = yaml.loadAll(fs.readFileSync(path.join(k8s, 'jobs.yaml'), 'utf8')) as {
      kind: string;
      metadata: { name: string };
      spec: { template: { spec: { containers: { command: string[] }[] } } };
    }[];
    expect(jobs.map((j) => [j.kind, j.metadata.name, j.spec.template.spec.containers[0].command])).toEqual(
      [0, 1, 2, 3].map((n) => ['Job', `layerlab-sweep-1-point-00${n}`, ['sh', 'run-point.sh', String(n)]]),
    );

    // Two jobs at once, each a separate process with its own database, as two cluster nodes would run them.
    const [a, b] = await Promise.all([job(out, 0), job(out, 2)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const trained = [0, 2].map((p) =>
      JSON.parse(
        fs
          .readFileSync(path.join(out, `results/point-00${p}/train.json`), 'utf8')
          .trim()
          .split('\n')
          .at(-1)!,
      ),
    );
    expect(trained.map((t) => t.status)).toEqual(['completed', 'completed']);

    const results = (p: number) => path.join(out, `results/point-00${p}/export`);
    const imported = await cli('runs', 'import', results(0), results(2), path.join(out, 'points'));
    expect(imported.code).toBe(1); // the folder that is no export
    expect(imported.stdout).toBe(
      `imported ${results(0)} as run 5 (point 1 of sweep 1)\nimported ${results(2)} as run 6 (point 3 of sweep 1)\n`,
    );
    expect(imported.stderr).toMatch(
      /^refused .*points: not a Layerlab run export: run\.json, spec\.json, metrics\.json, model\.json, weights\.bin are missing/m,
    );

    const detail = await show();
    expect(detail.points.map((p) => [p.status, p.runId, p.imported])).toEqual([
      ['completed', 5, true],
      ['queued', 2, false],
      ['completed', 6, true],
      ['queued', 4, false],
    ]);
    expect(detail.sweep.status).toBe('paused');
    for (const [i, p] of [detail.points[0], detail.points[2]].entries()) {
      expect(p.run).toMatchObject({
        status: 'completed',
        epochsCompleted: 1,
        testAccuracy: trained[i].testAccuracy,
        hyperparameters: { learningRate: p.values.learningRate, batchSize: 20, trainSize: 100, seed: 9 },
      });
      expect(p.run!.spec.layers[1]).toMatchObject({ units: 8 });
    }
    // The queued runs the imported ones replaced are gone.
    expect((await cli('runs', 'show', '1')).stderr).toMatch(/run 1 does not exist/);

    const store = Store.open(home, { log: () => {} });
    const origin = Store.open(path.join(out, 'results/point-000/layerlab.db'), { log: () => {} });
    try {
      // Epochs and evaluation as they were recorded where the run trained.
      const metrics = JSON.parse(fs.readFileSync(path.join(results(0), 'metrics.json'), 'utf8'));
      expect(store.getEpochMetrics(5).map((e) => [e.epoch, e.loss, e.valAccuracy])).toEqual(
        metrics.epochs.map((e: { epoch: number; loss: number; valAccuracy: number }) => [
          e.epoch,
          e.loss,
          e.valAccuracy,
        ]),
      );
      expect(store.getBatchMetrics(5)).toHaveLength(metrics.batches.length);
      expect(store.getEvaluation(5)?.confusion).toEqual(origin.getEvaluation(1)?.confusion);
      // Its weights are a checkpoint here: the model predicts what it predicted where it trained.
      const here = await loadRunModel(store, 5);
      const there = await loadRunModel(origin, 1);
      const input = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 4);
      const [p, q] = [here, there].map((m) => Array.from((m.model.predict(input) as tf.Tensor).dataSync()));
      expect(p).toEqual(q);
      expect(here.epoch).toBe(1);
      input.dispose();
      here.model.dispose();
      there.model.dispose();
    } finally {
      store.close();
      origin.close();
    }

    // Never twice: the same folders again, and another export of the same run, are skipped as duplicates.
    const again = path.join(dir, 'again');
    await cliOn(path.join(out, 'results/point-000/layerlab.db'))('export', '1', again);
    const twice = await cli('runs', 'import', results(0), again, '--json');
    expect(twice.code).toBe(0);
    expect(
      twice.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { dir: results(0), imported: false, duplicateOf: 5, reason: `already imported as run 5 (from ${results(0)})` },
      { dir: again, imported: false, duplicateOf: 5, reason: `already imported as run 5 (from ${results(0)})` },
    ]);
    // An export of this database's own run is no import either.
    const own = path.join(dir, 'own');
    await cli('export', '5', own);
    expect((await cli('runs', 'import', own)).stdout).toBe(`skipped ${own}: it is run 5 of this database\n`);

    // The points left train here; the sweep completes with the imported ones.
    const resumed = await cli('sweep', 'resume', '1', '--json');
    expect(resumed.code, resumed.stderr).toBe(0);
    const done = await show();
    expect(done.sweep.status).toBe('completed');
    expect(done.points.map((p) => p.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(done.points.map((p) => p.imported)).toEqual([true, false, true, false]);

    // Deleted from the terminal, the sweep goes and its runs stay, tagged with it.
    const deleted = await cli('sweep', 'delete', '1');
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toBe('deleted sweep 1 “width × lr”; its runs stay, tagged sweep-1\n');
    expect(JSON.parse((await cli('sweep', 'list', '--json')).stdout)).toEqual([]);
    const kept = JSON.parse((await cli('runs', 'list', '--tag', 'sweep-1', '--json')).stdout) as unknown[];
    expect(kept).toHaveLength(4);
  });

  it('refuses folders that are not exports, saying why', async () => {
    const broken = path.join(dir, 'broken');
    fs.mkdirSync(broken, { recursive: true });
    for (const name of ['run.json', 'spec.json', 'metrics.json', 'model.json', 'weights.bin'])
      fs.writeFileSync(path.join(broken, name), name === 'run.json' ? '{"id": 1' : '{}');
    const notJson = await cli('runs', 'import', broken, path.join(dir, 'nowhere'));
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^refused .*broken: run\.json .*is not valid JSON/m);
    expect(notJson.stderr).toMatch(/^refused .*nowhere: no such folder$/m);
    fs.writeFileSync(
      path.join(broken, 'run.json'),
      JSON.stringify({ id: 1, createdAt: 1, name: 'x', status: 'completed' }),
    );
    expect((await cli('runs', 'import', broken)).stderr).toMatch(
      /refused .*: run\.json has no dataset with its classes/,
    );
  });
});
