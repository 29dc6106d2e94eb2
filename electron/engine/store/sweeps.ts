// Sweeps in the run store: a sweep's definition and queue state (sweeps), its points and their runs (sweep_points),
// and runs imported from other databases (run_imports). A sweep's runs are ordinary runs, created 'queued' with
// their point's spec and hyperparameters and no lease: they wait in the sweep's queue, so recovery leaves them
// queued (sessions.ts). The process running a sweep's queue holds the sweep's own lease (owner_* and a heartbeat,
// like run_leases), so two processes never run one queue, and training outside the sweep is refused elsewhere
// while it runs (leases.ts requireFreeToTrain).
import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import type { RunLeaseHolder } from '#shared/records.ts';
import type {
  SweepDefinition,
  SweepDetail,
  SweepPoint,
  SweepPointStatus,
  SweepPointValues,
  SweepRecord,
  SweepStatus,
} from '#shared/sweeps.ts';
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
import { replaceEvaluation, selectCheckpointPaths, upsertCheckpoint } from './artifacts.ts';
import { toStoreError } from './connection.ts';
import {
  describeHolder,
  isOwnLease,
  leaseIsLive,
  ownerHost,
  selectLease,
  sweepDriverIsLive,
  TrainingBusyError,
} from './leases.ts';
import { insertBatchMetrics, insertEpochMetric, refreshRunSummary, type Prepare } from './metrics.ts';
import { architectureText, RUN_COLUMNS, toRunRecord, type RunRow } from './rows.ts';
import * as check from './validate.ts';
import { StoreError } from './validate.ts';

export interface NewSweepPoint {
  values: SweepPointValues;
  /** The point's run: its name, and the base spec and hyperparameters with the point's values set. */
  name: string;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
}

export interface NewSweep {
  name: string;
  definition: SweepDefinition;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: DatasetRef;
  backend: string;
  status: 'running' | 'paused';
  points: NewSweepPoint[];
}

/** A run from another database's export, with everything layerlab export wrote about it. */
export interface ImportedRun {
  name: string;
  status: Exclude<RunStatus, 'queued' | 'running'>;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: DatasetRef;
  backend: BackendInfo | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  notes: string;
  tags: string[];
  epochs: EpochMetric[];
  batches: BatchMetric[];
  evaluation: EvaluationResult | null;
  trainingDurationMs: number | null;
  samplesPerSecond: number | null;
  source: { key: string; dir: string; runId: number; exportedEpoch: number };
}

interface SweepRow {
  id: number;
  uid: string;
  name: string;
  status: SweepStatus;
  mode: 'grid' | 'random';
  definition_json: string;
  spec_json: string;
  hyperparameters_json: string;
  dataset_json: string;
  backend: string;
  created_at: number;
  finished_at: number | null;
  error: string | null;
  pause_mode: 'now' | 'after-run' | null;
  owner_host: string | null;
  owner_pid: number | null;
  owner_label: string | null;
  acquired_at: number | null;
  heartbeat_at: number | null;
}

interface PointRow {
  sweep_id: number;
  point: number;
  values_json: string;
  run_id: number | null;
  state: 'active' | 'removed' | 'cancelled';
  created_at: number;
  run_status: RunStatus | null;
  test_accuracy: number | null;
  imported: number | null;
}

const POINT_QUERY = `SELECT sweep_points.*, runs.status AS run_status, runs.test_accuracy AS test_accuracy,
    (SELECT 1 FROM run_imports WHERE run_imports.run_id = sweep_points.run_id) AS imported
  FROM sweep_points LEFT JOIN runs ON runs.id = sweep_points.run_id`;

function pointStatus(row: PointRow): SweepPointStatus {
  if (row.state !== 'active') return row.state;
  return row.run_status ?? 'deleted';
}

export interface SweepTablesContext {
  db: Database.Database;
  prepare: Prepare;
  /** The path as given (messages) and resolved (the identity of the database in this process). */
  file: string;
  resolvedFile: string;
  /** What this process is, named to others that find a sweep it runs. */
  owner: string;
  readonly: boolean;
}

export class SweepTables {
  /** Sweeps whose queue this connection runs (their lease is renewed by renew()). */
  private readonly held = new Set<number>();

  constructor(private readonly ctx: SweepTablesContext) {}

  // ---- sweeps -------------------------------------------------------------------------------

  /** Records the sweep, its points and their queued runs in one transaction; returns its id. */
  create(input: NewSweep): number {
    return this.write('create sweep', () => {
      const name = check.checkName(input.name, 'sweep name');
      const spec = check.checkSpec(input.spec);
      const hyperparameters = check.checkHyperparameters(input.hyperparameters);
      const dataset = check.checkDataset(input.dataset);
      return this.ctx.db
        .transaction(() => {
          const now = Date.now();
          const id = Number(
            this.ctx
              .prepare(
                `INSERT INTO sweeps (uid, name, status, mode, definition_json, spec_json, hyperparameters_json, dataset_json,
                   backend, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
              )
              .run(
                crypto.randomUUID(),
                name,
                input.status,
                input.definition.mode,
                JSON.stringify(input.definition),
                JSON.stringify(spec),
                JSON.stringify(hyperparameters),
                JSON.stringify(dataset),
                input.backend,
                now,
              ).lastInsertRowid,
          );
          this.insertPoints(id, name, dataset, input.points, 0, now);
          return id;
        })
        .immediate();
    });
  }

  list(): SweepRecord[] {
    return this.read('list sweeps', () =>
      (this.ctx.prepare('SELECT * FROM sweeps ORDER BY id DESC').all() as SweepRow[]).map((row) => this.toRecord(row)),
    );
  }

  get(id: number): SweepRecord | undefined {
    return this.read('get sweep', () => {
      const row = this.row(check.checkId(id, 'sweep id'));
      return row && this.toRecord(row);
    });
  }

  /** The sweep, or a StoreError naming it. */
  require(id: number): SweepRecord {
    const sweep = this.get(id);
    if (!sweep) throw new StoreError(`sweep ${id} does not exist`);
    return sweep;
  }

  findByUid(uid: string): SweepRecord | undefined {
    return this.read('find sweep', () => {
      const row = this.ctx.prepare('SELECT * FROM sweeps WHERE uid = ?').get(uid) as SweepRow | undefined;
      return row && this.toRecord(row);
    });
  }

  /** The sweep with its points and their runs. */
  detail(id: number): SweepDetail {
    return this.read('get sweep', () => {
      const sweep = this.require(id);
      const rows = this.pointRows(sweep.id);
      const runs = new Map(
        (
          this.ctx
            .prepare(`SELECT ${RUN_COLUMNS} FROM runs WHERE id IN (SELECT run_id FROM sweep_points WHERE sweep_id = ?)`)
            .all(sweep.id) as RunRow[]
        ).map((row) => [row.id, toRunRecord(row)]),
      );
      const points: SweepPoint[] = rows.map((row) => ({
        point: row.point,
        values: JSON.parse(row.values_json) as SweepPointValues,
        status: pointStatus(row),
        runId: row.run_id,
        run: (row.run_id !== null && runs.get(row.run_id)) || null,
        imported: row.imported === 1,
        createdAt: row.created_at,
      }));
      return { sweep, points };
    });
  }

  /** The sweep and point a run belongs to. */
  pointOfRun(runId: number): { sweepId: number; point: number } | undefined {
    return this.read('find sweep of run', () => {
      const row = this.ctx
        .prepare('SELECT sweep_id, point FROM sweep_points WHERE run_id = ?')
        .get(check.checkId(runId)) as { sweep_id: number; point: number } | undefined;
      return row && { sweepId: row.sweep_id, point: row.point };
    });
  }

  /**
   * The run the queue trains next: one already running (trained elsewhere: the queue waits), else one cut short
   * (interrupted or stopped: resumed from its checkpoint, or started again without one), else the first queued.
   * Failed and completed runs are not trained again. Null when nothing is left.
   */
  nextRun(id: number): { runId: number; point: number; status: RunStatus } | null {
    return this.read('find next run', () => {
      const row = this.ctx
        .prepare(
          `SELECT sweep_points.run_id AS run_id, sweep_points.point AS point, runs.status AS status
           FROM sweep_points JOIN runs ON runs.id = sweep_points.run_id
           WHERE sweep_points.sweep_id = ? AND sweep_points.state = 'active'
             AND runs.status IN ('running', 'interrupted', 'stopped', 'queued')
           ORDER BY CASE runs.status WHEN 'running' THEN 0 WHEN 'queued' THEN 2 ELSE 1 END, sweep_points.point
           LIMIT 1`,
        )
        .get(check.checkId(id, 'sweep id')) as { run_id: number; point: number; status: RunStatus } | undefined;
      return row ? { runId: row.run_id, point: row.point, status: row.status } : null;
    });
  }

  /** Pauses a running (or already paused) sweep; `mode` says whether its current run finishes first. */
  pause(id: number, mode: 'now' | 'after-run', error: string | null = null): SweepRecord {
    return this.write('pause sweep', () => {
      const sweep = this.require(id);
      if (sweep.status !== 'running' && sweep.status !== 'paused')
        throw new StoreError(`sweep ${id} is ${sweep.status}; only a running sweep can be paused`);
      this.ctx
        .prepare("UPDATE sweeps SET status = 'paused', pause_mode = ?, error = coalesce(?, error) WHERE id = ?")
        .run(mode, error, id);
      return this.require(id);
    });
  }

  /** Marks a paused (or running) sweep running again; its queue is run by whoever claims it. */
  resume(id: number): SweepRecord {
    return this.write('resume sweep', () => {
      const sweep = this.require(id);
      if (sweep.status === 'cancelled')
        throw new StoreError(`sweep ${id} is cancelled; a cancelled sweep cannot be resumed`);
      if (sweep.status === 'completed')
        throw new StoreError(`sweep ${id} is completed: every point has trained; add runs to it to train more`);
      this.ctx
        .prepare(
          "UPDATE sweeps SET status = 'running', pause_mode = NULL, error = NULL, finished_at = NULL WHERE id = ?",
        )
        .run(id);
      return this.require(id);
    });
  }

  complete(id: number): SweepRecord {
    return this.write('complete sweep', () => {
      this.ctx
        .prepare(
          "UPDATE sweeps SET status = 'completed', finished_at = ?, pause_mode = NULL WHERE id = ? AND status = 'running'",
        )
        .run(Date.now(), check.checkId(id, 'sweep id'));
      return this.require(id);
    });
  }

  /**
   * Cancels the sweep: its queued runs are deleted (they never trained, so nothing is lost) and their points kept
   * as cancelled; runs that trained stay as they are. A queued run another process is starting right now is left
   * (it ends stopped: that process sees the sweep cancelled). Returns the deleted runs.
   */
  cancel(id: number): number[] {
    return this.write('cancel sweep', () =>
      this.ctx.db
        .transaction(() => {
          const sweep = this.require(id);
          if (sweep.status === 'cancelled') return [];
          if (sweep.status === 'completed')
            throw new StoreError(`sweep ${id} is completed; there is nothing left to cancel`);
          const now = Date.now();
          const deleted: number[] = [];
          for (const row of this.pointRows(id)) {
            if (row.state !== 'active' || row.run_status !== 'queued' || row.run_id === null) continue;
            const lease = selectLease(this.ctx.prepare, row.run_id);
            if (lease && leaseIsLive(this.ctx.resolvedFile, lease, now)) continue;
            this.ctx.prepare('DELETE FROM runs WHERE id = ?').run(row.run_id);
            this.ctx
              .prepare("UPDATE sweep_points SET state = 'cancelled', run_id = NULL WHERE sweep_id = ? AND point = ?")
              .run(id, row.point);
            deleted.push(row.run_id);
          }
          this.ctx
            .prepare("UPDATE sweeps SET status = 'cancelled', finished_at = ?, pause_mode = NULL WHERE id = ?")
            .run(now, id);
          return deleted;
        })
        .immediate(),
    );
  }

  /**
   * Deletes a sweep that is not running, with its points and its queued runs (they never trained). Its other runs
   * stay as ordinary runs (tagged sweep-N) unless `withRuns`: then every one is deleted too. Returns the deleted runs with
   * their checkpoint folders, for the caller to remove.
   */
  delete(id: number, withRuns: boolean): { runId: number; checkpoints: string[] }[] {
    return this.write('delete sweep', () =>
      this.ctx.db
        .transaction(() => {
          const sweep = this.require(id);
          if (sweep.status === 'running')
            throw new StoreError(`sweep ${id} is running; pause or cancel it before deleting it`);
          const now = Date.now();
          const driver = this.liveDriver(this.row(id)!, now);
          if (driver && !isOwnLease(driver))
            throw new TrainingBusyError(`sweep ${id} “${sweep.name}” is being run by ${describeHolder(driver)}`);
          const deleted: { runId: number; checkpoints: string[] }[] = [];
          for (const row of this.pointRows(id)) {
            if (row.run_id === null) continue;
            if (row.run_status === 'running')
              throw new TrainingBusyError(`run ${row.run_id} of sweep ${id} is still training; wait for it to stop`);
            // Queued runs never trained: they go with their queue, as a cancel deletes them.
            if (!withRuns && row.run_status !== 'queued') continue;
            const lease = selectLease(this.ctx.prepare, row.run_id);
            if (lease && leaseIsLive(this.ctx.resolvedFile, lease, now))
              throw new TrainingBusyError(
                `run ${row.run_id} of sweep ${id} is being trained by ${describeHolder(lease)}`,
              );
            deleted.push({ runId: row.run_id, checkpoints: selectCheckpointPaths(this.ctx.prepare, row.run_id) });
            this.ctx.prepare('DELETE FROM runs WHERE id = ?').run(row.run_id);
          }
          this.ctx.prepare('DELETE FROM sweeps WHERE id = ?').run(id);
          this.held.delete(id);
          return deleted;
        })
        .immediate(),
    );
  }

  /** Takes a queued run out of the sweep: the run is deleted, its point kept as removed. */
  removeRun(id: number, runId: number): void {
    this.write('remove run from sweep', () =>
      this.ctx.db
        .transaction(() => {
          const sweep = this.require(id);
          const row = this.pointRows(sweep.id).find((p) => p.run_id === runId);
          if (!row) throw new StoreError(`run ${runId} is not a run of sweep ${id}`);
          if (row.run_status !== 'queued') {
            const hint =
              row.run_status === 'running'
                ? 'pause the sweep to stop it'
                : 'it has trained; delete the run itself to drop it';
            throw new StoreError(
              `run ${runId} is ${row.run_status}; only a queued run can be removed from a sweep (${hint})`,
            );
          }
          const lease = selectLease(this.ctx.prepare, runId);
          if (lease && leaseIsLive(this.ctx.resolvedFile, lease, Date.now()))
            throw new TrainingBusyError(
              `run ${runId} is starting to train in ${describeHolder(lease)}; pause the sweep, then remove it`,
            );
          this.ctx.prepare('DELETE FROM runs WHERE id = ?').run(runId);
          this.ctx
            .prepare("UPDATE sweep_points SET state = 'removed', run_id = NULL WHERE sweep_id = ? AND point = ?")
            .run(id, row.point);
        })
        .immediate(),
    );
  }

  /**
   * Adds points (and their queued runs) after the sweep's last; a completed sweep opens again as `reopenAs`.
   * Returns the new points' indexes.
   */
  addPoints(id: number, points: NewSweepPoint[], reopenAs: 'running' | 'paused', samples?: number): number[] {
    return this.write('add runs to sweep', () =>
      this.ctx.db
        .transaction(() => {
          const sweep = this.require(id);
          if (sweep.status === 'cancelled')
            throw new StoreError(`sweep ${id} is cancelled; runs cannot be added to it`);
          const next =
            ((this.ctx.prepare('SELECT max(point) FROM sweep_points WHERE sweep_id = ?').pluck().get(id) as
              number | null) ?? -1) + 1;
          const added = this.insertPoints(id, sweep.name, sweep.dataset, points, next, Date.now());
          // Random draws so far, so the next ones continue the sequence.
          if (samples !== undefined) {
            const definition: SweepDefinition = {
              mode: sweep.mode,
              parameters: sweep.parameters,
              samples,
              seed: sweep.seed,
            };
            this.ctx.prepare('UPDATE sweeps SET definition_json = ? WHERE id = ?').run(JSON.stringify(definition), id);
          }
          if (sweep.status === 'completed')
            this.ctx
              .prepare('UPDATE sweeps SET status = ?, finished_at = NULL, error = NULL WHERE id = ?')
              .run(reopenAs, id);
          return added;
        })
        .immediate(),
    );
  }

  // ---- the queue's lease ----------------------------------------------------------------------

  /**
   * Takes the sweep's queue for this process, or throws (TrainingBusyError) naming the live process that runs it.
   */
  claim(id: number): void {
    this.write('claim sweep', () => {
      this.ctx.db
        .transaction(() => {
          const row = this.row(check.checkId(id, 'sweep id'));
          if (!row) throw new StoreError(`sweep ${id} does not exist`);
          const now = Date.now();
          const driver = this.liveDriver(row, now);
          if (driver && !isOwnLease(driver))
            throw new TrainingBusyError(`sweep ${id} “${row.name}” is already being run by ${describeHolder(driver)}`);
          this.ctx
            .prepare(
              `UPDATE sweeps SET acquired_at = CASE WHEN owner_host = ? AND owner_pid = ? THEN acquired_at ELSE ? END,
                 owner_host = ?, owner_pid = ?, owner_label = ?, heartbeat_at = ? WHERE id = ?`,
            )
            .run(ownerHost, process.pid, now, ownerHost, process.pid, this.ctx.owner, now, id);
        })
        .immediate();
      this.held.add(id);
    });
  }

  /** Lets go of the sweep's queue (another process may run it from now on). */
  release(id: number): void {
    this.held.delete(id);
    if (this.ctx.readonly || !this.ctx.db.open) return;
    this.write('release sweep', () => {
      this.ctx
        .prepare(
          `UPDATE sweeps SET owner_host = NULL, owner_pid = NULL, owner_label = NULL, acquired_at = NULL, heartbeat_at = NULL
           WHERE id = ? AND owner_host = ? AND owner_pid = ?`,
        )
        .run(id, ownerHost, process.pid);
    });
  }

  holds(id: number): boolean {
    return this.held.has(id);
  }

  heldSweeps(): number[] {
    return [...this.held].sort((a, b) => a - b);
  }

  /** Renews the heartbeat of every sweep this connection runs; returns those another process took over meanwhile. */
  renew(): number[] {
    if (!this.ctx.db.open) return [];
    const lost: number[] = [];
    const now = Date.now();
    for (const id of this.held) {
      try {
        const renewed = this.ctx
          .prepare('UPDATE sweeps SET heartbeat_at = ? WHERE id = ? AND owner_host = ? AND owner_pid = ?')
          .run(now, id, ownerHost, process.pid).changes;
        if (renewed === 0) {
          this.held.delete(id);
          lost.push(id);
        }
      } catch {
        // a busy database: the next beat tries again; the lease lasts LEASE_STALE_MS
      }
    }
    return lost;
  }

  /** Lets go of every sweep this connection runs (the Store is closing). */
  close(): void {
    for (const id of [...this.held]) {
      try {
        this.release(id);
      } catch {
        // closing anyway; the heartbeat then expires on its own
      }
    }
    this.held.clear();
  }

  // ---- imported runs ----------------------------------------------------------------------------

  /** The local run imported from the run with this key, if any. */
  findImport(key: string): { runId: number; sourceDir: string } | undefined {
    return this.read('find imported run', () => {
      const row = this.ctx.prepare('SELECT run_id, source_dir FROM run_imports WHERE source_key = ?').get(key) as
        { run_id: number; source_dir: string } | undefined;
      return row && { runId: row.run_id, sourceDir: row.source_dir };
    });
  }

  /** A run of this database with the same id and creation time (an export of this very database, imported or not). */
  findRun(id: number, createdAt: number): number | undefined {
    return this.read('find run', () => {
      const row = this.ctx.prepare('SELECT id FROM runs WHERE id = ? AND created_at = ?').get(id, createdAt) as
        { id: number } | undefined;
      return row?.id;
    });
  }

  /** Records an imported run with its metrics, evaluation and where it came from, in one transaction. */
  insertImportedRun(input: ImportedRun): number {
    return this.write('import run', () => {
      const name = check.checkName(input.name, 'run name');
      const spec = check.checkSpec(input.spec);
      const hyperparameters = check.checkHyperparameters(input.hyperparameters);
      const dataset = check.checkDataset(input.dataset);
      const tags = check.checkTags(input.tags);
      const notes = check.checkNotes(input.notes);
      const evaluation = input.evaluation && check.checkEvaluation(input.evaluation);
      if (input.backend) check.checkBackend(input.backend);
      return this.ctx.db
        .transaction(() => {
          const prepare = this.ctx.prepare;
          const id = Number(
            prepare(
              `INSERT INTO runs (name, status, spec_json, architecture, hyperparameters_json, dataset_json, backend_json,
                 created_at, started_at, finished_at, error, notes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            ).run(
              name,
              input.status,
              JSON.stringify(spec),
              architectureText(spec),
              JSON.stringify(hyperparameters),
              JSON.stringify(dataset),
              input.backend ? JSON.stringify(input.backend) : null,
              input.createdAt,
              input.startedAt,
              input.finishedAt,
              input.error,
              notes,
            ).lastInsertRowid,
          );
          const insertTag = prepare('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)');
          for (const tag of tags) insertTag.run(id, tag);
          for (const epoch of input.epochs) insertEpochMetric(prepare, id, epoch);
          insertBatchMetrics(prepare, id, input.batches);
          refreshRunSummary(prepare, id);
          if (evaluation) replaceEvaluation(prepare, id, evaluation, input.source.exportedEpoch);
          if (input.trainingDurationMs !== null || input.samplesPerSecond !== null)
            prepare(
              'UPDATE runs SET training_duration_ms = coalesce(?, training_duration_ms), samples_per_second = coalesce(?, samples_per_second) WHERE id = ?',
            ).run(
              input.trainingDurationMs === null ? null : Math.round(input.trainingDurationMs),
              input.samplesPerSecond,
              id,
            );
          prepare(
            `INSERT INTO run_imports (run_id, source_key, source_dir, source_run_id, exported_epoch, imported_at)
             VALUES (?, ?, ?, ?, ?, ?)`,
          ).run(id, input.source.key, input.source.dir, input.source.runId, input.source.exportedEpoch, Date.now());
          return id;
        })
        .immediate();
    });
  }

  /** The imported run's weights, as a checkpoint after `epoch` epochs. */
  recordImportedCheckpoint(runId: number, epoch: number, folder: string): void {
    this.write('record checkpoint', () => upsertCheckpoint(this.ctx.prepare, runId, epoch, folder));
  }

  /** Undoes an import whose weights could not be written. */
  deleteImportedRun(runId: number): void {
    this.write('delete imported run', () => this.ctx.prepare('DELETE FROM runs WHERE id = ?').run(runId));
  }

  /**
   * Attaches an imported run to its point of the sweep `uid`: it takes the place of the point's run when that has
   * not trained here (queued, removed, cancelled or deleted; a queued one is deleted), and makes a new point when
   * the sweep has no such point. Returns where it went, or why it stays outside the sweep.
   */
  attachImported(
    uid: string,
    point: number,
    values: SweepPointValues,
    runId: number,
  ): { sweepId: number; point: number } | { note: string } {
    return this.write('attach imported run', () =>
      this.ctx.db
        .transaction(() => {
          const row = this.ctx.prepare('SELECT * FROM sweeps WHERE uid = ?').get(uid) as SweepRow | undefined;
          if (!row) return { note: `its sweep (${uid}) is not in this database, so it is not attached to one` };
          const sweep = this.toRecord(row);
          const existing = this.pointRows(sweep.id).find((p) => p.point === point);
          const now = Date.now();
          if (!existing) {
            this.ctx
              .prepare(
                "INSERT INTO sweep_points (sweep_id, point, values_json, run_id, state, created_at) VALUES (?, ?, ?, ?, 'active', ?)",
              )
              .run(sweep.id, point, JSON.stringify(values), runId, now);
          } else {
            const trained = existing.run_id !== null && existing.run_status !== 'queued';
            if (trained)
              return {
                note: `point ${point + 1} of sweep ${sweep.id} already has run ${existing.run_id} (${existing.run_status}), so it is not attached`,
              };
            if (existing.run_id !== null) {
              const lease = selectLease(this.ctx.prepare, existing.run_id);
              if (lease && leaseIsLive(this.ctx.resolvedFile, lease, now))
                return {
                  note: `point ${point + 1} of sweep ${sweep.id} is starting to train here as run ${existing.run_id}, so it is not attached`,
                };
              this.ctx.prepare('DELETE FROM runs WHERE id = ?').run(existing.run_id);
            }
            this.ctx
              .prepare("UPDATE sweep_points SET run_id = ?, state = 'active' WHERE sweep_id = ? AND point = ?")
              .run(runId, sweep.id, point);
          }
          // A sweep every point of which has now trained is complete, unless it was cancelled.
          if (sweep.status !== 'cancelled' && this.nextRun(sweep.id) === null && !this.liveDriver(row, now))
            this.ctx
              .prepare("UPDATE sweeps SET status = 'completed', finished_at = ?, pause_mode = NULL WHERE id = ?")
              .run(now, sweep.id);
          return { sweepId: sweep.id, point };
        })
        .immediate(),
    );
  }

  // ---- internals ------------------------------------------------------------------------------

  private insertPoints(
    sweepId: number,
    sweepName: string,
    dataset: DatasetRef,
    points: NewSweepPoint[],
    first: number,
    now: number,
  ): number[] {
    const prepare = this.ctx.prepare;
    const insertRun = prepare(
      `INSERT INTO runs (name, status, spec_json, architecture, hyperparameters_json, dataset_json, created_at, notes)
       VALUES (?, 'queued', ?, ?, ?, ?, ?, ?)`,
    );
    const insertTag = prepare('INSERT INTO run_tags (run_id, tag) VALUES (?, ?)');
    const insertPoint = prepare(
      "INSERT INTO sweep_points (sweep_id, point, values_json, run_id, state, created_at) VALUES (?, ?, ?, ?, 'active', ?)",
    );
    return points.map((p, i) => {
      const point = first + i;
      const spec = check.checkSpec(p.spec);
      const values = JSON.stringify(p.values);
      const runId = Number(
        insertRun.run(
          check.checkName(p.name, 'run name'),
          JSON.stringify(spec),
          architectureText(spec),
          JSON.stringify(check.checkHyperparameters(p.hyperparameters)),
          JSON.stringify(dataset),
          now,
          `Point ${point + 1} of sweep ${sweepId} “${sweepName}”: ${values}`,
        ).lastInsertRowid,
      );
      insertTag.run(runId, `sweep-${sweepId}`);
      insertPoint.run(sweepId, point, values, runId, now);
      return point;
    });
  }

  private row(id: number): SweepRow | undefined {
    return this.ctx.prepare('SELECT * FROM sweeps WHERE id = ?').get(id) as SweepRow | undefined;
  }

  private pointRows(sweepId: number): PointRow[] {
    return this.ctx.prepare(`${POINT_QUERY} WHERE sweep_points.sweep_id = ? ORDER BY point`).all(sweepId) as PointRow[];
  }

  /** The sweep's queue lease when a live process holds it (this one's while it holds it). */
  private liveDriver(
    row: SweepRow,
    now: number,
  ): { owner_host: string; owner_pid: number; owner_label: string; acquired_at: number; heartbeat_at: number } | null {
    if (row.owner_host === null || row.owner_pid === null || row.heartbeat_at === null) return null;
    const driver = {
      owner_host: row.owner_host,
      owner_pid: row.owner_pid,
      owner_label: row.owner_label ?? 'Layerlab',
      acquired_at: row.acquired_at ?? row.heartbeat_at,
      heartbeat_at: row.heartbeat_at,
    };
    if (isOwnLease(driver)) return this.held.has(row.id) ? driver : null;
    return sweepDriverIsLive(driver, now) ? driver : null;
  }

  private toRecord(row: SweepRow): SweepRecord {
    const definition = JSON.parse(row.definition_json) as SweepDefinition;
    const points = this.pointRows(row.id);
    const counts: SweepRecord['counts'] = { total: points.length };
    let best: SweepRecord['best'] = null;
    let currentRunId: number | null = null;
    for (const p of points) {
      const status = pointStatus(p);
      counts[status] = (counts[status] ?? 0) + 1;
      if (status === 'running') currentRunId = p.run_id;
      if (p.run_id !== null && p.test_accuracy !== null && (best === null || p.test_accuracy > best.testAccuracy))
        best = { runId: p.run_id, testAccuracy: p.test_accuracy };
    }
    const driver = this.liveDriver(row, Date.now());
    const drivenBy: RunLeaseHolder | null = driver && {
      pid: driver.owner_pid,
      host: driver.owner_host,
      label: driver.owner_label,
      since: driver.acquired_at,
      heartbeatAt: driver.heartbeat_at,
    };
    return {
      id: row.id,
      uid: row.uid,
      name: row.name,
      status: row.status,
      mode: definition.mode,
      parameters: definition.parameters,
      samples: definition.samples,
      seed: definition.seed,
      spec: JSON.parse(row.spec_json) as ModelSpec,
      hyperparameters: JSON.parse(row.hyperparameters_json) as Hyperparameters,
      dataset: JSON.parse(row.dataset_json) as DatasetRef,
      backend: row.backend,
      createdAt: row.created_at,
      finishedAt: row.finished_at,
      error: row.error,
      pauseMode: row.status === 'paused' ? row.pause_mode : null,
      drivenBy,
      currentRunId,
      waiting: null,
      counts,
      best,
    };
  }

  private read<T>(action: string, body: () => T): T {
    if (!this.ctx.db.open) throw new StoreError(`cannot ${action}: the store for ${this.ctx.file} is closed`);
    try {
      return body();
    } catch (error) {
      throw toStoreError(error, action, this.ctx.file);
    }
  }

  private write<T>(action: string, body: () => T): T {
    if (this.ctx.readonly) throw new StoreError(`cannot ${action}: database ${this.ctx.file} was opened read-only`);
    return this.read(action, body);
  }
}
