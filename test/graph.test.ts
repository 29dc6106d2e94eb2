// The compiled training graph against an eager tfjs reference: for specs covering every layer, activation,
// padding and optimizer, the graph's loss and gradients, one optimizer step (weights, batch-norm moving
// statistics) and its predictions must equal what tfjs computes from the same weights.
// Tolerances: gradients within 1e-5 + 1e-4·max|g| of the reference; weights after one step within 1e-5 + 1e-4·max|w|
// (adam: plus 1% of the learning rate, since adam normalises near-zero gradients whose last bits differ).
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend, loadedNativePackage } from '#engine/backend/backends.ts';
import { GRAPH_OPS } from '#engine/graph/builder.ts';
import { compileGraph, GRAPH_MIN_TENSORFLOW, GRAPH_PRODUCER_VERSION } from '#engine/graph/compile.ts';
import { GRAPH_DIR_PREFIX, GraphSession } from '#engine/graph/session.ts';
import { graphIdsOf } from '#engine/graph/weights.ts';
import { buildModel } from '#engine/model/build.ts';
import { getTemplate, SpecError, type LayerSpec, type ModelSpec } from '#shared/model/index.ts';
import { chooseTrainer, TrainerError } from '#engine/train/choose-trainer.ts';
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import { createOptimizer } from '#engine/train/optimizers.ts';
import type { BackendInfo, Hyperparameters } from '#shared/types.ts';
import { nativeUnavailable } from './helpers/training-suite.ts';

const skip = nativeUnavailable();
const softmax: LayerSpec = { type: 'Dense', units: 10, activation: 'softmax' };
const spec = (name: string, inputShape: [number, number, number], layers: LayerSpec[]): ModelSpec => ({
  name,
  inputShape,
  layers,
});

const SPECS: ModelSpec[] = [
  getTemplate('seed'),
  spec(
    'same-stride-tanh-avgpool',
    [12, 12, 2],
    [
      { type: 'Conv2D', filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', useBias: false },
      { type: 'AveragePooling2D', poolSize: 2, padding: 'same' },
      { type: 'Flatten' },
      { type: 'Dense', units: 12, activation: 'sigmoid' },
      softmax,
    ],
  ),
  spec(
    'batchnorm-overlapping-maxpool-dropout',
    [12, 12, 1],
    [
      { type: 'Conv2D', filters: 6, kernelSize: 3, activation: 'linear', useBias: false },
      { type: 'BatchNormalization', momentum: 0.9 },
      { type: 'MaxPooling2D', poolSize: 3, strides: 2 },
      { type: 'Flatten' },
      { type: 'Dropout', rate: 0.4 },
      { type: 'Dense', units: 16, activation: 'relu' },
      { type: 'BatchNormalization', epsilon: 0.01 },
      softmax,
    ],
  ),
  spec(
    'mlp-inner-softmax-dropout',
    [8, 8, 1],
    [
      { type: 'Flatten' },
      { type: 'Dense', units: 20, activation: 'tanh' },
      { type: 'Dropout', rate: 0.3 },
      { type: 'Dense', units: 12, activation: 'softmax' },
      { type: 'Dense', units: 10, activation: 'linear' },
      softmax,
    ],
  ),
  spec(
    'rectangular-kernels-avgpool-valid',
    [11, 9, 3],
    [
      { type: 'Conv2D', filters: 5, kernelSize: [3, 2], strides: [2, 1], padding: 'same', activation: 'sigmoid' },
      { type: 'AveragePooling2D', poolSize: 2, strides: 1 },
      { type: 'Conv2D', filters: 4, kernelSize: 2, padding: 'valid', activation: 'relu' },
      { type: 'MaxPooling2D', poolSize: 2, padding: 'same' },
      { type: 'Flatten' },
      softmax,
    ],
  ),
];

const OPTIMIZERS: Partial<Hyperparameters>[] = [
  { optimizer: 'adam', learningRate: 0.01 },
  { optimizer: 'sgd', learningRate: 0.1, momentum: 0 },
  { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9 },
  { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0 },
  { optimizer: 'rmsprop', learningRate: 0.01, momentum: 0.5 },
];

const CASES = [
  ...SPECS.map((s, i) => ({ spec: s, h: OPTIMIZERS[i % OPTIMIZERS.length] })),
  ...OPTIMIZERS.map((h) => ({ spec: SPECS[2], h })),
];

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** The loss tfjs computes for the model in training mode, with the graph's own dropout masks. */
function referenceLoss(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor1D, masks: Map<number, tf.Tensor>): tf.Scalar {
  let h = x;
  model.layers.forEach((layer, i) => {
    if (layer.getClassName() === 'Dropout') h = masks.has(i) ? tf.mul(h, masks.get(i)!) : h;
    else h = layer.apply(h, { training: true }) as tf.Tensor;
  });
  return tf.neg(tf.mean(tf.sum(tf.mul(tf.oneHot(y, 10), tf.log(h)), 1))) as tf.Scalar;
}

describe.skipIf(skip !== null)(`graph trainer vs eager tfjs${skip ? ` (skipped: ${skip})` : ''}`, () => {
  beforeAll(async () => {
    expect((await initBackend('native')).kind).toBe('native');
  });

  it.each(
    CASES.map(
      (c) => [`${c.spec.name} · ${c.h.optimizer}${c.h.momentum ? ` momentum ${c.h.momentum}` : ''}`, c] as const,
    ),
  )('%s: gradients, one step and predictions match', async (_, { spec: modelSpec, h: partial }) => {
    const h: Hyperparameters = { ...DEFAULT_HYPERPARAMETERS, ...partial, seed: 7 };
    const graph = compileGraph(modelSpec, h, 10);
    const model = buildModel(modelSpec, { seed: h.seed, numClasses: 10 });
    const session = await GraphSession.open(graph);
    const tensorsBefore = tf.memory().numTensors;
    try {
      const ids = graphIdsOf(model);
      const state = new Map<string, Float32Array>();
      model.getWeights().forEach((w, i) => state.set(ids[i], w.dataSync() as Float32Array));
      for (const v of graph.variables) if (!state.has(v.id)) state.set(v.id, new Float32Array(size(v.shape)));
      session.assign(state);

      const [height, width, channels] = modelSpec.inputShape;
      const x = tf.randomUniform([24, height, width, channels], 0, 1, 'float32', 11) as tf.Tensor4D;
      const y = tf.tensor1d(
        Array.from({ length: 24 }, (_, i) => (i * 7) % 10),
        'int32',
      );
      const seed = tf.tensor1d([h.seed, 5], 'int32');

      // Inference before training: both on the initial weights (batch norm on its initial statistics).
      const graphProbs = session.predict(x);
      const eagerProbs = model.predict(x) as tf.Tensor;
      expect(maxDiff(graphProbs, eagerProbs)).toBeLessThan(1e-5);

      const out = session.gradients(x, y, seed);
      const masks = new Map(graph.dropoutLayers.map((i) => [i, out[`mask/l${i}`]]));
      for (const mask of masks.values()) {
        const kept = tf.tidy(() => tf.mean(tf.cast(tf.greater(mask, 0), 'float32')).dataSync()[0]);
        expect(kept).toBeGreaterThan(0.4); // a real mask: neither all kept nor all dropped
        expect(kept).toBeLessThan(0.9);
      }
      const trainable = model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
      const reference = tf.variableGrads(() => referenceLoss(model, x, y, masks), trainable);
      expect(out.loss.dataSync()[0]).toBeCloseTo(reference.value.dataSync()[0], 5);
      const trainableIds = graphIdsOf(model, model.trainableWeights);
      trainable.forEach((variable, k) => {
        const ref = reference.grads[variable.name];
        const got = out[`grad/${trainableIds[k]}`];
        expect(got.shape, trainableIds[k]).toEqual(ref.shape);
        expect(maxDiff(got, ref), `gradient of ${trainableIds[k]}`).toBeLessThan(1e-5 + 1e-4 * maxAbs(ref));
      });

      // One step each: the graph's fused update against tfjs's optimizer on the reference gradients
      // (the reference pass above also moved the eager batch-norm statistics, as the graph's step does).
      const lr = tf.scalar(h.learningRate);
      const step = session.trainStep(x, y, seed, lr);
      expect(step.loss).toBeCloseTo(reference.value.dataSync()[0], 5);
      const optimizer = createOptimizer(h);
      optimizer.applyGradients(reference.grads);
      const after = session.readState();
      expect(after.get('iterations')![0]).toBe(1);
      model.getWeights().forEach((w, i) => {
        const got = tf.tensor(after.get(ids[i])!, w.shape);
        const tolerance = 1e-5 + 1e-4 * maxAbs(w) + (h.optimizer === 'adam' ? 0.01 * h.learningRate : 0);
        expect(maxDiff(got, w), `${ids[i]} after one step`).toBeLessThan(tolerance);
        got.dispose();
      });
      const probsAfter = session.predict(x);
      const eagerAfter = model.predict(x) as tf.Tensor;
      expect(maxDiff(probsAfter, eagerAfter)).toBeLessThan(1e-3);

      optimizer.dispose();
      tf.dispose([
        x,
        y,
        seed,
        lr,
        graphProbs,
        eagerProbs,
        probsAfter,
        eagerAfter,
        reference.value,
        ...Object.values(reference.grads),
        ...Object.values(out),
      ]);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    } finally {
      session.dispose();
      model.dispose();
    }
  });

  it('stamps the oldest TensorFlow it targets and uses only ops from that release', () => {
    const graph = compileGraph(SPECS[2], { ...DEFAULT_HYPERPARAMETERS, optimizer: 'rmsprop' }, 10);
    const require = createRequire(import.meta.url);
    const api = require('@tensorflow/tfjs-node/dist/proto/api_pb.js');
    const saved = api.SavedModel.deserializeBinary(graph.savedModel);
    const meta = saved.getMetaGraphsList()[0];
    expect(meta.getMetaInfoDef().getTensorflowVersion()).toBe(GRAPH_MIN_TENSORFLOW);
    expect(meta.getMetaInfoDef().getTagsList()).toEqual(['serve']);
    expect(meta.getGraphDef().getVersions().getProducer()).toBe(GRAPH_PRODUCER_VERSION);
    const ops = new Set(
      meta
        .getGraphDef()
        .getNodeList()
        .map((n: { getOp(): string }) => n.getOp()),
    );
    for (const op of ops) expect(GRAPH_OPS.has(op as string), op as string).toBe(true);
    expect([...meta.getSignatureDefMap().keys()].sort()).toEqual(['assign', 'gradients', 'predict', 'state', 'train']);
  });

  it('releases its TensorFlow session, tensors and folder on dispose, run after run', async () => {
    const native = loadedNativePackage()!;
    // Only this process's folders: other test files train graphs in parallel.
    const folders = () =>
      fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`${GRAPH_DIR_PREFIX}${process.pid}-`)).length;
    const before = { sessions: native.node.getNumOfSavedModels(), tensors: tf.memory().numTensors, folders: folders() };
    const backend = { kind: 'native', tfBackend: 'tensorflow' } as BackendInfo;
    for (let i = 0; i < 4; i++) {
      const { trainer } = await chooseTrainer(
        'graph',
        backend,
        getTemplate('lenet5'),
        { ...DEFAULT_HYPERPARAMETERS, seed: i },
        10,
      );
      expect(trainer.kind).toBe('graph');
      expect(native.node.getNumOfSavedModels()).toBe(before.sessions + 1);
      trainer.dispose();
    }
    expect(native.node.getNumOfSavedModels()).toBe(before.sessions);
    expect(tf.memory().numTensors).toBe(before.tensors);
    expect(folders()).toBe(before.folders);
  });

  it('refuses, with a clear message, what it cannot build', async () => {
    const wasm = { kind: 'wasm', tfBackend: 'wasm' } as BackendInfo;
    await expect(chooseTrainer('graph', wasm, getTemplate('seed'), DEFAULT_HYPERPARAMETERS, 10)).rejects.toThrow(
      TrainerError,
    );
    await expect(chooseTrainer('graph', wasm, getTemplate('seed'), DEFAULT_HYPERPARAMETERS, 10)).rejects.toThrow(
      /needs a native TensorFlow backend.*wasm/,
    );
    const bad = spec(
      'bad',
      [28, 28, 1],
      [{ type: 'Conv2D', filters: 4, kernelSize: 40 }, { type: 'Flatten' }, softmax],
    );
    expect(() => compileGraph(bad, DEFAULT_HYPERPARAMETERS, 10)).toThrow(SpecError);
    expect(() => compileGraph(bad, DEFAULT_HYPERPARAMETERS, 10)).toThrow(/layer 1 Conv2D/);
    // A graph TensorFlow refuses to load is reported as such, and leaves no session or folder behind.
    const graph = compileGraph(getTemplate('mlp'), DEFAULT_HYPERPARAMETERS, 10);
    const broken = { ...graph, savedModel: graph.savedModel.slice(0, graph.savedModel.length >> 1) };
    const sessions = loadedNativePackage()!.node.getNumOfSavedModels();
    await expect(GraphSession.open(broken)).rejects.toThrow(/TensorFlow could not load the compiled training graph/);
    expect(loadedNativePackage()!.node.getNumOfSavedModels()).toBe(sessions);
    // On wasm the automatic choice is the eager loop, and says so.
    const eager = await chooseTrainer('auto', wasm, getTemplate('mlp'), DEFAULT_HYPERPARAMETERS, 10);
    expect(eager.trainer.kind).toBe('eager');
    expect(eager.reason).toMatch(/wasm backend has no graph trainer/);
    eager.trainer.dispose();
  });
});
