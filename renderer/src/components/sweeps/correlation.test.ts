import { describe, expect, it } from 'vitest';
import { categorySpread, ranks, spearman } from './correlation.ts';

describe('ranks', () => {
  it('ranks from 1, ties sharing their average rank', () => {
    expect(ranks([10, 30, 20])).toEqual([1, 3, 2]);
    expect(ranks([5, 1, 5, 2])).toEqual([3.5, 1, 3.5, 2]);
  });
});

describe('spearman', () => {
  it('is 1 for any increasing relation and -1 for a decreasing one', () => {
    expect(spearman([1, 2, 3, 4], [0.1, 0.5, 0.51, 0.9]).rho).toBeCloseTo(1);
    expect(spearman([0.001, 0.01, 0.1], [0.9, 0.8, 0.1]).rho).toBeCloseTo(-1);
  });

  it('matches the textbook value with ties', () => {
    // x ranks [1, 2.5, 2.5, 4, 5], y ranks [2, 1, 4, 3, 5]: Pearson of the ranks, 6.5 / √(9.5 · 10).
    const { rho, n } = spearman([1, 2, 2, 3, 4], [20, 10, 40, 30, 50]);
    expect(n).toBe(5);
    expect(rho).toBeCloseTo(6.5 / Math.sqrt(95), 10);
  });

  it('leaves out non-finite pairs, needs 3 pairs, and has none when a side is constant', () => {
    expect(spearman([1, 2, NaN, 4], [1, 2, 3, 4])).toEqual({ rho: 1, n: 3 });
    expect(spearman([1, 2], [1, 2])).toEqual({ rho: null, n: 2 });
    expect(spearman([1, 1, 1], [1, 2, 3])).toEqual({ rho: null, n: 3 });
  });
});

describe('categorySpread', () => {
  it("is the best value's mean minus the worst's, with the means best first", () => {
    const c = categorySpread(['adam', 'sgd', 'adam', 'sgd', 'rmsprop'], [0.9, 0.5, 0.8, 0.7, 0.75]);
    expect(c.spread).toBeCloseTo(0.25);
    expect(c.n).toBe(5);
    expect(c.means.map((m) => m.value)).toEqual(['adam', 'rmsprop', 'sgd']);
    expect(c.means[0]).toEqual({ value: 'adam', mean: expect.closeTo(0.85), n: 2 });
  });

  it('orders losses lowest first, and has no spread with one value', () => {
    expect(categorySpread(['a', 'b'], [0.3, 0.1], false).means[0].value).toBe('b');
    expect(categorySpread(['a', 'a'], [0.3, 0.1]).spread).toBeNull();
  });
});
