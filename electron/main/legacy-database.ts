// Before the app and the CLI shared one database (shared/paths.ts), the app kept its own in Electron's userData
// folder (~/.config/Layerlab on Linux). On the first start that finds no database at the shared location but one
// at the old place, the old database, its WAL files and its checkpoint folder move to the shared location, so no
// run is left behind. Moving is a rename: instant and all or nothing on one file system; across file systems it
// is not attempted and the old location stays in use, with the reason logged.
import fs from 'node:fs';
import path from 'node:path';

export interface AdoptedDatabase {
  /** The database to open: the shared location, or the old one when it could not move. */
  dbPath: string;
  /** What happened, for the log; null when there was nothing to move. */
  note: string | null;
}

/** The database file and what lives beside it: SQLite's journal files and the runs' checkpoints. */
const companions = (dbPath: string) => [
  dbPath,
  `${dbPath}-wal`,
  `${dbPath}-shm`,
  path.join(path.dirname(dbPath), 'runs'),
];

export function adoptLegacyDatabase(legacyDbPath: string, dbPath: string): AdoptedDatabase {
  if (path.resolve(legacyDbPath) === path.resolve(dbPath) || fs.existsSync(dbPath) || !fs.existsSync(legacyDbPath)) {
    return { dbPath, note: null };
  }
  const moves = companions(legacyDbPath)
    .map((from, i) => ({ from, to: companions(dbPath)[i] }))
    .filter(({ from, to }) => fs.existsSync(from) && !fs.existsSync(to));
  const done: typeof moves = [];
  try {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    for (const move of moves) {
      fs.renameSync(move.from, move.to);
      done.push(move);
    }
    return { dbPath, note: `moved the app's database from ${legacyDbPath} to ${dbPath}, shared with the CLI` };
  } catch (error) {
    // Put back what moved, so the old location is whole again, and keep using it.
    for (const move of done.reverse()) {
      try {
        fs.renameSync(move.to, move.from);
      } catch {
        // left where it is; the note names both places
      }
    }
    const reason = error instanceof Error ? error.message : String(error);
    return {
      dbPath: legacyDbPath,
      note: `could not move the app's database from ${legacyDbPath} to ${dbPath} (${reason}); using it where it is`,
    };
  }
}
