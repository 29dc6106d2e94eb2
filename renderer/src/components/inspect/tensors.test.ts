import { describe, expect, it } from 'vitest';
import {
  binVector,
  channelPlane,
  channelStats,
  filterMeanAbs,
  filterPlane,
  maxAbs,
  meanAbs,
  planeStats,
  sameValues,
} from './tensors.ts';

// A 2×2×3 output, channel-last: value = 100·y + 10·x + c.
const hwc = Float32Array.from({ length: 12 }, (_, i) => {
  const c = i % 3;
  const p = Math.floor(i / 3);
  return 100 * Math.floor(p / 2) + 10 * (p % 2) + c;
});

describe('reading layer outputs', () => {
  it('takes one channel out of a channel-last output', () => {
    expect(Array.from(channelPlane(hwc, 2, 2, 3, 2))).toEqual([2, 12, 102, 112]);
  });

  it('gives every channel its min, max and mean', () => {
    const stats = channelStats(hwc, 2, 2, 3);
    expect(stats[0]).toEqual({ min: 0, max: 110, mean: 55 });
    expect(stats[2]).toEqual({ min: 2, max: 112, mean: 57 });
    expect(planeStats([1, -2, 4])).toEqual({ min: -2, max: 4, mean: 1 });
    expect(planeStats([])).toEqual({ min: 0, max: 0, mean: 0 });
  });
});

describe('reading Conv2D kernels', () => {
  // 2×2 kernel, 2 input channels, 3 filters: value = 1000·position + 100·inChannel + filter.
  const shape = { kernelHeight: 2, kernelWidth: 2, inChannels: 2, filters: 3 };
  const kernel = Float32Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => {
    const f = i % 3;
    const c = Math.floor(i / 3) % 2;
    const p = Math.floor(i / 6);
    return 1000 * p + 100 * c + f;
  });

  it('takes the weights one filter applies to one input channel', () => {
    expect(Array.from(filterPlane(kernel, shape, 2, 1))).toEqual([102, 1102, 2102, 3102]);
    expect(Array.from(filterPlane(kernel, shape, 0, 0))).toEqual([0, 1000, 2000, 3000]);
  });

  it('summarises a deep filter by its mean |weight| over input channels', () => {
    const signed = kernel.map((v, i) => (Math.floor(i / 3) % 2 ? -v : v));
    expect(Array.from(filterMeanAbs(signed, shape, 1))).toEqual([51, 1051, 2051, 3051]);
  });

  it('measures tensors', () => {
    expect(meanAbs([1, -3])).toBe(2);
    expect(maxAbs([1, -3, 2])).toBe(3);
    expect(meanAbs([])).toBe(0);
  });
});

describe('vectors as bars', () => {
  it('keeps every unit when they fit', () => {
    expect(binVector([1, 2, 3], 10)).toEqual({ values: [1, 2, 3], binSize: 1, starts: [0, 1, 2] });
  });

  it('shows each run of units by its strongest, sign kept', () => {
    expect(binVector([1, -5, 2, 0, 0, 3, 7], 3)).toEqual({ values: [-5, 3, 7], binSize: 3, starts: [0, 3, 6] });
    const long = Float32Array.from({ length: 1600 }, (_, i) => (i === 1234 ? 9 : 0.1));
    const bars = binVector(long, 200);
    expect(bars.values).toHaveLength(200);
    expect(bars.binSize).toBe(8);
    expect(bars.values[Math.floor(1234 / 8)]).toBe(9);
  });
});

describe('identical outputs', () => {
  it('tells a pass-through layer from one that changed its input', () => {
    expect(sameValues([1, 2, 3], Float32Array.of(1, 2, 3))).toBe(true);
    expect(sameValues([1, 2, 3], [1, 2, 3.1])).toBe(false);
    expect(sameValues([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValues([0.1 + 0.2], [0.3])).toBe(true);
  });
});
