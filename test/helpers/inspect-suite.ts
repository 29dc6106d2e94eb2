// inspect:model on one backend (each backend gets its own test file: one backend per process). Runs are recorded
// straight from built models with chosen weights; answers come through EngineService.handle as the engine
// process gives them. References are computed apart from the engine's path: layer by layer with the tfjs layers
// of a second copy of the model, and the gradients with tf.grad on the pure-JS cpu backend.
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { preprocessStrokes } from '#engine/evaluate/stroke-raster.ts';
import { buildModel } from '#engine/model/build.ts';
import { EngineService } from '#engine/service.ts';
import type { Store } from '#engine/store/index.ts';
import { loadCheckpoint, runCheckpointDir, writeCheckpoint } from '#engine/train/checkpoint.ts';
import type { Envelope, ModelInspection, PredictResult, RequestOf } from '#shared/contract.ts';
import { BASE_WIDTH, type Stroke } from '#shared/drawing.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import type { BackendKind, DatasetRef } from '#shared/types.ts';
import { datasetRefFor, tinyHyperparameters, writeSyntheticIdx } from './run-fixtures.ts';
import { tempDir } from './tmp.ts';

/** A small CNN of every layer type the spec format has. */
export const SMALL_CNN: ModelSpec = {
  name: 'small-cnn',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu' },
    { type: 'BatchNormalization' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Dropout', rate: 0.25 },
    { type: 'Conv2D', filters: 6, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' },
    { type: 'AveragePooling2D', poolSize: 2 },
    { type: 'Flatten' },
    { type: 'Dense', units: 16, activation: 'tanh' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

/** Reads only a 12×12 block of pixels: its Dense weights are zero elsewhere. */
export const BLOCK_READER: ModelSpec = {
  name: 'block-reader',
  inputShape: [28, 28, 1],
  layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
};
export const BLOCK = { top: 6, left: 10, size: 12 };
export const inBlock = (x: number, y: number) =>
  x >= BLOCK.left && x < BLOCK.left + BLOCK.size && y >= BLOCK.top && y < BLOCK.top + BLOCK.size;

/**
 * Class 3 counts bright ink (> 0.6) anywhere: its first Conv2D has a bright-ink channel and an any-ink channel,
 * the second passes both on, and class 3's Dense weights read only the bright one. An input with a bright square
 * and a dim bar (0.4) depends only on the square.
 */
export const BRIGHT_READER: ModelSpec = {
  name: 'bright-reader',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: 2, kernelSize: 1, activation: 'relu' },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};
/** The bright square, aligned with the 2×2 pooling: rows and columns 6..21. */
export const SQUARE = { from: 6, to: 22 };
export const inSquare = (x: number, y: number) =>
  x >= SQUARE.from && x < SQUARE.to && y >= SQUARE.from && y < SQUARE.to;

/** A stroke drawing of a "7" on a 280-pixel pad. */
export const SEVEN: Stroke[] = [
  [
    { x: 70, y: 60, width: BASE_WIDTH },
    { x: 140, y: 58, width: BASE_WIDTH },
    { x: 210, y: 60, width: BASE_WIDTH },
    { x: 170, y: 140, width: BASE_WIDTH },
    { x: 130, y: 230, width: BASE_WIDTH },
  ],
];

export function seededValues(count: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** The model of `spec` with `weights(model)` set (or seeded initial weights), as a checkpoint after `epoch`. */
export async function recordCheckpoint(
  store: Store,
  root: string,
  runId: number,
  spec: ModelSpec,
  epoch: number,
  weights?: (shapes: number[][]) => Float32Array[],
): Promise<void> {
  const model = buildModel(spec, { seed: runId * 10 + epoch });
  try {
    if (weights) {
      const shapes = model.getWeights().map((w) => w.shape);
      const tensors = weights(shapes).map((values, i) => tf.tensor(values, shapes[i]));
      model.setWeights(tensors);
      tf.dispose(tensors);
    }
    const folder = await writeCheckpoint(runCheckpointDir(root, runId), {
      epoch,
      weights: model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor })),
      optimizer: { className: 'Adam', weights: [] },
    });
    store.recordCheckpoint(runId, { epoch, path: folder });
  } finally {
    model.dispose();
  }
}

export function createRun(store: Store, spec: ModelSpec, dataset: DatasetRef, name = spec.name): number {
  return store.createRun({ name, spec, hyperparameters: tinyHyperparameters, dataset }).id;
}

/** BatchNormalization's moving statistics away from 0 and 1, so inference really normalises. */
export function smallCnnWeights(shapes: number[][]): Float32Array[] {
  return shapes.map((shape, i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const values = seededValues(size, 100 + i, 0.6);
    // The non-trainable weights come last: moving mean, then moving variance (must be positive).
    if (i === shapes.length - 1) return values.map((v) => 0.5 + Math.abs(v));
    return values;
  });
}

export function blockReaderWeights(shapes: number[][]): Float32Array[] {
  const [, units] = shapes[0];
  const kernel = seededValues(784 * units, 5, 1);
  for (let p = 0; p < 784; p++) if (!inBlock(p % 28, Math.floor(p / 28))) kernel.fill(0, p * units, (p + 1) * units);
  return [kernel, new Float32Array(units)];
}

export function brightReaderWeights(shapes: number[][]): Float32Array[] {
  // Conv2D 1: only the centre tap; channel 0 = relu(x - 0.6) (bright ink), channel 1 = relu(x - 0.1) (any ink).
  const conv1 = new Float32Array(3 * 3 * 2);
  conv1[(1 * 3 + 1) * 2 + 0] = 1;
  conv1[(1 * 3 + 1) * 2 + 1] = 1;
  // Conv2D 2 (1×1): the identity.
  const conv2 = Float32Array.from([1, 0, 0, 1]);
  const [features, units] = shapes[4];
  const dense = new Float32Array(features * units);
  for (let f = 0; f < features; f++) {
    if (f % 2 === 0)
      dense[f * units + 3] = 1; // class 3 reads the bright channel
    else dense[f * units + 5] = 0.01; // class 5 the any-ink channel, faintly
  }
  return [conv1, Float32Array.from([-0.6, -0.1]), conv2, new Float32Array(2), dense, new Float32Array(units)];
}

/** A bright 16×16 square and a dim bar (0.4) below it. */
export function squareAndBar(): Float32Array {
  const pixels = new Float32Array(784);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      if (inSquare(x, y)) pixels[y * 28 + x] = 1;
      else if (y >= 23 && y < 27 && x >= 2 && x < 26) pixels[y * 28 + x] = 0.4;
    }
  return pixels;
}

/** Share of a map's |mass| where `where(x, y)`. */
export function massShare(map: ArrayLike<number>, where: (x: number, y: number) => boolean): number {
  let inside = 0;
  let total = 0;
  for (let i = 0; i < map.length; i++) {
    const v = Math.abs(map[i]);
    total += v;
    if (where(i % 28, Math.floor(i / 28))) inside += v;
  }
  return inside / total;
}

/** The reference model of a run's checkpoint, built and read on the current backend. */
async function referenceModel(service: EngineService, runId: number, spec: ModelSpec, epoch?: number) {
  const checkpoints = service.store.listCheckpoints(runId);
  const checkpoint = epoch === undefined ? checkpoints[0] : checkpoints.find((c) => c.epoch === epoch)!;
  const model = buildModel(spec);
  await loadCheckpoint(checkpoint.path, model);
  return model;
}

/** Reference saliency on cpu: tf.grad of the class logit through the layers applied one by one. */
async function referenceSaliency(
  service: EngineService,
  runId: number,
  spec: ModelSpec,
  pixels: Float32Array,
  method: 'gradient-input' | 'grad-cam',
  classIndex: number,
): Promise<Float32Array> {
  const original = tf.getBackend();
  await tf.setBackend('cpu');
  try {
    const model = await referenceModel(service, runId, spec);
    const layers = model.layers;
    const n = layers.length;
    const dense = layers[n - 1];
    const [kernel, bias] = dense.getWeights();
    const logitFrom = (start: number, t: tf.Tensor) => {
      for (let i = start; i < n - 1; i++) t = layers[i].apply(t, { training: false }) as tf.Tensor;
      return tf.add(tf.matMul(t, kernel), bias).gather([classIndex], 1).sum() as tf.Scalar;
    };
    const result = tf.tidy(() => {
      const x = tf.tensor4d(pixels, [1, 28, 28, 1]);
      if (method === 'gradient-input') {
        const g = tf.grad((xi: tf.Tensor) => logitFrom(0, xi))(x);
        const m = tf.mul(g, x).reshape([784]);
        return tf.div(m, tf.max(tf.abs(m))).dataSync() as Float32Array;
      }
      const k = spec.layers.map((l) => l.type).lastIndexOf('Conv2D');
      let a: tf.Tensor = x;
      for (let i = 0; i <= k; i++) a = layers[i].apply(a, { training: false }) as tf.Tensor;
      const g = tf.grad((ai: tf.Tensor) => logitFrom(k + 1, ai))(a);
      const weights = tf.mean(g, [0, 1, 2]);
      const cam = tf.relu(tf.sum(tf.mul(a, weights), -1, true)) as tf.Tensor4D;
      const up = tf.image.resizeBilinear(cam, [28, 28], false, true).reshape([784]);
      const peak = tf.max(up);
      return tf.where(tf.greater(peak, 0), tf.div(up, peak), up).dataSync() as Float32Array;
    });
    model.dispose();
    return result;
  } finally {
    await tf.setBackend(original);
  }
}

/** Largest |a - b| over two arrays. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export function inspectSuite(kind: BackendKind, skipReason: string | null) {
  describe.skipIf(skipReason !== null)(
    `inspect:model on ${kind}${skipReason ? ` (skipped: ${skipReason})` : ''}`,
    () => {
      const dir = tempDir();
      const root = path.join(dir, 'runs');
      const dataset = datasetRefFor(writeSyntheticIdx(path.join(dir, 'data')));
      let service: EngineService;
      const runs: Record<'cnn' | 'block' | 'bright' | 'bare', number> = { cnn: 0, block: 0, bright: 0, bare: 0 };

      const inspect = async (request: RequestOf<'inspect:model'>): Promise<ModelInspection> => {
        const envelope = (await service.handle('inspect:model', request)) as Envelope<ModelInspection>;
        if (!envelope.ok) throw new Error(envelope.error.message);
        return envelope.value;
      };
      const refusal = async (channel: 'inspect:model' | 'inspect:filters', request: unknown) => {
        const envelope = await service.handle(channel, request);
        expect(envelope.ok).toBe(false);
        return (envelope as { error: { message: string; field?: string } }).error;
      };

      beforeAll(async () => {
        expect((await initBackend(kind)).kind).toBe(kind);
        service = new EngineService({ dbPath: path.join(dir, 'layerlab.db'), dataDir: dir, emit: () => {} });
        runs.cnn = createRun(service.store, SMALL_CNN, dataset);
        await recordCheckpoint(service.store, root, runs.cnn, SMALL_CNN, 1);
        await recordCheckpoint(service.store, root, runs.cnn, SMALL_CNN, 2, smallCnnWeights);
        runs.block = createRun(service.store, BLOCK_READER, dataset);
        await recordCheckpoint(service.store, root, runs.block, BLOCK_READER, 1, blockReaderWeights);
        runs.bright = createRun(service.store, BRIGHT_READER, dataset);
        await recordCheckpoint(service.store, root, runs.bright, BRIGHT_READER, 1, brightReaderWeights);
        runs.bare = createRun(service.store, SMALL_CNN, dataset, 'no checkpoint');
      });
      afterAll(() => service?.shutdown());

      it('returns every layer equal to its tfjs layer applied to the previous output, and the last to model.predict', async () => {
        const pixels = seededValues(784, 9).map((v) => Math.abs(v));
        const result = await inspect({ runId: runs.cnn, input: { pixels: Array.from(pixels) }, saliency: null });
        expect(result.epoch).toBe(2);
        expect(result.saliency).toBeNull();
        expect(result.layers.map((l) => [l.index, l.type])).toEqual(SMALL_CNN.layers.map((l, i) => [i, l.type]));
        const model = await referenceModel(service, runs.cnn, SMALL_CNN);
        try {
          let previous: tf.Tensor = tf.tensor4d(pixels, [1, 28, 28, 1]);
          const input = previous;
          for (const [i, layer] of result.layers.entries()) {
            const expected = model.layers[i].apply(previous, { training: false }) as tf.Tensor;
            expect(layer.shape).toEqual(expected.shape.slice(1));
            expect(layer.values).toBeInstanceOf(Float32Array);
            const want = expected.dataSync() as Float32Array;
            expect(maxDifference(layer.values, want)).toBeLessThan(1e-4);
            expect(layer.min).toBeCloseTo(Math.min(...want), 4);
            expect(layer.max).toBeCloseTo(Math.max(...want), 4);
            expect(layer.mean).toBeCloseTo(want.reduce((a, b) => a + b, 0) / want.length, 4);
            if (previous !== input) previous.dispose();
            expected.dispose();
            previous = tf.tensor(layer.values, [1, ...layer.shape]);
          }
          previous.dispose();
          const predicted = tf.tidy(() => (model.predict(input) as tf.Tensor).dataSync());
          input.dispose();
          expect(maxDifference(result.probabilities, predicted)).toBeLessThan(1e-5);
          expect(result.predicted).toBe(result.probabilities.indexOf(Math.max(...result.probabilities)));
          expect(result.classes).toEqual(dataset.classes);
          // The dropout layer is off at inference: its output is its input.
          expect(maxDifference(result.layers[3].values, result.layers[2].values)).toBe(0);
        } finally {
          model.dispose();
        }
      });

      it('reads strokes as predict:strokes does, and test images of the run’s dataset', async () => {
        const drawn = await inspect({ runId: runs.cnn, input: { strokes: SEVEN }, saliency: null });
        expect(drawn.input).toEqual(Array.from(preprocessStrokes(SEVEN).pixels));
        expect(drawn.blank).toBe(false);
        const predicted = (await service.handle('predict:strokes', {
          runIds: [runs.cnn],
          strokes: SEVEN,
        })) as Envelope<PredictResult>;
        expect(predicted.ok).toBe(true);
        const prediction = predicted.ok ? predicted.value.predictions[0] : null;
        expect(maxDifference(drawn.probabilities, prediction!.probabilities!)).toBeLessThan(1e-6);
        expect(drawn.predicted).toBe(prediction!.predicted);

        const test = await inspect({ runId: runs.cnn, input: { testIndex: 3 }, saliency: null });
        const images = (await service.handle('datasets:images', {
          datasetId: dataset.id,
          split: 'test',
          indices: [3],
        })) as Envelope<{ images: Uint8Array[] }>;
        expect(test.input).toEqual(Array.from(images.ok ? images.value.images[0] : [], (b) => Math.fround(b / 255)));
        const bytes = await inspect({
          runId: runs.cnn,
          input: { pixels: Array.from(test.input, (v) => Math.round(v * 255)) },
          saliency: null,
        });
        expect(maxDifference(bytes.probabilities, test.probabilities)).toBeLessThan(1e-6);

        const blank = await inspect({ runId: runs.cnn, input: { strokes: [] }, saliency: null });
        expect(blank.blank).toBe(true);
        expect(blank.layers).toHaveLength(SMALL_CNN.layers.length);
      });

      it('uses the checkpoint of the epoch asked for', async () => {
        const pixels = Array.from(squareAndBar());
        const first = await inspect({ runId: runs.cnn, input: { pixels }, epoch: 1, saliency: null });
        const latest = await inspect({ runId: runs.cnn, input: { pixels }, saliency: null });
        expect([first.epoch, latest.epoch]).toEqual([1, 2]);
        const model = await referenceModel(service, runs.cnn, SMALL_CNN, 1);
        const expected = tf.tidy(() => (model.predict(tf.tensor4d(pixels, [1, 28, 28, 1])) as tf.Tensor).dataSync());
        model.dispose();
        expect(maxDifference(first.probabilities, expected)).toBeLessThan(1e-5);
        expect(maxDifference(first.probabilities, latest.probabilities)).toBeGreaterThan(1e-3);
      });

      it('puts gradient × input on the only pixels the model reads (≥ 90% of the mass), exactly W·x', async () => {
        const pixels = seededValues(784, 3).map((v) => 0.2 + 0.8 * Math.abs(v)); // ink everywhere
        const result = await inspect({ runId: runs.block, input: { pixels: Array.from(pixels) } });
        const saliency = result.saliency!;
        expect(saliency.method).toBe('gradient-input');
        expect(saliency.layerIndex).toBeNull();
        expect(saliency.classIndex).toBe(result.predicted);
        expect(saliency.map).toBeInstanceOf(Float32Array);
        expect(saliency.map).toHaveLength(784);
        expect(massShare(saliency.map, inBlock)).toBeGreaterThanOrEqual(0.9);
        // Analytically: the logit's gradient is the class's column of the Dense kernel.
        const [kernel] = blockReaderWeights([[784, 10]]);
        const expected = Array.from(pixels, (x, p) => kernel[p * 10 + saliency.classIndex] * x);
        const peak = Math.max(...expected.map(Math.abs));
        expect(
          maxDifference(
            saliency.map,
            expected.map((v) => v / peak),
          ),
        ).toBeLessThan(1e-5);
        expect(Math.max(...Array.from(saliency.map, Math.abs))).toBeCloseTo(1, 6);
        expect(saliency.top).toHaveLength(20);
        for (const { x, y } of saliency.top) expect(inBlock(x, y)).toBe(true);
        const magnitudes = saliency.top.map((t) => Math.abs(t.value));
        expect(magnitudes).toEqual([...magnitudes].sort((a, b) => b - a));
        expect(saliency.top[0].value).toBe(saliency.map[saliency.top[0].y * 28 + saliency.top[0].x]);
      });

      it('puts both methods on the bright square the class counts, not on the dim bar (≥ 90% of the mass)', async () => {
        const pixels = Array.from(squareAndBar());
        const gradient = await inspect({
          runId: runs.bright,
          input: { pixels },
          saliency: { method: 'gradient-input' },
        });
        expect(gradient.predicted).toBe(3);
        expect(massShare(gradient.saliency!.map, inSquare)).toBeGreaterThanOrEqual(0.9);
        const cam = await inspect({ runId: runs.bright, input: { pixels }, saliency: { method: 'grad-cam' } });
        const saliency = cam.saliency!;
        expect([saliency.method, saliency.classIndex, saliency.layerIndex]).toEqual(['grad-cam', 3, 2]);
        expect(massShare(saliency.map, inSquare)).toBeGreaterThanOrEqual(0.9);
        expect(Math.min(...saliency.map)).toBeGreaterThanOrEqual(0);
        expect(Math.max(...saliency.map)).toBeCloseTo(1, 6);
        const onBar = (x: number, y: number) => y >= 23 && y < 27 && x >= 2 && x < 26;
        expect(massShare(saliency.map, onBar)).toBe(0);
        // Another class: class 5 reads the any-ink channel, so its map covers the bar too (the bar's ink is dimmer).
        const five = await inspect({
          runId: runs.bright,
          input: { pixels },
          saliency: { method: 'grad-cam', classIndex: 5 },
        });
        expect(five.saliency!.classIndex).toBe(5);
        expect(massShare(five.saliency!.map, onBar)).toBeGreaterThan(0.05);
      });

      it('computes the gradients tf.grad computes on the cpu backend, for both methods and any class', async () => {
        const pixels = Float32Array.from(preprocessStrokes(SEVEN).pixels);
        for (const method of ['gradient-input', 'grad-cam'] as const) {
          for (const classIndex of [undefined, 4]) {
            const result = await inspect({
              runId: runs.cnn,
              input: { strokes: SEVEN },
              saliency: { method, classIndex },
            });
            const saliency = result.saliency!;
            expect(saliency.classIndex).toBe(classIndex ?? result.predicted);
            const expected = await referenceSaliency(service, runs.cnn, SMALL_CNN, pixels, method, saliency.classIndex);
            // Not a map of zeros (a design whose Grad-CAM is all negative would test nothing).
            expect(Math.max(...Array.from(saliency.map, Math.abs))).toBeCloseTo(1, 6);
            expect(maxDifference(saliency.map, expected)).toBeLessThan(1e-3);
          }
        }
      });

      it('leaks no tensors over repeated requests, and frees everything with the model', async () => {
        const request = (saliency: RequestOf<'inspect:model'>['saliency']) =>
          inspect({ runId: runs.cnn, input: { strokes: SEVEN }, saliency });
        const modes = [null, { method: 'gradient-input' as const }, { method: 'grad-cam' as const, classIndex: 1 }];
        for (const mode of modes) await request(mode);
        const before = tf.memory().numTensors;
        for (let i = 0; i < 10; i++) for (const mode of modes) await request(mode);
        expect(tf.memory().numTensors).toBe(before);
        // Deleting the run disposes its models and their inspectors: every weight tensor of both epochs goes.
        const counted = buildModel(SMALL_CNN);
        const weights = counted.getWeights().length;
        counted.dispose();
        await service.handle('inspect:model', { runId: runs.cnn, input: { strokes: SEVEN }, epoch: 1, saliency: null });
        const loaded = tf.memory().numTensors;
        await service.handle('runs:delete', { runId: runs.cnn });
        expect(tf.memory().numTensors).toBe(loaded - 2 * weights);
        runs.cnn = createRun(service.store, SMALL_CNN, dataset);
        await recordCheckpoint(service.store, root, runs.cnn, SMALL_CNN, 1);
        await recordCheckpoint(service.store, root, runs.cnn, SMALL_CNN, 2, smallCnnWeights);
      });

      it('refuses what it cannot answer, naming the field', async () => {
        const strokes = { strokes: SEVEN };
        let error = await refusal('inspect:model', { runId: runs.cnn, input: strokes, epoch: 7 });
        expect(error).toEqual({
          message: `run ${runs.cnn} has no checkpoint for epoch 7; it has epochs 1–2`,
          field: 'epoch',
        });
        error = await refusal('inspect:model', { runId: runs.cnn, input: strokes, saliency: { classIndex: 10 } });
        expect(error.field).toBe('saliency.classIndex');
        expect(error.message).toBe(
          "inspect:model: saliency.classIndex: must be a class of the run's dataset, 0 to 9, got 10",
        );
        error = await refusal('inspect:model', { runId: runs.block, input: strokes, saliency: { method: 'grad-cam' } });
        expect(error.field).toBe('saliency.method');
        expect(error.message).toMatch(
          /^inspect:model: saliency\.method: grad-cam .* no Conv2D layer \(Flatten → Dense\); use gradient-input$/,
        );
        error = await refusal('inspect:model', { runId: runs.bare, input: strokes });
        expect(error.message).toBe(`run ${runs.bare} has no saved weights yet (it has not finished an epoch)`);
        error = await refusal('inspect:model', { runId: runs.bare, input: strokes, epoch: 1 });
        expect(error.message).toBe(`run ${runs.bare} has no saved weights yet (it has not finished an epoch)`);
        error = await refusal('inspect:model', { runId: 9999, input: strokes });
        expect(error.message).toBe('run 9999 does not exist');
        error = await refusal('inspect:model', { runId: runs.cnn, input: { testIndex: 12 } });
        expect(error.field).toBe('input.testIndex');
        expect(error.message).toMatch(/12 images, 0 to 11\), got 12$/);
        // Still answering.
        expect((await inspect({ runId: runs.cnn, input: strokes })).saliency).not.toBeNull();
      });
    },
  );
}
