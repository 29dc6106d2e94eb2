// The engine process's request handlers: every channel of the IPC contract that main forwards lands here and
// is routed to the engine module that answers it. Payloads arrive validated by main's schemas; the engine still
// validates specs, hyperparameters and files itself and answers with an error envelope naming the field, never
// a crash.
import path from 'node:path';
import { activeBackend } from './backend/backends.ts';
import { runDoctor } from './backend/doctor.ts';
import { datasetCatalog, importIdxDataset } from './data/catalog.ts';
import { datasetImages } from './data/images.ts';
import { confusionCell } from './evaluate/confusion-cells.ts';
import { predictDrawing } from './evaluate/draw-predictions.ts';
import { RunModelCache } from './evaluate/model-cache.ts';
import { TestPredictionCache } from './evaluate/test-predictions.ts';
import { saveCheckedDesign } from './model/designs.ts';
import { analyzeSpec, TEMPLATES } from '#shared/model/index.ts';
import { getRunDetail, Store } from './store/index.ts';
import { removeRunCheckpoints } from './train/checkpoint.ts';
import { TrainingSupervisor } from './training-supervisor.ts';
import type { Channel, Envelope, ParsedRequestOf, Responses } from '#shared/contract.ts';
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

export class EngineService {
  readonly store: Store;
  private readonly checkpointRoot: string;
  private readonly models: RunModelCache;
  private readonly testPredictions: TestPredictionCache;
  private readonly training: TrainingSupervisor;
  private doctor: DoctorReport | null = null;

  constructor(options: EngineServiceOptions) {
    this.store = Store.open(options.dbPath, { log: (m) => console.warn(`layerlab engine: ${m}`) });
    this.checkpointRoot = path.join(options.dataDir, 'runs');
    this.models = new RunModelCache(this.store);
    this.testPredictions = new TestPredictionCache(this.store, this.models);
    this.training = new TrainingSupervisor({
      store: this.store,
      dbPath: options.dbPath,
      checkpointRoot: this.checkpointRoot,
      emit: options.emit,
      // A run that trained on has new weights; its cached model is stale.
      onFinished: (runId) => this.models.drop(runId),
    });
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
    await this.training.shutdown();
    this.models.dispose();
    this.store.close();
  }

  private handlers: Handlers = {
    'doctor:run': () => (this.doctor ??= runDoctor()),
    'backend:active': () => activeBackend(),
    'templates:list': () => Object.entries(TEMPLATES).map(([name, t]) => ({ name, title: t.title, description: t.description, spec: t.spec })),
    'spec:analyze': ({ spec, numClasses }) => analyzeSpec(spec, { numClasses }),
    'designs:list': () => this.store.listDesigns(),
    'designs:save': ({ name, spec }) => saveCheckedDesign(this.store, name, spec),
    'designs:delete': ({ name }) => this.store.deleteDesign(name),
    'datasets:list': () => datasetCatalog(this.store.listDatasets()),
    'datasets:import': ({ dir, name }) => importIdxDataset(this.store, dir, name),
    'datasets:images': ({ datasetId, split, indices }) => datasetImages(datasetId, split, indices),
    'runs:list': (filter) => this.store.listRuns(filter),
    'runs:get': ({ runId }) => getRunDetail(this.store, runId),
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
    'evaluation:cell': async ({ runId, ...cell }) => confusionCell(await this.testPredictions.forRun(runId), cell),
    'training:start': (request) => this.training.start(request),
    'training:resume': ({ runId, backend }) => this.training.resume(runId, backend),
    'training:stop': ({ runId }) => this.training.stop(runId),
    'training:active': () => this.training.active(),
    'predict:image': ({ runIds, image }) => predictDrawing(this.store, this.models, runIds, image),
  };
}
