// The conversion from snake_case SQLite rows to the store's records (electron/shared/records.ts).
import type { ModelSpec } from '#shared/model/spec.ts';
import type {
  DesignRecord,
  FinishStatus,
  RunLeaseHolder,
  RunRecord,
  RunSessionRecord,
  TestScore,
} from '#shared/records.ts';
import type { BackendInfo, BatchMetric, DatasetRef, EpochMetric, Hyperparameters, RunStatus } from '#shared/types.ts';
import { ADDED_HYPERPARAMETERS_OFF } from '#shared/hyperparameters.ts';

export interface RunRow {
  id: number;
  name: string;
  status: RunStatus;
  spec_json: string;
  hyperparameters_json: string;
  dataset_json: string;
  backend_json: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  error: string | null;
  notes: string;
  tags_json: string;
  final_train_loss: number | null;
  final_train_accuracy: number | null;
  final_val_loss: number | null;
  final_val_accuracy: number | null;
  test_loss: number | null;
  test_accuracy: number | null;
  best_val_accuracy: number | null;
  best_val_accuracy_epoch: number | null;
  best_val_loss: number | null;
  best_val_loss_epoch: number | null;
  training_duration_ms: number | null;
  samples_per_second: number | null;
  epochs_completed: number;
  stop_reason: string | null;
  weights_epoch: number | null;
  lease_json: string | null;
  test_evaluations_json: string;
}

/** Columns for RunRow; tags come along as a JSON array so a list needs one query, not one per run. */
export const RUN_COLUMNS = `runs.*,
  (SELECT json_group_array(tag) FROM (SELECT tag FROM run_tags WHERE run_tags.run_id = runs.id ORDER BY tag COLLATE NOCASE)) AS tags_json,
  (SELECT json_object('pid', owner_pid, 'host', owner_host, 'label', owner_label, 'since', acquired_at, 'heartbeatAt', heartbeat_at)
   FROM run_leases WHERE run_leases.run_id = runs.id) AS lease_json,
  (SELECT json_group_array(json_object('epoch', epoch, 'testLoss', test_loss, 'testAccuracy', test_accuracy))
   FROM (SELECT * FROM run_evaluations WHERE run_evaluations.run_id = runs.id ORDER BY epoch)) AS test_evaluations_json`;

export function toRunRecord(row: RunRow): RunRecord {
  const backend = row.backend_json === null ? null : (JSON.parse(row.backend_json) as BackendInfo);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    spec: JSON.parse(row.spec_json) as ModelSpec,
    // Runs recorded before augmentation, early stopping and schedules existed trained without them.
    hyperparameters: { ...ADDED_HYPERPARAMETERS_OFF, ...(JSON.parse(row.hyperparameters_json) as Hyperparameters) },
    dataset: JSON.parse(row.dataset_json) as DatasetRef,
    backend,
    // Runs recorded before the graph trainer existed all trained eagerly.
    trainer: backend ? (backend.trainer ?? 'eager') : null,
    createdAt: row.created_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    notes: row.notes,
    tags: JSON.parse(row.tags_json) as string[],
    finalTrainLoss: row.final_train_loss,
    finalTrainAccuracy: row.final_train_accuracy,
    finalValLoss: row.final_val_loss,
    finalValAccuracy: row.final_val_accuracy,
    testLoss: row.test_loss,
    testAccuracy: row.test_accuracy,
    bestValAccuracy: row.best_val_accuracy,
    bestValAccuracyEpoch: row.best_val_accuracy_epoch,
    bestValLoss: row.best_val_loss,
    bestValLossEpoch: row.best_val_loss_epoch,
    trainingDurationMs: row.training_duration_ms,
    samplesPerSecond: row.samples_per_second,
    epochsCompleted: row.epochs_completed,
    stopReason: row.stop_reason,
    weightsEpoch: row.weights_epoch,
    testEvaluations: JSON.parse(row.test_evaluations_json) as TestScore[],
    heldBy: row.lease_json === null ? null : (JSON.parse(row.lease_json) as RunLeaseHolder),
  };
}

export interface SessionRow {
  id: number;
  run_id: number;
  started_at: number;
  ended_at: number | null;
  backend_json: string;
  from_epoch: number;
  end_status: FinishStatus | null;
  error: string | null;
}

export function toSessionRecord(row: SessionRow): RunSessionRecord {
  return {
    id: row.id,
    runId: row.run_id,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    backend: JSON.parse(row.backend_json) as BackendInfo,
    fromEpoch: row.from_epoch,
    endStatus: row.end_status,
    error: row.error,
  };
}

// SQLite stores NaN as NULL; a diverged run's NaN loss must come back as NaN, not null.
const nanIfNull = (value: number | null): number => (value === null ? Number.NaN : value);

export interface BatchRow {
  epoch: number;
  batch: number;
  step: number;
  loss: number | null;
  accuracy: number | null;
  samples_per_second: number | null;
  time: number;
}

export function toBatchMetric(row: BatchRow): BatchMetric {
  return {
    epoch: row.epoch,
    batch: row.batch,
    step: row.step,
    loss: nanIfNull(row.loss),
    accuracy: nanIfNull(row.accuracy),
    samplesPerSecond: nanIfNull(row.samples_per_second),
    time: row.time,
  };
}

export interface EpochRow {
  epoch: number;
  loss: number | null;
  accuracy: number | null;
  val_loss: number | null;
  val_accuracy: number | null;
  duration_ms: number;
  samples_per_second: number | null;
  time: number;
  learning_rate: number | null;
  note: string | null;
}

export function toEpochMetric(row: EpochRow): EpochMetric {
  return {
    epoch: row.epoch,
    loss: nanIfNull(row.loss),
    accuracy: nanIfNull(row.accuracy),
    // null here means "no validation set"; a NaN validation loss is indistinguishable after storage.
    valLoss: row.val_loss,
    valAccuracy: row.val_accuracy,
    durationMs: row.duration_ms,
    samplesPerSecond: nanIfNull(row.samples_per_second),
    time: row.time,
    learningRate: row.learning_rate,
    note: row.note,
  };
}

export interface DesignRow {
  id: number;
  name: string;
  spec_json: string;
  created_at: number;
  updated_at: number;
}

export function toDesignRecord(row: DesignRow): DesignRecord {
  return {
    id: row.id,
    name: row.name,
    spec: JSON.parse(row.spec_json) as ModelSpec,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * Searchable summary of an architecture: the spec name plus every string field of every layer
 * (layer type, activation, padding…), so a search for "conv2d" or "relu" finds runs using them.
 */
export function architectureText(spec: ModelSpec): string {
  const words = [spec.name];
  for (const layer of spec.layers) {
    for (const value of Object.values(layer)) if (typeof value === 'string') words.push(value);
  }
  return words.join(' ');
}
