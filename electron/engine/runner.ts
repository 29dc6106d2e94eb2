// Runs a training session end to end: validate the request, pick the backend, record the run in the store,
// train with a checkpoint after every epoch, evaluate on the test set, and report progress as events.
// Used by the CLI and by the desktop app's engine process alike.
import { initBackend, type BackendPreference } from './backend/backends.ts';
import { loadDataset, resolveDatasetSource, type Dataset } from './data/datasets.ts';
import { splitTrainingSet } from './data/random.ts';
import { evaluateModel } from './evaluate/evaluate.ts';
import { parseSpec, type ModelSpec } from '#shared/model/spec.ts';
import type { RunRecord, Store } from './store/index.ts';
import { StoreError } from './store/index.ts';
import { runCheckpointDir } from './train/checkpoint.ts';
import { chooseTrainer, type TrainerPreference } from './train/choose-trainer.ts';
import { parseHyperparameters } from '#shared/hyperparameters.ts';
import { trainLoop } from './train/trainer.ts';
import type { BackendInfo, BatchProgress, EvaluationResult, Hyperparameters, RunEvent, RunStatus } from '#shared/types.ts';

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
}

export interface NewRunRequest {
  name?: string;
  spec: unknown;
  hyperparameters?: unknown;
  /** A built-in dataset id ('mnist', 'fashion-mnist') or a folder of IDX files. */
  dataset?: string;
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

/** Batch metrics are buffered and written in one transaction per flush, not one commit per row. */
const FLUSH_EVERY = 50;

export function defaultRunName(spec: ModelSpec, h: Hyperparameters): string {
  return `${spec.name} · ${h.optimizer} ${h.learningRate} · batch ${h.batchSize} · ${h.epochs} ep`;
}

/** Validates everything up front so a bad request fails before anything is recorded. */
export function prepareRun(request: NewRunRequest): { spec: ModelSpec; hyperparameters: Hyperparameters; dataset: Dataset } {
  const dataset = loadDataset(resolveDatasetSource(request.dataset ?? 'mnist'));
  const { spec } = parseSpec(request.spec, {
    numClasses: dataset.ref.classes.length,
    inputShape: [dataset.height, dataset.width, dataset.channels],
  });
  const hyperparameters = parseHyperparameters(request.hyperparameters ?? {}, dataset.train.count);
  return { spec, hyperparameters, dataset };
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
  const run = createRun(ctx.store, request);
  // A backend that cannot start, or a design the chosen trainer cannot build, leaves no queued run behind.
  try {
    await initBackend(ctx.backend ?? 'auto');
    return await trainRun(ctx, run.id);
  } catch (err) {
    if (ctx.store.getRun(run.id)?.status === 'queued') ctx.store.deleteRun(run.id);
    throw err;
  }
}

/** The run, if it exists and ended in a way that can be resumed (stopped, interrupted or failed). */
export function resumableRun(store: Store, runId: number): RunRecord {
  const run = store.getRun(runId);
  if (!run) throw new StoreError(`run ${runId} does not exist`);
  if (!['stopped', 'interrupted', 'failed'].includes(run.status)) {
    throw new StoreError(`run ${runId} is ${run.status}; only stopped, interrupted or failed runs can be resumed`);
  }
  return run;
}

export async function resumeRun(ctx: RunnerContext, runId: number): Promise<RunOutcome> {
  resumableRun(ctx.store, runId);
  return trainRun(ctx, runId);
}

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
  const checkpoint = store.latestCheckpoint(runId);
  const fromEpoch = checkpoint?.epoch ?? 0;
  const split = splitTrainingSet(dataset.train.count, h.trainSize, h.validationSplit, h.seed);
  const batchesPerEpoch = Math.ceil(split.train.length / h.batchSize);
  // Chosen (and the graph compiled) before the run is marked running, so a design that cannot train fails
  // the request instead of leaving a failed session behind.
  const { trainer, reason } = await chooseTrainer(ctx.trainer ?? 'auto', backend, run.spec, h, dataset.ref.classes.length);
  const sessionBackend: BackendInfo = { ...backend, trainer: trainer.kind, reason: `${backend.reason}; ${reason}` };
  store.truncateMetricsAfter(runId, fromEpoch);
  store.startRunSession(runId, sessionBackend, fromEpoch);
  emit({ type: 'started', runId, backend: sessionBackend, fromEpoch, epochs: h.epochs, batchesPerEpoch, trainCount: split.train.length, validationCount: split.validation.length });

  const pending: BatchProgress[] = [];
  const flush = () => {
    if (pending.length) store.appendBatchMetrics(runId, pending.splice(0));
  };
  let status: RunStatus = 'failed';
  let error: string | null = null;
  let evaluation: EvaluationResult | null = null;
  let samplesPerSecond = 0;
  try {
    if (checkpoint) await trainer.loadCheckpoint(checkpoint.path);
    const runDir = runCheckpointDir(ctx.checkpointRoot, runId);
    const result = await trainLoop({
      trainer,
      dataset,
      hyperparameters: h,
      split,
      startEpoch: fromEpoch,
      signal: ctx.signal,
      onBatch: (progress) => {
        pending.push(progress);
        if (pending.length >= FLUSH_EVERY) flush();
        emit({ type: 'batch', runId, progress });
      },
      onEpochEnd: async (metric) => {
        flush();
        const folder = await trainer.saveCheckpoint(runDir, metric.epoch + 1);
        store.appendEpochMetric(runId, metric);
        store.recordCheckpoint(runId, { epoch: metric.epoch + 1, path: folder });
        emit({ type: 'epoch', runId, metric, checkpoint: folder });
      },
    });
    flush();
    samplesPerSecond = result.trainingMs > 0 ? (result.samplesSeen * 1000) / result.trainingMs : 0;
    if (result.stopped) {
      status = 'stopped';
    } else {
      emit({ type: 'evaluating', runId });
      evaluation = await evaluateModel(trainer.classifier, dataset.test, ctx.testLimit);
      store.saveEvaluation(runId, evaluation);
      emit({ type: 'evaluation', runId, result: evaluation });
      status = 'completed';
    }
    const epochs = store.getEpochMetrics(runId);
    const trainingMs = epochs.reduce((sum, e) => sum + (split.train.length * 1000) / e.samplesPerSecond, 0);
    if (epochs.length) store.setFinalTrainingStats(runId, { durationMs: trainingMs, samplesPerSecond: (epochs.length * split.train.length * 1000) / trainingMs });
  } catch (err) {
    flush();
    error = err instanceof Error ? err.message : String(err);
    status = 'failed';
  } finally {
    trainer.dispose();
  }
  store.finishRunSession(runId, status as 'completed' | 'stopped' | 'failed', error ?? undefined);
  emit({ type: 'finished', runId, status, error });
  return { run: store.getRun(runId)!, evaluation, samplesPerSecond, wallMs: performance.now() - started };
}
