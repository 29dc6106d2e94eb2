import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import { KerasAdamOptimizer, createOptimizer } from '#engine/train/optimizers.ts';
import type { Hyperparameters } from '#shared/types.ts';

const X0 = [0.5, -0.3, 0.8, 0.1];
// Mixed magnitudes; the third component is small enough for epsilon to matter.
const GRADS = [
  [0.5, -1.2, 3e-6, 0.02],
  [0.3, -0.8, -2e-6, 0.05],
  [-0.1, -1.5, 4e-6, 0.01],
];
const SMALL_GRADS = [1e-6, -2e-6, 5e-7, 3e-6];

/** A variable holding `values`; tidy frees the initial tensor (the variable keeps its own reference). */
function variableOf(values: number[]): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor1d(values)));
}

function step(optimizer: tf.Optimizer, variable: tf.Variable, grad: number[]): number[] {
  const g = tf.tensor1d(grad);
  optimizer.applyGradients({ [variable.name]: g });
  g.dispose();
  return Array.from(variable.dataSync());
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i])));
}

/** TF's ResourceApplyAdam (Keras's Adam), in float64; returns x after each step. */
function kerasAdamReference(
  x0: number[],
  grads: number[][],
  lr: number,
  beta1 = 0.9,
  beta2 = 0.999,
  epsilon = 1e-7,
): number[][] {
  const x = [...x0];
  const m = x0.map(() => 0);
  const v = x0.map(() => 0);
  return grads.map((g, k) => {
    const t = k + 1;
    const lrT = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
    for (let j = 0; j < x.length; j++) {
      m[j] = beta1 * m[j] + (1 - beta1) * g[j];
      v[j] = beta2 * v[j] + (1 - beta2) * g[j] * g[j];
      x[j] -= (lrT * m[j]) / (Math.sqrt(v[j]) + epsilon);
    }
    return [...x];
  });
}

/** TF's ResourceApplyMomentum (use_nesterov false): accum = accum*momentum + grad; var -= lr*accum. */
function momentumReference(x0: number[], grads: number[][], lr: number, momentum: number): number[][] {
  const x = [...x0];
  const accum = x0.map(() => 0);
  return grads.map((g) => {
    for (let j = 0; j < x.length; j++) {
      accum[j] = accum[j] * momentum + g[j];
      x[j] -= lr * accum[j];
    }
    return [...x];
  });
}

/** TF's ResourceApplyRMSProp: ms = rho*ms + (1-rho)*g^2; mom = momentum*mom + lr*g/sqrt(ms+eps); var -= mom. */
function rmspropReference(
  x0: number[],
  grads: number[][],
  lr: number,
  rho: number,
  momentum: number,
  epsilon: number,
): number[][] {
  const x = [...x0];
  const ms = x0.map(() => 0);
  const mom = x0.map(() => 0);
  return grads.map((g) => {
    for (let j = 0; j < x.length; j++) {
      ms[j] = rho * ms[j] + (1 - rho) * g[j] * g[j];
      mom[j] = momentum * mom[j] + (lr * g[j]) / Math.sqrt(ms[j] + epsilon);
      x[j] -= mom[j];
    }
    return [...x];
  });
}

describe('optimizers', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
    await tf.ready();
  });

  it('KerasAdamOptimizer follows ResourceApplyAdam for three steps', () => {
    const optimizer = new KerasAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    const x = variableOf(X0);
    const expected = kerasAdamReference(X0, GRADS, 0.01);
    GRADS.forEach((g, k) => {
      expect(maxAbsDiff(step(optimizer, x, g), expected[k])).toBeLessThan(1e-6);
    });
    expect(optimizer.iterations).toBe(3);
    optimizer.dispose();
    x.dispose();
  });

  it('differs from stock tf.train.adam after a step with small gradients', () => {
    const keras = new KerasAdamOptimizer(0.001, 0.9, 0.999, 1e-7);
    const stock = tf.train.adam(0.001, 0.9, 0.999, 1e-7);
    const xKeras = variableOf(X0);
    const xStock = variableOf(X0);
    const afterKeras = step(keras, xKeras, SMALL_GRADS);
    const afterStock = step(stock, xStock, SMALL_GRADS);
    expect(maxAbsDiff(afterKeras, kerasAdamReference(X0, [SMALL_GRADS], 0.001)[0])).toBeLessThan(1e-6);
    expect(maxAbsDiff(afterKeras, afterStock)).toBeGreaterThan(1e-5);
    [keras, stock, xKeras, xStock].forEach((d) => d.dispose());
  });

  it('createOptimizer("adam") is a KerasAdamOptimizer with Keras defaults, still named Adam', () => {
    const optimizer = createOptimizer({ ...DEFAULT_HYPERPARAMETERS, optimizer: 'adam', learningRate: 0.01 });
    expect(optimizer).toBeInstanceOf(KerasAdamOptimizer);
    expect(optimizer.getClassName()).toBe('Adam');
    const x = variableOf(X0);
    expect(maxAbsDiff(step(optimizer, x, SMALL_GRADS), kerasAdamReference(X0, [SMALL_GRADS], 0.01)[0])).toBeLessThan(
      1e-6,
    );
    optimizer.dispose();
    x.dispose();
  });

  it('getWeights() → setWeights() into a fresh optimizer continues like an uninterrupted one', async () => {
    const uninterrupted = new KerasAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    const x = variableOf(X0);
    step(uninterrupted, x, GRADS[0]);
    step(uninterrupted, x, GRADS[1]);

    const saved = await uninterrupted.getWeights();
    expect(saved.map((w) => w.name)).toEqual(['iter', `${x.name}/m`, `${x.name}/v`]);
    // Copies, as a checkpoint round trip would give.
    const copies = saved.map((w) => ({
      name: w.name,
      tensor: tf.tensor(w.tensor.dataSync(), w.tensor.shape, w.tensor.dtype),
    }));
    saved.filter((w) => w.name === 'iter').forEach((w) => w.tensor.dispose());
    const resumed = new KerasAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    await resumed.setWeights(copies);
    tf.dispose(copies.map((c) => c.tensor));
    expect(resumed.iterations).toBe(2);
    expect(resumed.getClassName()).toBe('Adam');

    const xResumed = variableOf(Array.from(x.dataSync()));
    const afterUninterrupted = step(uninterrupted, x, GRADS[2]);
    const afterResumed = step(resumed, xResumed, GRADS[2]);
    expect(maxAbsDiff(afterResumed, afterUninterrupted)).toBeLessThan(1e-7);
    expect(maxAbsDiff(afterResumed, kerasAdamReference(X0, GRADS, 0.01)[2])).toBeLessThan(1e-6);
    expect(resumed.iterations).toBe(3);
    [uninterrupted, resumed, x, xResumed].forEach((d) => d.dispose());
  });

  it('does not leak tensors across 20 steps', () => {
    const start = tf.memory().numTensors;
    const optimizer = new KerasAdamOptimizer(0.01, 0.9, 0.999, 1e-7);
    const x = variableOf(X0);
    const g = tf.tensor1d(GRADS[0]);
    optimizer.applyGradients([{ name: x.name, tensor: g }]); // creates the m and v slots
    const before = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) {
      if (i % 2 === 0) optimizer.applyGradients([{ name: x.name, tensor: g }]);
      else optimizer.minimize(() => tf.sum(tf.square(x)), false, [x]);
    }
    expect(tf.memory().numTensors).toBe(before);
    [optimizer, x, g].forEach((d) => d.dispose());
    expect(tf.memory().numTensors).toBe(start);
  });

  const lr = 0.01;
  it.each<[string, Partial<Hyperparameters>, number[][]]>([
    [
      'sgd with momentum 0.9 (ResourceApplyMomentum)',
      { optimizer: 'sgd', momentum: 0.9 },
      momentumReference(X0, GRADS, lr, 0.9),
    ],
    [
      'rmsprop without momentum (ResourceApplyRMSProp)',
      { optimizer: 'rmsprop', momentum: 0 },
      rmspropReference(X0, GRADS, lr, 0.9, 0, 1e-7),
    ],
    [
      'rmsprop with momentum 0.9 (ResourceApplyRMSProp)',
      { optimizer: 'rmsprop', momentum: 0.9 },
      rmspropReference(X0, GRADS, lr, 0.9, 0.9, 1e-7),
    ],
  ])('createOptimizer: %s follows the TF rule for three steps', (_name, overrides, expected) => {
    const optimizer = createOptimizer({ ...DEFAULT_HYPERPARAMETERS, learningRate: lr, ...overrides });
    const x = variableOf(X0);
    GRADS.forEach((g, k) => {
      expect(maxAbsDiff(step(optimizer, x, g), expected[k])).toBeLessThan(1e-6);
    });
    optimizer.dispose();
    x.dispose();
  });
});
