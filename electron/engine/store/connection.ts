// Opening the SQLite file: refuse what we must not touch, then configure, migrate and recover.
// A new database is made only where no file exists, built beside it and linked into place once complete; an
// existing file must be a Layerlab database (its application_id, or for files from before it was set, Layerlab's
// tables), so a zero-byte, foreign or unrelated SQLite file is refused, naming it, and never initialised over.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { diskFault, errorCode } from '../disk-errors.ts';
import { checkSchemaCompatible, migrate, SCHEMA_VERSION } from './migrations.ts';
import { recoverInterruptedRuns } from './sessions.ts';
import { StoreError } from './validate.ts';

const BUSY_TIMEOUT_MS = 5000;

/** PRAGMA application_id of a Layerlab database ('LLab'): tells it from any other SQLite file. */
export const LAYERLAB_APPLICATION_ID = 0x4c4c6162;
/** Tables every Layerlab schema has had; a file with a schema version but without them is another program's. */
const LAYERLAB_TABLES = ['runs', 'run_sessions', 'checkpoints'];
const START_AFRESH =
  'Layerlab makes a new database only where no file exists; move this file away (or delete it) to start a new one there';

export interface OpenedDatabase {
  db: Database.Database;
  /** Absolute path (or ':memory:'), the identity of the database within this process. */
  resolvedFile: string;
  recoveredRuns: number;
}

/** Turns any error into a StoreError that names the file and what was being done. */
export function toStoreError(error: unknown, action: string, file: string): StoreError {
  if (error instanceof StoreError) return error;
  const { code, message } = error as { code?: string; message?: string };
  const fault = diskFault(error);
  if (fault) return new StoreError(`${fault}: ${action} failed on database ${file} (${code})`, { cause: error });
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(`${file} is not a SQLite database, so it cannot be used as the Layerlab run store`, {
      cause: error,
    });
  }
  if (code?.startsWith('SQLITE_BUSY')) {
    return new StoreError(`database ${file} is locked by another process (${action}); try again`, { cause: error });
  }
  return new StoreError(`${action} failed on database ${file}: ${message ?? String(error)}`, { cause: error });
}

/**
 * Creates a migrated database at `resolvedFile`, which does not exist: built in a temporary file and hard-linked
 * into place, so the path never holds a half-made database, and one another process created meanwhile is kept.
 */
function createDatabaseFile(resolvedFile: string, file: string): void {
  fs.mkdirSync(path.dirname(resolvedFile), { recursive: true });
  const temp = `${resolvedFile}.new-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
  try {
    const db = new Database(temp);
    try {
      db.pragma(`application_id = ${LAYERLAB_APPLICATION_ID}`);
      migrate(db, file);
    } finally {
      db.close();
    }
    try {
      fs.linkSync(temp, resolvedFile);
    } catch (error) {
      const code = errorCode(error);
      if (code === 'EEXIST') return; // another process made it first: use theirs
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw error;
      // A file system without hard links (FAT): a copy that still never replaces an existing file.
      try {
        fs.copyFileSync(temp, resolvedFile, fs.constants.COPYFILE_EXCL);
      } catch (copyError) {
        if (errorCode(copyError) !== 'EEXIST') throw copyError;
      }
    }
  } finally {
    for (const leftover of [temp, `${temp}-journal`]) fs.rmSync(leftover, { force: true });
  }
}

const readApplicationId = (db: Database.Database) => db.pragma('application_id', { simple: true }) as number;

/** Refuses a file that is not a Layerlab database before anything writes to it. */
function requireLayerlabFile(db: Database.Database, file: string): void {
  const applicationId = readApplicationId(db);
  if (applicationId === LAYERLAB_APPLICATION_ID) return;
  if (applicationId !== 0) {
    throw new StoreError(
      `database ${file} belongs to another application (SQLite application_id ${applicationId}), not to Layerlab; it was left untouched`,
    );
  }
  // From here: a file from before Layerlab set its application_id, or another program's database.
  const version = checkSchemaCompatible(db, file);
  if (version === 0)
    throw new StoreError(
      `database ${file} is a SQLite database without Layerlab's schema (it has no tables); ${START_AFRESH}`,
    );
  const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[]);
  const missing = LAYERLAB_TABLES.filter((table) => !tables.has(table));
  if (missing.length) {
    throw new StoreError(
      `database ${file} has schema version ${version} but not Layerlab's tables (${missing.join(', ')} missing); it is not a Layerlab database`,
    );
  }
}

/** Refuses a path that holds an empty file: never a database Layerlab made, so nothing to initialise over. */
function requireNotEmptyFile(resolvedFile: string, file: string): boolean {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(resolvedFile);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return false;
    throw new StoreError(`cannot open database ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (stat.isFile() && stat.size === 0) {
    throw new StoreError(
      `database ${file} is an empty (0-byte) file, not a Layerlab database (a damaged or replaced one?); ${START_AFRESH}`,
    );
  }
  return true;
}

export function openDatabase(
  file: string,
  readonly: boolean,
  log: (message: string) => void,
  recover = true,
): OpenedDatabase {
  if (typeof file !== 'string' || file.trim() === '') throw new StoreError('database path must be a non-empty string');
  const inMemory = file === ':memory:';
  const resolvedFile = inMemory ? file : path.resolve(file);
  let db: Database.Database;
  try {
    if (!inMemory && !requireNotEmptyFile(resolvedFile, file) && !readonly) createDatabaseFile(resolvedFile, file);
    db = new Database(resolvedFile, { readonly, fileMustExist: !inMemory });
  } catch (error) {
    if (error instanceof StoreError) throw error;
    const fault = diskFault(error);
    const why = fault ? `${fault} (${errorCode(error)})` : (error as Error).message;
    throw new StoreError(`cannot open database ${file}: ${why}`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Checked before anything writes (switching to WAL rewrites the header), so a refused file stays untouched.
    if (inMemory) db.pragma(`application_id = ${LAYERLAB_APPLICATION_ID}`);
    else requireLayerlabFile(db, file);
    const version = checkSchemaCompatible(db, file);
    db.pragma('foreign_keys = ON');
    if (readonly) {
      if (version < SCHEMA_VERSION) {
        throw new StoreError(
          `database ${file} has schema version ${version} and must be upgraded to ${SCHEMA_VERSION}; open it once without readonly`,
        );
      }
      return { db, resolvedFile, recoveredRuns: 0 };
    }
    db.pragma('journal_mode = WAL');
    migrate(db, file);
    // A database from before Layerlab set its application_id (requireLayerlabFile checked its tables) gets it now.
    if (!inMemory && readApplicationId(db) === 0) db.pragma(`application_id = ${LAYERLAB_APPLICATION_ID}`);
    const recoveredRuns = recover ? recoverInterruptedRuns(db, resolvedFile, Date.now()) : 0;
    if (recoveredRuns > 0)
      log(`layerlab store: marked ${recoveredRuns} run(s) in ${file} interrupted (their process ended mid-training)`);
    return { db, resolvedFile, recoveredRuns };
  } catch (error) {
    db.close();
    throw toStoreError(error, 'opening', file);
  }
}
