// `layerlab inspect` as a user runs it: a real process and SQLite file, a PNG drawn like a digit, a small CNN.
// Its numbers must be those of inspect:model (and of Draw's path) for the same image.
import fs from 'node:fs';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { predictDrawing } from '#engine/evaluate/draw-predictions.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { readPngImage } from '#engine/evaluate/png-input.ts';
import { preprocessCanvas } from '#engine/evaluate/preprocess.ts';
import { inspectModel } from '#engine/inspect/inspect-model.ts';
import { Store } from '#engine/store/index.ts';
import type { ImageInspection } from '#engine/cli/inspect.ts';
import {
  BLOCK_READER,
  createRun,
  maxDifference,
  recordCheckpoint,
  SMALL_CNN,
  smallCnnWeights,
} from './helpers/inspect-suite.ts';
import { cliOn } from './helpers/cli.ts';
import { datasetRefFor } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const db = path.join(dir, 'inspect.db');
const file = (name: string) => path.join(dir, name);
const layerlab = cliOn(db);
let store: Store;
let models: RunModelCache;
const runs = { cnn: 0, mlp: 0 };

/** A 280×280 PNG, dark ink on white: `bars` are [x, y, width, height] rectangles of ink. */
function inkPng(bars: [number, number, number, number][]): Buffer {
  const png = new PNG({ width: 280, height: 280 });
  png.data.fill(255);
  for (const [bx, by, bw, bh] of bars)
    for (let y = by; y < by + bh; y++)
      for (let x = bx; x < bx + bw; x++) png.data.fill(20, (y * 280 + x) * 4, (y * 280 + x) * 4 + 3);
  return PNG.sync.write(png);
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

/** What the CLI wrote to stderr, without the banner tfjs prints when its pure-JS cpu backend starts. */
const messages = (stderr: string) =>
  stderr
    .trimEnd()
    .split('\n')
    .filter((line) => line.startsWith('layerlab:') || line.startsWith(dir));

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(db, { log: () => {} });
  models = new RunModelCache(store);
  const dataset = datasetRefFor(path.join(dir, 'data'));
  runs.cnn = createRun(store, SMALL_CNN, dataset);
  await recordCheckpoint(store, path.join(dir, 'runs'), runs.cnn, SMALL_CNN, 1);
  await recordCheckpoint(store, path.join(dir, 'runs'), runs.cnn, SMALL_CNN, 2, smallCnnWeights);
  runs.mlp = createRun(store, BLOCK_READER, dataset);
  await recordCheckpoint(store, path.join(dir, 'runs'), runs.mlp, BLOCK_READER, 1);
  // A "7": a top bar and a slanting stem (three offset bars).
  fs.writeFileSync(
    file('seven.png'),
    inkPng([
      [70, 50, 150, 22],
      [180, 70, 24, 60],
      [160, 130, 24, 60],
      [140, 190, 24, 50],
    ]),
  );
  fs.writeFileSync(file('blank.png'), inkPng([]));
  fs.writeFileSync(file('not-png.png'), 'this is text, not an image\n');
});
afterAll(() => {
  models.dispose();
  store.close();
});

describe('layerlab inspect', () => {
  it('prints one JSON line: the run, epoch, prediction, every layer and the saliency map’s strongest pixels', async () => {
    const { code, stdout } = await layerlab(
      'inspect',
      String(runs.cnn),
      file('seven.png'),
      '--json',
      '--backend',
      'cpu',
    );
    expect(code).toBe(0);
    const lines = jsonLines(stdout) as ImageInspection[];
    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(Object.keys(line).sort()).toEqual(
      ['blank', 'epoch', 'image', 'layers', 'predicted', 'probabilities', 'run', 'saliency'].sort(),
    );
    expect([line.image, line.run, line.epoch, line.blank]).toEqual([file('seven.png'), runs.cnn, 2, false]);
    // Draw's own path for the same PNG: the same prediction.
    const drawn = await predictDrawing(store, models, [runs.cnn], readPngImage(file('seven.png')));
    expect(maxDifference(line.probabilities, drawn.predictions[0].probabilities!)).toBeLessThan(1e-6);
    expect(line.predicted).toBe(drawn.predictions[0].predicted);
    // And inspect:model's layers and map.
    const expected = await inspectModel(store, models, {
      runId: runs.cnn,
      input: { pixels: Array.from(preprocessCanvas(readPngImage(file('seven.png'))).pixels) },
      saliency: { method: 'gradient-input' },
    });
    expect(line.layers).toHaveLength(SMALL_CNN.layers.length);
    line.layers.forEach((layer, i) => {
      const want = expected.layers[i];
      expect([layer.index, layer.type, layer.shape]).toEqual([i, SMALL_CNN.layers[i].type, want.shape]);
      expect(layer.min).toBeCloseTo(want.min, 5);
      expect(layer.max).toBeCloseTo(want.max, 5);
      expect(layer.mean).toBeCloseTo(want.mean, 5);
    });
    expect(line.saliency).toMatchObject({ method: 'gradient-input', classIndex: line.predicted, layerIndex: null });
    expect(line.saliency.top).toHaveLength(20);
    expect(line.saliency.top.map((t) => [t.x, t.y])).toEqual(expected.saliency!.top.map((t) => [t.x, t.y]));
    expect(Math.abs(line.saliency.top[0].value)).toBeCloseTo(1, 6);
  });

  it('takes --epoch, --class and --method, and runs on the automatic backend', async () => {
    const { code, stdout } = await layerlab(
      'inspect',
      String(runs.cnn),
      file('seven.png'),
      '--json',
      '--epoch',
      '1',
      '--class',
      '4',
      '--method',
      'grad-cam',
    );
    expect(code).toBe(0);
    const [line] = jsonLines(stdout) as ImageInspection[];
    expect(line.epoch).toBe(1);
    expect(line.saliency).toMatchObject({ method: 'grad-cam', classIndex: 4, layerIndex: 4 });
    const expected = await inspectModel(store, models, {
      runId: runs.cnn,
      input: { pixels: Array.from(preprocessCanvas(readPngImage(file('seven.png'))).pixels) },
      epoch: 1,
      saliency: { method: 'grad-cam', classIndex: 4 },
    });
    // Another backend (native where it is built): the same numbers within float tolerance.
    expect(maxDifference(line.probabilities, expected.probabilities)).toBeLessThan(1e-4);
    for (const [i, t] of line.saliency.top.entries()) expect(t.value).toBeCloseTo(expected.saliency!.top[i].value, 3);
  });

  it('takes --weights last, refuses --weights best without a validation split, and --weights with --epoch', async () => {
    const last = await layerlab('inspect', String(runs.cnn), file('seven.png'), '--json', '--weights', 'last');
    expect(last.code, last.stderr).toBe(0);
    const [line] = jsonLines(last.stdout) as ImageInspection[];
    expect(line.epoch).toBe(store.checkpointFor(runs.cnn, 'last')!.epoch);
    const run = store.getRun(runs.cnn)!;
    if (run.hyperparameters.validationSplit === 0) {
      const best = await layerlab('inspect', String(runs.cnn), file('seven.png'), '--weights', 'best');
      expect(best.code).toBe(1);
      expect(best.stderr).toMatch(/--weights: run \d+ has no best epoch: it trained without a validation split/);
    }
    const both = await layerlab('inspect', String(runs.cnn), file('seven.png'), '--epoch', '1', '--weights', 'last');
    expect(both.code).not.toBe(0);
    expect(both.stderr).toMatch(/--weights.*cannot be used with option '--epoch/);
  });

  it('prints a readable table and the input and the map as text without --json', async () => {
    const { code, stdout } = await layerlab('inspect', String(runs.cnn), file('seven.png'), '--backend', 'cpu');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      new RegExp(`^${file('seven.png')}: \\d \\(\\d+\\.\\d%\\) — run ${runs.cnn} “small-cnn”, epoch 2 checkpoint$`),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^#\s+LAYER\s+OUTPUT\s+MIN\s+MAX\s+MEAN$/));
    expect(lines).toContainEqual(expect.stringMatching(/^1\s+Conv2D\s+26x26x4\s/));
    expect(lines).toContainEqual(expect.stringMatching(/^9\s+Dense\s+10\s/));
    expect(lines).toContainEqual(expect.stringMatching(/^saliency: gradient × input .*; strongest pixels \(x,y\):$/));
    expect(lines.filter((l) => /^ {2}\|.{28}\| {3}\|.{28}\|$/.test(l))).toHaveLength(28);
  });

  it('inspects a blank image but says so and exits 1', async () => {
    const json = await layerlab('inspect', String(runs.cnn), file('blank.png'), '--json', '--backend', 'cpu');
    expect(json.code).toBe(1);
    const [line] = jsonLines(json.stdout);
    expect(line).toMatchObject({ blank: true, error: `${file('blank.png')}: blank — no ink found` });
    const human = await layerlab('inspect', String(runs.cnn), file('blank.png'), '--backend', 'cpu');
    expect(human.code).toBe(1);
    expect(human.stdout).toBe('');
    expect(messages(human.stderr)).toEqual([`${file('blank.png')}: blank — no ink found`]);
  });

  it.each([
    ['a run that does not exist', ['999', 'seven.png'], 'layerlab: run 999 does not exist'],
    ['a file that is not a PNG', ['CNN', 'not-png.png'], `layerlab: ${file('not-png.png')}: is not a PNG file`],
    ['a missing file', ['CNN', 'missing.png'], new RegExp(`^layerlab: ${file('missing.png')}: `)],
    [
      'a class past the last',
      ['CNN', 'seven.png', '--class', '12'],
      "layerlab: --class: must be a class of the run's dataset, 0 to 9, got 12",
    ],
    ['a negative class', ['CNN', 'seven.png', '--class', '-1'], 'layerlab: --class must be 0 or more, got -1'],
    [
      'an epoch without a checkpoint',
      ['CNN', 'seven.png', '--epoch', '9'],
      /^layerlab: --epoch: run \d+ has no checkpoint for epoch 9; it has epochs 1–2$/,
    ],
    [
      'grad-cam without a Conv2D',
      ['MLP', 'seven.png', '--method', 'grad-cam'],
      /^layerlab: --method: grad-cam .* no Conv2D layer \(Flatten → Dense\); use gradient-input$/,
    ],
  ])('refuses %s clearly and exits 1', async (_label, args, expected) => {
    const [id, image, ...rest] = args;
    const runId = id === 'CNN' ? String(runs.cnn) : id === 'MLP' ? String(runs.mlp) : id;
    const { code, stdout, stderr } = await layerlab(
      'inspect',
      runId,
      file(image),
      '--json',
      '--backend',
      'cpu',
      ...rest,
    );
    expect(code).toBe(1);
    expect(stdout).toBe('');
    const lines = messages(stderr);
    expect(lines).toHaveLength(1);
    if (typeof expected === 'string') expect(lines[0]).toBe(expected);
    else expect(lines[0]).toMatch(expected);
  });

  it('refuses options it cannot read, and is in the help', async () => {
    const bad = await layerlab('inspect', String(runs.cnn), file('seven.png'), '--method', 'occlusion');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("option '--method <name>' argument 'occlusion' is invalid");
    const notNumber = await layerlab('inspect', String(runs.cnn), file('seven.png'), '--class', 'three');
    expect(notNumber.code).toBe(1);
    expect(notNumber.stderr).toContain('--class must be a whole number');
    const help = await layerlab('--help');
    expect(help.stdout).toMatch(/inspect \[options\] <id> <image>/);
    const own = await layerlab('inspect', '--help');
    expect(own.stdout).toContain('--method <name>');
  });
});
