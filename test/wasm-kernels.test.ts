// The composed wasm training kernels must reproduce the cpu backend's gradients (the reference
// implementation) and train a small CNN without leaking tensors or wasm buffers.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WASM_TRAINING_KERNELS, registerWasmTrainingKernels } from '#engine/backend/wasm-kernels.ts';
import { initWasmBackend } from '#engine/backend/wasm-setup.ts';

type Shape4 = [number, number, number, number];
type Padding = 'valid' | 'same';

/** Deterministic values in [-0.5, 0.5): identical inputs on both backends, small float32 error. */
function values(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Gradients of sum(f(inputs) * r) w.r.t. every input, computed on `backend`, as plain arrays. */
async function gradsOn(
  backend: string,
  shapes: number[][],
  f: (...xs: tf.Tensor[]) => tf.Tensor,
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = shapes.map((s, i) => tf.tensor(values(size(s), 11 + i), s));
    const outShape = f(...xs).shape;
    const r = tf.tensor(values(size(outShape), 99), outShape);
    const g = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...args), r)));
    return g(xs).map((t) => t.dataSync() as Float32Array);
  });
}

/** Max abs difference, and the same relative to the reference's largest magnitude. */
function compare(ref: ArrayLike<number>, got: ArrayLike<number>): { abs: number; rel: number } {
  expect(got.length).toBe(ref.length);
  let abs = 0;
  let scale = 1e-6;
  for (let i = 0; i < ref.length; i++) {
    abs = Math.max(abs, Math.abs(ref[i] - got[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return { abs, rel: abs / scale };
}

async function expectSameGrads(shapes: number[][], f: (...xs: tf.Tensor[]) => tf.Tensor): Promise<void> {
  const ref = await gradsOn('cpu', shapes, f);
  const got = await gradsOn('wasm', shapes, f);
  ref.forEach((r, i) => {
    const { abs, rel } = compare(r, got[i]);
    expect(abs).toBeLessThanOrEqual(1e-4);
    expect(rel).toBeLessThanOrEqual(1e-5);
  });
}

beforeAll(async () => {
  await initWasmBackend();
});

describe('registration', () => {
  it('is idempotent and reports the kernels it serves', () => {
    const before = WASM_TRAINING_KERNELS.map((k) => tf.getKernel(k, 'wasm').kernelFunc);
    expect(registerWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    expect(registerWasmTrainingKernels()).toEqual([...WASM_TRAINING_KERNELS]);
    WASM_TRAINING_KERNELS.forEach((k, i) => expect(tf.getKernel(k, 'wasm').kernelFunc).toBe(before[i]));
    expect(tf.getBackend()).toBe('wasm');
  });
});

// [batch, h, w, inCh], [kh, kw], outCh, stride, padding
const convCases: Array<[Shape4, [number, number], number, number | [number, number], Padding | number]> = [
  [[1, 5, 5, 1], [1, 1], 2, 1, 'valid'],
  [[2, 7, 9, 3], [3, 3], 4, 1, 'valid'],
  [[2, 7, 9, 3], [3, 3], 4, 1, 'same'],
  [[3, 8, 6, 8], [5, 5], 3, 1, 'same'],
  [[1, 9, 9, 8], [5, 5], 8, 1, 'valid'],
  [[4, 6, 6, 3], [3, 3], 2, 2, 'valid'],
  [[2, 7, 8, 1], [2, 3], 5, 2, 'same'],
  [[2, 7, 8, 1], [2, 3], 5, 2, 'valid'],
  [[3, 10, 7, 8], [5, 5], 3, 3, 'same'],
  [[3, 10, 11, 8], [5, 5], 3, 3, 'valid'],
  [[4, 7, 7, 3], [1, 1], 5, 3, 'same'],
  [[4, 7, 7, 3], [1, 1], 5, 2, 'valid'],
  [[1, 11, 6, 3], [3, 2], 4, [2, 1], 'same'],
  [[2, 9, 12, 1], [3, 3], 8, [1, 3], 'valid'],
  [[1, 4, 4, 3], [3, 3], 2, 3, 'same'], // more stride than kernel overlap
  [[2, 28, 28, 1], [3, 3], 8, 1, 'valid'], // MNIST-like first layer
  [[1, 6, 7, 2], [3, 3], 3, 2, 1], // numeric padding
  [[2, 5, 5, 3], [1, 1], 2, 1, 2], // padding wider than the kernel: stock dX fallback
];

describe('Conv2D gradients (Conv2DBackpropInput / Conv2DBackpropFilter) match cpu', () => {
  it.each(convCases)('x %j, kernel %j, %i filters, strides %j, %s', async (xShape, k, outCh, strides, pad) => {
    const wShape = [k[0], k[1], xShape[3], outCh];
    await expectSameGrads([xShape, wShape], (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad));
  });

  it('fused conv2d with bias and relu (what tf.layers.conv2d runs)', async () => {
    await expectSameGrads([[2, 9, 7, 3], [3, 2, 3, 4], [4]], (x, w, b) =>
      tf.fused.conv2d({
        x: x as tf.Tensor4D,
        filter: w as tf.Tensor4D,
        strides: 2,
        pad: 'same',
        bias: b,
        activation: 'relu',
      }),
    );
  });
});

// [batch, h, w, ch], window, stride, padding
const poolCases: Array<[Shape4, number | [number, number], number | [number, number], Padding]> = [
  [[2, 8, 8, 3], 2, 2, 'valid'],
  [[2, 7, 9, 3], 2, 2, 'valid'], // odd sizes: trailing row/col unused
  [[2, 7, 9, 3], 2, 2, 'same'],
  [[1, 7, 8, 8], 3, 3, 'same'],
  [[3, 9, 7, 1], [2, 3], [2, 3], 'valid'],
  [[2, 7, 9, 3], 3, 1, 'same'], // overlapping windows
  [[2, 9, 9, 3], 3, 2, 'valid'],
  [[1, 7, 9, 4], [3, 2], 2, 'same'],
  [[4, 6, 5, 2], 2, 1, 'valid'],
];

describe('pooling gradients match cpu', () => {
  it.each(poolCases)('MaxPoolGrad: x %j, window %j, strides %j, %s', async (xShape, win, strides, pad) => {
    await expectSameGrads([xShape], (x) => tf.maxPool(x as tf.Tensor4D, win, strides, pad));
  });

  it.each(poolCases)('AvgPoolGrad: x %j, window %j, strides %j, %s', async (xShape, win, strides, pad) => {
    await expectSameGrads([xShape], (x) => tf.avgPool(x as tf.Tensor4D, win, strides, pad));
  });

  // The stock wasm MaxPoolGrad drops the gradient of all-non-positive windows and sends ties to
  // the last max; tfjs (cpu/webgl/tensorflow) sends it to the first max.
  it.each([
    ['negative', [-1, -2, -3, -4, -0.5, -7, -8, -9]],
    ['all zero', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['ties', [1, 3, 3, 0, 2, 2, 2, 2]],
  ])('MaxPoolGrad routes %s windows like cpu', async (_label, data) => {
    const grad = async (backend: string) => {
      await tf.setBackend(backend);
      return tf.tidy(() => {
        const x = tf.tensor4d(data as number[], [1, 2, 4, 1]);
        const dy = tf.tensor4d([0.25, 0.75], [1, 1, 2, 1]);
        return Array.from(
          tf
            .grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid'), dy)))(x)
            .dataSync(),
        );
      });
    };
    expect(await grad('wasm')).toEqual(await grad('cpu'));
  });
});

/** Every layer kind the engine trains, small enough for a quick step. */
function tinyCnn(dropout: number): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 10, 1], filters: 4, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.conv2d({ filters: 6, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'tanh' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, strides: 1, padding: 'same' }));
  m.add(tf.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'sigmoid' }));
  m.add(tf.layers.dropout({ rate: dropout }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 8, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
  return m;
}

const optimizers: Record<string, () => tf.Optimizer> = {
  adam: () => tf.train.adam(0.01),
  sgd: () => tf.train.momentum(0.05, 0.9),
  rmsprop: () => tf.train.rmsprop(0.01, 0.9, 0.5),
};

describe('training on wasm', () => {
  it.each(Object.keys(optimizers))('one fit step with %s: no throw, weights move, nothing leaks', async (name) => {
    await tf.setBackend('wasm');
    // tfjs-core's MomentumOptimizer never disposes its momentum scalar; measure what an unused
    // optimizer leaves behind so only leaks caused by training are counted.
    const probe = tf.memory().numTensors;
    optimizers[name]().dispose();
    const optimizerResidue = tf.memory().numTensors - probe;
    const tensors = tf.memory().numTensors;
    const buffers = tf.memory().numDataBuffers;
    const model = tinyCnn(0.3);
    const optimizer = optimizers[name]();
    model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor4d(values(4 * 12 * 10, 5), [4, 12, 10, 1]);
    const y = tf.tensor1d([0, 1, 2, 1]);
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const history = await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    const after = model.getWeights().map((w) => w.dataSync());
    const kernelsMoved = after.filter((w, i) => compare(before[i], w).abs > 0).length;
    expect(kernelsMoved).toBeGreaterThan(after.length / 2);
    tf.dispose([x, y]);
    model.dispose();
    optimizer.dispose();
    expect(tf.memory().numTensors).toBe(tensors + optimizerResidue);
    expect(tf.memory().numDataBuffers).toBe(buffers + optimizerResidue);
  });

  it('one sgd step updates every weight exactly like cpu (no dropout)', async () => {
    const step = async (backend: string, init?: Float32Array[]) => {
      await tf.setBackend(backend);
      const model = tinyCnn(0);
      if (init) model.setWeights(init.map((v, i) => tf.tensor(v, model.getWeights()[i].shape)));
      model.compile({ optimizer: tf.train.sgd(0.1), loss: 'sparseCategoricalCrossentropy' });
      const initial = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      const x = tf.tensor4d(values(4 * 12 * 10, 7), [4, 12, 10, 1]);
      const y = tf.tensor1d([2, 0, 1, 0]);
      await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
      const updated = model.getWeights().map((w) => w.dataSync().slice() as Float32Array);
      tf.dispose([x, y]);
      model.dispose();
      return { initial, updated };
    };
    const cpu = await step('cpu');
    const wasm = await step('wasm', cpu.initial);
    cpu.updated.forEach((ref, i) => expect(compare(ref, wasm.updated[i]).abs).toBeLessThanOrEqual(1e-4));
  });
});
