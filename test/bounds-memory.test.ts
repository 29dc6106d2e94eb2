// Training memory is bounded before work starts: the estimate of electron/shared/model/memory.ts, the refusal
// naming the layer, the engine enforcing it before a run is recorded, and the segfaulting design's family
// training at safe sizes (on the native backend when it is built, else on wasm).
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '#engine/backend/backends.ts';
import { layersClassifier, modelEvaluationBatchSize, predictSet } from '#engine/evaluate/evaluate.ts';
import { buildModel } from '#engine/model/build.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { trainNewRun, trainRun, type RunnerContext } from '#engine/runner.ts';
import { EngineService } from '#engine/service.ts';
import { Store } from '#engine/store/index.ts';
import { engineMemoryLimits, plannedBackend } from '#engine/train/memory-budget.ts';
import { parseHyperparameters } from '#shared/hyperparameters.ts';
import { analyzeSpec, getTemplate, type LayerSpec, type ModelSpec } from '#shared/model/index.ts';
import {
  EVALUATION_BATCH_SIZE,
  designFootprint,
  estimateMemory,
  evaluationBatchSize,
  memoryIssue,
  memoryLimits,
  type MemoryHyperparameters,
} from '#shared/model/memory.ts';
import { nativeUnavailable } from './helpers/training-suite.ts';
import { tempDir } from './helpers/tmp.ts';

const GB = 2 ** 30;

/** The design that segfaulted native TensorFlow at batch 2048: Conv2D 1×1 same → MaxPool 28 → Flatten → Dense 10. */
function wideConv(filters: number): ModelSpec {
  const layers: LayerSpec[] = [
    { type: 'Conv2D', filters, kernelSize: 1, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 28 },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ];
  return { name: `wide ${filters}`, inputShape: [28, 28, 1], layers };
}

function design(spec: ModelSpec) {
  const analysis = analyzeSpec(spec);
  if (!analysis.ok) throw new Error(analysis.issues.map((i) => i.message).join('\n'));
  return analysis;
}

const adam = (batchSize: number): MemoryHyperparameters => ({ batchSize, optimizer: 'adam', momentum: 0 });

describe('training memory estimate', () => {
  it('refuses the segfaulting design at batch 2048, naming the layer, its activations and the limit', () => {
    const issue = memoryIssue(design(wideConv(4096)), adam(2048), memoryLimits('native', 16 * GB));
    expect(issue).toMatchObject({ index: 0, layerType: 'Conv2D' });
    expect(issue!.message).toMatch(
      /^layer 1 Conv2D: its 4096×28×28 activations × batch 2048 are 24\.5 GB; training needs \d+ GB in all, and the limit is 8\.0 GB \(half of this machine's 16\.0 GB\) — lower the batch size or the filters$/,
    );
  });

  it("plans wasm with three quarters of its 4 GB heap, whatever the machine's memory", () => {
    expect(memoryLimits('wasm', 64 * GB)).toEqual({
      bytes: 0.75 * 4_294_901_760,
      reason: "three quarters of the wasm backend's 4.0 GB heap",
    });
    expect(memoryLimits('wasm', 4 * GB)).toEqual({ bytes: 2 * GB, reason: "half of this machine's 4.0 GB" });
    // The seed CNN at batch 4096 fits a 32 GB machine's native backend but not wasm's heap.
    const seed = design(getTemplate('seed'));
    expect(memoryIssue(seed, adam(4096), memoryLimits('native', 32 * GB))).toBeNull();
    expect(memoryIssue(seed, adam(4096), memoryLimits('wasm', 32 * GB))?.message).toMatch(
      /^layer 1 Conv2D: its 32×26×26 activations × batch 4096 are 338 MB; .* the limit is 3\.0 GB \(three quarters of the wasm backend's 4\.0 GB heap\) — lower the batch size or the filters$/,
    );
  });

  it('refuses a tensor of 2^31 values or more even where the memory would do', () => {
    const issue = memoryIssue(design(wideConv(4096)), adam(2048), memoryLimits('native', 2 ** 50));
    expect(issue?.message).toBe(
      'layer 1 Conv2D: its 4096×28×28 activations × batch 2048 make one tensor of 6,576,668,672 values, more than the 2,147,483,647 a tensor can hold — lower the batch size or the filters',
    );
    expect(memoryIssue(design(wideConv(4096)), adam(512), memoryLimits('native', 2 ** 50))).toBeNull();
  });

  it('evaluates a design too wide for 500 images at a time in smaller batches instead of refusing it', () => {
    const wide = design(wideConv(4096));
    const limits = memoryLimits('native', 8 * GB);
    // 4096×28×28 activations are 12.3 MB per image: 500 at a time would need 12.0 GB of a 4.0 GB limit.
    expect(estimateMemory(wide, adam(1)).inferenceBytes).toBeGreaterThan(limits.bytes);
    const batch = evaluationBatchSize(designFootprint(wide), limits);
    expect(batch).toBeGreaterThan(100);
    expect(batch).toBeLessThan(EVALUATION_BATCH_SIZE);
    expect(estimateMemory(wide, adam(1), batch).inferenceBytes).toBeLessThanOrEqual(limits.bytes);
    expect(estimateMemory(wide, adam(1), batch + 1).inferenceBytes).toBeGreaterThan(limits.bytes);
    expect(memoryIssue(wide, adam(1), limits)).toBeNull();
    // The seed CNN keeps the full batch; the tensor limit caps a batch whatever the memory.
    expect(evaluationBatchSize(designFootprint(design(getTemplate('seed'))), limits)).toBe(EVALUATION_BATCH_SIZE);
    const huge = { params: 0, peakValuesPerImage: 1, widestValuesPerImage: 2 ** 29 };
    expect(evaluationBatchSize(huge, memoryLimits('native', 2 ** 50))).toBe(3);
  });

  it('names the layer whose weights and optimizer state do not fit', () => {
    const wide: ModelSpec = {
      name: 'wide dense',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Flatten' },
        { type: 'Dense', units: 50000, activation: 'relu' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    };
    const rmsprop = { batchSize: 32, optimizer: 'rmsprop', momentum: 0 } as const;
    expect(memoryIssue(design(wide), rmsprop, memoryLimits('wasm', 32 * GB))?.message).toMatch(
      /^layer 2 Dense: its 39,250,000 weights take 3\.2 GB with their gradients and rmsprop's state; training needs 3\.\d GB in all, and the limit is 3\.0 GB .* — lower the units or add pooling before it$/,
    );
    expect(memoryIssue(design(wide), { ...rmsprop, optimizer: 'sgd' }, memoryLimits('wasm', 32 * GB))).toBeNull();
  });

  it('grows with the batch size by what each image keeps, and counts each optimizer state', () => {
    const seed = design(getTemplate('seed'));
    const [one, two] = [estimateMemory(seed, adam(100)), estimateMemory(seed, adam(200))];
    expect(two.trainingBytes - one.trainingBytes).toBe(one.trainingBytes - one.weightBytes);
    expect(two.inferenceBytes).toBe(one.inferenceBytes); // evaluation batches do not depend on the training batch
    const weights = (optimizer: 'adam' | 'sgd' | 'rmsprop', momentum = 0) =>
      estimateMemory(seed, { batchSize: 1, optimizer, momentum }).weightBytes;
    expect(weights('sgd')).toBeLessThan(weights('sgd', 0.9));
    expect(weights('sgd', 0.9)).toBeLessThan(weights('adam'));
    expect(weights('adam')).toBeLessThan(weights('rmsprop'));
  });
});

describe('the engine enforces the memory check before training', () => {
  const skip = nativeUnavailable();
  const backend = skip === null ? 'native' : 'wasm';
  const dir = tempDir();
  let store: Store;
  const context = (): RunnerContext => ({ store, checkpointRoot: path.join(dir, 'runs'), backend, testLimit: 200 });

  beforeAll(async () => {
    store = Store.open(path.join(dir, 'layerlab.db'));
    await initBackend(backend);
  });

  it('plans for the backend it will run and this machine', () => {
    expect(plannedBackend('auto')).toBe(backend);
    expect(plannedBackend('wasm')).toBe('wasm'); // asked for by name, whatever runs now
    expect(engineMemoryLimits('native').reason).toMatch(/^half of this machine's \d+\.\d GB$/);
  });

  it('tells the Train form the backend a start would get and its limits (training:memoryLimits)', async () => {
    const service = new EngineService({ dbPath: path.join(dir, 'service.db'), dataDir: dir, emit: () => {} });
    try {
      expect(await service.handle('training:memoryLimits', {})).toEqual({
        ok: true,
        value: { backend, limits: engineMemoryLimits(backend) },
      });
      expect(await service.handle('training:memoryLimits', { backend: 'wasm' })).toEqual({
        ok: true,
        value: { backend: 'wasm', limits: engineMemoryLimits('wasm') },
      });
    } finally {
      await service.shutdown();
    }
  });

  it(`refuses the segfaulting design at batch 2048 on ${backend} before recording a run`, async () => {
    const before = store.listRuns().length;
    await expect(
      trainNewRun(context(), {
        spec: wideConv(4096),
        hyperparameters: { batchSize: 2048, trainSize: 4096, epochs: 1 },
      }),
    ).rejects.toThrow(
      /^layer 1 Conv2D: its 4096×28×28 activations × batch 2048 are 24\.5 GB; training needs \d+ GB in all, and the limit is [\d.]+ GB \(.*\) — lower the batch size or the filters$/,
    );
    expect(store.listRuns()).toHaveLength(before);
  });

  it('checks again on the backend that runs, so a recorded run that does not fit here is not started', async () => {
    // As if recorded on a machine with more memory: straight into the store, past the check of new runs.
    const recorded = store.createRun({
      name: 'from a bigger machine',
      spec: design(wideConv(4096)).spec,
      hyperparameters: parseHyperparameters({ batchSize: 2048, trainSize: 4096, epochs: 1 }),
      dataset: loadDataset(resolveDatasetSource('mnist')).ref,
    });
    await expect(trainRun(context(), recorded.id)).rejects.toThrow(
      /^layer 1 Conv2D: its 4096×28×28 activations × batch 2048 are 24\.5 GB; /,
    );
    expect(store.getRun(recorded.id)!.status).toBe('queued');
    expect(store.getRunSessions(recorded.id)).toEqual([]);
  });

  it('predicts a wide model in the batches that fit this machine, with the same results as one batch', async () => {
    const wide = buildModel(wideConv(4096), { seed: 1 });
    const expected = evaluationBatchSize(designFootprint(design(wideConv(4096))), engineMemoryLimits(backend));
    expect(modelEvaluationBatchSize(wide)).toBe(Math.max(1, expected));
    wide.dispose();
    // A classifier that predicts 7 images at a time gives the same probabilities as one that takes all 20.
    const model = buildModel(wideConv(8), { seed: 1 });
    const test = loadDataset(resolveDatasetSource('mnist')).test;
    const indices = Uint32Array.from({ length: 20 }, (_, i) => i * 3);
    const whole = layersClassifier(model);
    const sizes: number[] = [];
    const inSevens = {
      ...whole,
      batchSize: 7,
      predict: (images: tf.Tensor4D) => (sizes.push(images.shape[0]), whole.predict(images)),
    };
    const [one, seven] = [await predictSet(whole, test, indices), await predictSet(inSevens, test, indices)];
    expect(sizes).toEqual([7, 7, 6]);
    // Kernels may sum in another order for another batch size: equal to float32 rounding.
    seven.probabilities.forEach((p, i) => expect(p).toBeCloseTo(one.probabilities[i], 5));
    model.dispose();
  });

  it(`trains the same family at safe sizes on ${backend}: 64 filters, batch 64`, async () => {
    const outcome = await trainNewRun(context(), {
      spec: wideConv(64),
      hyperparameters: { batchSize: 64, trainSize: 256, epochs: 1, validationSplit: 0.25, seed: 3 },
    });
    expect(outcome.run.status, outcome.run.error ?? '').toBe('completed');
    expect(outcome.run.backend!.kind).toBe(backend);
    expect(store.getBatchMetrics(outcome.run.id)).toHaveLength(3);
    expect(Number.isFinite(outcome.evaluation!.testLoss)).toBe(true);
  });
});
