// The training loop: seeded batch order per epoch, per-batch progress (loss, accuracy, samples/s, ETA),
// validation after every epoch, and a stop request honoured at the next batch boundary. With augmentation the
// batches come from a prefetching source (augmented-batches.ts): the loop tells it the rows of the steps ahead,
// so it augments the next batches on a worker thread while this one trains; the loop closes it however it ends.
// Every step trains at the learning rate the schedule gives it (schedule.ts); after each epoch's validation the
// monitor may lower the rate (reduce on plateau) or end the run (early stopping).
import type { Dataset } from '../data/datasets.ts';
import { epochOrder, type TrainingSplit } from '../data/random.ts';
import type { BatchProgress, EpochMetric, Hyperparameters } from '#shared/types.ts';
import { lossAndAccuracy, predictSet } from '../evaluate/evaluate.ts';
import { faultPause } from '../fault-pause.ts';
import type { BatchTrainer } from './batch-trainer.ts';
import { batchSource, type BatchSource } from './augmented-batches.ts';
import { TrainingMonitor, type EarlyStop } from './schedule.ts';

export interface TrainLoopOptions {
  trainer: BatchTrainer;
  dataset: Dataset;
  hyperparameters: Hyperparameters;
  split: TrainingSplit;
  /** First epoch to run (0-based): the number of epochs already finished by a resumed run. */
  startEpoch: number;
  /**
   * The epochs already recorded (0 … startEpoch − 1) of a resumed run: replayed so the learning-rate schedule and
   * early stopping continue from where they were.
   */
  history?: readonly EpochMetric[];
  signal?: AbortSignal;
  onBatch?: (progress: BatchProgress) => void;
  /** Called after each epoch with its metrics; the caller saves the checkpoint before the next epoch starts. */
  onEpochEnd?: (metric: EpochMetric) => Promise<void> | void;
}

export interface TrainLoopResult {
  /** Stopped on request (the signal): the run can be resumed. */
  stopped: boolean;
  epochsCompleted: number;
  /** Early stopping ended the run after `epochsCompleted` epochs (or a replayed history had already ended it). */
  earlyStop: EarlyStop | null;
  /** The best epoch (0-based) early stopping saw, or null when it is off. */
  bestEpoch: number | null;
  trainingMs: number;
  samplesSeen: number;
}

const RATE_WINDOW = 20;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The rows of batch `batch` of epoch `epoch`; keeps the orders of the latest two epochs asked for. */
function epochRows(split: TrainingSplit, h: Hyperparameters): (epoch: number, batch: number) => Uint32Array {
  const orders = new Map<number, Uint32Array>();
  return (epoch, batch) => {
    let order = orders.get(epoch);
    if (!order) {
      order = epochOrder(split.train, h.seed, epoch);
      orders.set(epoch, order);
      for (const known of orders.keys()) if (known < epoch - 1) orders.delete(known);
    }
    return order.subarray(batch * h.batchSize, Math.min((batch + 1) * h.batchSize, order.length));
  };
}

export async function trainLoop(options: TrainLoopOptions): Promise<TrainLoopResult> {
  const { dataset, hyperparameters: h, split } = options;
  const batchesPerEpoch = Math.ceil(split.train.length / h.batchSize);
  const rowsOf = epochRows(split, h);
  const batches = batchSource(dataset.train, h, {
    plan: (step) => {
      const epoch = Math.floor(step / batchesPerEpoch);
      return epoch < h.epochs ? rowsOf(epoch, step % batchesPerEpoch) : undefined;
    },
  });
  try {
    return await trainEpochs(options, batches, rowsOf);
  } finally {
    // Ends the augmentation worker, if any, however the loop ended (finished, stopped, failed).
    await batches.close();
  }
}

async function trainEpochs(
  options: TrainLoopOptions,
  batches: BatchSource,
  rowsOf: (epoch: number, batch: number) => Uint32Array,
): Promise<TrainLoopResult> {
  const { trainer, dataset, hyperparameters: h, split, signal } = options;
  const batchesPerEpoch = Math.ceil(split.train.length / h.batchSize);
  const totalBatches = batchesPerEpoch * (h.epochs - options.startEpoch);
  const monitor = TrainingMonitor.replay(h, { batchesPerEpoch, epochs: h.epochs }, options.history ?? []);
  const ended = (stopped: boolean, epochsCompleted: number, trainingMs: number, samplesSeen: number) => ({
    stopped,
    epochsCompleted,
    trainingMs,
    samplesSeen,
    earlyStop: stopped ? null : monitor.stop,
    bestEpoch: monitor.bestEpoch,
  });
  // A session that died after early stopping had ended the run, before the run was marked completed.
  if (monitor.stop) return ended(false, options.startEpoch, 0, 0);
  const recent: { time: number; samples: number }[] = [];
  let batchesDone = 0;
  let samplesSeen = 0;
  let trainingMs = 0;
  let step = options.startEpoch * batchesPerEpoch;

  for (let epoch = options.startEpoch; epoch < h.epochs; epoch++) {
    const epochStarted = performance.now();
    let lossSum = 0;
    let accuracySum = 0;
    let seen = 0;
    recent.length = 0;
    recent.push({ time: epochStarted, samples: 0 });
    const epochLearningRate = monitor.learningRate(step);
    for (let batch = 0; batch < batchesPerEpoch; batch++) {
      if (signal?.aborted) return ended(true, epoch, trainingMs + performance.now() - epochStarted, samplesSeen);
      // tfjs-node resolves data() without touching the event loop, so a training loop made only of awaits
      // starves it: yield once per batch so stop requests, IPC and signals are handled while training.
      await yieldToEventLoop();
      const rows = rowsOf(epoch, batch);
      const batchInput = batches.batch(rows, step);
      const learningRate = monitor.learningRate(step);
      const { loss, accuracy } = await trainer.trainBatch(batchInput.set, batchInput.rows, step, learningRate);
      if (!Number.isFinite(loss))
        throw new Error(
          `training diverged: loss is ${loss} at epoch ${epoch + 1}, batch ${batch + 1} (try a lower learning rate)`,
        );
      lossSum += loss * rows.length;
      accuracySum += accuracy * rows.length;
      seen += rows.length;
      samplesSeen += rows.length;
      batchesDone++;
      const now = performance.now();
      recent.push({ time: now, samples: seen });
      if (recent.length > RATE_WINDOW + 1) recent.shift();
      const first = recent[0];
      const samplesPerSecond = ((seen - first.samples) * 1000) / Math.max(now - first.time, 1e-3);
      const remainingSamples = (totalBatches - batchesDone) * h.batchSize;
      // (Counted apart from the call: `onBatch?.(…)` skips its arguments when there is no onBatch.)
      const batchStep = step++;
      options.onBatch?.({
        epoch,
        batch,
        step: batchStep,
        loss,
        accuracy,
        samplesPerSecond,
        time: Date.now(),
        epochs: h.epochs,
        batchesPerEpoch,
        etaSeconds: samplesPerSecond > 0 ? remainingSamples / samplesPerSecond : 0,
      });
    }
    const epochTrainingMs = performance.now() - epochStarted;
    trainingMs += epochTrainingMs;
    let valLoss: number | null = null;
    let valAccuracy: number | null = null;
    if (split.validation.length > 0) {
      faultPause('validation');
      const validation = lossAndAccuracy(await predictSet(trainer.classifier, dataset.train, split.validation));
      valLoss = validation.loss;
      valAccuracy = validation.accuracy;
    }
    const decision = monitor.afterEpoch({ epoch, valLoss, valAccuracy });
    await options.onEpochEnd?.({
      epoch,
      loss: lossSum / seen,
      accuracy: accuracySum / seen,
      valLoss,
      valAccuracy,
      durationMs: performance.now() - epochStarted,
      samplesPerSecond: (seen * 1000) / epochTrainingMs,
      time: Date.now(),
      learningRate: epochLearningRate,
      note: decision.note,
    });
    if (decision.stop) return ended(false, epoch + 1, trainingMs, samplesSeen);
  }
  return ended(false, h.epochs, trainingMs, samplesSeen);
}
