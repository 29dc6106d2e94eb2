// `layerlab predict` as a user runs it: PNG files of every kind, a real process and SQLite file, a tiny model.
// The probabilities must be those of Draw's path (predictDrawing) for the same image.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { predictDrawing } from '#engine/evaluate/draw-predictions.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { ADAM7, decodePng, readPngImage } from '#engine/evaluate/png-input.ts';
import { preprocessCanvas } from '#engine/evaluate/preprocess.ts';
import { Store } from '#engine/store/index.ts';
import { datasetRefFor, tinyHyperparameters, tinyRunWithWeights, tinySpec } from './helpers/run-fixtures.ts';
import { cliOn } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const db = path.join(dir, 'predict.db');
const file = (name: string) => path.join(dir, name);
const layerlab = cliOn(db);

/** What the CLI wrote to stderr, without the banner tfjs prints when its pure-JS cpu backend starts. */
const messages = (stderr: string) =>
  stderr
    .trimEnd()
    .split('\n')
    .filter((line) => line.startsWith(dir) || line.startsWith('layerlab:'));

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

/** Grey levels (0..255) of a width x height image of `background`, with a `bar` of `ink` on it. */
function barImage(
  width: number,
  height: number,
  ink: number,
  background: number,
  bar: { x: number; y: number; w: number; h: number },
): Uint8Array {
  const grey = new Uint8Array(width * height).fill(background);
  for (let y = bar.y; y < bar.y + bar.h; y++) grey.fill(ink, y * width + bar.x, y * width + bar.x + bar.w);
  return grey;
}
/** The same shape at two sizes: a bar ten times as tall as it is wide. */
const BAR_200x300 = { x: 90, y: 50, w: 20, h: 200 };
const BAR_50x50 = { x: 23, y: 10, w: 3, h: 30 };

/** An 8-bit RGBA PNG from grey levels, written by pngjs; `alpha` gives each pixel's opacity (default opaque). */
function rgbaPng(width: number, height: number, grey: Uint8Array, alpha?: (i: number) => number): Buffer {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data.fill(grey[i], i * 4, i * 4 + 3);
    png.data[i * 4 + 3] = alpha ? alpha(i) : 255;
  }
  return PNG.sync.write(png);
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A PNG written by hand, for what pngjs cannot write: `rows` are the already packed scanlines (filter type 0 is
 * prepended), `extra` chunks go before the image data.
 */
function handPng(
  width: number,
  height: number,
  bitDepth: number,
  colorType: number,
  rows: Buffer[],
  { interlace = 0, extra = [] as Buffer[] } = {},
): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = bitDepth;
  header[9] = colorType;
  header[12] = interlace;
  const raw = Buffer.concat(rows.map((row) => Buffer.concat([Buffer.from([0]), row])));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...extra,
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 2-bit palette PNG: index 0 is light yellow (the paper), index 1 dark blue (the ink). */
function palettePng(width: number, height: number, inked: Uint8Array): Buffer {
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const row = Buffer.alloc(Math.ceil(width / 4));
    for (let x = 0; x < width; x++) if (inked[y * width + x]) row[x >> 2] |= 1 << (6 - 2 * (x & 3));
    rows.push(row);
  }
  const palette = chunk('PLTE', Buffer.from([250, 245, 200, 20, 30, 90, 0, 0, 0, 0, 0, 0]));
  return handPng(width, height, 2, 3, rows, { extra: [palette] });
}

/** A 16-bit greyscale PNG, interlaced (Adam7) when asked. */
function grey16Png(width: number, height: number, grey: Uint8Array, interlace = false): Buffer {
  const sample = (x: number, y: number) => grey[y * width + x] * 257;
  const rowsOf = (xs: number[], y: number) => {
    const row = Buffer.alloc(xs.length * 2);
    xs.forEach((x, i) => row.writeUInt16BE(sample(x, y), i * 2));
    return row;
  };
  const range = (start: number, end: number, step: number) =>
    Array.from({ length: Math.max(0, Math.ceil((end - start) / step)) }, (_, i) => start + i * step);
  if (!interlace)
    return handPng(
      width,
      height,
      16,
      0,
      range(0, height, 1).map((y) => rowsOf(range(0, width, 1), y)),
    );
  const rows: Buffer[] = [];
  for (const [x0, y0, dx, dy] of ADAM7) {
    const xs = range(x0, width, dx);
    if (xs.length) for (const y of range(y0, height, dy)) rows.push(rowsOf(xs, y));
  }
  return handPng(width, height, 16, 0, rows, { interlace: 1 });
}

let store: Store;
let models: RunModelCache;
let runId = 0;
let noWeightsRunId = 0;

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(db, { log: () => {} });
  models = new RunModelCache(store);
  runId = await tinyRunWithWeights(store, path.join(dir, 'runs'), datasetRefFor(path.join(dir, 'data')));
  noWeightsRunId = store.createRun({
    name: 'never trained',
    spec: tinySpec,
    hyperparameters: tinyHyperparameters,
    dataset: datasetRefFor(path.join(dir, 'data')),
  }).id;

  const dark = barImage(200, 300, 0, 255, BAR_200x300);
  fs.writeFileSync(file('dark-on-light.png'), rgbaPng(200, 300, dark));
  fs.writeFileSync(file('light-on-dark.png'), rgbaPng(200, 300, barImage(200, 300, 255, 0, BAR_200x300)));
  fs.writeFileSync(file('light-on-dark-50.png'), rgbaPng(50, 50, barImage(50, 50, 255, 0, BAR_50x50)));
  fs.writeFileSync(file('greyscale.png'), PNG.sync.write(pngOf(200, 300, dark), { colorType: 0 }));
  fs.writeFileSync(file('grey16.png'), grey16Png(200, 300, dark));
  fs.writeFileSync(file('grey16-interlaced.png'), grey16Png(200, 300, dark, true));
  fs.writeFileSync(
    file('palette.png'),
    palettePng(
      200,
      300,
      dark.map((g) => (g === 0 ? 1 : 0)),
    ),
  );
  // Black ink on a transparent background, as a canvas export holds it: the background's colour is black too.
  fs.writeFileSync(
    file('transparent.png'),
    rgbaPng(200, 300, new Uint8Array(200 * 300), (i) => (dark[i] === 0 ? 255 : 0)),
  );
  fs.writeFileSync(file('blank.png'), rgbaPng(64, 64, new Uint8Array(64 * 64).fill(255)));
  const whole = fs.readFileSync(file('dark-on-light.png'));
  fs.writeFileSync(file('truncated.png'), whole.subarray(0, Math.floor(whole.length / 2)));
  fs.writeFileSync(file('not-png.png'), 'this is text, not an image\n');
});
afterAll(() => {
  models.dispose();
  store.close();
});

function pngOf(width: number, height: number, grey: Uint8Array): PNG {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) {
    png.data.fill(grey[i], i * 4, i * 4 + 3);
    png.data[i * 4 + 3] = 255;
  }
  return png;
}

/** The 28x28 input Draw's preprocessing makes of a PNG file. */
const inputOf = (name: string) => preprocessCanvas(readPngImage(file(name))).pixels;

describe('reading PNG files', () => {
  it('decodes every colour type and bit depth to 8-bit RGBA of the same picture', () => {
    const reference = readPngImage(file('dark-on-light.png'));
    expect(reference).toMatchObject({ width: 200, height: 300 });
    expect(reference.data).toHaveLength(200 * 300 * 4);
    for (const name of ['greyscale.png', 'grey16.png', 'grey16-interlaced.png'])
      expect(
        Buffer.from(readPngImage(file(name)).data as Uint8Array).equals(Buffer.from(reference.data as Uint8Array)),
        name,
      ).toBe(true);
    const palette = readPngImage(file('palette.png'));
    expect(Array.from(palette.data.slice(0, 4))).toEqual([250, 245, 200, 255]);
    expect(inputOf('palette.png')).toEqual(inputOf('dark-on-light.png'));
  });

  it('gives dark ink on light and light ink on dark of the same shape the same input, at any size', () => {
    const input = inputOf('dark-on-light.png');
    expect(input.some((v) => v > 0.5)).toBe(true);
    expect(inputOf('light-on-dark.png')).toEqual(input);
    expect(inputOf('transparent.png')).toEqual(input);
    const small = inputOf('light-on-dark-50.png');
    expect(Math.max(...small.map((v, i) => Math.abs(v - input[i])))).toBeLessThan(1e-6);
  });

  it('names the file and the reason it cannot be used', () => {
    expect(() => readPngImage(file('missing.png'))).toThrow(`${file('missing.png')}: file not found`);
    expect(() => readPngImage(file('not-png.png'))).toThrow(`${file('not-png.png')}: is not a PNG file`);
    expect(() => readPngImage(file('truncated.png'))).toThrow(`${file('truncated.png')}: is damaged`);
    expect(() => readPngImage(dir)).toThrow(`${dir}: is a folder, not a file`);
    const huge = handPng(5000, 5000, 8, 0, []);
    expect(() => decodePng(huge, 'huge.png')).toThrow('huge.png: image is 5000×5000, at most 4096×4096');
    const flipped = fs.readFileSync(file('dark-on-light.png'));
    flipped[flipped.length - 20] ^= 0xff;
    expect(() => decodePng(flipped, 'flipped.png')).toThrow(/^flipped\.png: is damaged/);
  });

  it('refuses interlaced image data that inflates beyond what its size holds', () => {
    // A 10x10 grey header over 1 MB of image data: refused without inflating it all.
    const rows = Array.from({ length: 1024 }, () => Buffer.alloc(1024));
    const bomb = handPng(10, 10, 8, 0, rows, { interlace: 1 });
    expect(() => decodePng(bomb, 'bomb.png')).toThrow(
      'bomb.png: is damaged (its image data is larger than a 10×10 image)',
    );
  });
});

describe('layerlab predict', () => {
  it('--json prints one line per image with the probabilities of Draw’s path', async () => {
    const names = ['dark-on-light.png', 'light-on-dark.png', 'palette.png', 'transparent.png', 'light-on-dark-50.png'];
    const r = await layerlab('predict', String(runId), ...names.map(file), '--json', '--backend', 'cpu');
    expect(r.code, r.stderr).toBe(0);
    const lines = jsonLines(r.stdout);
    expect(lines).toHaveLength(names.length);
    for (const [i, line] of lines.entries()) {
      expect(Object.keys(line)).toEqual(['image', 'epoch', 'predicted', 'probabilities', 'blank']);
      expect(line.epoch).toBe(1);
      expect(line.image).toBe(file(names[i]));
      expect(line.blank).toBe(false);
      expect(line.probabilities).toHaveLength(10);
      expect(line.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 5);
      expect(line.predicted).toBe(line.probabilities.indexOf(Math.max(...line.probabilities)));
      const draw = await predictDrawing(store, models, [runId], readPngImage(file(names[i])));
      expect(line.probabilities).toEqual(draw.predictions[0].probabilities);
      expect(line.predicted).toBe(draw.predictions[0].predicted);
    }
    // Same shape, same input: the same probabilities whichever way round the colours are.
    expect(lines[1].probabilities).toEqual(lines[0].probabilities);
    expect(lines[2].probabilities).toEqual(lines[0].probabilities);
    expect(lines[3].probabilities).toEqual(lines[0].probabilities);
    lines[4].probabilities.forEach((p: number, c: number) => expect(p).toBeCloseTo(lines[0].probabilities[c], 5));
  });

  it('prints the digit, its probability and every probability in aligned lines', async () => {
    const r = await layerlab(
      'predict',
      String(runId),
      file('dark-on-light.png'),
      file('palette.png'),
      '--backend',
      'cpu',
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(
      new RegExp(`^${file('dark-on-light.png').replace(/[.\\]/g, '\\$&')}: \\d \\(\\d+\\.\\d%\\)$`),
    );
    expect(lines[1]).toMatch(/^ {2}0: +\d+\.\d% 1: +\d+\.\d% 2: .* 9: +\d+\.\d%$/);
    expect(lines[3]).toBe(lines[1]);
    // Ten entries of the same width ("7: 81.6%"), whatever the values, so the lines of several images align.
    expect(lines[1]).toHaveLength(2 + 10 * 8 + 9);
  });

  it('reports a blank or unreadable image, goes on with the others and exits 1', async () => {
    const names = ['blank.png', 'truncated.png', 'dark-on-light.png', 'missing.png', 'not-png.png'];
    const r = await layerlab('predict', String(runId), ...names.map(file), '--json', '--backend', 'cpu');
    expect(r.code).toBe(1);
    const lines = jsonLines(r.stdout);
    expect(lines.map((l) => l.image)).toEqual(names.map(file));
    expect(lines[0]).toEqual({
      image: file('blank.png'),
      epoch: null,
      predicted: null,
      probabilities: null,
      blank: true,
      error: `${file('blank.png')}: blank — no ink found`,
    });
    expect(lines[1]).toMatchObject({ predicted: null, blank: false });
    expect(lines[1].error).toMatch(/truncated\.png: is damaged \(the file is cut short\)/);
    expect(lines[2]).toMatchObject({ blank: false, predicted: expect.any(Number) });
    expect(lines[2].error).toBeUndefined();
    expect(lines[3].error).toBe(`${file('missing.png')}: file not found`);
    expect(lines[4].error).toBe(`${file('not-png.png')}: is not a PNG file`);

    const human = await layerlab('predict', String(runId), ...names.map(file), '--backend', 'cpu');
    expect(human.code).toBe(1);
    expect(human.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(messages(human.stderr)).toEqual([
      `${file('blank.png')}: blank — no ink found`,
      `${file('truncated.png')}: is damaged (the file is cut short)`,
      `${file('missing.png')}: file not found`,
      `${file('not-png.png')}: is not a PNG file`,
    ]);
  });

  it('--weights last predicts with the last epoch; --weights best is refused for a run without validation', async () => {
    const last = await layerlab('predict', String(runId), file('dark-on-light.png'), '--json', '--weights', 'last');
    expect(last.code, last.stderr).toBe(0);
    expect(jsonLines(last.stdout)[0]).toMatchObject({ epoch: 1, blank: false });
    const human = await layerlab('predict', String(runId), file('dark-on-light.png'), '--backend', 'cpu');
    expect(human.stderr).toMatch(new RegExp(`run ${runId}: weights after epoch 1 \\(last\\)`));
    const best = await layerlab('predict', String(runId), file('dark-on-light.png'), '--weights', 'best');
    expect(best.code).toBe(1);
    expect(messages(best.stderr)).toEqual([
      `layerlab: run ${runId} has no best epoch: it trained without a validation split, so only its last weights exist (best weights)`,
    ]);
  });

  it('explains a run that does not exist or has no weights, and exits 1', async () => {
    const missing = await layerlab('predict', '999', file('dark-on-light.png'), '--backend', 'cpu');
    expect(missing.code).toBe(1);
    expect(messages(missing.stderr)).toEqual(['layerlab: run 999 does not exist']);
    const untrained = await layerlab('predict', String(noWeightsRunId), file('dark-on-light.png'), '--backend', 'cpu');
    expect(untrained.code).toBe(1);
    expect(messages(untrained.stderr)).toEqual([
      `layerlab: run ${noWeightsRunId} has no saved weights yet (it has not finished an epoch)`,
    ]);
    expect(untrained.stdout).toBe('');
    const badId = await layerlab('predict', 'seven', file('dark-on-light.png'));
    expect(badId.code).toBe(1);
    expect(badId.stderr).toMatch(/id must be a whole number/);
    const noImage = await layerlab('predict', String(runId));
    expect(noImage.code).not.toBe(0);
    expect(noImage.stderr).toMatch(/missing required argument 'image'/);
  });
});
