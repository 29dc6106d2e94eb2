// Probe for the wasm training kernels: which kernels a training step needs that wasm lacks,
// composed-vs-stock timings of the kernels we replace, and seed-CNN training throughput.
// Run: node --import tsx bench/wasm-probe.ts [--batches N] [--no-simd]
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { initWasmBackend } from '#engine/backend/wasm-setup.ts';

type Shape4 = [number, number, number, number];
const argBatches = process.argv.indexOf('--batches');
const BATCHES = argBatches > 0 ? Number(process.argv[argBatches + 1]) : 20;
const REPEATS = 3;
// --no-simd: force the plain tfjs-backend-wasm.wasm binary, to measure what SIMD buys.
if (process.argv.includes('--no-simd')) tf.env().set('WASM_HAS_SIMD_SUPPORT', false);

/** Every layer kind the workbench offers, with valid/same padding, strides 1-3, non-square kernels. */
function allLayersModel(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: [2, 3], strides: 2, padding: 'same', activation: 'tanh' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 8, kernelSize: [3, 2], strides: 3, activation: 'sigmoid' }));
  m.add(tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }));
  m.add(tf.layers.dropout({ rate: 0.3 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 16, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

function seedCnn(): tf.Sequential {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
  m.add(tf.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 64, activation: 'relu' }));
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return m;
}

const optimizers = {
  adam: () => tf.train.adam(1e-3),
  sgd: () => tf.train.momentum(1e-2, 0.9),
  rmsprop: () => tf.train.rmsprop(1e-3, 0.9, 0.5),
};

/** One fit step per optimizer; returns the kernel names executed. */
async function trainStepKernels(): Promise<Set<string>> {
  const used = new Set<string>();
  for (const make of Object.values(optimizers)) {
    const m = allLayersModel();
    const optimizer = make();
    m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.randomNormal([4, 28, 28, 1]);
    const y = tf.tensor1d([1, 2, 3, 4]);
    const info = await tf.profile(async () => {
      await m.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    });
    info.kernelNames.forEach((k) => used.add(k));
    tf.dispose([x, y]);
    m.dispose();
    optimizer.dispose();
  }
  return used;
}

function timeKernel(fn: () => tf.TensorInfo, reps: number): number {
  const backend = tf.backend();
  backend.disposeData(fn().dataId); // warm-up: creates XNNPACK operators
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) backend.disposeData(fn().dataId);
  return (performance.now() - t0) / reps;
}

async function main(): Promise<void> {
  // 1. Kernels a training step runs (measured on cpu, which has all of them) that stock wasm lacks.
  const stockWasm = new Set(tf.getKernelsForBackend('wasm').map((k) => k.kernelName));
  const stock: Record<string, tf.KernelFunc> = {};
  for (const name of ['Conv2DBackpropInput', 'MaxPoolGrad', 'AvgPoolGrad'])
    stock[name] = tf.getKernel(name, 'wasm').kernelFunc;
  await tf.setBackend('cpu');
  const used = await trainStepKernels();
  const kernels = [...used].filter((k) => !k.endsWith('__op')); // tf.profile also lists customGrad ops
  console.log('kernels used by a training step:', kernels.sort().join(' '));
  console.log('missing from stock wasm:', kernels.filter((k) => !stockWasm.has(k)).join(' ') || '(none)');

  // 2. The same training step on wasm with our kernels, for all three optimizers.
  await initWasmBackend();
  console.log(
    'backend',
    tf.getBackend(),
    'simd',
    await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    'threads',
    await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  );
  const before = tf.memory().numTensors;
  await trainStepKernels();
  // (non-zero only by tfjs-core's MomentumOptimizer, which never frees its momentum scalar)
  console.log('all-layers step on wasm ok; tensors left', tf.memory().numTensors - before);

  // 3. Composed vs stock kernels on seed-CNN (and strided) shapes.
  const backend = tf.backend();
  const compare = (label: string, name: string, inputs: tf.NamedTensorMap, attrs: object) => {
    const call = (k: tf.KernelFunc) => () => k({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
    const msStock = timeKernel(call(stock[name]), 5);
    const msOurs = timeKernel(call(tf.getKernel(name, 'wasm').kernelFunc), 5);
    console.log(`${name} ${label}: stock ${msStock.toFixed(1)} ms, composed ${msOurs.toFixed(1)} ms`);
  };
  const convCases: Array<[string, Shape4, Shape4, number, 'valid' | 'same']> = [
    ['conv2 13x13x32->64 k3 s1', [32, 13, 13, 32], [3, 3, 32, 64], 1, 'valid'],
    ['conv3 5x5x64->64 k3 s1', [32, 5, 5, 64], [3, 3, 64, 64], 1, 'valid'],
    ['28x28x16->32 k3 s2 same', [32, 28, 28, 16], [3, 3, 16, 32], 2, 'same'],
  ];
  for (const [label, xs, fs, s, pad] of convCases) {
    const x = tf.zeros<tf.Rank.R4>(xs);
    const filter = tf.randomNormal<tf.Rank.R4>(fs);
    const dy = tf.randomNormal(tf.conv2d(x, filter, s, pad).shape);
    compare(label, 'Conv2DBackpropInput', { dy, filter }, { strides: s, pad, dataFormat: 'NHWC', inputShape: xs });
    tf.dispose([x, filter, dy]);
  }
  const poolCases: Array<[string, Shape4, number, number, 'valid' | 'same']> = [
    ['pool1 26x26x32 2/2', [32, 26, 26, 32], 2, 2, 'valid'],
    ['pool2 11x11x64 2/2', [32, 11, 11, 64], 2, 2, 'valid'],
    ['26x26x32 3/2 same', [32, 26, 26, 32], 3, 2, 'same'],
  ];
  for (const [label, xs, k, s, pad] of poolCases) {
    const input = tf.randomNormal<tf.Rank.R4>(xs);
    const output = tf.maxPool(input, k, s, pad);
    const dy = tf.randomNormal(output.shape);
    const attrs = { filterSize: k, strides: s, pad };
    compare(label, 'MaxPoolGrad', { dy, input, output }, attrs);
    compare(label, 'AvgPoolGrad', { dy, input }, attrs);
    tf.dispose([input, output, dy]);
  }

  // 4. Seed-CNN throughput, random data, batch 32.
  const model = seedCnn();
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const n = 32 * BATCHES;
  const xs = tf.randomUniform([n, 28, 28, 1]);
  const ys = tf.floor(tf.randomUniform([n], 0, 10));
  await model.fit(xs.slice(0, 64), ys.slice(0, 64), { batchSize: 32, epochs: 1, verbose: 0 }); // warm-up
  // The machine is shared: report every repeat, the best is the least disturbed.
  const rates: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    const t0 = performance.now();
    await model.fit(xs, ys, { batchSize: 32, epochs: 1, verbose: 0 });
    rates.push(n / ((performance.now() - t0) / 1000));
  }
  console.log(
    `seed CNN on wasm, batch 32, ${n} samples x ${REPEATS}: ` +
      `${rates.map((r) => r.toFixed(0)).join(' / ')} samples/s (best ${Math.max(...rates).toFixed(0)})`,
  );
}

await main();
