// The one IPC contract shared by main, preload, renderer and the engine process: channel names, request
// schemas (main and the engine both validate every payload with them, through parseRequest), response types,
// and the training events. The renderer imports this file for types only (its values bring zod along).
import { z } from 'zod';
import { MAX_COORDINATE, MAX_DRAWING_POINTS, MAX_POINT_WIDTH, MAX_STROKES, type Stroke } from './drawing.ts';
import type { ModelSpec, SpecAnalysis } from './model/types.ts';
import type { MemoryLimits } from './model/memory.ts';
import { MAX_NOTES_LENGTH, MAX_RUN_NAME_LENGTH, MAX_TAG_LENGTH } from './records.ts';
import { checkTags } from './tags.ts';
import type { DesignRecord, RunRecord, RunSessionRecord, StoredEvaluation } from './records.ts';
import type { MenuCommand } from './screens.ts';
import { BACKEND_KINDS, RUN_STATUSES } from './types.ts';
import type {
  BackendInfo,
  BackendKind,
  BatchMetric,
  BatchProgress,
  DoctorReport,
  EpochMetric,
  EvaluationResult,
  RunEvent,
} from './types.ts';
import { describeValue, issueReason, jsonProblem, refusal, type JsonLimits } from './request-checks.ts';
import { WEIGHTS_CHOICES } from './weights.ts';
import { MAX_SWEEP_POINTS, SWEEP_MODES, type SweepDetail, type SweepRecord } from './sweeps.ts';

const MAX_RUN_ID = 2 ** 31;
const runId = z
  .number({ error: (issue) => `expected a positive integer, got ${describeValue(issue.input)}` })
  .int()
  .positive()
  .max(MAX_RUN_ID, { error: (issue) => `must be at most ${MAX_RUN_ID}, got ${describeValue(issue.input)}` });
const backend = z.enum(['auto', ...BACKEND_KINDS]);
// Trimmed before the length is checked, as the store does, so the app and the CLI accept the same names and tags.
const name = z.string().trim().min(1).max(MAX_RUN_NAME_LENGTH);
// The store's own tag rule, so the app and the CLI accept the same tags (cleaned, repeats dropped, then counted);
// it bounds the list before reading it, which zod's array would not (it checks every item before the length).
const tags = z.custom<string[]>().transform((value, ctx) => {
  const checked = checkTags(value, { list: '', item: (index) => `tag ${index + 1}` });
  if ('error' in checked) {
    ctx.addIssue({ code: 'custom', message: checked.error, input: value });
    return z.NEVER;
  }
  return checked.tags;
});
const notes = z.string().max(MAX_NOTES_LENGTH);
/** A file or folder on this machine, as a dialog or a dropped file gives it: a sane length, no NUL (fs refuses it). */
export const MAX_PATH_LENGTH = 4096;
const localPath = z
  .string()
  .min(1)
  .max(MAX_PATH_LENGTH)
  .refine((value) => !value.includes('\0'), { error: 'must not contain NUL characters' });

const isPlainObject = (v: unknown) =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v) && !(v instanceof ArrayBuffer);

/**
 * A request object: only the fields named (a misspelt or extra one is refused, naming it), and a plain object
 * (zod alone takes a typed array for an object, and would list a 50 MB one's 50 million indices as unknown keys).
 */
function plainObject<S extends z.core.$ZodLooseShape>(shape: S) {
  const object = z.strictObject(shape);
  const error = (issue: { input?: unknown }) => `expected an object, got ${describeValue(issue.input)}`;
  return z.custom<z.input<typeof object>>(isPlainObject, { error }).pipe(object);
}

/** A spec is a few hundred values at most (100 layers of a few fields); the budget leaves room for drafts. */
export const SPEC_LIMITS: JsonLimits = { maxDepth: 8, maxValues: 20_000, maxStringLength: 1000 };
export const HYPERPARAMETER_LIMITS: JsonLimits = { maxDepth: 4, maxValues: 200, maxStringLength: 1000 };

/**
 * Specs and hyperparameters: any small plain JSON (the engine validates their fields and names them); the
 * bounded walk refuses huge, deep, binary or prototype-keyed values before anything else reads them.
 */
const json = (limits: JsonLimits) =>
  z.unknown().superRefine((value, ctx) => {
    const problem = jsonProblem(value, limits);
    if (problem) ctx.addIssue({ code: 'custom', message: problem.message, path: problem.path, input: value });
  });

/** A drawing's RGBA pixels: width×height×4 bytes, 1024×1024 at most (the Draw pad sends 140×140). */
const MAX_IMAGE_SIDE = 1024;
const rgbaImage = plainObject({
  width: z.number().int().min(1).max(MAX_IMAGE_SIDE),
  height: z.number().int().min(1).max(MAX_IMAGE_SIDE),
  data: z.custom<Uint8ClampedArray | Uint8Array>((v) => v instanceof Uint8ClampedArray || v instanceof Uint8Array, {
    error: (issue) => `expected RGBA bytes (a Uint8ClampedArray), got ${describeValue(issue.input)}`,
  }),
}).superRefine((image, ctx) => {
  if (!ArrayBuffer.isView(image.data)) return; // already refused above
  const expected = image.width * image.height * 4;
  if (image.data.length !== expected) {
    const message = `must hold width×height×4 = ${expected} bytes (RGBA), got ${image.data.length}`;
    ctx.addIssue({ code: 'custom', message, path: ['data'], input: image.data });
  }
});

/** A drawing's strokes: lists of points {x, y, width} in the pad's logical pixels (shared/drawing.ts). */
const coordinate = z.number().min(-MAX_COORDINATE).max(MAX_COORDINATE);
const strokePoint = plainObject({ x: coordinate, y: coordinate, width: z.number().positive().max(MAX_POINT_WIDTH) });
const strokes = z
  .custom<Stroke[]>()
  // Counted before zod reads a point: it would check every item of a two-million-item list before its length.
  .superRefine((value, ctx) => {
    const refuse = (message: string) => ctx.addIssue({ code: 'custom', message, input: value });
    const count = (n: number) => n.toLocaleString('en-US');
    if (!Array.isArray(value)) return refuse(`expected an array of strokes, got ${describeValue(value)}`);
    if (value.length > MAX_STROKES)
      return refuse(`must hold at most ${MAX_STROKES} strokes, got ${count(value.length)}`);
    // A stroke that is no array counts nothing here; zod names it below.
    const points = value.reduce((sum: number, stroke) => sum + (Array.isArray(stroke) ? stroke.length : 0), 0);
    if (points > MAX_DRAWING_POINTS)
      refuse(`must hold at most ${count(MAX_DRAWING_POINTS)} points in all, got ${count(points)}`);
  })
  .pipe(z.array(z.array(strokePoint)));
/** Up to 8 runs read one drawing side by side. */
const predictRunIds = z.array(runId).min(1).max(8);

/** A checkpoint epoch of a run (1 is the first epoch's end); absent, the run's latest. */
const checkpointEpoch = z.number().int().min(1).max(100_000);
/** Which of a run's weights (electron/shared/weights.ts); absent, its default (the restored best, else the last). */
const weights = z.enum(WEIGHTS_CHOICES);
/**
 * What inspect:model looks through the network: the Draw pad's strokes (rasterised as predict:strokes does), a
 * test image of the run's own dataset, or 28×28 pixels (values 0..1, or bytes 0..255) already like MNIST.
 */
const inspectInput = z.union([
  plainObject({ strokes }),
  plainObject({ testIndex: z.number().int().min(0).max(10_000_000) }),
  plainObject({ pixels: z.array(z.number().finite().min(0).max(255)).length(784) }),
]);
export const SALIENCY_METHODS = ['gradient-input', 'grad-cam'] as const;
export type SaliencyMethod = (typeof SALIENCY_METHODS)[number];

/** A sweep's id (sweeps:*). */
const sweepId = runId;
/** Sweep parameters and points: small JSON the engine checks field by field (shared/sweeps.ts), naming each. */
const SWEEP_JSON_LIMITS: JsonLimits = { maxDepth: 4, maxValues: 20_000, maxStringLength: 1000 };
const sweepCount = z.number().int().min(1).max(MAX_SWEEP_POINTS);

export const requestSchemas = {
  'app:info': z.undefined(),
  /** Answered by main, not the engine: the engine process's state; restart starts it now if it is not running. */
  'engine:status': z.undefined(),
  'engine:restart': z.undefined(),
  'doctor:run': z.undefined(),
  'backend:active': z.undefined(),
  'templates:list': z.undefined(),
  'spec:analyze': plainObject({ spec: json(SPEC_LIMITS), numClasses: z.number().int().min(2).max(65536).optional() }),
  /**
   * A spec JSON file for the Design screen, read as the CLI reads --spec (1 MB at most, UTF-8, BOM allowed) and
   * checked as a saved design is. Without file, main asks the user for one (File › Open Spec File…).
   */
  'spec:readFile': plainObject({ file: localPath.optional() }),
  'designs:list': z.undefined(),
  'designs:save': plainObject({ name, spec: json(SPEC_LIMITS) }),
  'designs:delete': plainObject({ name }),
  'datasets:list': z.undefined(),
  /** Without dir, main asks the user for a folder. */
  'datasets:import': plainObject({ dir: localPath.optional(), name: name.optional() }),
  'datasets:images': plainObject({
    datasetId: z.string().min(1).max(4200),
    split: z.enum(['train', 'test']),
    indices: z.array(z.number().int().min(0)).max(1000),
  }),
  'runs:list': plainObject({
    status: z.array(z.enum(RUN_STATUSES)).max(RUN_STATUSES.length).optional(),
    search: z.string().max(MAX_RUN_NAME_LENGTH).optional(),
    tag: z.string().max(MAX_TAG_LENGTH).optional(),
  }),
  /** evaluation: the run's evaluation with its default weights, or with `weights`. */
  'runs:get': plainObject({ runId, weights: weights.optional() }),
  'runs:batchMetrics': plainObject({
    runId,
    every: z.number().int().min(1).max(100000).optional(),
    afterStep: z.number().int().min(-1).optional(),
  }),
  'runs:rename': plainObject({ runId, name }),
  'runs:setNotes': plainObject({ runId, notes }),
  'runs:setTags': plainObject({ runId, tags }),
  'runs:delete': plainObject({ runId }),
  /**
   * Writes what `layerlab export` writes (tfjs model, spec, run, metrics, evaluation, Keras code) to a folder.
   * Without dir, main asks the user for one.
   */
  /** 'model' (default): the CLI's export; 'tensorboard': the metrics as TensorBoard event files (`export --tensorboard`). */
  'runs:export': plainObject({
    runId,
    dir: localPath.optional(),
    format: z.enum(['model', 'tensorboard']).default('model'),
    weights: weights.optional(),
  }),
  /** Answered by main: shows a folder that runs:export wrote this session in the file manager. */
  'runs:showExport': plainObject({ dir: localPath }),
  /** Test images in one confusion-matrix cell, with the model's confidence in its prediction. */
  'evaluation:cell': plainObject({
    runId,
    trueLabel: z.number().int().min(0).max(65535),
    predicted: z.number().int().min(0).max(65535),
    limit: z.number().int().min(1).max(1000).default(200),
    order: z.enum(['confidence-desc', 'confidence-asc']).default('confidence-desc'),
    weights: weights.optional(),
  }),
  /** Scores the run's latest checkpoint on the test set (for runs that ended without an evaluation); not stored. */
  'evaluation:checkpoint': plainObject({ runId, weights: weights.optional() }),
  'training:start': plainObject({
    name: z.string().trim().max(MAX_RUN_NAME_LENGTH).optional(),
    spec: json(SPEC_LIMITS),
    hyperparameters: json(HYPERPARAMETER_LIMITS),
    dataset: z.string().min(1).max(4200),
    backend: backend.default('auto'),
    tags: tags.optional(),
    notes: notes.optional(),
  }),
  'training:resume': plainObject({ runId, backend: backend.default('auto') }),
  'training:stop': plainObject({ runId }),
  'training:active': z.undefined(),
  /** What a run may use on the backend a start with this preference would get (the Train form's memory check). */
  'training:memoryLimits': plainObject({ backend: backend.default('auto') }),
  'predict:image': plainObject({
    runIds: predictRunIds,
    image: rgbaImage,
    weights: weights.optional(),
  }),
  /** The Draw pad's strokes, rasterised by the engine with a pen in proportion to the drawing's size. */
  'predict:strokes': plainObject({ runIds: predictRunIds, strokes, weights: weights.optional() }),
  /**
   * One input through one run's network: every layer's output, the prediction, and (unless saliency is null) a
   * saliency map for `classIndex` (absent: the predicted class).
   */
  'inspect:model': plainObject({
    runId,
    input: inspectInput,
    /** epoch (a checkpoint) or weights ('last' / 'best'), not both; neither: the run's default weights. */
    epoch: checkpointEpoch.optional(),
    weights: weights.optional(),
    saliency: plainObject({
      method: z.enum(SALIENCY_METHODS).default('gradient-input'),
      classIndex: z.number().int().min(0).max(65535).optional(),
    })
      .nullable()
      .default({ method: 'gradient-input' }),
  }).refine((request) => request.epoch === undefined || request.weights === undefined, {
    error: 'give epoch or weights, not both',
    path: ['weights'],
  }),
  /** The learned filters of every Conv2D layer of a run at one checkpoint, and their change since another. */
  'inspect:filters': plainObject({
    runId,
    epoch: checkpointEpoch.optional(),
    compareEpoch: checkpointEpoch.optional(),
  }),
  /**
   * A sweep: every point of a grid over `parameters` (the first varies slowest), or `samples` seeded random draws;
   * each point becomes a queued run, trained one after another by the engine's sweep queue. A parameter is
   * {name, values: [...]} or {name, range: 'log'|'linear'|'int', min, max, steps?}; names are hyperparameters
   * ('learningRate', 'optimizer', …) or layer fields ('layers.2.filters', units, kernelSize, rate). start false
   * records it paused (to export it for a cluster, or to start later with sweeps:resume).
   */
  'sweeps:create': plainObject({
    name: z.string().trim().max(MAX_RUN_NAME_LENGTH).optional(),
    spec: json(SPEC_LIMITS),
    hyperparameters: json(HYPERPARAMETER_LIMITS),
    dataset: z.string().min(1).max(4200),
    backend: backend.default('auto'),
    mode: z.enum(SWEEP_MODES),
    parameters: json(SWEEP_JSON_LIMITS),
    samples: sweepCount.optional(),
    seed: z
      .number()
      .int()
      .min(0)
      .max(2 ** 32 - 1)
      .optional(),
    start: z.boolean().default(true),
  }),
  'sweeps:list': z.undefined(),
  /** The sweep with every point: its values, status and run (with the run's metrics). */
  'sweeps:get': plainObject({ sweepId }),
  /** Stops the current run at its next batch (it resumes from its last epoch), or with finishCurrent lets it finish. */
  'sweeps:pause': plainObject({ sweepId, finishCurrent: z.boolean().default(false) }),
  'sweeps:resume': plainObject({ sweepId }),
  /** Deletes the queued runs (their points stay, cancelled) and stops the current run, which is kept. */
  'sweeps:cancel': plainObject({ sweepId }),
  /** More points: explicit ones ([{learningRate: 0.01, …}]) and/or `samples` more random draws of a random sweep. */
  'sweeps:addRuns': plainObject({
    sweepId,
    points: json(SWEEP_JSON_LIMITS).optional(),
    samples: sweepCount.optional(),
  }),
  /** Takes a queued run out of the sweep (the run is deleted, its point kept as removed). */
  'sweeps:removeRun': plainObject({ sweepId, runId }),
  /** Deletes a sweep that is not running and its queued runs; its trained runs too with `deleteRuns` (else they stay, tagged sweep-N). */
  'sweeps:delete': plainObject({ sweepId, deleteRuns: z.boolean().default(false) }),
} as const;

export type Channel = keyof typeof requestSchemas;
export type RequestOf<C extends Channel> = z.input<(typeof requestSchemas)[C]>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

export function isChannel(name: unknown): name is Channel {
  return typeof name === 'string' && Object.hasOwn(requestSchemas, name);
}

/**
 * Validates a request as main and the engine both do: an unknown channel (inherited names like 'constructor'
 * included) or a payload that breaks the channel's schema is refused, naming the channel, the field and why.
 */
export function parseRequest(
  channel: unknown,
  payload: unknown,
): { ok: true; channel: Channel; value: unknown } | { ok: false; error: { message: string; field?: string } } {
  if (!isChannel(channel))
    return {
      ok: false,
      error: {
        message: `unknown channel: ${typeof channel === 'string' ? channel.slice(0, 60) : describeValue(channel)}`,
      },
    };
  const result = (requestSchemas[channel] as z.ZodType).safeParse(payload, { error: issueReason });
  return result.success
    ? { ok: true, channel, value: result.data }
    : { ok: false, error: refusal(channel, result.error.issues) };
}

export interface AppInfo {
  version: string;
  platform: string;
  dbPath: string;
  dataDir: string;
  /** The Node that runs the engine: Electron's own (utility process) or an external binary. */
  engineRuntime: string;
}

/** starting → ready; after a crash: restarting (an automatic restart is due) or down (the user restarts it). */
export type EngineState = 'starting' | 'ready' | 'restarting' | 'down' | 'quitting';

export interface EngineStatus {
  state: EngineState;
  /** Why the engine last stopped, in words for the user; null until it has stopped unexpectedly. */
  cause: string | null;
  /** That stop as the system reported it (exit code or signal, the engine's last error), for a details view. */
  detail: string | null;
  /** Unexpected stops since the app started. */
  crashes: number;
  /** While restarting: when the automatic restart starts (ms since 1970). */
  restartAt: number | null;
  /** Runs that were training when it last stopped: they are interrupted and can be resumed. */
  interruptedRunIds: number[];
}

export interface CheckpointEvaluation {
  /** The checkpoint scored: the weights after this many epochs. */
  epoch: number;
  evaluation: EvaluationResult;
}

export interface TemplateInfo {
  name: string;
  title: string;
  description: string;
  spec: ModelSpec;
}

export interface DatasetInfo {
  id: string;
  name: string;
  description: string;
  classes: string[];
  available: boolean;
  reason: string | null;
  imported: boolean;
  /** Image counts, known for available datasets. */
  trainCount: number | null;
  testCount: number | null;
}

export interface DatasetImages {
  width: number;
  height: number;
  channels: number;
  /** One uint8 array per requested index. */
  images: Uint8Array[];
  labels: number[];
}

export interface RunDetail {
  run: RunRecord;
  epochs: EpochMetric[];
  /** With the run's default weights, or the `weights` asked for. */
  evaluation: StoredEvaluation | null;
  /**
   * Every evaluation of the run, oldest checkpoint first (its last epoch's and, if it differs, its best's); the
   * engine always sends it (optional only for hand-made details in tests).
   */
  evaluations: StoredEvaluation[];
  sessions: RunSessionRecord[];
}

export interface ActiveTraining {
  runId: number;
  started: Extract<RunEvent, { type: 'started' }>;
  latest: BatchProgress | null;
  stopping: boolean;
}

export interface RunPrediction {
  runId: number;
  /** The checkpoint (finished-epoch count) whose weights predicted; null with an error. */
  epoch: number | null;
  probabilities: number[] | null;
  predicted: number | null;
  confidence: number | null;
  classes: string[];
  error: string | null;
}

export interface PredictResult {
  /** The 28x28 input the models saw, values 0..1. */
  input: number[];
  blank: boolean;
  predictions: RunPrediction[];
  durationMs: number;
}

/** One layer's output for one input (inspect:model). */
export interface LayerActivation {
  /** Position in the run's spec.layers. */
  index: number;
  /** The spec's layer type ('Conv2D', 'MaxPooling2D', 'Dense', …). */
  type: string;
  /** Output shape without the batch: [height, width, channels] for maps, [units] for vectors. */
  shape: number[];
  /** The output, channel-last as TensorFlow holds it (height × width × channels, or units). */
  values: Float32Array;
  min: number;
  max: number;
  mean: number;
}

/** Which input pixels drove the score of one class. */
export interface Saliency {
  method: SaliencyMethod;
  classIndex: number;
  /** 28×28 row-major, scaled so the strongest pixel is 1 (0..1 for grad-cam; -1..1 for gradient-input). */
  map: Float32Array;
  /** The Conv2D layer Grad-CAM weighted (index in spec.layers); null for gradient × input. */
  layerIndex: number | null;
  /** The strongest pixels by magnitude, strongest first (at most 20). */
  top: { x: number; y: number; value: number }[];
}

export interface ModelInspection {
  runId: number;
  /** The checkpoint epoch whose weights were used. */
  epoch: number;
  /** The 28×28 input the network saw, values 0..1. */
  input: number[];
  /** The drawing had no ink (then layers and saliency still describe the blank input). */
  blank: boolean;
  layers: LayerActivation[];
  probabilities: number[];
  predicted: number;
  classes: string[];
  saliency: Saliency | null;
  durationMs: number;
}

/** One Conv2D layer's filters at a checkpoint (inspect:filters). */
export interface ConvFilters {
  /** Position in the run's spec.layers. */
  index: number;
  kernelSize: [number, number];
  inChannels: number;
  filters: number;
  /** Weights and biases. */
  parameters: number;
  /** kernelHeight × kernelWidth × inChannels × filters, as TensorFlow holds a Conv2D kernel. */
  kernel: Float32Array;
  bias: Float32Array | null;
  /** The largest |weight| of the layer (a shared colour scale). */
  maxAbs: number;
  /** With compareEpoch: kernel at this epoch minus kernel at compareEpoch, and a summary per filter. */
  change: {
    fromEpoch: number;
    delta: Float32Array;
    /** Mean |delta| per filter, and over the layer. */
    meanAbsPerFilter: number[];
    meanAbs: number;
  } | null;
}

export interface FilterInspection {
  runId: number;
  epoch: number;
  compareEpoch: number | null;
  /** The checkpoint epochs the run has, oldest first (what epoch and compareEpoch may be). */
  epochs: number[];
  layers: ConvFilters[];
}

/** The backend a run would train on, and what its estimate may reach there (shared/model/memory.ts). */
export interface TrainingMemoryLimits {
  backend: BackendKind;
  limits: MemoryLimits;
}

export interface EvaluationCell {
  total: number;
  items: { testIndex: number; confidence: number; trueProbability: number }[];
}

/** A spec file read for the Design screen: the spec as written in it (possibly unfinished, as a saved design). */
export interface SpecFile {
  /** The file's absolute path. */
  file: string;
  spec: ModelSpec;
}

/** Where runs:export wrote a run, and the names of the files it wrote there. */
export interface RunExport {
  runId: number;
  dir: string;
  files: string[];
  /** A model export: the checkpoint whose weights it holds, and which of the run's weights those are. */
  epoch?: number;
  weights?: import('./weights.ts').WeightsChoice;
}

export interface Responses {
  'app:info': AppInfo;
  'engine:status': EngineStatus;
  'engine:restart': EngineStatus;
  'doctor:run': DoctorReport;
  'backend:active': BackendInfo | null;
  'templates:list': TemplateInfo[];
  'spec:analyze': SpecAnalysis;
  /** Null when the user closed the file dialog. */
  'spec:readFile': SpecFile | null;
  'designs:list': DesignRecord[];
  'designs:save': DesignRecord;
  'designs:delete': boolean;
  'datasets:list': DatasetInfo[];
  'datasets:import': DatasetInfo | null;
  'datasets:images': DatasetImages;
  'runs:list': RunRecord[];
  'runs:get': RunDetail;
  'runs:batchMetrics': BatchMetric[];
  'runs:rename': RunRecord;
  'runs:setNotes': RunRecord;
  'runs:setTags': RunRecord;
  'runs:delete': boolean;
  /** Null when the user closed the folder dialog. */
  'runs:export': RunExport | null;
  'runs:showExport': boolean;
  'evaluation:cell': EvaluationCell;
  'evaluation:checkpoint': CheckpointEvaluation;
  'training:start': { runId: number };
  'training:resume': { runId: number };
  'training:stop': { stopping: boolean };
  'training:active': ActiveTraining | null;
  'training:memoryLimits': TrainingMemoryLimits;
  'predict:image': PredictResult;
  'predict:strokes': PredictResult;
  'inspect:model': ModelInspection;
  'inspect:filters': FilterInspection;
  'sweeps:create': SweepDetail;
  'sweeps:list': SweepRecord[];
  'sweeps:get': SweepDetail;
  'sweeps:pause': SweepRecord;
  'sweeps:resume': SweepRecord;
  'sweeps:cancel': SweepRecord;
  'sweeps:addRuns': SweepDetail;
  'sweeps:removeRun': SweepDetail;
  'sweeps:delete': { sweepId: number; deletedRuns: number[] };
}

/** Every invoke resolves to this envelope, so errors reach the renderer as data with a clean message. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { message: string; field?: string } };

/** Training progress pushed to the renderer. Batch events are coalesced into 'batches' (at most ~20 messages/s). */
export type TrainingEvent =
  Exclude<RunEvent, { type: 'batch' }> | { type: 'batches'; runId: number; items: BatchProgress[] };

export const TRAINING_EVENT_CHANNEL = 'training:event';
export const ENGINE_STATUS_CHANNEL = 'engine:status-changed';
export const EVENT_FLUSH_MS = 50;

/** What preload exposes as window.layerlab. */
export interface LayerlabApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Envelope<Responses[C]>>;
  /** Returns an unsubscribe function. */
  onTrainingEvent(listener: (event: TrainingEvent) => void): () => void;
  /** Menu commands from main (e.g. 'navigate:runs', 'theme:toggle'). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  /** The engine process's state whenever it changes (a crash, a restart). */
  onEngineStatus(listener: (status: EngineStatus) => void): () => void;
  /**
   * Where a dropped file or folder is on disk (the sandboxed page cannot see paths); '' when it is not on disk
   * (a File the page made itself).
   */
  pathForFile(file: File): string;
}
