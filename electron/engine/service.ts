// The engine process's request handlers: every channel of the IPC contract that main forwards lands here.
// Payloads arrive validated by main's schemas; the engine still validates specs, hyperparameters and files
// itself and answers with an error envelope naming the field, never a crash.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type * as tf from '@tensorflow/tfjs';
import { activeBackend, initBackend, type BackendPreference } from './backend/backends.ts';
import { runDoctor } from './backend/doctor.ts';
import { builtinSources, checkAvailability, idxFolderSource, loadDataset, resolveDatasetSource, type DatasetSource } from './data/datasets.ts';
import { predictSet, type Predictions } from './evaluate/evaluate.ts';
import { predictPixels } from './evaluate/predict.ts';
import { preprocessCanvas } from './evaluate/preprocess.ts';
import { analyzeSpec, TEMPLATES } from '#shared/model/index.ts';
import { createRun, loadRunModel } from './runner.ts';
import { Store, type ImportedDatasetRecord } from './store/index.ts';
import type { FromTrainingWorker, ToTrainingWorker } from './training-worker.ts';
import type { ActiveTraining, Channel, DatasetInfo, Envelope, ParsedRequestOf, Responses, RunPrediction } from '#shared/contract.ts';
import type { DoctorReport, RunEvent } from '#shared/types.ts';

type Handlers = { [C in Channel]?: (request: ParsedRequestOf<C>) => Promise<Responses[C]> | Responses[C] };

export interface EngineServiceOptions {
  dbPath: string;
  dataDir: string;
  emit: (event: RunEvent) => void;
}

/** Errors whose first issue names a field (SpecError, HyperparameterError) keep it in the envelope. */
function toEnvelopeError(err: unknown): { message: string; field?: string } {
  const message = err instanceof Error ? err.message : String(err);
  const issues = (err as { issues?: { field?: string | null }[] }).issues;
  const field = issues?.find((i) => i.field)?.field ?? undefined;
  return field ? { message, field } : { message };
}

const MODEL_CACHE_SIZE = 8;
/** How long a worker that reported 'done' may take to exit on its own before it is terminated. */
const WORKER_EXIT_GRACE_MS = 5000;

/**
 * The training worker's entry: from TypeScript source (tests, tsx) a bootstrap that registers tsx, from the
 * bundle (out/main/engine.cjs) the bundled out/main/training-worker.cjs. LAYERLAB_TRAINING_WORKER overrides it
 * (tests use it to start a worker that crashes).
 */
export function trainingWorkerEntry(): string {
  const override = process.env.LAYERLAB_TRAINING_WORKER;
  if (override) return path.resolve(override);
  // The CommonJS bundle has __filename; the ES-module source has import.meta.url.
  const self = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const dir = path.dirname(self);
  if (/\.[cm]?ts$/.test(self)) return path.join(dir, 'training-worker-bootstrap.mjs');
  // This code may sit in a shared chunk (out/main/chunks) rather than in engine.cjs itself.
  const candidates = [path.join(dir, 'training-worker.cjs'), path.join(dir, '..', 'training-worker.cjs')];
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[0];
}

export class EngineService {
  readonly store: Store;
  private active: (ActiveTraining & { worker: Worker; stop: () => void }) | null = null;
  /** Exits of training workers still alive (a finished run's worker may still be closing its store). */
  private workerExits = new Set<Promise<void>>();
  private doctor: DoctorReport | null = null;
  /** Loaded models for Draw, keyed by run id and checkpoint epoch; least recently used dropped first. */
  private models = new Map<string, tf.LayersModel>();
  private predictionCache: { key: string; predictions: Predictions } | null = null;

  constructor(private readonly options: EngineServiceOptions) {
    this.store = Store.open(options.dbPath, { log: (m) => console.warn(`layerlab engine: ${m}`) });
  }

  async handle(channel: Channel, payload: unknown): Promise<Envelope<unknown>> {
    const handler = this.handlers[channel] as ((request: unknown) => unknown) | undefined;
    if (!handler) return { ok: false, error: { message: `unknown channel ${channel}` } };
    try {
      return { ok: true, value: await handler(payload) };
    } catch (err) {
      return { ok: false, error: toEnvelopeError(err) };
    }
  }

  /** Stops a training run at its next batch (it stays resumable) and closes the store. */
  async shutdown(): Promise<void> {
    this.active?.stop();
    await Promise.all([...this.workerExits]);
    for (const model of this.models.values()) model.dispose();
    this.store.close();
  }

  private emit = (event: RunEvent) => {
    if (this.active && event.runId === this.active.runId) {
      if (event.type === 'started') this.active.started = event;
      else if (event.type === 'batch') this.active.latest = event.progress;
    }
    this.options.emit(event);
  };

  /**
   * Trains the run on a worker thread and forwards its events. The run counts as active until its 'finished'
   * event; a worker that dies without one (a crash, a native abort) gets a 'failed' ending, and its run is
   * finished in the store here so it is not left 'running'.
   */
  private startTraining(runId: number, backend: BackendPreference): { runId: number } {
    const placeholder = { type: 'started', runId, backend: activeBackend()!, fromEpoch: 0, epochs: 0, batchesPerEpoch: 0, trainCount: 0, validationCount: 0 } as const;
    const worker = new Worker(trainingWorkerEntry());
    const send = (message: ToTrainingWorker) => worker.postMessage(message);
    let finished = false;
    let failure: string | null = null;
    let exitTimer: NodeJS.Timeout | undefined;
    const finish = (event: RunEvent & { type: 'finished' }) => {
      if (finished) return;
      finished = true;
      this.emit(event);
      if (this.active?.worker === worker) this.active = null;
      this.dropModels(runId);
    };

    worker.on('message', (message: FromTrainingWorker) => {
      if (message.kind === 'event') {
        if (message.event.type === 'finished' && message.event.runId === runId) finish(message.event);
        else this.emit(message.event);
      } else if (message.kind === 'failed') {
        finish({ type: 'finished', runId, status: 'failed', error: message.message });
      } else if (message.kind === 'done') {
        exitTimer = setTimeout(() => void worker.terminate(), WORKER_EXIT_GRACE_MS);
        exitTimer.unref();
      }
    });
    worker.on('error', (err) => {
      failure ??= `training worker crashed: ${err instanceof Error ? err.message : String(err)}`;
    });
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        clearTimeout(exitTimer);
        this.workerExits.delete(exited);
        if (!finished) {
          const error = failure ?? `training worker exited unexpectedly (exit code ${code}) before run ${runId} finished`;
          this.recoverAbandonedRun(runId, error);
          finish({ type: 'finished', runId, status: 'failed', error });
        } else if (this.active?.runId !== runId) {
          // e.g. trainRun failed while recording the run's end
          this.recoverAbandonedRun(runId, failure ?? 'the training worker ended without recording the end of the run');
        }
        resolve();
      });
    });
    this.workerExits.add(exited);

    send({ kind: 'start', dbPath: this.options.dbPath, checkpointRoot: path.join(this.options.dataDir, 'runs'), runId, backend });
    const stop = () => {
      if (!finished) send({ kind: 'stop' });
    };
    this.active = { runId, started: placeholder, latest: null, stopping: false, worker, stop };
    return { runId };
  }

  /** Finishes as failed a run its dead worker left 'running' (its checkpoints stay, so it can be resumed). */
  private recoverAbandonedRun(runId: number, error: string): void {
    try {
      if (this.store.getRun(runId)?.status === 'running') this.store.finishRunSession(runId, 'failed', error);
    } catch (err) {
      console.warn(`layerlab engine: could not record the end of run ${runId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private requireIdle(): void {
    if (this.active) throw new Error(`run ${this.active.runId} is training; stop it before starting another (one run trains at a time)`);
  }

  private datasetInfo(source: DatasetSource, imported: boolean): DatasetInfo {
    const status = checkAvailability(source);
    let counts = { trainCount: null as number | null, testCount: null as number | null };
    let reason = status.reason;
    if (status.available) {
      try {
        const { ref } = loadDataset(source); // cached per process; training needs it loaded anyway
        counts = { trainCount: ref.trainCount, testCount: ref.testCount };
      } catch (err) {
        reason = err instanceof Error ? err.message : String(err);
      }
    }
    return { id: source.id, name: source.name, description: source.description, classes: source.classes, available: reason === null, reason, imported, ...counts };
  }

  private importedSource(record: ImportedDatasetRecord): DatasetSource | null {
    try {
      return { ...idxFolderSource(record.dir, record.name, record.classes), id: record.id };
    } catch {
      return null;
    }
  }

  private dropModels(runId: number): void {
    for (const [key, model] of this.models) {
      if (key.startsWith(`${runId}@`)) {
        model.dispose();
        this.models.delete(key);
      }
    }
  }

  private async modelFor(runId: number): Promise<tf.LayersModel> {
    const checkpoint = this.store.latestCheckpoint(runId);
    const key = `${runId}@${checkpoint?.epoch ?? 0}`;
    const cached = this.models.get(key);
    if (cached) {
      this.models.delete(key);
      this.models.set(key, cached);
      return cached;
    }
    this.dropModels(runId);
    const { model } = await loadRunModel(this.store, runId, activeBackend()?.kind ?? 'auto');
    this.models.set(key, model);
    if (this.models.size > MODEL_CACHE_SIZE) {
      const [oldest, old] = this.models.entries().next().value!;
      old.dispose();
      this.models.delete(oldest);
    }
    return model;
  }

  /** Test-set predictions per run and checkpoint, so browsing confusion-matrix cells predicts only once. */
  private async testPredictions(runId: number): Promise<Predictions> {
    const run = this.store.getRun(runId);
    if (!run) throw new Error(`run ${runId} does not exist`);
    const key = `${runId}@${this.store.latestCheckpoint(runId)?.epoch ?? 0}`;
    if (this.predictionCache?.key !== key) {
      const test = loadDataset(resolveDatasetSource(run.dataset.id)).test;
      const count = this.store.getEvaluation(runId)?.count ?? test.count;
      const predictions = await predictSet(await this.modelFor(runId), test, Uint32Array.from({ length: count }, (_, i) => i));
      this.predictionCache = { key, predictions };
    }
    return this.predictionCache.predictions;
  }

  private handlers: Handlers = {
    'doctor:run': () => (this.doctor ??= runDoctor()),
    'backend:active': () => activeBackend(),
    'templates:list': () => Object.entries(TEMPLATES).map(([name, t]) => ({ name, title: t.title, description: t.description, spec: t.spec })),
    'spec:analyze': ({ spec, numClasses }) => analyzeSpec(spec, { numClasses }),
    'designs:list': () => this.store.listDesigns(),
    'designs:save': ({ name, spec }) => {
      const analysis = analyzeSpec(spec);
      if (!analysis.ok) throw Object.assign(new Error(analysis.issues.map((i) => i.message).join('\n')), { issues: analysis.issues });
      return this.store.saveDesign(name, analysis.spec);
    },
    'designs:delete': ({ name }) => this.store.deleteDesign(name),
    'datasets:list': () => [
      ...builtinSources().map((s) => this.datasetInfo(s, false)),
      ...this.store.listDatasets().map((record) => {
        const source = this.importedSource(record);
        return source
          ? this.datasetInfo(source, true)
          : { id: record.id, name: record.name, description: `IDX files in ${record.dir}`, classes: record.classes, available: false, reason: `folder ${record.dir} no longer holds the IDX files`, imported: true, trainCount: null, testCount: null };
      }),
    ],
    'datasets:import': ({ dir, name }) => {
      if (!dir) throw new Error('datasets:import needs a folder');
      const source = idxFolderSource(dir, name);
      const dataset = loadDataset(source); // reads and checks all four files now, not at training time
      const classes = dataset.ref.classes.slice(0, Math.max(...dataset.train.labels) + 1);
      this.store.saveDataset({ id: source.id, name: source.name, dir: path.resolve(dir), classes: classes.length >= 2 ? classes : dataset.ref.classes });
      return this.datasetInfo({ ...source, classes }, true);
    },
    'datasets:images': ({ datasetId, split, indices }) => {
      const dataset = loadDataset(resolveDatasetSource(datasetId));
      const set = split === 'train' ? dataset.train : dataset.test;
      const size = set.height * set.width * set.channels;
      const bad = indices.find((i) => i >= set.count);
      if (bad !== undefined) throw new Error(`index ${bad} is outside the ${split} set (${set.count} images)`);
      return {
        width: set.width,
        height: set.height,
        channels: set.channels,
        images: indices.map((i) => set.images.slice(i * size, (i + 1) * size)),
        labels: indices.map((i) => set.labels[i]),
      };
    },
    'runs:list': (filter) => this.store.listRuns(filter),
    'runs:get': ({ runId }) => {
      const run = this.store.getRun(runId);
      if (!run) throw new Error(`run ${runId} does not exist`);
      return { run, epochs: this.store.getEpochMetrics(runId), evaluation: this.store.getEvaluation(runId) ?? null, sessions: this.store.getRunSessions(runId) };
    },
    'runs:batchMetrics': ({ runId, every, afterStep }) => this.store.getBatchMetrics(runId, { every, afterStep }),
    'runs:rename': ({ runId, name }) => this.store.renameRun(runId, name),
    'runs:setNotes': ({ runId, notes }) => this.store.setNotes(runId, notes),
    'runs:setTags': ({ runId, tags }) => this.store.setTags(runId, tags),
    'runs:delete': ({ runId }) => {
      if (this.active?.runId === runId) throw new Error(`run ${runId} is training; stop it before deleting it`);
      this.dropModels(runId);
      for (const folder of this.store.deleteRun(runId)) fs.rmSync(folder, { recursive: true, force: true });
      fs.rmSync(path.join(this.options.dataDir, 'runs', String(runId)), { recursive: true, force: true });
      return true;
    },
    'evaluation:cell': async ({ runId, trueLabel, predicted, limit, order }) => {
      if (!activeBackend()) await initBackend('auto');
      const p = await this.testPredictions(runId);
      const items: { testIndex: number; confidence: number; trueProbability: number }[] = [];
      for (let row = 0; row < p.labels.length; row++) {
        if (p.labels[row] !== trueLabel) continue;
        const offset = row * p.numClasses;
        let best = 0;
        for (let c = 1; c < p.numClasses; c++) if (p.probabilities[offset + c] > p.probabilities[offset + best]) best = c;
        if (best === predicted) items.push({ testIndex: p.indices[row], confidence: p.probabilities[offset + best], trueProbability: p.probabilities[offset + trueLabel] });
      }
      items.sort((a, b) => (order === 'confidence-desc' ? b.confidence - a.confidence : a.confidence - b.confidence));
      return { total: items.length, items: items.slice(0, limit) };
    },
    'training:start': async (request) => {
      this.requireIdle();
      const run = createRun(this.store, request); // validates spec, hyperparameters and dataset first
      try {
        await initBackend(request.backend);
      } catch (err) {
        this.store.deleteRun(run.id);
        throw err;
      }
      return this.startTraining(run.id, request.backend);
    },
    'training:resume': async ({ runId, backend }) => {
      this.requireIdle();
      const run = this.store.getRun(runId);
      if (!run) throw new Error(`run ${runId} does not exist`);
      if (!['stopped', 'interrupted', 'failed'].includes(run.status)) throw new Error(`run ${runId} is ${run.status}; only stopped, interrupted or failed runs can be resumed`);
      await initBackend(backend);
      return this.startTraining(runId, backend);
    },
    'training:stop': ({ runId }) => {
      if (this.active?.runId !== runId) return { stopping: false };
      this.active.stopping = true;
      this.active.stop();
      return { stopping: true };
    },
    'training:active': () => {
      if (!this.active) return null;
      const { runId, started, latest, stopping } = this.active;
      return { runId, started, latest, stopping };
    },
    'predict:image': async ({ runIds, image }) => {
      const started = performance.now();
      if (!activeBackend()) await initBackend('auto');
      const { pixels, box } = preprocessCanvas(image);
      const predictions: RunPrediction[] = [];
      for (const runId of runIds) {
        const run = this.store.getRun(runId);
        const classes = run?.dataset.classes ?? [];
        try {
          if (!run) throw new Error(`run ${runId} does not exist`);
          const p = predictPixels(await this.modelFor(runId), pixels);
          predictions.push({ runId, probabilities: p.probabilities, predicted: p.predicted, confidence: p.confidence, classes, error: null });
        } catch (err) {
          predictions.push({ runId, probabilities: null, predicted: null, confidence: null, classes, error: err instanceof Error ? err.message : String(err) });
        }
      }
      return { input: Array.from(pixels), blank: box === null, predictions, durationMs: performance.now() - started };
    },
  };
}
