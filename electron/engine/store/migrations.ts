// Versioned schema. PRAGMA user_version holds the number of migrations applied; append new
// migrations to the end of MIGRATIONS and never edit a released one.
import type Database from 'better-sqlite3';
import { StoreError } from './validate.ts';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'runs, sessions, tags, metrics, checkpoints, evaluations, designs',
    sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued','running','completed','stopped','failed','interrupted')),
        spec_json TEXT NOT NULL,
        architecture TEXT NOT NULL,
        hyperparameters_json TEXT NOT NULL,
        dataset_json TEXT NOT NULL,
        backend_json TEXT,
        created_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        error TEXT,
        notes TEXT NOT NULL DEFAULT '',
        final_train_loss REAL,
        final_train_accuracy REAL,
        final_val_loss REAL,
        final_val_accuracy REAL,
        test_loss REAL,
        test_accuracy REAL,
        best_val_accuracy REAL,
        best_val_accuracy_epoch INTEGER,
        best_val_loss REAL,
        best_val_loss_epoch INTEGER,
        training_duration_ms INTEGER,
        samples_per_second REAL,
        epochs_completed INTEGER NOT NULL DEFAULT 0
      );
      CREATE INDEX runs_status ON runs (status);
      CREATE INDEX runs_created_at ON runs (created_at);

      CREATE TABLE run_tags (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        tag TEXT NOT NULL COLLATE NOCASE,
        PRIMARY KEY (run_id, tag)
      );
      CREATE INDEX run_tags_tag ON run_tags (tag);

      -- One row per start/resume; owner_* lets recovery tell a live run in another process from a dead one.
      CREATE TABLE run_sessions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        started_at INTEGER NOT NULL,
        ended_at INTEGER,
        backend_json TEXT NOT NULL,
        from_epoch INTEGER NOT NULL,
        end_status TEXT,
        error TEXT,
        owner_host TEXT NOT NULL,
        owner_pid INTEGER NOT NULL
      );
      CREATE INDEX run_sessions_run ON run_sessions (run_id);

      -- Metric values are nullable because SQLite turns NaN (a diverged loss) into NULL.
      CREATE TABLE batch_metrics (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        step INTEGER NOT NULL,
        epoch INTEGER NOT NULL,
        batch INTEGER NOT NULL,
        loss REAL,
        accuracy REAL,
        samples_per_second REAL,
        time INTEGER NOT NULL,
        PRIMARY KEY (run_id, step)
      ) WITHOUT ROWID;
      CREATE INDEX batch_metrics_run_epoch ON batch_metrics (run_id, epoch);

      CREATE TABLE epoch_metrics (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        loss REAL,
        accuracy REAL,
        val_loss REAL,
        val_accuracy REAL,
        duration_ms INTEGER NOT NULL,
        samples_per_second REAL,
        time INTEGER NOT NULL,
        PRIMARY KEY (run_id, epoch)
      ) WITHOUT ROWID;

      CREATE TABLE checkpoints (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        path TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, epoch)
      );

      CREATE TABLE evaluations (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        test_loss REAL,
        test_accuracy REAL,
        confusion_json TEXT NOT NULL,
        per_class_json TEXT NOT NULL,
        mistakes_json TEXT NOT NULL,
        count INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        created_at INTEGER NOT NULL
      );

      CREATE TABLE designs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL UNIQUE,
        spec_json TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: 'imported IDX datasets',
    sql: `
      CREATE TABLE datasets (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        dir TEXT NOT NULL,
        classes_json TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 3,
    description: 'run leases (the live process that owns a queued or running run)',
    sql: `
      -- One row while a process creates or trains the run; its heartbeat tells a live owner from a dead one.
      CREATE TABLE run_leases (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        owner_host TEXT NOT NULL,
        owner_pid INTEGER NOT NULL,
        owner_label TEXT NOT NULL,
        acquired_at INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 4,
    description: 'learning rate and schedule note per epoch; why a run stopped and whose weights it ends with',
    sql: `
      -- NULL for epochs recorded before schedules existed (they trained at the run's constant learning rate).
      ALTER TABLE epoch_metrics ADD COLUMN learning_rate REAL;
      ALTER TABLE epoch_metrics ADD COLUMN note TEXT;
      -- Set when early stopping ended the run; weights_epoch is the checkpoint (finished-epoch count) whose weights
      -- the run's evaluation used and its model keeps (NULL: its newest, as for every run before this version).
      ALTER TABLE runs ADD COLUMN stop_reason TEXT;
      ALTER TABLE runs ADD COLUMN weights_epoch INTEGER;
    `,
  },
  {
    version: 5,
    description: 'sweeps (their definition, queue and points) and imported runs',
    sql: `
      -- A sweep: its definition, the base spec, hyperparameters and dataset its points vary, and its queue's state.
      -- owner_*: the live process running its queue (a lease like run_leases', NULL when none runs it).
      CREATE TABLE sweeps (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        uid TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('running','paused','cancelled','completed')),
        mode TEXT NOT NULL CHECK (mode IN ('grid','random')),
        definition_json TEXT NOT NULL,
        spec_json TEXT NOT NULL,
        hyperparameters_json TEXT NOT NULL,
        dataset_json TEXT NOT NULL,
        backend TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        finished_at INTEGER,
        error TEXT,
        pause_mode TEXT CHECK (pause_mode IN ('now','after-run')),
        owner_host TEXT,
        owner_pid INTEGER,
        owner_label TEXT,
        acquired_at INTEGER,
        heartbeat_at INTEGER
      );
      CREATE INDEX sweeps_status ON sweeps (status);

      -- One row per point, in queue order; run_id is its run (created 'queued'), NULL once removed, cancelled or
      -- deleted. state: 'active', or 'removed' / 'cancelled' when its queued run was taken out of the queue.
      CREATE TABLE sweep_points (
        sweep_id INTEGER NOT NULL REFERENCES sweeps (id) ON DELETE CASCADE,
        point INTEGER NOT NULL,
        values_json TEXT NOT NULL,
        run_id INTEGER UNIQUE REFERENCES runs (id) ON DELETE SET NULL,
        state TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active','removed','cancelled')),
        created_at INTEGER NOT NULL,
        PRIMARY KEY (sweep_id, point)
      );

      -- Runs merged from another database's export (layerlab runs import): source_key identifies the run at its
      -- origin, so the same run is never imported twice.
      CREATE TABLE run_imports (
        run_id INTEGER PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
        source_key TEXT NOT NULL UNIQUE,
        source_dir TEXT NOT NULL,
        source_run_id INTEGER NOT NULL,
        exported_epoch INTEGER NOT NULL,
        imported_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: "test evaluations per checkpoint (a run's last and best epochs' weights)",
    sql: `
      -- One row per checkpoint a run's test set was scored with: epoch is the finished-epoch count whose weights
      -- were used (its last, and its best when that differs). runs.test_loss/test_accuracy copy the row of the
      -- run's default weights (its restored best, else its last).
      CREATE TABLE run_evaluations (
        run_id INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        epoch INTEGER NOT NULL,
        test_loss REAL,
        test_accuracy REAL,
        confusion_json TEXT NOT NULL,
        per_class_json TEXT NOT NULL,
        mistakes_json TEXT NOT NULL,
        count INTEGER NOT NULL,
        duration_ms INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, epoch)
      );
      -- A run's one evaluation so far scored the weights it kept: weights_epoch (version 4 on), else its last.
      INSERT INTO run_evaluations
        (run_id, epoch, test_loss, test_accuracy, confusion_json, per_class_json, mistakes_json, count, duration_ms, created_at)
      SELECT e.run_id, CASE WHEN r.weights_epoch > 0 THEN r.weights_epoch ELSE r.epochs_completed END,
        e.test_loss, e.test_accuracy, e.confusion_json, e.per_class_json, e.mistakes_json, e.count, e.duration_ms, e.created_at
      FROM evaluations e JOIN runs r ON r.id = e.run_id;
      DROP TABLE evaluations;
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export function readSchemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Refuses databases this code cannot safely use, before anything writes to the file:
 * a newer schema (an older Layerlab must not corrupt it) or a foreign SQLite file.
 */
export function checkSchemaCompatible(db: Database.Database, file: string): number {
  const version = readSchemaVersion(db);
  if (version > SCHEMA_VERSION) {
    throw new StoreError(
      `database ${file} has schema version ${version} but this Layerlab understands up to ${SCHEMA_VERSION}; update Layerlab`,
    );
  }
  if (version === 0) {
    const tables = db
      .prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'")
      .pluck()
      .get() as number;
    if (tables > 0) {
      throw new StoreError(
        `database ${file} already contains tables but no Layerlab schema version; it is not a Layerlab database`,
      );
    }
  }
  return version;
}

/** Applies pending migrations, each in its own IMMEDIATE transaction together with its user_version bump. */
export function migrate(db: Database.Database, file: string): void {
  for (const migration of MIGRATIONS) {
    const apply = db.transaction(() => {
      // Re-read inside the write lock: another process may have migrated while we waited.
      if (readSchemaVersion(db) >= migration.version) return;
      db.exec(migration.sql);
      db.pragma(`user_version = ${migration.version}`);
    });
    try {
      apply.immediate();
    } catch (error) {
      throw new StoreError(
        `database ${file}: migration ${migration.version} (${migration.description}) failed: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}
