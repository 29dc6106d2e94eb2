// Input checks at the store boundary. Callers are the engine, the CLI and (through IPC) the
// renderer, so every message names the field and says what was wrong with it.
import { BACKEND_KINDS, RUN_STATUSES } from '#shared/types.ts';
import type {
  BackendInfo,
  BatchMetric,
  DatasetRef,
  EpochMetric,
  EvaluationResult,
  Hyperparameters,
  RunStatus,
} from '#shared/types.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import { FINISH_STATUSES, MAX_NOTES_LENGTH, MAX_RUN_NAME_LENGTH as MAX_NAME_LENGTH } from '#shared/records.ts';
import type { FinishStatus } from '#shared/records.ts';
import { singleLine } from '#shared/plain-text.ts';
import { checkTags as checkTagList } from '#shared/tags.ts';

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/**
 * Which status a run may move to from each status. `running` is reachable again from
 * stopped/interrupted/failed because a resumed run keeps its id; completed is final.
 */
const TRANSITIONS: Record<RunStatus, readonly RunStatus[]> = {
  queued: ['running', 'stopped', 'failed'],
  running: ['completed', 'stopped', 'failed', 'interrupted'],
  stopped: ['running'],
  interrupted: ['running'],
  failed: ['running'],
  completed: [],
};

export function checkTransition(runId: number, from: RunStatus, to: RunStatus): void {
  if (TRANSITIONS[from].includes(to)) return;
  const allowed = TRANSITIONS[from].length > 0 ? TRANSITIONS[from].join(', ') : 'none, a completed run is final';
  throw new StoreError(
    `run ${runId} cannot change status from '${from}' to '${to}' (allowed from '${from}': ${allowed})`,
  );
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (value === null || value === undefined || typeof value !== 'object') return String(value);
  return Array.isArray(value) ? 'an array' : 'an object';
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkId(value: unknown, field = 'run id'): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new StoreError(`${field} must be a positive integer (got ${describe(value)})`);
  }
  return value;
}

export function checkNonNegativeInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new StoreError(`${field} must be a non-negative integer (got ${describe(value)})`);
  }
  return value;
}

export function checkPositiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new StoreError(`${field} must be a positive integer (got ${describe(value)})`);
  }
  return value;
}

/** Loss and accuracy may legitimately be NaN (a diverged run) or Infinity, so only the type is checked. */
function checkNumber(value: unknown, field: string): number {
  if (typeof value !== 'number') throw new StoreError(`${field} must be a number (got ${describe(value)})`);
  return value;
}

function checkNullableNumber(value: unknown, field: string): number | null {
  return value === null ? null : checkNumber(value, field);
}

/** Names are one line of plain text: control characters and terminal escapes go, line breaks become spaces. */
export function checkName(value: unknown, field = 'name'): string {
  if (typeof value !== 'string') throw new StoreError(`${field} must be a string (got ${describe(value)})`);
  const name = singleLine(value).trim();
  if (name === '')
    throw new StoreError(
      `${field} must not be empty${value.trim() === '' ? '' : ' (it holds only control characters)'}`,
    );
  if (name.length > MAX_NAME_LENGTH) {
    throw new StoreError(`${field} must be at most ${MAX_NAME_LENGTH} characters (got ${name.length})`);
  }
  return name;
}

export function checkText(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new StoreError(`${field} must be a string (got ${describe(value)})`);
  return value;
}

export function checkNotes(value: unknown): string {
  const notes = checkText(value, 'notes');
  if (notes.length > MAX_NOTES_LENGTH) {
    throw new StoreError(`notes must be at most ${MAX_NOTES_LENGTH} characters (got ${notes.length})`);
  }
  return notes;
}

/** The shared tag rule (#shared/tags.ts), as a StoreError. */
export function checkTags(value: unknown): string[] {
  const checked = checkTagList(value);
  if ('error' in checked) throw new StoreError(checked.error);
  return checked.tags;
}

export function checkStatus(value: unknown, field = 'status'): RunStatus {
  if (!(RUN_STATUSES as readonly unknown[]).includes(value)) {
    throw new StoreError(`${field} must be one of ${RUN_STATUSES.join(', ')} (got ${describe(value)})`);
  }
  return value as RunStatus;
}

export function checkFinishStatus(value: unknown): FinishStatus {
  if (!(FINISH_STATUSES as readonly unknown[]).includes(value)) {
    throw new StoreError(`finish status must be one of ${FINISH_STATUSES.join(', ')} (got ${describe(value)})`);
  }
  return value as FinishStatus;
}

export function checkSpec(value: unknown, field = 'spec'): ModelSpec {
  if (!isPlainObject(value)) throw new StoreError(`${field} must be an object (got ${describe(value)})`);
  checkName(value.name, `${field}.name`);
  const shape = value.inputShape;
  if (
    !Array.isArray(shape) ||
    shape.length !== 3 ||
    !shape.every((d) => Number.isSafeInteger(d) && (d as number) > 0)
  ) {
    throw new StoreError(`${field}.inputShape must be three positive integers [height, width, channels]`);
  }
  if (!Array.isArray(value.layers) || !value.layers.every(isPlainObject)) {
    throw new StoreError(`${field}.layers must be an array of objects`);
  }
  return value as unknown as ModelSpec;
}

export function checkHyperparameters(value: unknown): Hyperparameters {
  if (!isPlainObject(value)) throw new StoreError(`hyperparameters must be an object (got ${describe(value)})`);
  checkPositiveInteger(value.batchSize, 'hyperparameters.batchSize');
  checkPositiveInteger(value.epochs, 'hyperparameters.epochs');
  checkNumber(value.learningRate, 'hyperparameters.learningRate');
  return value as unknown as Hyperparameters;
}

export function checkDataset(value: unknown): DatasetRef {
  if (!isPlainObject(value)) throw new StoreError(`dataset must be an object (got ${describe(value)})`);
  checkName(value.id, 'dataset.id');
  checkText(value.name, 'dataset.name');
  if (!Array.isArray(value.classes)) throw new StoreError('dataset.classes must be an array of class names');
  return value as unknown as DatasetRef;
}

export function checkBackend(value: unknown): BackendInfo {
  if (!isPlainObject(value)) throw new StoreError(`backend must be an object (got ${describe(value)})`);
  if (!(BACKEND_KINDS as readonly unknown[]).includes(value.kind)) {
    throw new StoreError(`backend.kind must be one of ${BACKEND_KINDS.join(', ')} (got ${describe(value.kind)})`);
  }
  checkText(value.tfBackend, 'backend.tfBackend');
  return value as unknown as BackendInfo;
}

export function checkBatchMetric(row: unknown, index: number): BatchMetric {
  const field = `batch metrics[${index}]`;
  if (!isPlainObject(row)) throw new StoreError(`${field} must be an object (got ${describe(row)})`);
  checkNonNegativeInteger(row.epoch, `${field}.epoch`);
  checkNonNegativeInteger(row.batch, `${field}.batch`);
  checkNonNegativeInteger(row.step, `${field}.step`);
  checkNumber(row.loss, `${field}.loss`);
  checkNumber(row.accuracy, `${field}.accuracy`);
  checkNumber(row.samplesPerSecond, `${field}.samplesPerSecond`);
  checkNumber(row.time, `${field}.time`);
  return row as unknown as BatchMetric;
}

export function checkEpochMetric(row: unknown): EpochMetric {
  if (!isPlainObject(row)) throw new StoreError(`epoch metric must be an object (got ${describe(row)})`);
  checkNonNegativeInteger(row.epoch, 'epoch metric.epoch');
  checkNumber(row.loss, 'epoch metric.loss');
  checkNumber(row.accuracy, 'epoch metric.accuracy');
  checkNullableNumber(row.valLoss, 'epoch metric.valLoss');
  checkNullableNumber(row.valAccuracy, 'epoch metric.valAccuracy');
  checkNumber(row.durationMs, 'epoch metric.durationMs');
  checkNumber(row.samplesPerSecond, 'epoch metric.samplesPerSecond');
  checkNumber(row.time, 'epoch metric.time');
  // Optional for callers that predate them (stored as NULL).
  if (row.learningRate !== undefined && row.learningRate !== null)
    checkNonNegativeNumber(row.learningRate, 'epoch metric.learningRate');
  if (row.note !== undefined && row.note !== null) checkText(row.note, 'epoch metric.note');
  return row as unknown as EpochMetric;
}

export function checkNonNegativeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new StoreError(`${field} must be a finite number >= 0 (got ${describe(value)})`);
  }
  return value;
}

export function checkNonEmptyText(value: unknown, field: string): string {
  const text = checkText(value, field);
  if (text.trim() === '') throw new StoreError(`${field} must not be empty`);
  return text;
}

export function checkEvaluation(value: unknown): EvaluationResult {
  if (!isPlainObject(value)) throw new StoreError(`evaluation must be an object (got ${describe(value)})`);
  checkNumber(value.testLoss, 'evaluation.testLoss');
  checkNumber(value.testAccuracy, 'evaluation.testAccuracy');
  if (!Array.isArray(value.confusion) || !value.confusion.every(Array.isArray)) {
    throw new StoreError('evaluation.confusion must be an array of rows (confusion[true][predicted])');
  }
  if (!Array.isArray(value.perClassAccuracy)) throw new StoreError('evaluation.perClassAccuracy must be an array');
  if (!Array.isArray(value.mistakes)) throw new StoreError('evaluation.mistakes must be an array');
  checkNonNegativeInteger(value.count, 'evaluation.count');
  checkNonNegativeNumber(value.durationMs, 'evaluation.durationMs');
  return value as unknown as EvaluationResult;
}
