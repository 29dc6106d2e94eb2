// Opening the SQLite file: refuse what we must not touch, then configure, migrate and recover.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { checkSchemaCompatible, migrate, SCHEMA_VERSION } from './migrations.ts';
import { recoverInterruptedRuns } from './sessions.ts';
import { StoreError } from './validate.ts';

const BUSY_TIMEOUT_MS = 5000;

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
  if (code === 'SQLITE_NOTADB') {
    return new StoreError(`${file} is not a SQLite database, so it cannot be used as the Layerlab run store`, { cause: error });
  }
  if (code?.startsWith('SQLITE_BUSY')) {
    return new StoreError(`database ${file} is locked by another process (${action}); try again`, { cause: error });
  }
  return new StoreError(`${action} failed on database ${file}: ${message ?? String(error)}`, { cause: error });
}

export function openDatabase(file: string, readonly: boolean, log: (message: string) => void, recover = true): OpenedDatabase {
  if (typeof file !== 'string' || file.trim() === '') throw new StoreError('database path must be a non-empty string');
  const resolvedFile = file === ':memory:' ? file : path.resolve(file);
  let db: Database.Database;
  try {
    if (file !== ':memory:' && !readonly) fs.mkdirSync(path.dirname(resolvedFile), { recursive: true });
    db = new Database(resolvedFile, { readonly, fileMustExist: readonly });
  } catch (error) {
    throw new StoreError(`cannot open database ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    // Checked before anything writes (switching to WAL rewrites the header), so a refused file stays untouched.
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
    const recoveredRuns = recover ? recoverInterruptedRuns(db, resolvedFile, Date.now()) : 0;
    if (recoveredRuns > 0) log(`layerlab store: marked ${recoveredRuns} run(s) in ${file} interrupted (their process ended mid-training)`);
    return { db, resolvedFile, recoveredRuns };
  } catch (error) {
    db.close();
    throw toStoreError(error, 'opening', file);
  }
}
