// The engine process's request handlers: every channel of the IPC contract that main forwards lands here and
// is routed to the engine module that answers it. The engine validates each payload with the contract's schemas
// itself (main does too, but the engine answers whoever sends it messages), then specs, hyperparameters and
// files in the modules that read them, and answers with an error envelope naming the field, never a crash.
import path from 'node:path';
import { activeBackend } from './backend/backends.ts';
import { runDoctor } from './backend/doctor.ts';
import { datasetCatalog, importIdxDataset } from './data/catalog.ts';
import { datasetImages } from './data/images.ts';
import { evaluateCheckpoint } from './evaluate/checkpoint-evaluation.ts';
import { confusionCell } from './evaluate/confusion-cells.ts';
import { predictDrawing, predictStrokes } from './evaluate/draw-predictions.ts';
import { RunModelCache } from './evaluate/model-cache.ts';
import { TestPredictionCache } from './evaluate/test-predictions.ts';
import { inspectFilters } from './inspect/filters.ts';
import { inspectModel } from './inspect/inspect-model.ts';
import { saveCheckedDesign } from './model/designs.ts';
import { exportRun } from './model/run-model.ts';
import { readDesignSpecFile } from './model/spec-file.ts';
import { analyzeSpec, TEMPLATES } from '#shared/model/index.ts';
import { getRunDetail, Store } from './store/index.ts';
import { exportTensorboard } from './export/tensorboard.ts';
import { removeRunCheckpoints } from './train/checkpoint.ts';
import { engineMemoryLimits, plannedBackend } from './train/memory-budget.ts';
import { TrainingSupervisor } from './training-supervisor.ts';
import { SupervisorSweepRunner, SweepQueue } from './sweeps/queue.ts';
import { SweepError } from '#shared/sweeps.ts';
import { parseRequest, type Channel, type Envelope, type ParsedRequestOf, type Responses } from '#shared/contract.ts';
import type { DoctorReport, RunEvent } from '#shared/types.ts';

type Handlers = { [C in Channel]?: (request: ParsedRequestOf<C>) => Promise<Responses[C]> | Responses[C] };

export interface EngineServiceOptions {
  dbPath: string;
  dataDir: string;
  emit: (event: RunEvent) => void;
}

/** A request the schema lets through but the engine cannot answer, refused naming the field. */
class RequestError extends Error {
  readonly issues: { field: string }[];
  constructor(channel: Channel, field: string, reason: string) {
    super(`${channel}: ${field}: ${reason}`);
    this.issues = [{ field }];
  }
}

/** A path main got from a dialog or a drop: absolute, so it never depends on the engine's working folder. */
function absolutePath(channel: Channel, field: string, value: string | undefined, what: string): string {
  // Without one main asks the user; the engine cannot.
  if (!value) throw new RequestError(channel, field, `${what} is required`);
  if (!path.isAbsolute(value))
    throw new RequestError(channel, field, `must be an absolute path, got ${value.slice(0, 200)}`);
  return value;
}

/** A failed write, in words: "cannot write to /x: permission denied" rather than an errno line. */
function writeError(dir: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'the disk is read-only',
    ENOSPC: 'the disk is full',
    ENOTDIR: 'a file is in the way of the folder',
    EEXIST: 'a file is in the way of the folder',
  };
  const reason = code && reasons[code];
  return reason ? new Error(`cannot write the export to ${dir}: ${reason}`) : (err as Error);
}

/** A sweep's refusal (SweepError, naming its field) worded as the schema's are: "<channel>: <field…>: <reason>". */
function namingChannel<T>(channel: Channel, body: () => T): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof SweepError)
      throw new SweepError(err.issues.map((i) => ({ ...i, message: `${channel}: ${i.message}` })));
    throw err;
  }
}

/** JavaScript's own errors from a handler are bugs: logged, and named by channel so a report can point at it. */
const INTERNAL_ERRORS = [TypeError, RangeError, ReferenceError, SyntaxError];

/** Errors whose first issue names a field (SpecError, HyperparameterError) keep it in the envelope. */
function toEnvelopeError(channel: Channel, err: unknown): { message: string; field?: string } {
  const internal = INTERNAL_ERRORS.some((type) => err instanceof type);
  if (internal) console.error(`layerlab engine: ${channel} failed:`, err);
  const text = err instanceof Error ? err.message : String(err);
  const message = internal ? `${channel}: internal error: ${text}` : text;
  const issues = (err as { issues?: { field?: string | null }[] } | null)?.issues;
  const field = issues?.find((i) => i.field)?.field ?? undefined;
  return field ? { message, field } : { message };
}

export class EngineService {
  readonly store: Store;
  private readonly checkpointRoot: string;
  private readonly models: RunModelCache;
  private readonly testPredictions: TestPredictionCache;
  private readonly training: TrainingSupervisor;
  private readonly sweeps: SweepQueue;
  private doctor: DoctorReport | null = null;

  constructor(options: EngineServiceOptions) {
    this.store = Store.open(options.dbPath, {
      log: (m) => console.warn(`layerlab engine: ${m}`),
      owner: 'Layerlab app',
    });
    this.checkpointRoot = path.join(options.dataDir, 'runs');
    this.models = new RunModelCache(this.store);
    this.testPredictions = new TestPredictionCache(this.store, this.models);
    // Sweeps train their runs through the same supervisor; a run's 'finished' event moves its sweep on.
    const sweepRunner = new SupervisorSweepRunner();
    this.training = new TrainingSupervisor({
      store: this.store,
      dbPath: options.dbPath,
      checkpointRoot: this.checkpointRoot,
      emit: (event) => {
        options.emit(event);
        sweepRunner.noteEvent(event);
      },
      // A run that trained on has new weights; its cached model is stale.
      onFinished: (runId) => this.models.drop(runId),
    });
    sweepRunner.attach(this.training);
    this.sweeps = new SweepQueue({
      store: this.store,
      runner: sweepRunner,
      log: (m) => console.warn(`layerlab engine: ${m}`),
    });
    // Sweeps left running when the app quit, crashed or the machine rebooted go on where they were.
    setImmediate(() => {
      try {
        this.sweeps.adopt();
      } catch (err) {
        console.warn(`layerlab engine: could not resume sweeps: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }

  /** Answers any message's channel and payload; never throws. */
  async handle(channel: unknown, payload: unknown): Promise<Envelope<unknown>> {
    let request: ReturnType<typeof parseRequest>;
    try {
      request = parseRequest(channel, payload);
    } catch (err) {
      // Only an in-process caller can pass values that throw when read (getters, revoked proxies).
      return {
        ok: false,
        error: { message: `the request could not be read: ${err instanceof Error ? err.message : String(err)}` },
      };
    }
    if (!request.ok) return request;
    if (!Object.hasOwn(this.handlers, request.channel)) {
      return {
        ok: false,
        error: { message: `${request.channel}: answered by the app's main process, not the engine` },
      };
    }
    const handler = this.handlers[request.channel] as (request: unknown) => unknown;
    try {
      return { ok: true, value: await handler(request.value) };
    } catch (err) {
      return { ok: false, error: toEnvelopeError(request.channel, err) };
    }
  }

  /** The app is gone: ends training at once, its run recorded interrupted with `reason`, and closes the store. */
  async abandon(reason: string): Promise<void> {
    this.sweeps.abandon();
    await this.training.abandon(reason);
    this.store.close();
  }

  /** Stops a training run at its next batch (it stays resumable) and closes the store. */
  async shutdown(): Promise<void> {
    // Sweeps stay running: their stopped run resumes from its last epoch when the engine starts again.
    await this.sweeps.shutdown();
    await this.training.shutdown();
    this.models.dispose();
    this.store.close();
  }

  private handlers: Handlers = {
    'doctor:run': () => (this.doctor ??= runDoctor()),
    'backend:active': () => activeBackend(),
    'templates:list': () =>
      Object.entries(TEMPLATES).map(([name, t]) => ({
        name,
        title: t.title,
        description: t.description,
        spec: t.spec,
      })),
    'spec:analyze': ({ spec, numClasses }) => analyzeSpec(spec, { numClasses }),
    'spec:readFile': ({ file }) => readDesignSpecFile(absolutePath('spec:readFile', 'file', file, 'a file')),
    'designs:list': () => this.store.listDesigns(),
    'designs:save': ({ name, spec }) => saveCheckedDesign(this.store, name, spec),
    'designs:delete': ({ name }) => this.store.deleteDesign(name),
    'datasets:list': () => datasetCatalog(this.store.listDatasets()),
    'datasets:import': ({ dir, name }) => {
      // Without a folder main asks the user for one; the engine cannot.
      if (!dir) throw new RequestError('datasets:import', 'dir', 'a folder is required');
      return importIdxDataset(this.store, dir, name);
    },
    'datasets:images': ({ datasetId, split, indices }) => datasetImages(datasetId, split, indices),
    'runs:list': (filter) => this.store.listRuns(filter),
    'runs:get': ({ runId, weights }) => getRunDetail(this.store, runId, weights),
    'runs:batchMetrics': ({ runId, every, afterStep }) => this.store.getBatchMetrics(runId, { every, afterStep }),
    'runs:rename': ({ runId, name }) => this.store.renameRun(runId, name),
    'runs:setNotes': ({ runId, notes }) => this.store.setNotes(runId, notes),
    'runs:setTags': ({ runId, tags }) => this.store.setTags(runId, tags),
    'runs:delete': ({ runId }) => {
      if (this.training.isTraining(runId)) throw new Error(`run ${runId} is training; stop it before deleting it`);
      this.models.drop(runId);
      removeRunCheckpoints(this.checkpointRoot, runId, this.store.deleteRun(runId));
      return true;
    },
    'runs:export': async ({ runId, dir, format, weights }) => {
      const folder = absolutePath('runs:export', 'dir', dir, 'a folder');
      try {
        if (format === 'tensorboard')
          return { runId, dir: folder, files: await exportTensorboard(this.store, runId, folder) };
        const files = await exportRun(this.store, runId, folder, weights);
        const which = weights ?? this.store.defaultWeights(runId);
        return { runId, dir: folder, files, epoch: this.store.checkpointFor(runId, which)?.epoch, weights: which };
      } catch (err) {
        throw writeError(folder, err);
      }
    },
    'evaluation:cell': async ({ runId, weights, ...cell }) =>
      confusionCell(await this.testPredictions.forRun(runId, weights), cell),
    'evaluation:checkpoint': ({ runId, weights }) =>
      evaluateCheckpoint(this.store, this.testPredictions, runId, weights),
    'training:start': (request) => {
      this.sweeps.requireNoSweep('starting a run by hand');
      return this.training.start(request);
    },
    'training:resume': ({ runId, backend }) => {
      this.sweeps.requireNoSweep('resuming a run by hand');
      return this.training.resume(runId, backend);
    },
    'training:stop': ({ runId }) => this.training.stop(runId),
    'training:active': () => this.training.active(),
    'training:memoryLimits': ({ backend }) => {
      const planned = plannedBackend(backend);
      return { backend: planned, limits: engineMemoryLimits(planned) };
    },
    'predict:image': ({ runIds, image, weights }) => predictDrawing(this.store, this.models, runIds, image, weights),
    'predict:strokes': ({ runIds, strokes, weights }) =>
      predictStrokes(this.store, this.models, runIds, strokes, weights),
    'inspect:model': (request) => inspectModel(this.store, this.models, request),
    'inspect:filters': (request) => inspectFilters(this.store, request),
    'sweeps:create': (request) => namingChannel('sweeps:create', () => this.sweeps.create(request)),
    'sweeps:list': () => this.sweeps.list(),
    'sweeps:get': ({ sweepId }) => this.sweeps.detail(sweepId),
    'sweeps:pause': ({ sweepId, finishCurrent }) => this.sweeps.pause(sweepId, finishCurrent),
    'sweeps:resume': ({ sweepId }) => this.sweeps.resume(sweepId),
    'sweeps:cancel': ({ sweepId }) => this.sweeps.cancel(sweepId),
    'sweeps:addRuns': ({ sweepId, points, samples }) =>
      namingChannel('sweeps:addRuns', () => this.sweeps.addRuns(sweepId, { points, samples }, 'running')),
    'sweeps:removeRun': ({ sweepId, runId }) => this.sweeps.removeRun(sweepId, runId),
    'sweeps:delete': ({ sweepId, deleteRuns }) => {
      const deleted = this.sweeps.delete(sweepId, deleteRuns);
      for (const { runId, checkpoints } of deleted) {
        this.models.drop(runId);
        removeRunCheckpoints(this.checkpointRoot, runId, checkpoints);
      }
      return { sweepId, deletedRuns: deleted.map((d) => d.runId) };
    },
  };
}
