import { describe, expect, it } from 'vitest';
import { memoryLimits, memoryIssue } from '#shared/model/memory.ts';
import { analyzeSpec, TEMPLATES, type ModelSpec } from '#shared/model/index.ts';
import { checkMemory } from './memory-check.ts';

const GB = 2 ** 30;
const seed = TEMPLATES.seed.spec;
const adam = (batchSize: number) => ({ batchSize, optimizer: 'adam' as const, momentum: 0 });
const wide: ModelSpec = {
  name: 'wide',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 4096, kernelSize: 1, padding: 'same', activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 28 },
    { type: 'Flatten' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

describe('checkMemory', () => {
  it('says how much of the limit a run that fits will use, on which backend and why that limit', () => {
    const check = checkMemory(seed, 10, adam(128), { backend: 'native', limits: memoryLimits('native', 16 * GB) });
    expect(check?.issue).toBeNull();
    expect(check!.share).toBeGreaterThan(0);
    expect(check!.share).toBeLessThan(0.1);
    expect(check!.summary).toMatch(
      /^\d+ MB · a run may use 8\.0 GB on Native CPU \(half of this machine's 16\.0 GB\)$/,
    );
  });

  it("refuses what the engine refuses at Start, with the engine's message naming the layer", () => {
    const limits = memoryLimits('wasm', 16 * GB);
    const check = checkMemory(wide, 10, adam(2048), { backend: 'wasm', limits });
    const design = analyzeSpec(wide);
    if (!design.ok) throw new Error('the wide design is valid');
    expect(check?.issue).toBe(memoryIssue(design, adam(2048), limits)?.message);
    expect(check?.issue).toMatch(/^layer 1 Conv2D: .* — lower the batch size or/);
    expect(check!.share).toBeGreaterThan(1);
    // The same network at a batch that fits is not refused.
    expect(checkMemory(wide, 10, adam(8), { backend: 'wasm', limits })?.issue).toBeNull();
  });

  it('checks the network against the chosen dataset, and skips one that is not valid for it', () => {
    expect(checkMemory(seed, 3, adam(128), { backend: 'native', limits: memoryLimits('native', 16 * GB) })).toBeNull();
  });
});
