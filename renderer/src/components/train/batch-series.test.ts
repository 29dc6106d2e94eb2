import { describe, expect, it } from 'vitest';
import type { BatchMetric } from '#shared/types.ts';
import { smooth } from '../../lib/echarts.ts';
import { BatchSeries, downsample } from './batch-series.ts';

const BATCHES_PER_EPOCH = 100;
const batch = (step: number, loss = 1 / (step + 1), accuracy = step / (step + 10)): BatchMetric => ({
  epoch: Math.floor(step / BATCHES_PER_EPOCH),
  batch: step % BATCHES_PER_EPOCH,
  step,
  loss,
  accuracy,
  samplesPerSecond: 1000,
  time: 1_700_000_000_000 + step,
});
const steps = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => batch(from + i));

describe('BatchSeries', () => {
  it('starts empty', () => {
    const series = new BatchSeries();
    expect(series.length).toBe(0);
    expect(series.lastStep).toBe(-1);
    expect(series.hasGaps()).toBe(false);
  });

  it('appends batches in order, raw and smoothed', () => {
    const series = new BatchSeries(0.5);
    series.append([batch(0, 4, 0.1), batch(1, 2, 0.3), batch(2, 1, 0.5)]);
    expect(series.steps).toEqual([0, 1, 2]);
    expect(series.loss).toEqual([4, 2, 1]);
    expect(series.accuracy).toEqual([0.1, 0.3, 0.5]);
    // The first point starts the average: 4, 4·0.5 + 2·0.5 = 3, 3·0.5 + 1·0.5 = 2.
    expect(series.smoothLoss).toEqual([4, 3, 2]);
    expect(series.smoothAccuracy[2]).toBeCloseTo(0.35, 12);
    expect(series.lastStep).toBe(2);
  });

  it('smooths incrementally exactly as smooth() does over the whole series', () => {
    const series = new BatchSeries(0.8);
    const items = steps(0, 50);
    series.append(items.slice(0, 20));
    series.append(items.slice(20));
    expect(series.smoothLoss).toEqual(
      smooth(
        items.map((b) => b.loss),
        0.8,
      ),
    );
    expect(series.smoothAccuracy).toEqual(
      smooth(
        items.map((b) => b.accuracy),
        0.8,
      ),
    );
  });

  it('keeps the raw values as the smoothed ones at weight 0', () => {
    const series = new BatchSeries(0);
    series.append(steps(0, 5));
    expect(series.smoothLoss).toEqual(series.loss);
  });

  it('skips steps it already holds (history and live events overlap)', () => {
    const series = new BatchSeries();
    series.append(steps(0, 10));
    series.append([batch(8, 99), batch(9, 99), batch(10, 0.5)]);
    expect(series.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(series.loss.at(-2)).toBe(batch(9).loss);
    expect(series.loss.at(-1)).toBe(0.5);
  });

  it("starts at the resumed run's offset without reporting a gap", () => {
    const series = new BatchSeries();
    series.append(steps(300, 350));
    expect(series.steps[0]).toBe(300);
    expect(series.lastStep).toBe(349);
    expect(series.hasGaps()).toBe(false);
  });

  it('reports a gap where live events were missed', () => {
    const series = new BatchSeries();
    series.append([...steps(0, 5), ...steps(8, 10)]);
    expect(series.hasGaps()).toBe(true);
  });

  it('merges stored history under the live batches, filling the gaps', () => {
    const series = new BatchSeries(0.6);
    // Live events from step 5 on, with one dropped (step 7); the store has 0–9.
    series.append([...steps(5, 7), ...steps(8, 10)]);
    series.merge(steps(0, 10));
    expect(series.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(series.hasGaps()).toBe(false);
    expect(series.loss).toEqual(steps(0, 10).map((b) => b.loss));
    expect(series.smoothLoss).toEqual(smooth(series.loss, 0.6));
  });

  it('prefers the live value when history and live events hold the same step', () => {
    const series = new BatchSeries();
    series.append([batch(1, 0.25)]);
    series.merge([batch(0, 3), batch(1, 7), batch(2, 1)]);
    expect(series.steps).toEqual([0, 1, 2]);
    expect(series.loss).toEqual([3, 0.25, 1]);
  });

  it('skips duplicate steps within the history', () => {
    const series = new BatchSeries();
    series.merge([batch(0, 1), batch(0, 2), batch(1, 3)]);
    expect(series.steps).toEqual([0, 1]);
    expect(series.loss).toEqual([1, 3]);
  });

  it('leaves the series alone when the history adds nothing', () => {
    const series = new BatchSeries();
    series.append(steps(0, 5));
    const before = series.steps;
    series.merge(steps(2, 4));
    expect(series.steps).toBe(before);
  });

  it('recomputes the smoothing when the weight changes', () => {
    const series = new BatchSeries(0.6);
    series.append(steps(0, 20));
    series.setWeight(0.9);
    expect(series.smoothLoss).toEqual(smooth(series.loss, 0.9));
    series.setWeight(0);
    expect(series.smoothLoss).toEqual(series.loss);
    // A copy, not the raw array itself: appending must not push twice into one array.
    expect(series.smoothLoss).not.toBe(series.loss);
    series.append([batch(20)]);
    expect(series.loss).toHaveLength(21);
    expect(series.smoothLoss).toHaveLength(21);
  });

  it('clears everything', () => {
    const series = new BatchSeries();
    series.append(steps(0, 5));
    series.clear();
    expect([series.steps, series.loss, series.accuracy, series.smoothLoss, series.smoothAccuracy]).toEqual([
      [],
      [],
      [],
      [],
      [],
    ]);
    expect(series.lastStep).toBe(-1);
    series.append([batch(0)]);
    expect(series.steps).toEqual([0]);
  });

  it('halves its resolution, keeping the newest point, beyond 200,000 points', () => {
    const series = new BatchSeries();
    const many = Array.from({ length: 200_000 }, (_, step) => batch(step, step, 0));
    series.append(many);
    expect(series.length).toBe(200_000);
    series.append([batch(200_000, 200_000, 0)]);
    // Every other point of 0 … 200,000 (which is even, so the newest is among them).
    expect(series.length).toBe(100_001);
    expect(series.steps.slice(0, 3)).toEqual([0, 2, 4]);
    expect(series.lastStep).toBe(200_000);
    expect(series.loss.slice(0, 3)).toEqual([0, 2, 4]);
    expect(series.smoothLoss).toHaveLength(100_001);
    expect(series.accuracy).toHaveLength(100_001);
  });
});

describe('downsample', () => {
  const xs = Array.from({ length: 1000 }, (_, i) => i);

  it('returns short series whole, as points', () => {
    expect(downsample([0, 1, 2], [5, 6, 7], 10)).toEqual([
      [0, 5],
      [1, 6],
      [2, 7],
    ]);
    expect(downsample([0, 1, 2, 3], [5, 6, 7, 8], 2)).toHaveLength(4);
  });

  it('keeps exactly `threshold` points, the first and the last among them, in order', () => {
    const ys = xs.map((x) => Math.sin(x / 50));
    const out = downsample(xs, ys, 100);
    expect(out).toHaveLength(100);
    expect(out[0]).toEqual([0, ys[0]]);
    expect(out.at(-1)).toEqual([999, ys[999]]);
    for (let i = 1; i < out.length; i++) expect(out[i][0]).toBeGreaterThan(out[i - 1][0]);
    for (const [x, y] of out) expect(y).toBe(ys[x]);
  });

  it('keeps a one-batch spike that every-n-th sampling would drop', () => {
    const ys = xs.map((x) => (x === 501 ? 50 : 1));
    expect(downsample(xs, ys, 50)).toContainEqual([501, 50]);
  });
});
