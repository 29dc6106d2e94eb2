// The run store: one SQLite file holding runs, their metrics, checkpoints, evaluations and saved
// designs. Synchronous like better-sqlite3; every public method throws only StoreError.
import type Database from 'better-sqlite3';
import type { BackendInfo, BatchMetric, DatasetRef, EpochMetric, EvaluationResult, Hyperparameters, RunStatus } from '#shared/types.ts';
import {
  replaceEvaluation,
  selectCheckpointPaths,
  selectDesign,
  selectDesigns,
  selectEvaluation,
  selectLatestCheckpoint,
  upsertCheckpoint,
  upsertDesign,
  upsertDataset,
  selectDatasets,
  removeDataset,
  type ImportedDatasetRecord,
} from './artifacts.ts';
import { openDatabase, toStoreError } from './connection.ts';
import { buildListQuery, type RunFilter } from './list.ts';
import {
  deleteMetricsFrom,
  insertBatchMetrics,
  insertEpochMetric,
  refreshRunSummary,
  selectBatchMetrics,
  selectEpochMetrics,
  type BatchMetricQuery,
  type Prepare,
} from './metrics.ts';
import { SCHEMA_VERSION } from './migrations.ts';
import { endOpenSessions, insertSession, markSessionEnded, markSessionLive, selectSessions } from './sessions.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import type { CheckpointRecord, DesignRecord, FinishStatus, RunRecord, RunSessionRecord, StoredEvaluation } from '#shared/records.ts';
import { architectureText, RUN_COLUMNS, toRunRecord, type RunRow } from './rows.ts';
import * as check from './validate.ts';
import { StoreError } from './validate.ts';

export interface StoreOptions {
  readonly?: boolean;
  /** Receives notable events such as recovered runs; defaults to console.warn. */
  log?: (message: string) => void;
  /**
   * Mark runs left 'running' by a dead process interrupted (default true). A second connection inside a live
   * process (the engine's training thread) passes false: the live-session registry is per thread, so it would
   * take its own process's other sessions for ownerless ones.
   */
  recoverInterrupted?: boolean;
}

export interface NewRun {
  name: string;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: DatasetRef;
  tags?: string[];
  notes?: string;
}

export class Store {
  private readonly statements = new Map<string, Database.Statement>();
  /** Sessions this Store started and has not finished; recovery elsewhere treats them as alive. */
  private readonly liveSessions = new Set<number>();
  /** The statement cache as a function, for the table helpers in metrics.ts and artifacts.ts. */
  private readonly sql: Prepare = (text) => this.prepare(text);

  private constructor(
    private readonly db: Database.Database,
    /** The path as given (used in messages). */
    readonly file: string,
    private readonly resolvedFile: string,
    readonly readonly: boolean,
    /** Runs left 'running' by a dead process, marked 'interrupted' when this Store opened. */
    readonly recoveredRuns: number,
  ) {}

  /** Opens (creating folder and file if needed) and migrates the database; ':memory:' is allowed. */
  static open(file: string, options: StoreOptions = {}): Store {
    const readonly = options.readonly ?? false;
    const opened = openDatabase(file, readonly, options.log ?? console.warn, options.recoverInterrupted ?? true);
    return new Store(opened.db, file, opened.resolvedFile, readonly, opened.recoveredRuns);
  }

  get schemaVersion(): number {
    return SCHEMA_VERSION;
  }

  close(): void {
    if (!this.db.open) return;
    // Sessions still open stay 'running' in the file; the next open that finds them ownerless recovers them.
    for (const sessionId of this.liveSessions) markSessionEnded(this.resolvedFile, sessionId);
    this.liveSessions.clear();
    this.statements.clear();
    this.db.close();
  }

  // ---- runs -------------------------------------------------------------------------------

  createRun(input: NewRun): RunRecord {
    return this.write('create run', () => {
      if (typeof input !== 'object' || input === null) throw new StoreError('run must be an object');
      const name = check.checkName(input.name, 'run name');
      const spec = check.checkSpec(input.spec);
      const hyperparameters = check.checkHyperparameters(input.hyperparameters);
      const dataset = check.checkDataset(input.dataset);
      const tags = check.checkTags(input.tags ?? []);
      const notes = check.checkNotes(input.notes ?? '');
      const id = this.db.transaction(() => {
        const result = this.prepare(
          `INSERT INTO runs (name, status, spec_json, architecture, hyperparameters_json, dataset_json, created_at, notes)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`,
        ).run(name, JSON.stringify(spec), architectureText(spec), JSON.stringify(hyperparameters), JSON.stringify(dataset), Date.now(), notes);
        const runId = Number(result.lastInsertRowid);
        this.replaceTags(runId, tags);
        return runId;
      })();
      return this.loadRun(id);
    });
  }

  getRun(id: number): RunRecord | undefined {
    return this.read('get run', () => {
      const row = this.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(check.checkId(id)) as RunRow | undefined;
      return row && toRunRecord(row);
    });
  }

  listRuns(filter: RunFilter = {}): RunRecord[] {
    return this.read('list runs', () => {
      const { sql, params } = buildListQuery(filter);
      // Not cached: the SQL varies with the filter, and a list is not a hot path.
      return (this.db.prepare(sql).all(...params) as RunRow[]).map(toRunRecord);
    });
  }

  renameRun(id: number, name: string): RunRecord {
    return this.write('rename run', () => {
      const runId = this.requireRun(id).id;
      this.prepare('UPDATE runs SET name = ? WHERE id = ?').run(check.checkName(name, 'run name'), runId);
      return this.loadRun(runId);
    });
  }

  setNotes(id: number, notes: string): RunRecord {
    return this.write('set notes', () => {
      const runId = this.requireRun(id).id;
      this.prepare('UPDATE runs SET notes = ? WHERE id = ?').run(check.checkNotes(notes), runId);
      return this.loadRun(runId);
    });
  }

  setTags(id: number, tags: string[]): RunRecord {
    return this.write('set tags', () => {
      const runId = this.requireRun(id).id;
      const clean = check.checkTags(tags);
      this.db.transaction(() => this.replaceTags(runId, clean))();
      return this.loadRun(runId);
    });
  }

  /** Deletes the run and everything recorded for it; returns its checkpoint paths so the caller can delete the files. */
  deleteRun(id: number): string[] {
    return this.write('delete run', () =>
      this.db.transaction(() => {
        const run = this.requireRun(id);
        if (run.status === 'running') throw new StoreError(`run ${run.id} is running; stop it before deleting it`);
        const paths = selectCheckpointPaths(this.sql, run.id);
        this.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
        return paths;
      }).immediate(),
    );
  }

  // ---- sessions (start / resume / finish) ----------------------------------------------------

  /** Marks the run running and records a session; `fromEpoch` is the first epoch this session trains. */
  startRunSession(runId: number, backend: BackendInfo, fromEpoch: number): RunSessionRecord {
    return this.write('start run session', () => {
      check.checkBackend(backend);
      check.checkNonNegativeInteger(fromEpoch, 'fromEpoch');
      const sessionId = this.db.transaction(() => {
        const run = this.requireRun(runId);
        check.checkTransition(run.id, run.status, 'running');
        const now = Date.now();
        const id = insertSession(this.sql, run.id, backend, fromEpoch, now);
        // started_at keeps the first start; a resume clears the previous ending.
        this.prepare(
          `UPDATE runs SET status = 'running', backend_json = ?, started_at = coalesce(started_at, ?), finished_at = NULL, error = NULL
           WHERE id = ?`,
        ).run(JSON.stringify(backend), now, run.id);
        return id;
      }).immediate();
      this.liveSessions.add(sessionId);
      markSessionLive(this.resolvedFile, sessionId);
      return selectSessions(this.sql, runId).find((session) => session.id === sessionId) as RunSessionRecord;
    });
  }

  finishRunSession(runId: number, status: FinishStatus, error?: string): RunRecord {
    return this.write('finish run session', () => {
      const finalStatus = check.checkFinishStatus(status);
      const message = error === undefined || error === null ? null : check.checkText(error, 'error');
      const endedSessions = this.db.transaction(() => {
        const run = this.requireRun(runId);
        check.checkTransition(run.id, run.status, finalStatus);
        const now = Date.now();
        const ended = endOpenSessions(this.sql, run.id, finalStatus, message, now);
        this.prepare('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?').run(finalStatus, now, message, run.id);
        return ended;
      }).immediate();
      for (const sessionId of endedSessions) {
        this.liveSessions.delete(sessionId);
        markSessionEnded(this.resolvedFile, sessionId);
      }
      return this.loadRun(runId);
    });
  }

  getRunSessions(runId: number): RunSessionRecord[] {
    return this.read('get run sessions', () => selectSessions(this.sql, this.requireRun(runId).id));
  }

  // ---- metrics -------------------------------------------------------------------------------

  /** All rows in one transaction with one prepared statement: a bad row leaves none written. */
  appendBatchMetrics(runId: number, rows: BatchMetric[]): void {
    this.write('append batch metrics', () => {
      if (!Array.isArray(rows)) throw new StoreError('batch metrics must be an array');
      const id = this.requireRun(runId).id;
      if (rows.length === 0) return;
      this.db.transaction(() => insertBatchMetrics(this.sql, id, rows))();
    });
  }

  /** Inserts the epoch row and updates the run's final/best/duration columns in the same transaction. */
  appendEpochMetric(runId: number, metric: EpochMetric): RunRecord {
    return this.write('append epoch metric', () => {
      const id = this.requireRun(runId).id;
      this.db.transaction(() => {
        insertEpochMetric(this.sql, id, metric);
        refreshRunSummary(this.sql, id);
      })();
      return this.loadRun(id);
    });
  }

  getBatchMetrics(runId: number, options: BatchMetricQuery = {}): BatchMetric[] {
    return this.read('get batch metrics', () => {
      const id = this.requireRun(runId).id;
      const afterStep = options.afterStep ?? -1;
      if (!Number.isSafeInteger(afterStep)) throw new StoreError(`afterStep must be an integer (got ${String(afterStep)})`);
      const every = check.checkPositiveInteger(options.every ?? 1, 'every');
      return selectBatchMetrics(this.sql, id, afterStep, every);
    });
  }

  getEpochMetrics(runId: number): EpochMetric[] {
    return this.read('get epoch metrics', () => selectEpochMetrics(this.sql, this.requireRun(runId).id));
  }

  /** For a resume from a checkpoint at `epoch`: drops batch and epoch metrics of epochs >= epoch (the lost partial work). */
  truncateMetricsAfter(runId: number, epoch: number): { batchRows: number; epochRows: number } {
    return this.write('truncate metrics', () => {
      const id = this.requireRun(runId).id;
      const fromEpoch = check.checkNonNegativeInteger(epoch, 'epoch');
      return this.db.transaction(() => {
        const deleted = deleteMetricsFrom(this.sql, id, fromEpoch);
        refreshRunSummary(this.sql, id);
        return deleted;
      })();
    });
  }

  /** Overrides the epoch-derived totals with the trainer's own measurement at the end of a run. */
  setFinalTrainingStats(runId: number, stats: { durationMs: number; samplesPerSecond: number }): RunRecord {
    return this.write('set final training stats', () => {
      const id = this.requireRun(runId).id;
      const durationMs = check.checkNonNegativeNumber(stats?.durationMs, 'durationMs');
      const samplesPerSecond = check.checkNonNegativeNumber(stats?.samplesPerSecond, 'samplesPerSecond');
      this.prepare('UPDATE runs SET training_duration_ms = ?, samples_per_second = ? WHERE id = ?').run(
        Math.round(durationMs), samplesPerSecond, id,
      );
      return this.loadRun(id);
    });
  }

  // ---- checkpoints and evaluation -------------------------------------------------------------

  /** `epoch` is the number of completed epochs, i.e. where a resume starts. Re-recording an epoch replaces its path. */
  recordCheckpoint(runId: number, checkpoint: CheckpointRecord): void {
    this.write('record checkpoint', () => {
      const id = this.requireRun(runId).id;
      const epoch = check.checkNonNegativeInteger(checkpoint?.epoch, 'checkpoint.epoch');
      upsertCheckpoint(this.sql, id, epoch, check.checkNonEmptyText(checkpoint.path, 'checkpoint.path'));
    });
  }

  latestCheckpoint(runId: number): CheckpointRecord | undefined {
    return this.read('get latest checkpoint', () => selectLatestCheckpoint(this.sql, this.requireRun(runId).id));
  }

  /** Replaces the run's evaluation (confusion, per-class, mistakes as JSON) and sets its test loss/accuracy. */
  saveEvaluation(runId: number, result: EvaluationResult): RunRecord {
    return this.write('save evaluation', () => {
      const id = this.requireRun(runId).id;
      const evaluation = check.checkEvaluation(result);
      this.db.transaction(() => replaceEvaluation(this.sql, id, evaluation))();
      return this.loadRun(id);
    });
  }

  getEvaluation(runId: number): StoredEvaluation | undefined {
    return this.read('get evaluation', () => selectEvaluation(this.sql, this.requireRun(runId).id));
  }

  // ---- saved designs --------------------------------------------------------------------------

  /** Creates or replaces the design with this name (exact name after trimming); keeps id and createdAt. */
  saveDesign(name: string, spec: ModelSpec): DesignRecord {
    return this.write('save design', () => {
      const designName = check.checkName(name, 'design name');
      upsertDesign(this.sql, designName, check.checkSpec(spec));
      return selectDesign(this.sql, designName) as DesignRecord;
    });
  }

  listDesigns(): DesignRecord[] {
    return this.read('list designs', () => selectDesigns(this.sql));
  }

  getDesign(name: string): DesignRecord | undefined {
    return this.read('get design', () => selectDesign(this.sql, check.checkName(name, 'design name')));
  }

  /** Returns false when no design had that name. */
  deleteDesign(name: string): boolean {
    return this.write('delete design', () => {
      const designName = check.checkName(name, 'design name');
      return this.prepare('DELETE FROM designs WHERE name = ?').run(designName).changes > 0;
    });
  }

  // ---- internals ------------------------------------------------------------------------------

  /** Statement cache: each SQL text is prepared once per connection. */
  /** Imported IDX datasets (folders of IDX files the user added), so the app offers them again. */
  saveDataset(record: { id: string; name: string; dir: string; classes: string[] }): ImportedDatasetRecord {
    return this.write('save dataset', () => {
      const name = check.checkName(record.name, 'dataset name');
      if (!record.id || !record.dir) throw new StoreError('dataset id and dir must be non-empty');
      if (!Array.isArray(record.classes) || record.classes.length < 2 || record.classes.some((c) => typeof c !== 'string')) {
        throw new StoreError('dataset classes must be a list of at least 2 names');
      }
      return upsertDataset(this.sql, { ...record, name });
    });
  }

  listDatasets(): ImportedDatasetRecord[] {
    return this.read('list datasets', () => selectDatasets(this.sql));
  }

  deleteDataset(id: string): boolean {
    return this.write('delete dataset', () => removeDataset(this.sql, id));
  }

  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  private read<T>(action: string, body: () => T): T {
    if (!this.db.open) throw new StoreError(`cannot ${action}: the store for ${this.file} is closed`);
    try {
      return body();
    } catch (error) {
      throw toStoreError(error, action, this.file);
    }
  }

  private write<T>(action: string, body: () => T): T {
    if (this.readonly) throw new StoreError(`cannot ${action}: database ${this.file} was opened read-only`);
    return this.read(action, body);
  }

  private requireRun(id: number): { id: number; status: RunStatus } {
    const runId = check.checkId(id);
    const row = this.prepare('SELECT id, status FROM runs WHERE id = ?').get(runId) as { id: number; status: RunStatus } | undefined;
    if (!row) throw new StoreError(`run ${runId} does not exist`);
    return row;
  }

  private loadRun(id: number): RunRecord {
    const row = this.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(id) as RunRow | undefined;
    if (!row) throw new StoreError(`run ${id} does not exist`);
    return toRunRecord(row);
  }

  private replaceTags(runId: number, tags: readonly string[]): void {
    this.prepare('DELETE FROM run_tags WHERE run_id = ?').run(runId);
    const insert = this.prepare('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)');
    for (const tag of tags) insert.run(runId, tag);
  }
}
