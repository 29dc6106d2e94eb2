// The run store: one SQLite file holding runs, their metrics, checkpoints, evaluations and saved
// designs. Synchronous like better-sqlite3; every public method throws only StoreError.
import type Database from 'better-sqlite3';
import type {
  BackendInfo,
  BatchMetric,
  DatasetRef,
  EpochMetric,
  EvaluationResult,
  Hyperparameters,
  RunStatus,
} from '#shared/types.ts';
import {
  deleteCheckpointsAfter,
  deleteEvaluationsAfter,
  refreshTestColumns,
  replaceEvaluation,
  selectCheckpoint,
  selectCheckpointPaths,
  selectCheckpoints,
  selectDesign,
  selectDesigns,
  selectEvaluation,
  selectEvaluations,
  selectNewestCheckpoint,
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
import {
  deleteOwnLease,
  describeHolder,
  isOwnLease,
  LEASE_HEARTBEAT_MS,
  noteLeaseDropped,
  noteLeaseHeld,
  ownerHost,
  renewLease,
  requireFreeToTrain,
  requireNotHeldElsewhere,
  selectLease,
  writeLease,
} from './leases.ts';
import {
  endOpenSessions,
  insertSession,
  interruptRun,
  markSessionEnded,
  markSessionLive,
  recoverInterruptedRuns,
  selectSessions,
} from './sessions.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import type {
  CheckpointRecord,
  DesignRecord,
  FinishStatus,
  RunRecord,
  RunSessionRecord,
  StoredEvaluation,
} from '#shared/records.ts';
import { architectureText, RUN_COLUMNS, toRunRecord, type RunRow } from './rows.ts';
import { SweepTables } from './sweeps.ts';
import * as check from './validate.ts';
import { StoreError } from './validate.ts';
import { bestEpochOf, defaultWeightsOf, type WeightsChoice } from '#shared/weights.ts';

/** Which of a run's checkpoints: its last or best epoch's weights, its default ones, or one epoch's. */
export type CheckpointChoice = WeightsChoice | 'default' | number;

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
  /** What this process is, named to other processes that find a run it trains (e.g. 'layerlab train'). */
  owner?: string;
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
  /** Runs whose lease (leases.ts) this Store took; their heartbeat is renewed every LEASE_HEARTBEAT_MS. */
  private readonly heldLeases = new Set<number>();
  /** Held runs another process took over or interrupted meanwhile, with what happened. */
  private readonly lostLeases = new Map<number, string>();
  private heartbeat: NodeJS.Timeout | null = null;
  private sweepTables: SweepTables | null = null;

  private constructor(
    private readonly db: Database.Database,
    /** The path as given (used in messages). */
    readonly file: string,
    private readonly resolvedFile: string,
    readonly readonly: boolean,
    /** Runs left 'running' by a dead process, marked 'interrupted' when this Store opened. */
    readonly recoveredRuns: number,
    private readonly owner: string,
    /** Whether listing runs recovers abandoned ones first (off for a training thread, see StoreOptions). */
    private readonly recovers: boolean,
  ) {}

  /** Opens (creating folder and file if needed) and migrates the database; ':memory:' is allowed. */
  static open(file: string, options: StoreOptions = {}): Store {
    const readonly = options.readonly ?? false;
    const recovers = options.recoverInterrupted ?? true;
    const opened = openDatabase(file, readonly, options.log ?? console.warn, recovers);
    return new Store(
      opened.db,
      file,
      opened.resolvedFile,
      readonly,
      opened.recoveredRuns,
      options.owner ?? 'Layerlab',
      recovers && !readonly,
    );
  }

  get schemaVersion(): number {
    return SCHEMA_VERSION;
  }

  /** Sweeps, their points and queues, and imported runs (sweeps.ts), on this Store's connection. */
  get sweeps(): SweepTables {
    this.sweepTables ??= new SweepTables({
      db: this.db,
      prepare: this.sql,
      file: this.file,
      resolvedFile: this.resolvedFile,
      owner: this.owner,
      readonly: this.readonly,
    });
    return this.sweepTables;
  }

  close(): void {
    if (!this.db.open) return;
    // Sessions still open stay 'running' in the file; the next open that finds them ownerless recovers them.
    for (const sessionId of this.liveSessions) markSessionEnded(this.resolvedFile, sessionId);
    this.liveSessions.clear();
    // A run it held but never finished is abandoned: an expired heartbeat lets other processes recover it now.
    for (const runId of this.heldLeases) {
      noteLeaseDropped(this.resolvedFile, runId);
      try {
        this.prepare(
          'UPDATE run_leases SET heartbeat_at = 0 WHERE run_id = ? AND owner_host = ? AND owner_pid = ?',
        ).run(runId, ownerHost, process.pid);
      } catch {
        // closing anyway; the heartbeat then expires on its own
      }
    }
    this.heldLeases.clear();
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    // The sweeps whose queue this Store ran are free for another process at once.
    this.sweepTables?.close();
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
      const id = this.db
        .transaction(() => {
          const now = Date.now();
          requireFreeToTrain(this.sql, this.resolvedFile, null, now);
          const result = this.prepare(
            `INSERT INTO runs (name, status, spec_json, architecture, hyperparameters_json, dataset_json, created_at, notes)
           VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`,
          ).run(
            name,
            JSON.stringify(spec),
            architectureText(spec),
            JSON.stringify(hyperparameters),
            JSON.stringify(dataset),
            now,
            notes,
          );
          const runId = Number(result.lastInsertRowid);
          this.replaceTags(runId, tags);
          // The creator owns the queued run until its session ends: if it dies first, recovery interrupts the run.
          writeLease(this.sql, runId, this.owner, now);
          return runId;
        })
        .immediate();
      this.holdLease(id);
      return this.loadRun(id);
    });
  }

  getRun(id: number): RunRecord | undefined {
    return this.read('get run', () => {
      const row = this.prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`).get(check.checkId(id)) as
        RunRow | undefined;
      return row && toRunRecord(row);
    });
  }

  /** Recovers runs abandoned by dead processes first, so no list shows a dead process's run as queued or running. */
  listRuns(filter: RunFilter = {}): RunRecord[] {
    if (this.recovers) {
      try {
        this.recoverInterruptedRuns();
      } catch {
        // A locked database must not hide the list; the next list (or open) recovers them.
      }
    }
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
      this.db
        .transaction(() => {
          const run = this.requireRun(id);
          requireNotHeldElsewhere(this.sql, this.resolvedFile, run.id, Date.now());
          if (run.status === 'running') throw new StoreError(`run ${run.id} is running; stop it before deleting it`);
          const paths = selectCheckpointPaths(this.sql, run.id);
          this.prepare('DELETE FROM runs WHERE id = ?').run(run.id);
          return paths;
        })
        .immediate(),
    );
  }

  // ---- sessions (start / resume / finish) ----------------------------------------------------

  /** Marks the run running and records a session; `fromEpoch` is the first epoch this session trains. */
  startRunSession(runId: number, backend: BackendInfo, fromEpoch: number): RunSessionRecord {
    return this.write('start run session', () => {
      check.checkBackend(backend);
      check.checkNonNegativeInteger(fromEpoch, 'fromEpoch');
      const sessionId = this.db
        .transaction(() => {
          const run = this.requireRun(runId);
          const now = Date.now();
          requireFreeToTrain(this.sql, this.resolvedFile, run.id, now);
          check.checkTransition(run.id, run.status, 'running');
          writeLease(this.sql, run.id, this.owner, now);
          const id = insertSession(this.sql, run.id, backend, fromEpoch, now);
          // started_at keeps the first start; a resume clears the previous ending.
          this.prepare(
            `UPDATE runs SET status = 'running', backend_json = ?, started_at = coalesce(started_at, ?), finished_at = NULL, error = NULL,
             stop_reason = NULL, weights_epoch = NULL
           WHERE id = ?`,
          ).run(JSON.stringify(backend), now, run.id);
          return id;
        })
        .immediate();
      this.liveSessions.add(sessionId);
      markSessionLive(this.resolvedFile, sessionId);
      this.holdLease(runId);
      return selectSessions(this.sql, runId).find((session) => session.id === sessionId) as RunSessionRecord;
    });
  }

  finishRunSession(runId: number, status: FinishStatus, error?: string): RunRecord {
    return this.write('finish run session', () => {
      const finalStatus = check.checkFinishStatus(status);
      const message = error === undefined || error === null ? null : check.checkText(error, 'error');
      const endedSessions = this.db
        .transaction(() => {
          const run = this.requireRun(runId);
          const now = Date.now();
          requireNotHeldElsewhere(this.sql, this.resolvedFile, run.id, now);
          check.checkTransition(run.id, run.status, finalStatus);
          const ended = endOpenSessions(this.sql, run.id, finalStatus, message, now);
          this.prepare('UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE id = ?').run(
            finalStatus,
            now,
            message,
            run.id,
          );
          deleteOwnLease(this.sql, run.id);
          return ended;
        })
        .immediate();
      for (const sessionId of endedSessions) {
        this.liveSessions.delete(sessionId);
        markSessionEnded(this.resolvedFile, sessionId);
      }
      this.dropLease(runId);
      return this.loadRun(runId);
    });
  }

  getRunSessions(runId: number): RunSessionRecord[] {
    return this.read('get run sessions', () => selectSessions(this.sql, this.requireRun(runId).id));
  }

  /** Records on the run's open session something its start had to work around (a checkpoint skipped as unreadable). */
  noteRunSession(runId: number, note: string): void {
    this.write('note run session', () => {
      const text = check.checkText(note, 'note');
      this.prepare('UPDATE run_sessions SET error = ? WHERE run_id = ? AND ended_at IS NULL').run(
        text,
        this.requireRun(runId).id,
      );
    });
  }

  // ---- leases (which live process owns a queued or running run, see leases.ts) ---------------------

  /**
   * Takes the run's lease for this process before training it (startRunSession takes it too), or throws naming
   * the process when another live process trains this run or any other run on the database.
   */
  claimRun(runId: number): void {
    this.write('claim run', () => {
      const id = this.requireRun(runId).id;
      this.db
        .transaction(() => {
          const now = Date.now();
          requireFreeToTrain(this.sql, this.resolvedFile, id, now);
          writeLease(this.sql, id, this.owner, now);
        })
        .immediate();
      this.holdLease(id);
    });
  }

  /** Gives up this process's lease on a run it claimed but will not train after all (a session never started). */
  releaseRun(runId: number): void {
    this.write('release run', () => {
      deleteOwnLease(this.sql, check.checkId(runId));
      this.dropLease(runId);
    });
  }

  /** Marks interrupted every queued or running run no live process owns (also done on open and by listRuns). */
  recoverInterruptedRuns(): number {
    return this.write('recover interrupted runs', () => recoverInterruptedRuns(this.db, this.resolvedFile, Date.now()));
  }

  /**
   * For a process about to exit mid-run: marks every queued or running run this Store holds interrupted (with
   * `message`), so none waits for recovery by another process. Returns their ids.
   */
  interruptHeldRuns(message: string): number[] {
    return this.write('interrupt runs', () => {
      const text = check.checkText(message, 'message');
      const interrupted = this.db
        .transaction(() => {
          const now = Date.now();
          const held = [...this.heldLeases].filter((runId) => {
            const status =
              (this.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as RunStatus | undefined) ??
              null;
            const lease = selectLease(this.sql, runId);
            return (status === 'queued' || status === 'running') && lease !== undefined && isOwnLease(lease);
          });
          for (const runId of held) interruptRun(this.sql, runId, text, now);
          return held;
        })
        .immediate();
      for (const runId of interrupted) this.dropLease(runId);
      return interrupted;
    });
  }

  /** Why this Store lost the lease of a run it was training (another process took it over), or null. */
  leaseLost(runId: number): string | null {
    return this.lostLeases.get(runId) ?? null;
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
      if (!Number.isSafeInteger(afterStep))
        throw new StoreError(`afterStep must be an integer (got ${String(afterStep)})`);
      const every = check.checkPositiveInteger(options.every ?? 1, 'every');
      return selectBatchMetrics(this.sql, id, afterStep, every);
    });
  }

  getEpochMetrics(runId: number): EpochMetric[] {
    return this.read('get epoch metrics', () => selectEpochMetrics(this.sql, this.requireRun(runId).id));
  }

  /**
   * For a resume from a checkpoint at `epoch`: drops batch and epoch metrics of epochs >= epoch (the lost partial
   * work), and the records of checkpoints after it (ones the resume found unreadable; it saves them again).
   */
  truncateMetricsAfter(runId: number, epoch: number): { batchRows: number; epochRows: number } {
    return this.write('truncate metrics', () => {
      const id = this.requireRun(runId).id;
      const fromEpoch = check.checkNonNegativeInteger(epoch, 'epoch');
      return this.db.transaction(() => {
        const deleted = deleteMetricsFrom(this.sql, id, fromEpoch);
        deleteCheckpointsAfter(this.sql, id, fromEpoch);
        deleteEvaluationsAfter(this.sql, id, fromEpoch);
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
        Math.round(durationMs),
        samplesPerSecond,
        id,
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

  /**
   * A checkpoint of the run: 'last' its newest (where a resume starts), 'best' its best epoch's
   * (electron/shared/weights.ts; none without a validation split), 'default' the weights Evaluate, Draw and export
   * use unless asked (early stopping's restored best, else the last), or a number: the one after that many epochs.
   */
  checkpointFor(runId: number, which: CheckpointChoice): CheckpointRecord | undefined {
    return this.read('get checkpoint', () => {
      const id = this.requireRun(runId).id;
      const epoch = this.resolveEpoch(id, which);
      if (epoch === 'newest') return selectNewestCheckpoint(this.sql, id);
      return epoch === null ? undefined : selectCheckpoint(this.sql, id, epoch);
    });
  }

  /** The run's default weights: 'best' when early stopping restored its best epoch, else 'last'. */
  defaultWeights(runId: number): WeightsChoice {
    return this.read('get default weights', () => defaultWeightsOf(this.loadRun(this.requireRun(runId).id)));
  }

  /**
   * Records how a completed session ended: whose weights (`weightsEpoch`, a recorded checkpoint's epoch) the test
   * evaluation used and the run keeps, and why training ended early (null when it ran every epoch).
   */
  setRunOutcome(runId: number, outcome: { weightsEpoch: number; stopReason: string | null }): RunRecord {
    return this.write('set run outcome', () => {
      const id = this.requireRun(runId).id;
      const weightsEpoch = check.checkNonNegativeInteger(outcome?.weightsEpoch, 'weightsEpoch');
      const reason = outcome.stopReason === null ? null : check.checkText(outcome.stopReason, 'stopReason');
      const known = this.prepare('SELECT 1 FROM checkpoints WHERE run_id = ? AND epoch = ?').get(id, weightsEpoch);
      if (weightsEpoch > 0 && !known)
        throw new StoreError(`run ${id} has no epoch ${weightsEpoch} checkpoint to keep as its weights`);
      this.db.transaction(() => {
        this.prepare('UPDATE runs SET stop_reason = ?, weights_epoch = ? WHERE id = ?').run(reason, weightsEpoch, id);
        refreshTestColumns(this.sql, id);
      })();
      return this.loadRun(id);
    });
  }

  /** Every recorded checkpoint of the run, newest first (a resume falls back to older ones). */
  listCheckpoints(runId: number): CheckpointRecord[] {
    return this.read('list checkpoints', () => selectCheckpoints(this.sql, this.requireRun(runId).id));
  }

  /**
   * Stores the run's test evaluation with the weights after `epoch` epochs (default: its default weights'
   * checkpoint), replacing one of that epoch; the run's test loss/accuracy are its default weights' evaluation.
   */
  saveEvaluation(runId: number, result: EvaluationResult, epoch?: number): RunRecord {
    return this.write('save evaluation', () => {
      const id = this.requireRun(runId).id;
      const evaluation = check.checkEvaluation(result);
      const at =
        epoch === undefined
          ? (this.checkpointFor(id, 'default')?.epoch ?? this.loadRun(id).epochsCompleted)
          : check.checkNonNegativeInteger(epoch, 'epoch');
      this.db.transaction(() => replaceEvaluation(this.sql, id, evaluation, at))();
      return this.loadRun(id);
    });
  }

  /** The run's test evaluation with its default weights (or the `which` ones), if it was evaluated with them. */
  getEvaluation(runId: number, which: CheckpointChoice = 'default'): StoredEvaluation | undefined {
    return this.read('get evaluation', () => {
      const id = this.requireRun(runId).id;
      const epoch = this.resolveEpoch(id, which);
      const at =
        epoch === 'newest' ? (selectNewestCheckpoint(this.sql, id)?.epoch ?? this.loadRun(id).epochsCompleted) : epoch;
      return at === null ? undefined : selectEvaluation(this.sql, id, at);
    });
  }

  /** Every test evaluation of the run, oldest checkpoint first. */
  getEvaluations(runId: number): StoredEvaluation[] {
    return this.read('get evaluations', () => selectEvaluations(this.sql, this.requireRun(runId).id));
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
      if (
        !Array.isArray(record.classes) ||
        record.classes.length < 2 ||
        record.classes.some((c) => typeof c !== 'string')
      ) {
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

  private holdLease(runId: number): void {
    this.heldLeases.add(runId);
    this.lostLeases.delete(runId);
    noteLeaseHeld(this.resolvedFile, runId);
    this.heartbeat ??= setInterval(() => this.renewLeases(), LEASE_HEARTBEAT_MS);
    // A heartbeat must not keep a process alive that has nothing else to do.
    this.heartbeat.unref();
  }

  private dropLease(runId: number): void {
    this.heldLeases.delete(runId);
    noteLeaseDropped(this.resolvedFile, runId);
    if (this.heldLeases.size === 0 && this.heartbeat) {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  /** Renews the held leases; a lease found gone or taken is dropped, and remembered as lost if its run was cut short. */
  private renewLeases(): void {
    if (!this.db.open) return;
    const now = Date.now();
    for (const runId of [...this.heldLeases]) {
      try {
        if (renewLease(this.sql, runId, now)) continue;
        const status = this.prepare('SELECT status FROM runs WHERE id = ?').pluck().get(runId) as RunStatus | undefined;
        const taker = selectLease(this.sql, runId);
        if (taker) this.lostLeases.set(runId, `run ${runId} was taken over by ${describeHolder(taker)}`);
        else if (status === 'interrupted')
          this.lostLeases.set(runId, `run ${runId} was marked interrupted while this process trained it`);
        this.dropLease(runId);
      } catch {
        // A busy or failing database: try again at the next beat; the lease lasts LEASE_STALE_MS.
      }
    }
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
    const row = this.prepare('SELECT id, status FROM runs WHERE id = ?').get(runId) as
      { id: number; status: RunStatus } | undefined;
    if (!row) throw new StoreError(`run ${runId} does not exist`);
    return row;
  }

  /** The checkpoint epoch `which` means for the run ('newest': its newest checkpoint's), or null (no best epoch). */
  private resolveEpoch(id: number, which: CheckpointChoice): number | 'newest' | null {
    if (typeof which === 'number') return check.checkNonNegativeInteger(which, 'epoch');
    const run = this.loadRun(id);
    const choice = which === 'default' ? defaultWeightsOf(run) : which;
    if (choice === 'last') return 'newest';
    if (choice === 'best') return bestEpochOf(run)?.epoch ?? null;
    throw new StoreError(`weights must be 'last' or 'best', got ${String(which)}`);
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
