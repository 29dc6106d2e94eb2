// How strongly each setting relates to a metric over a set of runs. Numeric settings: Spearman's rank
// correlation ρ (Pearson's r of the ranks, ties given their average rank), from -1 to 1. Categorical settings
// (optimizer, schedule…): the spread of the metric's means per value (the best value's mean minus the worst's),
// in the metric's own unit, with the means themselves, since a category has no order to correlate with.

/** Ranks from 1, ties sharing their average rank. */
export function ranks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k][1]] = rank;
    i = j + 1;
  }
  return out;
}

function pearson(x: number[], y: number[]): number | null {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  if (sxx === 0 || syy === 0) return null; // one of them does not vary: no correlation to speak of
  return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
}

/** Spearman's ρ of paired values (pairs with a non-finite member are left out), and how many pairs it used. */
export function spearman(x: number[], y: number[]): { rho: number | null; n: number } {
  const pairs = x.map((v, i) => [v, y[i]] as const).filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
  const n = pairs.length;
  if (n < 3) return { rho: null, n };
  return {
    rho: pearson(ranks(pairs.map((p) => p[0])), ranks(pairs.map((p) => p[1]))),
    n,
  };
}

/** The metric's mean per category, best first for `higherIsBetter`, and the spread between the extremes. */
export function categorySpread(
  categories: string[],
  metric: number[],
  higherIsBetter = true,
): { spread: number | null; n: number; means: { value: string; mean: number; n: number }[] } {
  const groups = new Map<string, number[]>();
  categories.forEach((c, i) => {
    if (!Number.isFinite(metric[i])) return;
    const group = groups.get(c) ?? [];
    group.push(metric[i]);
    groups.set(c, group);
  });
  const means = [...groups]
    .map(([value, items]) => ({ value, mean: items.reduce((a, b) => a + b, 0) / items.length, n: items.length }))
    .sort((a, b) => (higherIsBetter ? b.mean - a.mean : a.mean - b.mean));
  const n = means.reduce((sum, m) => sum + m.n, 0);
  if (means.length < 2) return { spread: null, n, means };
  return { spread: Math.abs(means[0].mean - means[means.length - 1].mean), n, means };
}
