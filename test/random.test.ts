import { describe, expect, it } from 'vitest';
import { epochOrder, seededRandom, splitTrainingSet } from '#engine/data/random.ts';

describe('seeded shuffling and splits', () => {
  it('same seed, same stream; different seed, different stream', () => {
    const a = seededRandom(7),
      b = seededRandom(7),
      c = seededRandom(8);
    const xs = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(xs);
    expect([c(), c(), c()]).not.toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('picks the subset and validation split from the seed only', () => {
    const s1 = splitTrainingSet(60000, 2000, 0.1, 42);
    const s2 = splitTrainingSet(60000, 2000, 0.1, 42);
    const s3 = splitTrainingSet(60000, 2000, 0.1, 43);
    expect(s1.train.length).toBe(1800);
    expect(s1.validation.length).toBe(200);
    expect(Array.from(s1.train)).toEqual(Array.from(s2.train));
    expect(Array.from(s1.train)).not.toEqual(Array.from(s3.train));
    const all = new Set([...s1.train, ...s1.validation]);
    expect(all.size).toBe(2000); // disjoint, no duplicates
  });

  it('visits every training image once per epoch, in an order fixed by (seed, epoch)', () => {
    const { train } = splitTrainingSet(1000, null, 0, 1);
    const e0 = epochOrder(train, 1, 0);
    expect(Array.from(epochOrder(train, 1, 0))).toEqual(Array.from(e0));
    expect(Array.from(epochOrder(train, 1, 1))).not.toEqual(Array.from(e0));
    expect([...e0].sort((a, b) => a - b)).toEqual([...train].sort((a, b) => a - b));
  });
});
