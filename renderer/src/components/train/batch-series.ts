// Per-batch loss and accuracy of one run, kept in plain arrays outside Svelte's reactivity (a long run has
// tens of thousands of points; deep proxies over them would slow every append). Smoothing is updated
// incrementally as batches arrive and recomputed only when the slider moves; memory stays bounded by halving
// the resolution of old points when the buffer is full.
import type { BatchMetric } from '#shared/types.ts';
import { smooth } from '../../lib/echarts.ts';

/** Beyond this many points the buffer keeps every other one (a 1000-epoch run must not grow without bound). */
const MAX_KEPT = 200_000;

export class BatchSeries {
  steps: number[] = [];
  loss: number[] = [];
  accuracy: number[] = [];
  smoothLoss: number[] = [];
  smoothAccuracy: number[] = [];
  private weight: number;

  constructor(weight = 0.6) {
    this.weight = weight;
  }

  get length(): number {
    return this.steps.length;
  }

  get lastStep(): number {
    return this.steps.at(-1) ?? -1;
  }

  /** Appends batches in step order, skipping steps already held (history and live events can overlap). */
  append(items: readonly BatchMetric[]): void {
    const w = this.weight;
    for (const item of items) {
      if (item.step <= this.lastStep) continue;
      const n = this.steps.length;
      this.steps.push(item.step);
      this.loss.push(item.loss);
      this.accuracy.push(item.accuracy);
      // Same recurrence as smooth(): the first point starts the average.
      this.smoothLoss.push(n === 0 || w <= 0 ? item.loss : this.smoothLoss[n - 1] * w + (1 - w) * item.loss);
      this.smoothAccuracy.push(
        n === 0 || w <= 0 ? item.accuracy : this.smoothAccuracy[n - 1] * w + (1 - w) * item.accuracy,
      );
    }
    if (this.steps.length > MAX_KEPT) this.halve();
  }

  /** Adds stored history (sorted by step) to what live events already delivered, filling any gaps. */
  merge(history: readonly BatchMetric[]): void {
    const steps: number[] = [];
    const loss: number[] = [];
    const accuracy: number[] = [];
    let i = 0;
    let j = 0;
    while (i < history.length || j < this.steps.length) {
      const fromHistory = j >= this.steps.length || (i < history.length && history[i].step < this.steps[j]);
      if (fromHistory) {
        const m = history[i++];
        if (steps.length && steps[steps.length - 1] >= m.step) continue;
        steps.push(m.step);
        loss.push(m.loss);
        accuracy.push(m.accuracy);
      } else {
        if (i < history.length && history[i].step === this.steps[j]) i++;
        steps.push(this.steps[j]);
        loss.push(this.loss[j]);
        accuracy.push(this.accuracy[j]);
        j++;
      }
    }
    if (steps.length === this.steps.length) return;
    this.steps = steps;
    this.loss = loss;
    this.accuracy = accuracy;
    this.resmooth();
    if (this.steps.length > MAX_KEPT) this.halve();
  }

  /** True when some step between the first and the last is missing (only meaningful at full resolution). */
  hasGaps(): boolean {
    return this.steps.length > 0 && this.lastStep - this.steps[0] + 1 > this.steps.length;
  }

  setWeight(weight: number): void {
    if (weight === this.weight) return;
    this.weight = weight;
    this.resmooth();
  }

  clear(): void {
    this.steps = [];
    this.loss = [];
    this.accuracy = [];
    this.smoothLoss = [];
    this.smoothAccuracy = [];
  }

  private resmooth(): void {
    this.smoothLoss = smooth(this.loss, this.weight).slice();
    this.smoothAccuracy = smooth(this.accuracy, this.weight).slice();
  }

  private halve(): void {
    const keep = (values: number[]) => values.filter((_, i) => i % 2 === 0 || i === values.length - 1);
    this.steps = keep(this.steps);
    this.loss = keep(this.loss);
    this.accuracy = keep(this.accuracy);
    this.smoothLoss = keep(this.smoothLoss);
    this.smoothAccuracy = keep(this.smoothAccuracy);
  }
}

/**
 * Largest-Triangle-Three-Buckets: at most `threshold` [x, y] points that keep the curve's visual shape
 * (spikes survive, unlike taking every n-th point). Short series are returned whole.
 */
export function downsample(xs: readonly number[], ys: readonly number[], threshold: number): [number, number][] {
  const n = xs.length;
  if (n <= threshold || threshold < 3) return xs.map((x, i) => [x, ys[i]]);
  const out: [number, number][] = [[xs[0], ys[0]]];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j];
      avgY += ys[j];
    }
    const count = Math.max(nextEnd - nextStart, 1);
    avgX /= count;
    avgY /= count;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((xs[a] - avgX) * (ys[j] - ys[a]) - (xs[a] - xs[j]) * (avgY - ys[a]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    out.push([xs[best], ys[best]]);
    a = best;
  }
  out.push([xs[n - 1], ys[n - 1]]);
  return out;
}
