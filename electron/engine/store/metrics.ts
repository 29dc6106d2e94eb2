// Batch and epoch metric tables, and the run summary columns derived from epoch metrics.
// Functions take the caller's statement cache so hot statements are prepared once per Store.
import type Database from 'better-sqlite3';
import type { BatchMetric, BatchProgress, EpochMetric } from '#shared/types.ts';
import { toBatchMetric, toEpochMetric, type BatchRow, type EpochRow } from './rows.ts';
import { checkBatchMetric, checkEpochMetric, StoreError } from './validate.ts';

export type Prepare = (sql: string) => Database.Statement;

/** How long a batch metric may wait in memory: a process killed mid-epoch loses at most this much of them. */
export const BATCH_FLUSH_INTERVAL_MS = 1000;

/**
 * Buffers a training session's batch metrics and writes them in one transaction per flush (not one commit per
 * batch): when a batch arrives BATCH_FLUSH_INTERVAL_MS or more after the last flush, and at the last batch of
 * every epoch (so validation and the checkpoint write never hold a whole epoch's metrics unwritten).
 */
export class BatchMetricWriter {
  private readonly pending: BatchMetric[] = [];
  private lastFlush: number;

  constructor(
    private readonly write: (rows: BatchMetric[]) => void,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.lastFlush = now();
  }

  add(progress: BatchProgress): void {
    const { epoch, batch, step, loss, accuracy, samplesPerSecond, time } = progress;
    this.pending.push({ epoch, batch, step, loss, accuracy, samplesPerSecond, time });
    if (batch === progress.batchesPerEpoch - 1 || this.now() - this.lastFlush >= BATCH_FLUSH_INTERVAL_MS) this.flush();
  }

  flush(): void {
    this.lastFlush = this.now();
    if (!this.pending.length) return;
    const rows = this.pending.splice(0);
    try {
      this.write(rows);
    } catch (error) {
      this.pending.unshift(...rows); // kept for flushAfterFailure to try once more
      throw error;
    }
  }

  /** For a session that is failing anyway: writes what it can and says what was lost instead of throwing. */
  flushAfterFailure(): string | null {
    const count = this.pending.length;
    try {
      this.flush();
      return null;
    } catch (error) {
      return `its last ${count} batch metric(s) could not be saved: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
}

function isPrimaryKeyViolation(error: unknown): boolean {
  return (error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Validates and inserts every row; the caller wraps this in one transaction so a bad row writes nothing. */
export function insertBatchMetrics(prepare: Prepare, runId: number, rows: readonly BatchMetric[]): void {
  const insert = prepare(
    `INSERT INTO batch_metrics (run_id, step, epoch, batch, loss, accuracy, samples_per_second, time)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  rows.forEach((raw, index) => {
    const row = checkBatchMetric(raw, index);
    try {
      insert.run(runId, row.step, row.epoch, row.batch, row.loss, row.accuracy, row.samplesPerSecond, row.time);
    } catch (error) {
      if (!isPrimaryKeyViolation(error)) throw error;
      throw new StoreError(`batch metrics[${index}]: step ${row.step} of run ${runId} is already recorded`, {
        cause: error,
      });
    }
  });
}

export function insertEpochMetric(prepare: Prepare, runId: number, raw: EpochMetric): void {
  const metric = checkEpochMetric(raw);
  try {
    prepare(
      `INSERT INTO epoch_metrics (run_id, epoch, loss, accuracy, val_loss, val_accuracy, duration_ms, samples_per_second, time, learning_rate, note)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      runId,
      metric.epoch,
      metric.loss,
      metric.accuracy,
      metric.valLoss,
      metric.valAccuracy,
      Math.round(metric.durationMs),
      metric.samplesPerSecond,
      metric.time,
      metric.learningRate ?? null,
      metric.note ?? null,
    );
  } catch (error) {
    if (!isPrimaryKeyViolation(error)) throw error;
    throw new StoreError(`epoch ${metric.epoch} of run ${runId} is already recorded`, { cause: error });
  }
}

/**
 * Recomputes final/best/duration columns from the run's epoch rows. Recomputing (rather than
 * updating incrementally) keeps them right after truncateMetricsAfter; a run has few epochs.
 * Ties for "best" go to the earliest epoch.
 */
export function refreshRunSummary(prepare: Prepare, runId: number): void {
  prepare(
    `UPDATE runs SET
       epochs_completed = (SELECT count(*) FROM epoch_metrics WHERE run_id = :id),
       final_train_loss = (SELECT loss FROM epoch_metrics WHERE run_id = :id ORDER BY epoch DESC LIMIT 1),
       final_train_accuracy = (SELECT accuracy FROM epoch_metrics WHERE run_id = :id ORDER BY epoch DESC LIMIT 1),
       final_val_loss = (SELECT val_loss FROM epoch_metrics WHERE run_id = :id ORDER BY epoch DESC LIMIT 1),
       final_val_accuracy = (SELECT val_accuracy FROM epoch_metrics WHERE run_id = :id ORDER BY epoch DESC LIMIT 1),
       best_val_accuracy = (SELECT max(val_accuracy) FROM epoch_metrics WHERE run_id = :id),
       best_val_accuracy_epoch = (SELECT epoch FROM epoch_metrics WHERE run_id = :id AND val_accuracy IS NOT NULL
                                  ORDER BY val_accuracy DESC, epoch ASC LIMIT 1),
       best_val_loss = (SELECT min(val_loss) FROM epoch_metrics WHERE run_id = :id),
       best_val_loss_epoch = (SELECT epoch FROM epoch_metrics WHERE run_id = :id AND val_loss IS NOT NULL
                              ORDER BY val_loss ASC, epoch ASC LIMIT 1),
       training_duration_ms = (SELECT sum(duration_ms) FROM epoch_metrics WHERE run_id = :id),
       samples_per_second = (SELECT avg(samples_per_second) FROM epoch_metrics WHERE run_id = :id)
     WHERE id = :id`,
  ).run({ id: runId });
}

export interface BatchMetricQuery {
  /** Only steps greater than this (for incremental chart updates). */
  afterStep?: number;
  /** Downsample: keep steps divisible by `every`, plus the last recorded step so a chart reaches the end. */
  every?: number;
}

export function selectBatchMetrics(prepare: Prepare, runId: number, afterStep: number, every: number): BatchMetric[] {
  const columns = 'epoch, batch, step, loss, accuracy, samples_per_second, time';
  const rows =
    every === 1
      ? prepare(`SELECT ${columns} FROM batch_metrics WHERE run_id = ? AND step > ? ORDER BY step`).all(
          runId,
          afterStep,
        )
      : prepare(
          `SELECT ${columns} FROM batch_metrics
           WHERE run_id = :id AND step > :after
             AND (step % :every = 0 OR step = (SELECT max(step) FROM batch_metrics WHERE run_id = :id))
           ORDER BY step`,
        ).all({ id: runId, after: afterStep, every });
  return (rows as BatchRow[]).map(toBatchMetric);
}

export function selectEpochMetrics(prepare: Prepare, runId: number): EpochMetric[] {
  const rows = prepare(
    `SELECT epoch, loss, accuracy, val_loss, val_accuracy, duration_ms, samples_per_second, time, learning_rate, note
     FROM epoch_metrics WHERE run_id = ? ORDER BY epoch`,
  ).all(runId) as EpochRow[];
  return rows.map(toEpochMetric);
}

/** Deletes batch and epoch metrics of epochs >= fromEpoch; the caller refreshes the summary in the same transaction. */
export function deleteMetricsFrom(
  prepare: Prepare,
  runId: number,
  fromEpoch: number,
): { batchRows: number; epochRows: number } {
  const batchRows = prepare('DELETE FROM batch_metrics WHERE run_id = ? AND epoch >= ?').run(runId, fromEpoch).changes;
  const epochRows = prepare('DELETE FROM epoch_metrics WHERE run_id = ? AND epoch >= ?').run(runId, fromEpoch).changes;
  return { batchRows, epochRows };
}
