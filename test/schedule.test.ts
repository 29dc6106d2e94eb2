// Learning-rate schedules and early stopping as pure functions (electron/engine/train/schedule.ts): each schedule's
// rate at every step, the plateau's reductions, early stopping's decisions, and a replayed history continuing both.
import { describe, expect, it } from 'vitest';
import { DEFAULT_HYPERPARAMETERS, type Hyperparameters } from '#shared/hyperparameters.ts';
import type { EpochMetric } from '#shared/types.ts';
import {
  PLATEAU_MIN_DELTA,
  scheduledLearningRate,
  scheduleOfRun,
  TrainingMonitor,
  type RunShape,
} from '#engine/train/schedule.ts';

const hyper = (changes: Partial<Hyperparameters>): Hyperparameters => ({
  ...DEFAULT_HYPERPARAMETERS,
  learningRate: 0.1,
  ...changes,
});
// 4 epochs of 3 batches: steps 0–11.
const shape: RunShape = { batchesPerEpoch: 3, epochs: 4 };

function expectRates(actual: number[], expected: number[]) {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((rate, step) => expect(rate, `step ${step}`).toBeCloseTo(expected[step], 12));
}

describe('scheduledLearningRate, step by step', () => {
  it('constant: the run’s learning rate at every step', () => {
    expectRates(scheduleOfRun(hyper({ lrSchedule: 'constant' }), shape), new Array(12).fill(0.1));
  });

  it('step: × factor every n epochs, changing only at epoch boundaries', () => {
    const h = hyper({ lrSchedule: 'step', lrStepEpochs: 2, lrStepFactor: 0.5 });
    expectRates(scheduleOfRun(h, shape), [0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05]);
    const everyEpoch = hyper({ lrSchedule: 'step', lrStepEpochs: 1, lrStepFactor: 0.1 });
    expectRates(
      scheduleOfRun(everyEpoch, shape),
      [0.1, 0.1, 0.1, 0.01, 0.01, 0.01, 0.001, 0.001, 0.001, 1e-4, 1e-4, 1e-4],
    );
  });

  it('exponential: × rate per epoch, a fraction of it at every step', () => {
    const h = hyper({ lrSchedule: 'exponential', lrDecayRate: 0.5 });
    const rates = scheduleOfRun(h, shape);
    expectRates(
      rates,
      Array.from({ length: 12 }, (_, s) => 0.1 * 0.5 ** (s / 3)),
    );
    // Each epoch's first step is exactly rate^epoch, and every step multiplies by the same factor.
    expect(rates[3]).toBeCloseTo(0.05, 12);
    expect(rates[6]).toBeCloseTo(0.025, 12);
    for (let s = 1; s < 12; s++) expect(rates[s] / rates[s - 1]).toBeCloseTo(0.5 ** (1 / 3), 12);
  });

  it('cosine: from the learning rate down to the minimum over every step of the run', () => {
    const h = hyper({ lrSchedule: 'cosine', lrMinimum: 0.01 });
    const rates = scheduleOfRun(h, shape);
    expectRates(
      rates,
      Array.from({ length: 12 }, (_, s) => 0.01 + (0.09 * (1 + Math.cos((Math.PI * s) / 12))) / 2),
    );
    expect(rates[0]).toBe(0.1);
    expect(rates[6]).toBeCloseTo(0.055, 12); // halfway: the mean of the two
    expect(rates[11]).toBeGreaterThan(0.01);
    expect(rates[11]).toBeLessThan(0.0125);
    for (let s = 1; s < 12; s++) expect(rates[s]).toBeLessThan(rates[s - 1]);
    // Past the run's last step (it never trains there) it stays at the minimum.
    expect(scheduledLearningRate(h, 50, shape)).toBeCloseTo(0.01, 12);
  });

  it('plateau: the rate the monitor has lowered it to, steady within an epoch', () => {
    const h = hyper({ lrSchedule: 'plateau' });
    expect(scheduledLearningRate(h, 7, shape)).toBe(0.1);
    expect(scheduledLearningRate(h, 7, shape, 0.025)).toBe(0.025);
  });
});

const epoch = (index: number, valLoss: number | null, valAccuracy: number | null = null): EpochMetric => ({
  epoch: index,
  loss: 1,
  accuracy: 0.5,
  valLoss,
  valAccuracy,
  durationMs: 1,
  samplesPerSecond: 1,
  time: 0,
  learningRate: null,
  note: null,
});

describe('reduce on plateau', () => {
  it('lowers the rate after `patience` epochs without a validation-loss improvement, never below the minimum', () => {
    const h = hyper({ lrSchedule: 'plateau', lrPlateauPatience: 2, lrPlateauFactor: 0.5, lrMinimum: 0.03, epochs: 20 });
    const monitor = new TrainingMonitor(h, { batchesPerEpoch: 3, epochs: 20 });
    const notes: (string | null)[] = [];
    const rates: number[] = [];
    // Improves, then stalls (a gain below PLATEAU_MIN_DELTA does not count).
    const losses = [0.5, 0.4, 0.41, 0.4 - PLATEAU_MIN_DELTA / 2, 0.3, 0.35, 0.36, 0.37, 0.38];
    losses.forEach((loss, i) => {
      rates.push(monitor.learningRate(i * 3));
      notes.push(monitor.afterEpoch(epoch(i, loss)).note);
    });
    rates.push(monitor.learningRate(losses.length * 3));
    expectRates(rates, [0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.03, 0.03, 0.03]);
    expect(notes.map((n, i) => (n ? i : null)).filter((i) => i !== null)).toEqual([3, 6]);
    expect(notes[3]).toBe(
      `reduce on plateau: val loss did not improve by ${PLATEAU_MIN_DELTA} for 2 epochs; learning rate 0.1 → 0.05 from epoch 5`,
    );
    expect(notes[6]).toBe(
      `reduce on plateau: val loss did not improve by ${PLATEAU_MIN_DELTA} for 2 epochs; learning rate 0.05 → 0.03 from epoch 8`,
    );
    // At the minimum: no further reductions, no notes.
    expect(notes.slice(7)).toEqual([null, null]);
  });
});

describe('reduce on plateau at the end of the run', () => {
  it('does not lower the rate after the last epoch, where no step would use it', () => {
    const h = hyper({ lrSchedule: 'plateau', lrPlateauPatience: 1, epochs: 2 });
    const monitor = new TrainingMonitor(h, { batchesPerEpoch: 3, epochs: 2 });
    expect(monitor.afterEpoch(epoch(0, 0.5)).note).toBeNull();
    expect(monitor.afterEpoch(epoch(1, 0.6)).note).toBeNull();
    expect(monitor.learningRate(6)).toBe(0.1);
  });
});

describe('early stopping', () => {
  it('stops after `patience` epochs without an improvement of at least min delta, naming the best epoch', () => {
    const h = hyper({ earlyStopping: 'val_loss', earlyStoppingPatience: 3, earlyStoppingMinDelta: 0.001, epochs: 10 });
    const monitor = new TrainingMonitor(h, { batchesPerEpoch: 3, epochs: 10 });
    // Epoch 4 (index 3) is the best; 0.0412 − 0.0005 afterwards is not an improvement of 0.001.
    const losses = [0.09, 0.06, 0.05, 0.0412, 0.0407, 0.043, 0.045];
    const stops = losses.map((loss, i) => monitor.afterEpoch(epoch(i, loss)).stop);
    expect(stops.slice(0, 6)).toEqual([null, null, null, null, null, null]);
    expect(stops[6]).toEqual({
      reason: 'early stopping: val loss did not improve by 0.001 for 3 epochs (best 0.0412 at epoch 4)',
      bestEpoch: 3,
      stoppedAfter: 6,
    });
    expect(monitor.bestEpoch).toBe(3);
  });

  it('watches validation accuracy upwards, and with min delta 0 any gain counts', () => {
    const h = hyper({ earlyStopping: 'val_accuracy', earlyStoppingPatience: 2, earlyStoppingMinDelta: 0, epochs: 10 });
    const monitor = new TrainingMonitor(h, { batchesPerEpoch: 3, epochs: 10 });
    const accuracies = [0.9, 0.95, 0.9501, 0.95, 0.9501];
    const stops = accuracies.map((a, i) => monitor.afterEpoch(epoch(i, 1, a)).stop);
    expect(stops.slice(0, 4)).toEqual([null, null, null, null]);
    expect(stops[4]?.reason).toBe('early stopping: val accuracy did not improve for 2 epochs (best 95.01% at epoch 3)');
    expect(stops[4]?.bestEpoch).toBe(2);
  });

  it('never stops after the last epoch (the run ends there anyway) and ignores NaN as an improvement', () => {
    const h = hyper({ earlyStopping: 'val_loss', earlyStoppingPatience: 1, epochs: 3 });
    const monitor = new TrainingMonitor(h, { batchesPerEpoch: 3, epochs: 3 });
    expect(monitor.afterEpoch(epoch(0, 0.5)).stop).toBeNull();
    expect(monitor.afterEpoch(epoch(1, 0.4)).stop).toBeNull();
    expect(monitor.afterEpoch(epoch(2, Number.NaN)).stop).toBeNull();
    expect(monitor.earlyStoppingState).toEqual({ best: 0.4, bestEpoch: 1, wait: 1 });
  });

  it('is off by default: nothing stops, no best epoch', () => {
    const monitor = new TrainingMonitor(hyper({}), shape);
    for (let i = 0; i < 4; i++) expect(monitor.afterEpoch(epoch(i, 1 + i)).stop).toBeNull();
    expect(monitor.bestEpoch).toBeNull();
    expect(monitor.earlyStoppingState).toBeNull();
  });
});

describe('a resumed run replays its recorded epochs', () => {
  const h = hyper({
    lrSchedule: 'plateau',
    lrPlateauPatience: 1,
    lrPlateauFactor: 0.5,
    earlyStopping: 'val_loss',
    earlyStoppingPatience: 3,
    epochs: 10,
  });
  const runShape = { batchesPerEpoch: 3, epochs: 10 };
  const losses = [0.5, 0.4, 0.45, 0.3, 0.35, 0.36, 0.37];

  it('and continues the plateau’s rate and early stopping’s state exactly as an uninterrupted run', () => {
    const straight = new TrainingMonitor(h, runShape);
    const decisions = losses.map((loss, i) => ({
      rate: straight.learningRate(i * 3),
      ...straight.afterEpoch(epoch(i, loss)),
    }));
    for (let stopAt = 0; stopAt <= losses.length; stopAt++) {
      const resumed = TrainingMonitor.replay(
        h,
        runShape,
        losses.slice(0, stopAt).map((loss, i) => epoch(i, loss)),
      );
      const rest = losses.slice(stopAt).map((loss, k) => ({
        rate: resumed.learningRate((stopAt + k) * 3),
        ...resumed.afterEpoch(epoch(stopAt + k, loss)),
      }));
      expect(rest, `resumed after ${stopAt} epochs`).toEqual(decisions.slice(stopAt));
    }
    expect(decisions.map((d) => d.rate)).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.0125]);
    expect(decisions[6].stop?.reason).toMatch(/did not improve for 3 epochs \(best 0\.3000 at epoch 4\)/);
  });

  it('and knows a history that already ended in early stopping (the session died before completing)', () => {
    const replayed = TrainingMonitor.replay(
      h,
      runShape,
      losses.map((loss, i) => epoch(i, loss)),
    );
    expect(replayed.stop).toMatchObject({ bestEpoch: 3, stoppedAfter: 6 });
  });

  it('and continues a step schedule from the resumed step', () => {
    const stepped = hyper({ lrSchedule: 'step', lrStepEpochs: 1, lrStepFactor: 0.5 });
    const resumed = TrainingMonitor.replay(stepped, shape, [epoch(0, null), epoch(1, null)]);
    expect(resumed.learningRate(6)).toBeCloseTo(0.025, 12);
  });
});
