// The CLI as a user runs it: a real process, a real SQLite file, a tiny training subset.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRAWN_DIGITS_AUGMENTATION } from '#shared/model/templates.ts';
import { cliOn } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const layerlab = cliOn(path.join(dir, 'cli.db'));

describe('layerlab CLI', () => {
  let runId = 0;

  it('train --json trains, stores the run and prints one JSON line', async () => {
    const r = await layerlab(
      'train',
      '--template',
      'mlp',
      '--train-size',
      '600',
      '--epochs',
      '2',
      '--batch-size',
      '64',
      '--seed',
      '5',
      '--tag',
      'smoke',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const result = JSON.parse(lines[0]);
    expect(result).toMatchObject({ status: 'completed', epochsCompleted: 2 });
    expect(['native', 'wasm', 'gpu']).toContain(result.backend);
    expect(result.trainer).toBe(result.backend === 'wasm' ? 'eager' : 'graph');
    expect(result.testAccuracy).toBeGreaterThan(0.6);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    expect(r.stderr).toMatch(/epoch 2: loss/);
    runId = result.runId;
  });

  it('runs list, runs show and export read the same database', async () => {
    const list = JSON.parse((await layerlab('runs', 'list', '--json')).stdout);
    expect(list.map((x: { id: number }) => x.id)).toContain(runId);
    expect(list[0].tags).toEqual(['smoke']);
    const table = (await layerlab('runs', 'list')).stdout;
    expect(table).toMatch(/ID\s+STATUS\s+NAME/);
    const show = JSON.parse((await layerlab('runs', 'show', String(runId), '--json')).stdout);
    expect(show.epochs).toHaveLength(2);
    expect(show.run.trainer).toMatch(/^(graph|eager)$/);
    expect(show.evaluation.confusion).toHaveLength(10);
    const out = path.join(dir, 'export');
    const exported = await layerlab('export', String(runId), out);
    expect(exported.code, exported.stderr).toBe(0);
    for (const f of ['model.json', 'weights.bin', 'spec.json', 'run.json', 'metrics.json', 'evaluation.json'])
      expect(fs.existsSync(path.join(out, f))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8')).format).toBe('layers-model');
  });

  it("train --template seed-augmented trains with the template's augmentation, under the options given", async () => {
    const r = await layerlab(
      'train',
      '--template',
      'seed-augmented',
      '--train-size',
      '200',
      '--epochs',
      '1',
      '--augment-rotation',
      '5',
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const { runId: augmented } = JSON.parse(r.stdout.trim());
    const show = JSON.parse((await layerlab('runs', 'show', String(augmented), '--json')).stdout);
    expect(show.run.spec.name).toBe('seed-augmented');
    expect(show.run.hyperparameters).toMatchObject({
      ...DRAWN_DIGITS_AUGMENTATION,
      augmentRotation: 5, // given on the command line
      trainSize: 200,
      epochs: 1,
    });
  });

  it('train takes early stopping and a schedule like the other hyperparameters, and says why the run stopped', async () => {
    // An accuracy cannot rise by 1: epoch 1 stays the best, and the run ends after epoch 2 of 4.
    const r = await layerlab(
      'train',
      '--template',
      'mlp',
      '--train-size',
      '300',
      '--epochs',
      '4',
      '--validation-split',
      '0.2',
      '--early-stopping',
      'val_accuracy',
      '--early-stopping-patience',
      '1',
      '--early-stopping-min-delta',
      '1',
      '--no-early-stopping-restore-best',
      '--lr-schedule',
      'step',
      '--lr-step-epochs',
      '1',
      '--lr-step-factor',
      '0.5',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /stopped early: early stopping: val accuracy did not improve by 1 for 1 epoch \(best [\d.]+% at epoch 1\); the test evaluation used the last epoch's weights \(epoch 2\)/,
    );
    expect(r.stdout).toMatch(/epoch 2: .* \| lr 0\.0005 \|/);
    const id = r.stdout.match(/run (\d+) completed/)![1];
    const show = JSON.parse((await layerlab('runs', 'show', id, '--json')).stdout);
    expect(show.run).toMatchObject({ epochsCompleted: 2, weightsEpoch: 2 });
    expect(show.run.stopReason).toMatch(/^early stopping: val accuracy/);
    expect(show.run.hyperparameters).toMatchObject({
      earlyStopping: 'val_accuracy',
      earlyStoppingPatience: 1,
      earlyStoppingMinDelta: 1,
      earlyStoppingRestoreBest: false,
      lrSchedule: 'step',
      lrStepEpochs: 1,
      lrStepFactor: 0.5,
    });
    expect(show.epochs.map((e: { learningRate: number }) => e.learningRate)).toEqual([0.001, 0.0005]);
    const text = (await layerlab('runs', 'show', id)).stdout;
    expect(text).toMatch(/stopped early: early stopping/);
    expect(text).toMatch(/EPOCH\s+LOSS\s+ACC\s+VAL LOSS\s+VAL ACC\s+LR/);

    // Which weights: the best epoch by val accuracy (what early stopping monitored) from the stored epochs; both
    // weights evaluated when they differ, the last the default (restore-best is off).
    const accuracies = show.epochs.map((e: { valAccuracy: number }) => e.valAccuracy);
    const best = accuracies.indexOf(Math.max(...accuracies)) + 1;
    expect(show.weights).toEqual({ default: 'last', last: 2, best });
    expect(show.evaluations.map((e: { epoch: number }) => e.epoch)).toEqual(best === 2 ? [2] : [1, 2]);
    expect(show.evaluation.epoch).toBe(2);
    expect(text).toMatch(
      best === 2
        ? /test accuracy [\d.]+%: weights after epoch 2 \(last and best val accuracy\), the run's default/
        : /test accuracy [\d.]+%: weights after epoch 2 \(last\), the run's default\ntest accuracy [\d.]+%: weights after epoch 1 \(best val accuracy\)/,
    );
    const out = path.join(dir, `export-${id}-best`);
    const exported = await layerlab('export', id, out, '--weights', 'best');
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(new RegExp(`exported run ${id} \\(weights after epoch ${best} \\(`));
    expect(JSON.parse(fs.readFileSync(path.join(out, 'run.json'), 'utf8'))).toMatchObject({
      exportedEpoch: best,
      exportedWeights: 'best',
    });
    const badWeights = await layerlab('export', id, out, '--weights', 'newest');
    expect(badWeights.code).not.toBe(0);
    expect(badWeights.stderr).toMatch(/--weights.*newest.*last, best/s);

    const refused = await layerlab(
      'train',
      '--template',
      'mlp',
      '--validation-split',
      '0',
      '--early-stopping',
      'val_loss',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/earlyStopping val_loss needs a validation set, but validationSplit is 0/);
    const badSchedule = await layerlab('train', '--lr-schedule', 'linear');
    expect(badSchedule.code).not.toBe(0);
    expect(badSchedule.stderr).toMatch(/--lr-schedule.*linear.*constant, step, exponential, cosine, plateau/s);
  });

  it('explains what is wrong instead of crashing', async () => {
    const badSpec = path.join(dir, 'bad.json');
    fs.writeFileSync(
      badSpec,
      JSON.stringify({ name: 'bad', inputShape: [28, 28, 1], layers: [{ type: 'Conv2D', filter: 8, kernelSize: 3 }] }),
    );
    const spec = await layerlab('train', '--spec', badSpec, '--json');
    expect(spec.code).toBe(1);
    expect(spec.stderr).toMatch(/layer 1 Conv2D: unknown field 'filter'/);
    const flag = await layerlab('train', '--batch-size', 'lots');
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toMatch(/--batch-size must be a whole number/);
    const resume = await layerlab('resume', String(runId));
    expect(resume.stderr).toMatch(/is completed; only stopped, interrupted, failed or queued runs can be resumed/);
    const trainer = await layerlab('train', '--trainer', 'fast');
    expect(trainer.code).not.toBe(0);
    expect(trainer.stderr).toMatch(/--trainer.*fast.*graph, eager/s);
    const missing = await layerlab('runs', 'show', '999');
    expect(missing.stderr).toMatch(/run 999 does not exist/);
  });

  it('doctor --json reports every backend with a reason', async () => {
    const r = await layerlab('doctor', '--json');
    const report = JSON.parse(r.stdout);
    expect(report.backends.map((b: { kind: string }) => b.kind)).toEqual(['gpu', 'native', 'wasm', 'cpu']);
    for (const b of report.backends) expect(b.detail.length).toBeGreaterThan(10);
    expect(report.autoChoice).not.toBe('cpu');
    // Which trainer each available backend runs: the compiled graph on native TensorFlow, eager elsewhere.
    for (const b of report.backends) {
      if (!b.available) expect(b.trainer).toBeNull();
      else
        expect(b.trainer).toMatch(
          b.kind === 'native' || b.kind === 'gpu' ? /^graph: .*compiled TensorFlow graph/ : /^eager: /,
        );
    }
  });
});
