// Names the disk faults behind an error, so a run that failed because its disk filled up says so instead of
// showing whatever operation happened to hit the fault first. Covers Node's errno codes (checkpoint files) and
// SQLite's result codes (the run store).

const CAUSES: Record<string, string> = {
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'file system is read-only',
  EIO: 'disk I/O error',
  SQLITE_FULL: 'disk full',
};

/** The error's code, when it has one (Node fs errors and better-sqlite3's SqliteError both carry `code`). */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** 'disk full', 'disk I/O error', … when the error is a disk fault; null otherwise. */
export function diskFault(error: unknown): string | null {
  const code = errorCode(error);
  if (!code) return null;
  if (CAUSES[code]) return CAUSES[code];
  // SQLite's extended codes: SQLITE_IOERR_WRITE, SQLITE_IOERR_FSYNC, SQLITE_READONLY_DBMOVED, …
  if (code.startsWith('SQLITE_IOERR')) return 'disk I/O error';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only database file';
  return null;
}
