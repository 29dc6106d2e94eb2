// Checkpoint, evaluation and saved-design tables. Like metrics.ts, these take the Store's
// statement cache; validation of ids happens in the Store before they are called.
import type { EvaluationResult } from '#shared/types.ts';
import type { Prepare } from './metrics.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import type { CheckpointRecord, DesignRecord, StoredEvaluation } from '#shared/records.ts';
import { toDesignRecord, type DesignRow } from './rows.ts';

export function upsertCheckpoint(prepare: Prepare, runId: number, epoch: number, file: string): void {
  prepare(
    `INSERT INTO checkpoints (run_id, epoch, path, created_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (run_id, epoch) DO UPDATE SET path = excluded.path, created_at = excluded.created_at`,
  ).run(runId, epoch, file, Date.now());
}

/** The run's newest checkpoint (its last epoch's weights; where a resume starts). */
export function selectNewestCheckpoint(prepare: Prepare, runId: number): CheckpointRecord | undefined {
  return prepare('SELECT epoch, path FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC LIMIT 1').get(runId) as
    CheckpointRecord | undefined;
}

/** The run's checkpoint after `epoch` finished epochs. */
export function selectCheckpoint(prepare: Prepare, runId: number, epoch: number): CheckpointRecord | undefined {
  return prepare('SELECT epoch, path FROM checkpoints WHERE run_id = ? AND epoch = ?').get(runId, epoch) as
    CheckpointRecord | undefined;
}

/** Every checkpoint recorded for the run, newest first. */
export function selectCheckpoints(prepare: Prepare, runId: number): CheckpointRecord[] {
  return prepare('SELECT epoch, path FROM checkpoints WHERE run_id = ? ORDER BY epoch DESC').all(
    runId,
  ) as CheckpointRecord[];
}

/** Forgets checkpoints saved after `epoch` finished epochs (a resume from `epoch` trains and saves them again). */
export function deleteCheckpointsAfter(prepare: Prepare, runId: number, epoch: number): number {
  return prepare('DELETE FROM checkpoints WHERE run_id = ? AND epoch > ?').run(runId, epoch).changes;
}

export function selectCheckpointPaths(prepare: Prepare, runId: number): string[] {
  return prepare('SELECT path FROM checkpoints WHERE run_id = ? ORDER BY epoch').pluck().all(runId) as string[];
}

/**
 * The checkpoint epoch of a run's default weights, in SQL over `runs`: the one its early stopping kept
 * (weights_epoch), else its last.
 */
export const DEFAULT_WEIGHTS_EPOCH_SQL = `CASE WHEN runs.weights_epoch > 0 THEN runs.weights_epoch
  ELSE coalesce((SELECT max(c.epoch) FROM checkpoints c WHERE c.run_id = runs.id), runs.epochs_completed) END`;

/**
 * Stores the run's evaluation of the weights after `epoch` epochs (replacing one of the same epoch), and refreshes
 * the run's test loss/accuracy; the caller supplies the transaction.
 */
export function replaceEvaluation(prepare: Prepare, runId: number, result: EvaluationResult, epoch: number): void {
  prepare(
    `INSERT OR REPLACE INTO run_evaluations
       (run_id, epoch, test_loss, test_accuracy, confusion_json, per_class_json, mistakes_json, count, duration_ms, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  ).run(
    runId,
    epoch,
    result.testLoss,
    result.testAccuracy,
    JSON.stringify(result.confusion),
    JSON.stringify(result.perClassAccuracy),
    JSON.stringify(result.mistakes),
    result.count,
    Math.round(result.durationMs),
    Date.now(),
  );
  refreshTestColumns(prepare, runId);
}

/** runs.test_loss/test_accuracy: those of the evaluation of the run's default weights (NULL without one). */
export function refreshTestColumns(prepare: Prepare, runId: number): void {
  prepare(
    `UPDATE runs SET
       test_loss = (SELECT test_loss FROM run_evaluations e WHERE e.run_id = runs.id AND e.epoch = ${DEFAULT_WEIGHTS_EPOCH_SQL}),
       test_accuracy = (SELECT test_accuracy FROM run_evaluations e WHERE e.run_id = runs.id AND e.epoch = ${DEFAULT_WEIGHTS_EPOCH_SQL})
     WHERE id = ?`,
  ).run(runId);
}

/** Forgets evaluations of checkpoints after `epoch` (a resume from `epoch` trains them again). */
export function deleteEvaluationsAfter(prepare: Prepare, runId: number, epoch: number): number {
  return prepare('DELETE FROM run_evaluations WHERE run_id = ? AND epoch > ?').run(runId, epoch).changes;
}

interface EvaluationRow {
  epoch: number;
  test_loss: number | null;
  test_accuracy: number | null;
  confusion_json: string;
  per_class_json: string;
  mistakes_json: string;
  count: number;
  duration_ms: number;
  created_at: number;
}

function toStoredEvaluation(row: EvaluationRow): StoredEvaluation {
  return {
    epoch: row.epoch,
    // NULL means the stored value was NaN (SQLite cannot hold NaN).
    testLoss: row.test_loss ?? Number.NaN,
    testAccuracy: row.test_accuracy ?? Number.NaN,
    confusion: JSON.parse(row.confusion_json) as number[][],
    perClassAccuracy: JSON.parse(row.per_class_json) as number[],
    mistakes: JSON.parse(row.mistakes_json) as EvaluationResult['mistakes'],
    count: row.count,
    durationMs: row.duration_ms,
    createdAt: row.created_at,
  };
}

/** The run's evaluation of the weights after `epoch` epochs. */
export function selectEvaluation(prepare: Prepare, runId: number, epoch: number): StoredEvaluation | undefined {
  const row = prepare('SELECT * FROM run_evaluations WHERE run_id = ? AND epoch = ?').get(runId, epoch) as
    EvaluationRow | undefined;
  return row && toStoredEvaluation(row);
}

/** Every evaluation of the run, oldest checkpoint first. */
export function selectEvaluations(prepare: Prepare, runId: number): StoredEvaluation[] {
  return (prepare('SELECT * FROM run_evaluations WHERE run_id = ? ORDER BY epoch').all(runId) as EvaluationRow[]).map(
    toStoredEvaluation,
  );
}

export function upsertDesign(prepare: Prepare, name: string, spec: ModelSpec): void {
  const now = Date.now();
  prepare(
    `INSERT INTO designs (name, spec_json, created_at, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (name) DO UPDATE SET spec_json = excluded.spec_json, updated_at = excluded.updated_at`,
  ).run(name, JSON.stringify(spec), now, now);
}

export function selectDesign(prepare: Prepare, name: string): DesignRecord | undefined {
  const row = prepare('SELECT * FROM designs WHERE name = ?').get(name) as DesignRow | undefined;
  return row && toDesignRecord(row);
}

export function selectDesigns(prepare: Prepare): DesignRecord[] {
  return (prepare('SELECT * FROM designs ORDER BY name COLLATE NOCASE, id').all() as DesignRow[]).map(toDesignRecord);
}

export interface ImportedDatasetRecord {
  id: string;
  name: string;
  dir: string;
  classes: string[];
  createdAt: number;
}

interface DatasetRow {
  id: string;
  name: string;
  dir: string;
  classes_json: string;
  created_at: number;
}

const toDatasetRecord = (row: DatasetRow): ImportedDatasetRecord => ({
  id: row.id,
  name: row.name,
  dir: row.dir,
  classes: JSON.parse(row.classes_json) as string[],
  createdAt: row.created_at,
});

export function upsertDataset(
  prepare: Prepare,
  record: Omit<ImportedDatasetRecord, 'createdAt'>,
): ImportedDatasetRecord {
  prepare(
    `INSERT INTO datasets (id, name, dir, classes_json, created_at) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, classes_json = excluded.classes_json`,
  ).run(record.id, record.name, record.dir, JSON.stringify(record.classes), Date.now());
  return toDatasetRecord(prepare('SELECT * FROM datasets WHERE id = ?').get(record.id) as DatasetRow);
}

export function selectDatasets(prepare: Prepare): ImportedDatasetRecord[] {
  return (prepare('SELECT * FROM datasets ORDER BY name COLLATE NOCASE').all() as DatasetRow[]).map(toDatasetRecord);
}

export function removeDataset(prepare: Prepare, id: string): boolean {
  return prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
}
