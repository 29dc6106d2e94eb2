// The memory estimate against what the wasm backend really uses. Its heap only grows, up to 4 GB (past that,
// training failed with "null function or function signature mismatch" or "memory access out of bounds"), so
// its size after training is this process's peak. The wasm limit lets the estimate reach three quarters of the
// heap: a design must use at most 4/3 of its estimate for that to hold. Designs run smallest first, so each
// one's peak is measured from the same starting heap.
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import type { ImageSet } from '#engine/data/idx.ts';
import { chooseTrainer } from '#engine/train/choose-trainer.ts';
import { parseHyperparameters } from '#shared/hyperparameters.ts';
import { analyzeSpec, getTemplate, type ModelSpec } from '#shared/model/index.ts';
import { estimateMemory } from '#shared/model/memory.ts';
import type { BackendInfo } from '#shared/types.ts';

const wideConv: ModelSpec = {
  name: 'wide',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 256, kernelSize: 1, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 28 },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

function images(count: number): ImageSet {
  const pixels = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 7) % 256);
  return {
    images: pixels,
    labels: Uint8Array.from({ length: count }, (_, i) => i % 10),
    count,
    height: 28,
    width: 28,
    channels: 1,
  };
}

describe('the memory estimate against the wasm heap', () => {
  let backend: BackendInfo;
  let startHeap = 0;
  // Emscripten's module has HEAPU8, a view of the whole heap; tfjs's types leave it out.
  const heapBytes = () => ((tf.backend() as BackendWasm).wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;

  beforeAll(async () => {
    backend = await initBackend('wasm');
    startHeap = heapBytes();
  });

  it.each([
    ['the seed CNN', 256, getTemplate('seed')],
    ['Conv2D 256 1×1 → MaxPool 28', 64, wideConv],
  ] as const)('%s at batch %i uses between half and 4/3 of its estimate', async (_name, batchSize, spec) => {
    const analysis = analyzeSpec(spec);
    if (!analysis.ok) throw new Error(analysis.issues[0].message);
    const h = parseHyperparameters({ batchSize });
    const { trainer } = await chooseTrainer('eager', backend, analysis.spec, h, 10);
    try {
      const set = images(batchSize);
      const rows = Array.from({ length: batchSize }, (_, i) => i);
      for (let step = 0; step < 2; step++) await trainer.trainBatch(set, rows, step);
    } finally {
      trainer.dispose();
    }
    const used = heapBytes() - startHeap;
    const estimate = estimateMemory(analysis, h).trainingBytes;
    expect(used).toBeLessThanOrEqual((estimate * 4) / 3);
    expect(used).toBeGreaterThanOrEqual(estimate / 2);
  });
});
