// Runs a training session end to end: validate the request, pick the backend, record the run in the store,
// train with a checkpoint after every epoch, evaluate on the test set, and report progress as events. The test set is scored with its last epoch's weights and, when its best epoch (by validation) is another,
// with that epoch's too; with early stopping's restore-best, the run records that its weights are the best epoch's
// (and why it stopped).
// Used by the CLI and by the desktop app's engine process alike.
import { initBackend, type BackendPreference } from './backend/backends.ts';
import { loadDataset, resolveDatasetSource, type Dataset } from './data/datasets.ts';
import { splitTrainingSet } from './data/random.ts';
import { evaluateModel } from './evaluate/evaluate.ts';
import { faultPause } from './fault-pause.ts';
import { parseSpec, type ModelSpec } from '#shared/model/spec.ts';
import { assertRunFits, plannedBackend } from './train/memory-budget.ts';
import type { RunRecord, Store } from './store/index.ts';
import { BatchMetricWriter, StoreError } from './store/index.ts';
import { newestReadableCheckpoint, runCheckpointDir } from './train/checkpoint.ts';
import { markRunFolder, prepareRunFolder } from './train/run-folder.ts';
import { chooseTrainer, type TrainerPreference } from './train/choose-trainer.ts';
import { parseHyperparameters } from '#shared/hyperparameters.ts';
import { trainLoop, type TrainLoopResult } from './train/trainer.ts';
import type { BatchTrainer } from './train/batch-trainer.ts';
import type { BackendInfo, EvaluationResult, Hyperparameters, RunEvent, RunStatus } from '#shared/types.ts';
import { bestEpochOf } from '#shared/weights.ts';

export interface RunnerContext {
  store: Store;
  /** Checkpoints go to <checkpointRoot>/<runId>/epoch-<n>. */
  checkpointRoot: string;
  backend?: BackendPreference;
  /** Default 'auto': the compiled graph on native backends, the eager loop elsewhere. */
  trainer?: TrainerPreference;
  signal?: AbortSignal;
  onEvent?: (event: RunEvent) => void;
  /** Limit test-set evaluation (tests use small subsets); default: the whole test set. */
  testLimit?: number;
  /** Notable things a session works around (a checkpoint skipped as unreadable); default: console.warn. */
  log?: (message: string) => void;
}

export interface NewRunRequest {
  name?: string;
  spec: unknown;
  hyperparameters?: unknown;
  /** A built-in dataset id ('mnist', 'fashion-mnist') or a folder of IDX files. */
  dataset?: string;
  /** The backend the memory check plans for (default: the one 'auto' picks). */
  backend?: BackendPreference;
  tags?: string[];
  notes?: string;
}

export interface RunOutcome {
  run: RunRecord;
  evaluation: EvaluationResult | null;
  /** Training throughput of this session (validation and evaluation excluded). */
  samplesPerSecond: number;
  wallMs: number;
}

export function defaultRunName(spec: ModelSpec, h: Hyperparameters): string {
  return `${spec.name} · ${h.optimizer} ${h.learningRate} · batch ${h.batchSize} · ${h.epochs} ep`;
}

/** Validates everything up front so a bad request fails before anything is recorded. */
export function prepareRun(request: NewRunRequest): {
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: Dataset;
} {
  const dataset = loadDataset(resolveDatasetSource(request.dataset ?? 'mnist'));
  const design = parseSpec(request.spec, {
    numClasses: dataset.ref.classes.length,
    inputShape: [dataset.height, dataset.width, dataset.channels],
  });
  const hyperparameters = parseHyperparameters(request.hyperparameters ?? {}, dataset.train.count);
  assertRunFits(design, hyperparameters, plannedBackend(request.backend));
  return { spec: design.spec, hyperparameters, dataset };
}

/** Validates the request and records the run as queued; train it with trainRun. */
export function createRun(store: Store, request: NewRunRequest): RunRecord {
  const { spec, hyperparameters, dataset } = prepareRun(request);
  return store.createRun({
    name: request.name?.trim() || defaultRunName(spec, hyperparameters),
    spec,
    hyperparameters,
    dataset: dataset.ref,
    tags: request.tags,
    notes: request.notes,
  });
}

export async function trainNewRun(ctx: RunnerContext, request: NewRunRequest): Promise<RunOutcome> {
  const run = createRun(ctx.store, { backend: ctx.backend, ...request });
  // A backend that cannot start, or a design the chosen trainer cannot build, leaves no queued run behind.
  try {
    await initBackend(ctx.backend ?? 'auto');
    return await trainRun(ctx, run.id);
  } catch (err) {
    if (ctx.store.getRun(run.id)?.status === 'queued') ctx.store.deleteRun(run.id);
    throw err;
  }
}

/**
 * The run, if it exists and can be resumed: it ended stopped, interrupted or failed, or it is queued with no
 * live process about to start it (its training then starts from the beginning). Takes the run's lease for this
 * process, so it throws, naming the process, when another live process trains it or any other run; the caller
 * releases the lease (store.releaseRun) if the run's session never starts.
 */
export function resumableRun(store: Store, runId: number): RunRecord {
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  if (!['stopped', 'interrupted', 'failed', 'queued'].includes(run.status)) {
    throw new StoreError(
      `run ${runId} is ${run.status}; only stopped, interrupted, failed or queued runs can be resumed`,
    );
  }
  store.claimRun(runId);
  return run;
}

export async function resumeRun(ctx: RunnerContext, runId: number): Promise<RunOutcome> {
  resumableRun(ctx.store, runId);
  try {
    return await trainRun(ctx, runId);
  } catch (err) {
    ctx.store.releaseRun(runId);
    throw err;
  }
}

/**
 * After a finished run's training: the test evaluation of its last epoch's weights (which the trainer holds) and,
 * when its best epoch (electron/shared/weights.ts; early stopping's own best when it restores one) is another, of
 * that epoch's weights loaded back from its checkpoint. Returns the evaluations by checkpoint epoch, the epoch whose
 * weights the run keeps as its default (the best with early stopping's restore-best, else the last), and how to say
 * so. A best checkpoint that cannot be read leaves only the last weights, and says why.
 */
async function evaluateLastAndBest(
  ctx: RunnerContext,
  runId: number,
  trainer: BatchTrainer,
  dataset: Dataset,
  h: Hyperparameters,
  result: TrainLoopResult,
  log: (message: string) => void,
): Promise<{ evaluations: Map<number, EvaluationResult>; epoch: number; note: string }> {
  const last = result.epochsCompleted;
  const evaluations = new Map<number, EvaluationResult>();
  evaluations.set(last, await evaluateModel(trainer.classifier, dataset.test, ctx.testLimit));
  const restoring = h.earlyStopping !== 'off' && h.earlyStoppingRestoreBest && result.bestEpoch !== null;
  const run = ctx.store.getRun(runId)!;
  // Early stopping's best counts only improvements by its min delta; without restore-best, the stored metrics'.
  const best = restoring
    ? result.bestEpoch! + 1
    : (bestEpochOf({ ...run, weightsEpoch: null, epochsCompleted: last })?.epoch ?? null);
  const lastNote = `the test evaluation used the last epoch's weights (epoch ${last})`;
  if (best === null || best === last)
    return { evaluations, epoch: last, note: restoring ? `${lastNote}, the best` : lastNote };
  const checkpoint = ctx.store.listCheckpoints(runId).find((c) => c.epoch === best);
  try {
    if (!checkpoint) throw new Error('it was not recorded');
    await trainer.loadCheckpoint(checkpoint.path);
    evaluations.set(best, await evaluateModel(trainer.classifier, dataset.test, ctx.testLimit));
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    log(`run ${runId}: could not ${restoring ? 'restore' : 'evaluate'} the epoch ${best} weights: ${why}`);
    return {
      evaluations,
      epoch: last,
      note: restoring ? `${lastNote}: the best epoch's (${best}) could not be restored (${why})` : lastNote,
    };
  }
  if (!restoring) return { evaluations, epoch: last, note: lastNote };
  return {
    evaluations,
    epoch: best,
    note: `the test evaluation used the best epoch's weights (epoch ${best}, restored)`,
  };
}

/** This process no longer holds the run it was training: another process interrupted or took it over. */
class LeaseLostError extends Error {}

/** Trains a recorded run from its latest checkpoint (or from scratch) to its last epoch, then evaluates it. */
export async function trainRun(ctx: RunnerContext, runId: number): Promise<RunOutcome> {
  const started = performance.now();
  const { store } = ctx;
  const emit = (event: RunEvent) => ctx.onEvent?.(event);
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  const dataset = loadDataset(resolveDatasetSource(run.dataset.id));
  const h = run.hyperparameters;
  const backend = await initBackend(ctx.backend ?? 'auto');
  // Checked again on the backend that actually runs: a resumed run may have been recorded on another machine.
  assertRunFits(parseSpec(run.spec, { numClasses: dataset.ref.classes.length }), h, backend.kind);
  // The newest checkpoint that verifies, in a folder cleaned of half-written ones and never another run's
  // (train/run-folder.ts): a damaged latest checkpoint costs its epochs, not the run.
  const runDir = runCheckpointDir(ctx.checkpointRoot, runId);
  const recorded = store.listCheckpoints(runId);
  const folder = prepareRunFolder(runDir, run, recorded.length > 0);
  const { checkpoint, notice } = newestReadableCheckpoint(recorded);
  const notices = notice ? [...folder.notices, notice] : folder.notices;
  const log = ctx.log ?? ((message: string) => console.warn(`layerlab: ${message}`));
  for (const line of [...folder.cleaned, ...notices]) log(`run ${runId}: ${line}`);
  const fromEpoch = checkpoint?.epoch ?? 0;
  const split = splitTrainingSet(dataset.train.count, h.trainSize, h.validationSplit, h.seed);
  const batchesPerEpoch = Math.ceil(split.train.length / h.batchSize);
  // Chosen (and the graph compiled) before the run is marked running, so a design that cannot train fails
  // the request instead of leaving a failed session behind.
  const { trainer, reason } = await chooseTrainer(
    ctx.trainer ?? 'auto',
    backend,
    run.spec,
    h,
    dataset.ref.classes.length,
  );
  const sessionBackend: BackendInfo = { ...backend, trainer: trainer.kind, reason: `${backend.reason}; ${reason}` };
  faultPause('session');
  store.truncateMetricsAfter(runId, fromEpoch);
  store.startRunSession(runId, sessionBackend, fromEpoch);
  // The epochs before the checkpoint: the schedule and early stopping continue from their state after them.
  const history = store.getEpochMetrics(runId);
  emit({
    type: 'started',
    runId,
    backend: sessionBackend,
    fromEpoch,
    epochs: h.epochs,
    batchesPerEpoch,
    trainCount: split.train.length,
    validationCount: split.validation.length,
  });

  const batchMetrics = new BatchMetricWriter((rows) => store.appendBatchMetrics(runId, rows));
  // Checked before each write: a run another process interrupted or took over must not get this one's results.
  const requireLease = () => {
    const lost = store.leaseLost(runId);
    if (lost) throw new LeaseLostError(`${lost}; this process stopped training it`);
  };
  let status: RunStatus = 'failed';
  let error: string | null = null;
  let evaluation: EvaluationResult | null = null;
  let samplesPerSecond = 0;
  let lostLease: string | null = null;
  try {
    if (notices.length) store.noteRunSession(runId, notices.join('; '));
    markRunFolder(runDir, run);
    if (checkpoint) await trainer.loadCheckpoint(checkpoint.path);
    const result = await trainLoop({
      trainer,
      dataset,
      hyperparameters: h,
      split,
      startEpoch: fromEpoch,
      history,
      signal: ctx.signal,
      onBatch: (progress) => {
        requireLease();
        batchMetrics.add(progress);
        emit({ type: 'batch', runId, progress });
        faultPause('batch');
      },
      onEpochEnd: async (metric) => {
        requireLease();
        batchMetrics.flush();
        const saved = await trainer.saveCheckpoint(runDir, metric.epoch + 1);
        store.appendEpochMetric(runId, metric);
        store.recordCheckpoint(runId, { epoch: metric.epoch + 1, path: saved });
        emit({ type: 'epoch', runId, metric, checkpoint: saved });
      },
    });
    batchMetrics.flush();
    samplesPerSecond = result.trainingMs > 0 ? (result.samplesSeen * 1000) / result.trainingMs : 0;
    if (result.stopped) {
      status = 'stopped';
    } else {
      emit({ type: 'evaluating', runId });
      faultPause('evaluation');
      const weights = await evaluateLastAndBest(ctx, runId, trainer, dataset, h, result, log);
      requireLease();
      const stopReason = result.earlyStop ? `${result.earlyStop.reason}; ${weights.note}` : null;
      store.setRunOutcome(runId, { weightsEpoch: weights.epoch, stopReason });
      for (const [epoch, scored] of weights.evaluations) store.saveEvaluation(runId, scored, epoch);
      evaluation = weights.evaluations.get(weights.epoch)!;
      emit({ type: 'evaluation', runId, result: evaluation });
      status = 'completed';
    }
    const epochs = store.getEpochMetrics(runId);
    const trainingMs = epochs.reduce((sum, e) => sum + (split.train.length * 1000) / e.samplesPerSecond, 0);
    if (epochs.length)
      store.setFinalTrainingStats(runId, {
        durationMs: trainingMs,
        samplesPerSecond: (epochs.length * split.train.length * 1000) / trainingMs,
      });
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
    if (err instanceof LeaseLostError) lostLease = err.message;
    else error = [error, batchMetrics.flushAfterFailure()].filter(Boolean).join('; ');
    status = 'failed';
  } finally {
    trainer.dispose();
  }
  if (lostLease) {
    // The run's record is no longer this process's to finish.
    emit({ type: 'finished', runId, status: 'interrupted', error: lostLease });
    return { run: store.getRun(runId)!, evaluation: null, samplesPerSecond, wallMs: performance.now() - started };
  }
  try {
    store.finishRunSession(runId, status as 'completed' | 'stopped' | 'failed', error ?? undefined);
  } catch (finishError) {
    // Often for the run's own cause (a full disk holds the database too): that cause leads the message.
    const why = finishError instanceof Error ? finishError.message : String(finishError);
    throw new Error(error ? `${error}; recording the run's end also failed: ${why}` : why, { cause: finishError });
  }
  emit({ type: 'finished', runId, status, error });
  return { run: store.getRun(runId)!, evaluation, samplesPerSecond, wallMs: performance.now() - started };
}
