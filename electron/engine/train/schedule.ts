// Learning-rate schedules and early stopping, as pure functions of the hyperparameters and what the run has
// recorded: the rate at any step, and what to do after each epoch's validation. The training loop asks the
// monitor for the rate of every step and tells it every epoch's metrics; a resumed run replays its recorded
// epochs into a fresh monitor (TrainingMonitor.replay), so the schedule and early stopping's state (best so far,
// epochs without improvement, the plateau's lowered rate) continue exactly where the stopped session left them.
//
// Schedules (`step` is the run's 0-based batch counter, `B` the batches per epoch, `E` the epochs):
//   constant     lr
//   step         lr · f^⌊epoch / n⌋                         (changes at epoch boundaries)
//   exponential  lr · r^(step / B)                           (r per epoch, applied smoothly at every step)
//   cosine       min + (lr − min) · (1 + cos(π · step / (E·B))) / 2   (every step; lr at the first, ≈ min at the last)
//   plateau      lr, × f whenever the validation loss has not improved by PLATEAU_MIN_DELTA for `patience` epochs
//                (Keras's ReduceLROnPlateau without cooldown), never below min; changes at epoch boundaries
import type { EpochMetric, Hyperparameters } from '#shared/types.ts';

/** The improvement of the validation loss the plateau schedule asks for (Keras's ReduceLROnPlateau default). */
export const PLATEAU_MIN_DELTA = 1e-4;

export interface RunShape {
  batchesPerEpoch: number;
  epochs: number;
}

type ScheduleSettings = Pick<
  Hyperparameters,
  'learningRate' | 'lrSchedule' | 'lrStepEpochs' | 'lrStepFactor' | 'lrDecayRate' | 'lrMinimum'
>;

/**
 * The learning rate of global step `step` (0-based). `plateauRate` is what the plateau schedule has lowered the
 * rate to so far (it depends on the validation history, which TrainingMonitor keeps); the other schedules ignore it.
 */
export function scheduledLearningRate(
  h: ScheduleSettings,
  step: number,
  shape: RunShape,
  plateauRate: number = h.learningRate,
): number {
  const lr = h.learningRate;
  switch (h.lrSchedule) {
    case 'constant':
      return lr;
    case 'step':
      return lr * h.lrStepFactor ** Math.floor(Math.floor(step / shape.batchesPerEpoch) / h.lrStepEpochs);
    case 'exponential':
      return lr * h.lrDecayRate ** (step / shape.batchesPerEpoch);
    case 'cosine': {
      const total = shape.epochs * shape.batchesPerEpoch;
      const progress = Math.min(step, total) / total;
      return h.lrMinimum + ((lr - h.lrMinimum) * (1 + Math.cos(Math.PI * progress))) / 2;
    }
    case 'plateau':
      return plateauRate;
  }
}

/** The learning rate of every step of a run, epoch by epoch (for tests and previews; plateau stays at its start). */
export function scheduleOfRun(h: ScheduleSettings, shape: RunShape): number[] {
  return Array.from({ length: shape.epochs * shape.batchesPerEpoch }, (_, step) =>
    scheduledLearningRate(h, step, shape),
  );
}

type Direction = 'min' | 'max';

/** The best value of a metric so far and how many epochs have passed without beating it by minDelta. */
class Plateau {
  best: number | null = null;
  /** 0-based epoch of `best`. */
  bestEpoch: number | null = null;
  wait = 0;

  constructor(
    private readonly direction: Direction,
    private readonly minDelta: number,
  ) {}

  /** Records an epoch's value; true when it improved on the best. NaN (or no value) never improves. */
  update(value: number | null, epoch: number): boolean {
    const improved =
      value !== null &&
      !Number.isNaN(value) &&
      (this.best === null ||
        (this.direction === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta));
    if (improved) {
      this.best = value;
      this.bestEpoch = epoch;
      this.wait = 0;
    } else {
      this.wait++;
    }
    return improved;
  }
}

export interface EarlyStop {
  /** Why the run ended, e.g. "early stopping: val loss did not improve by 0.001 for 3 epochs (best 0.0412 at epoch 4)". */
  reason: string;
  /** 0-based epoch of the best value (whose checkpoint is epoch-<bestEpoch + 1>). */
  bestEpoch: number;
  /** 0-based epoch after which the run ended. */
  stoppedAfter: number;
}

export interface EpochDecision {
  /** What the schedule did after this epoch (the plateau lowering the rate), or null. */
  note: string | null;
  /** Set when early stopping ends the run after this epoch. */
  stop: EarlyStop | null;
}

const METRIC_NAMES = { val_loss: 'val loss', val_accuracy: 'val accuracy' } as const;

/** Numbers in messages: a loss to 4 decimals, an accuracy as a percentage, a rate as short as it is exact. */
function shown(monitor: 'val_loss' | 'val_accuracy', value: number): string {
  return monitor === 'val_accuracy' ? `${(value * 100).toFixed(2)}%` : value.toFixed(4);
}

export function formatRate(rate: number): string {
  return Number(rate.toPrecision(4)).toString();
}

/**
 * A run's learning rate and early stopping as it trains: the rate of each step, and after each epoch's
 * validation whether the plateau schedule lowers the rate and whether early stopping ends the run.
 */
export class TrainingMonitor {
  private plateauRate: number;
  private readonly plateau: Plateau | null;
  private readonly early: Plateau | null;
  /** Set once early stopping has ended the run (a replay of a run that stopped early). */
  stop: EarlyStop | null = null;

  constructor(
    private readonly h: Hyperparameters,
    private readonly shape: RunShape,
  ) {
    this.plateauRate = h.learningRate;
    this.plateau = h.lrSchedule === 'plateau' ? new Plateau('min', PLATEAU_MIN_DELTA) : null;
    this.early =
      h.earlyStopping === 'off'
        ? null
        : new Plateau(h.earlyStopping === 'val_loss' ? 'min' : 'max', h.earlyStoppingMinDelta);
  }

  /** A monitor in the state the recorded epochs (oldest first, as the store returns them) leave it in. */
  static replay(h: Hyperparameters, shape: RunShape, history: readonly EpochMetric[]): TrainingMonitor {
    const monitor = new TrainingMonitor(h, shape);
    for (const metric of history) if (!monitor.stop) monitor.afterEpoch(metric);
    return monitor;
  }

  learningRate(step: number): number {
    return scheduledLearningRate(this.h, step, this.shape, this.plateauRate);
  }

  /** The best epoch early stopping has seen (0-based), or null when early stopping is off or saw no value. */
  get bestEpoch(): number | null {
    return this.early?.bestEpoch ?? null;
  }

  /** Early stopping's state, for messages and tests. */
  get earlyStoppingState(): { best: number | null; bestEpoch: number | null; wait: number } | null {
    return this.early && { best: this.early.best, bestEpoch: this.early.bestEpoch, wait: this.early.wait };
  }

  /** Tells the monitor an epoch's metrics (after its validation); returns what to do before the next epoch. */
  afterEpoch(metric: Pick<EpochMetric, 'epoch' | 'valLoss' | 'valAccuracy'>): EpochDecision {
    let note: string | null = null;
    const last = metric.epoch + 1 >= this.h.epochs;
    if (this.plateau) {
      this.plateau.update(metric.valLoss, metric.epoch);
      // After the last epoch no step would use a lowered rate.
      if (this.plateau.wait >= this.h.lrPlateauPatience && this.plateauRate > this.h.lrMinimum && !last) {
        const lowered = Math.max(this.plateauRate * this.h.lrPlateauFactor, this.h.lrMinimum);
        note =
          `reduce on plateau: val loss did not improve by ${PLATEAU_MIN_DELTA} for ${this.plateau.wait} epoch${this.plateau.wait === 1 ? '' : 's'}; ` +
          `learning rate ${formatRate(this.plateauRate)} → ${formatRate(lowered)} from epoch ${metric.epoch + 2}`;
        this.plateauRate = lowered;
        this.plateau.wait = 0;
      }
    }
    let stop: EarlyStop | null = null;
    if (this.early && this.h.earlyStopping !== 'off') {
      const monitor = this.h.earlyStopping;
      this.early.update(monitor === 'val_loss' ? metric.valLoss : metric.valAccuracy, metric.epoch);
      if (this.early.wait >= this.h.earlyStoppingPatience && !last && this.early.bestEpoch !== null) {
        const delta = this.h.earlyStoppingMinDelta;
        const epochs = this.early.wait;
        stop = {
          reason:
            `early stopping: ${METRIC_NAMES[monitor]} did not improve${delta > 0 ? ` by ${delta}` : ''} ` +
            `for ${epochs} epoch${epochs === 1 ? '' : 's'} (best ${shown(monitor, this.early.best!)} at epoch ${this.early.bestEpoch + 1})`,
          bestEpoch: this.early.bestEpoch,
          stoppedAfter: metric.epoch,
        };
        this.stop = stop;
      }
    }
    return { note, stop };
  }
}
