// The run store's file on a bad disk or in the wrong place: only a path with no file gets a new database; a
// zero-byte, foreign or schema-less file is refused, naming it, and left as it was; disk faults name the cause.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { LAYERLAB_APPLICATION_ID, toStoreError } from '#engine/store/connection.ts';
import { SCHEMA_VERSION, Store, StoreError } from '#engine/store/index.ts';
import { tempDir } from './helpers/tmp.ts';
import { ADDED_HYPERPARAMETERS_OFF } from '#shared/hyperparameters.ts';

const dir = tempDir('layerlab-disk-store-');
let files = 0;
const newPath = () => path.join(dir, String(files++), 'layerlab.db');
const stores: Store[] = [];
afterEach(() => {
  for (const store of stores.splice(0)) store.close();
});

function open(file: string): Store {
  const store = Store.open(file, { log: () => {} });
  stores.push(store);
  return store;
}

function refusal(file: string): string {
  const before = fs.readFileSync(file);
  let caught: unknown;
  try {
    open(file);
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(StoreError);
  // Refused before anything wrote to it: the same bytes, no WAL beside it.
  expect(fs.readFileSync(file).equals(before)).toBe(true);
  expect(fs.existsSync(`${file}-wal`)).toBe(false);
  return (caught as Error).message;
}

/** A SQLite file made outside Layerlab. */
function sqliteFile(setup: (db: Database.Database) => void): string {
  const file = newPath();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  setup(db);
  db.close();
  return file;
}

const afresh =
  'Layerlab makes a new database only where no file exists; move this file away (or delete it) to start a new one there';

describe('which files become a database', () => {
  it('creates a new database only where no file exists, marked with Layerlab’s application_id, leaving no temporary file', () => {
    const file = newPath();
    open(file).close();
    expect(fs.readdirSync(path.dirname(file)).filter((name) => !/-(wal|shm)$/.test(name))).toEqual(['layerlab.db']);
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(LAYERLAB_APPLICATION_ID);
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    raw.close();
  });

  it('refuses a zero-byte file instead of initialising it', () => {
    const file = newPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '');
    expect(refusal(file)).toBe(
      `database ${file} is an empty (0-byte) file, not a Layerlab database (a damaged or replaced one?); ${afresh}`,
    );
    expect(fs.statSync(file).size).toBe(0);
  });

  it('refuses a file that is not SQLite', () => {
    const file = newPath();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.alloc(8192, 0x41));
    expect(refusal(file)).toBe(`${file} is not a SQLite database, so it cannot be used as the Layerlab run store`);
  });

  it('refuses another application’s SQLite database, by its application_id', () => {
    const file = sqliteFile((db) => {
      db.pragma('application_id = 1234');
      db.pragma('user_version = 2');
      db.exec('CREATE TABLE runs (id)');
    });
    expect(refusal(file)).toBe(
      `database ${file} belongs to another application (SQLite application_id 1234), not to Layerlab; it was left untouched`,
    );
  });

  it('refuses an empty SQLite database and one with a schema version but not Layerlab’s tables', () => {
    const empty = sqliteFile((db) => db.pragma('journal_mode = WAL'));
    expect(refusal(empty)).toBe(
      `database ${empty} is a SQLite database without Layerlab's schema (it has no tables); ${afresh}`,
    );
    const versioned = sqliteFile((db) => {
      db.exec('CREATE TABLE notes (text)');
      db.pragma('user_version = 2');
    });
    expect(refusal(versioned)).toBe(
      `database ${versioned} has schema version 2 but not Layerlab's tables (runs, run_sessions, checkpoints missing); it is not a Layerlab database`,
    );
  });

  it('opens a Layerlab database from before the application_id, and marks it', () => {
    const file = newPath();
    const store = open(file);
    const run = store.createRun({
      name: 'old',
      spec: {
        name: 'mlp',
        inputShape: [28, 28, 1],
        layers: [{ type: 'Flatten' }, { type: 'Dense', units: 10, activation: 'softmax' }],
      },
      hyperparameters: {
        optimizer: 'adam',
        learningRate: 0.001,
        momentum: 0,
        batchSize: 32,
        epochs: 1,
        validationSplit: 0,
        trainSize: null,
        seed: 1,
        ...ADDED_HYPERPARAMETERS_OFF,
      },
      dataset: { id: 'mnist', name: 'MNIST', classes: [...'0123456789'], trainCount: 60000, testCount: 10000 },
    });
    store.close();
    const raw = new Database(file);
    raw.pragma('application_id = 0');
    raw.close();
    expect(open(file).getRun(run.id)?.name).toBe('old');
    const check = new Database(file, { readonly: true });
    expect(check.pragma('application_id', { simple: true })).toBe(LAYERLAB_APPLICATION_ID);
    check.close();
  });
});

describe('disk faults in the store', () => {
  it('name the cause first: disk full, I/O error, read-only', () => {
    const full = new Database(':memory:');
    full.exec('CREATE TABLE t (x BLOB)');
    full.pragma(`max_page_count = ${full.pragma('page_count', { simple: true })}`);
    let sqliteFull: unknown;
    try {
      full.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(100_000));
    } catch (error) {
      sqliteFull = error;
    }
    full.close();
    expect(toStoreError(sqliteFull, 'append batch metrics', 'db.sqlite').message).toBe(
      'disk full: append batch metrics failed on database db.sqlite (SQLITE_FULL)',
    );
    const ioError = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    expect(toStoreError(ioError, 'finish run session', 'db.sqlite').message).toBe(
      'disk I/O error: finish run session failed on database db.sqlite (SQLITE_IOERR_WRITE)',
    );
  });

  it('name the folder and the cause when a new database cannot be created', () => {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, 'x');
    expect(() => open(path.join(blocker, 'layerlab.db'))).toThrow(
      new RegExp(`^cannot open database ${blocker.replaceAll('\\', '\\\\')}[/\\\\]layerlab\\.db: ENOTDIR`),
    );
  });
});
