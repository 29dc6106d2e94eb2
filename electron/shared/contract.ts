// The one IPC contract shared by main, preload, renderer and the engine process: channel names, request
// schemas (main validates every payload with them), response types, and the training events.
// The renderer imports this file for types only (its values bring zod along).
import { z } from 'zod';
import type { ModelSpec, SpecAnalysis } from './model/types.ts';
import { MAX_NOTES_LENGTH, MAX_RUN_NAME_LENGTH, MAX_TAG_LENGTH, MAX_TAGS } from './records.ts';
import type { DesignRecord, RunRecord, RunSessionRecord, StoredEvaluation } from './records.ts';
import type { MenuCommand } from './screens.ts';
import { BACKEND_KINDS, RUN_STATUSES } from './types.ts';
import type { BackendInfo, BatchMetric, BatchProgress, DoctorReport, EpochMetric, RunEvent } from './types.ts';

const runId = z.number().int().positive().max(2 ** 31);
const backend = z.enum(['auto', ...BACKEND_KINDS]);
const name = z.string().trim().min(1).max(MAX_RUN_NAME_LENGTH);
const tags = z.array(z.string().max(MAX_TAG_LENGTH)).max(MAX_TAGS);
const notes = z.string().max(MAX_NOTES_LENGTH);
const json = z.unknown(); // specs and hyperparameters are validated by the engine, which names the field

export const requestSchemas = {
  'app:info': z.undefined(),
  'doctor:run': z.undefined(),
  'backend:active': z.undefined(),
  'templates:list': z.undefined(),
  'spec:analyze': z.object({ spec: json, numClasses: z.number().int().min(2).max(65536).optional() }),
  'designs:list': z.undefined(),
  'designs:save': z.object({ name, spec: json }),
  'designs:delete': z.object({ name }),
  'datasets:list': z.undefined(),
  /** Without dir, main asks the user for a folder. */
  'datasets:import': z.object({ dir: z.string().min(1).max(4096).optional(), name: name.optional() }),
  'datasets:images': z.object({
    datasetId: z.string().min(1).max(4200),
    split: z.enum(['train', 'test']),
    indices: z.array(z.number().int().min(0)).max(1000),
  }),
  'runs:list': z.object({
    status: z.array(z.enum(RUN_STATUSES)).optional(),
    search: z.string().max(MAX_RUN_NAME_LENGTH).optional(),
    tag: z.string().max(MAX_TAG_LENGTH).optional(),
  }),
  'runs:get': z.object({ runId }),
  'runs:batchMetrics': z.object({ runId, every: z.number().int().min(1).max(100000).optional(), afterStep: z.number().int().min(-1).optional() }),
  'runs:rename': z.object({ runId, name }),
  'runs:setNotes': z.object({ runId, notes }),
  'runs:setTags': z.object({ runId, tags }),
  'runs:delete': z.object({ runId }),
  /** Test images in one confusion-matrix cell, with the model's confidence in its prediction. */
  'evaluation:cell': z.object({
    runId,
    trueLabel: z.number().int().min(0).max(65535),
    predicted: z.number().int().min(0).max(65535),
    limit: z.number().int().min(1).max(1000).default(200),
    order: z.enum(['confidence-desc', 'confidence-asc']).default('confidence-desc'),
  }),
  'training:start': z.object({
    name: z.string().max(MAX_RUN_NAME_LENGTH).optional(),
    spec: json,
    hyperparameters: json,
    dataset: z.string().min(1).max(4200),
    backend: backend.default('auto'),
    tags: tags.optional(),
    notes: notes.optional(),
  }),
  'training:resume': z.object({ runId, backend: backend.default('auto') }),
  'training:stop': z.object({ runId }),
  'training:active': z.undefined(),
  'predict:image': z.object({
    runIds: z.array(runId).min(1).max(8),
    image: z.object({
      width: z.number().int().min(1).max(4096),
      height: z.number().int().min(1).max(4096),
      data: z.instanceof(Uint8ClampedArray).or(z.instanceof(Uint8Array)),
    }),
  }),
} as const;

export type Channel = keyof typeof requestSchemas;
export type RequestOf<C extends Channel> = z.input<(typeof requestSchemas)[C]>;
export type ParsedRequestOf<C extends Channel> = z.output<(typeof requestSchemas)[C]>;

export interface AppInfo {
  version: string;
  platform: string;
  dbPath: string;
  dataDir: string;
  /** The Node that runs the engine: Electron's own (utility process) or an external binary. */
  engineRuntime: string;
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
  evaluation: StoredEvaluation | null;
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

export interface EvaluationCell {
  total: number;
  items: { testIndex: number; confidence: number; trueProbability: number }[];
}

export interface Responses {
  'app:info': AppInfo;
  'doctor:run': DoctorReport;
  'backend:active': BackendInfo | null;
  'templates:list': TemplateInfo[];
  'spec:analyze': SpecAnalysis;
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
  'evaluation:cell': EvaluationCell;
  'training:start': { runId: number };
  'training:resume': { runId: number };
  'training:stop': { stopping: boolean };
  'training:active': ActiveTraining | null;
  'predict:image': PredictResult;
}

/** Every invoke resolves to this envelope, so errors reach the renderer as data with a clean message. */
export type Envelope<T> = { ok: true; value: T } | { ok: false; error: { message: string; field?: string } };

/** Training progress pushed to the renderer. Batch events are coalesced into 'batches' (at most ~20 messages/s). */
export type TrainingEvent = Exclude<RunEvent, { type: 'batch' }> | { type: 'batches'; runId: number; items: BatchProgress[] };

export const TRAINING_EVENT_CHANNEL = 'training:event';
export const EVENT_FLUSH_MS = 50;

/** What preload exposes as window.layerlab. */
export interface LayerlabApi {
  invoke<C extends Channel>(channel: C, request: RequestOf<C>): Promise<Envelope<Responses[C]>>;
  /** Returns an unsubscribe function. */
  onTrainingEvent(listener: (event: TrainingEvent) => void): () => void;
  /** Menu commands from main (e.g. 'navigate:runs', 'theme:toggle'). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
