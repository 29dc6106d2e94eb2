// Run sessions (one per start/resume) and recovery of runs left queued or running by a process that died.
//
// The app and the CLI may have the same database open, so a queued or running run is only recovered when the
// process that holds its lease (leases.ts) is gone. Runs recorded before leases existed fall back to the owner
// of their open session. Sessions owned by this process count as alive only while a Store in this process
// holds them (a Store closed without finishing its session can never finish it).
import type Database from 'better-sqlite3';
import type { BackendInfo } from '#shared/types.ts';
import type { Prepare } from './metrics.ts';
import type { FinishStatus, RunSessionRecord } from '#shared/records.ts';
import { leaseIsLive, ownerHost, processIsAlive, selectLease } from './leases.ts';
import { toSessionRecord, type SessionRow } from './rows.ts';

/** `${dbFile}\0${sessionId}` of sessions opened by a still-open Store in this process. */
const liveSessionsInThisProcess = new Set<string>();

export function markSessionLive(dbFile: string, sessionId: number): void {
  liveSessionsInThisProcess.add(`${dbFile}\0${sessionId}`);
}

export function markSessionEnded(dbFile: string, sessionId: number): void {
  liveSessionsInThisProcess.delete(`${dbFile}\0${sessionId}`);
}

function sessionOwnerIsAlive(dbFile: string, session: { id: number; owner_host: string; owner_pid: number }): boolean {
  // Another host's process cannot be checked; a database moved between machines is far more
  // likely than two machines training against one file, so treat it as dead.
  if (session.owner_host !== ownerHost) return false;
  if (session.owner_pid === process.pid) return liveSessionsInThisProcess.has(`${dbFile}\0${session.id}`);
  return processIsAlive(session.owner_pid);
}

export const INTERRUPTED_MESSAGE = 'the process running this run ended before it finished';
export const INTERRUPTED_BEFORE_START_MESSAGE =
  'the process that created this run ended before its training started; resume starts it from the beginning';

/** Whether a live process still owns this queued or running run. */
function runIsOwned(prepare: Prepare, dbFile: string, run: { id: number; status: string }, now: number): boolean {
  const lease = selectLease(prepare, run.id);
  if (lease) return leaseIsLive(dbFile, lease, now);
  // A queued run without a lease has no creator left to start it.
  if (run.status !== 'running') return false;
  const sessions = prepare(
    'SELECT id, owner_host, owner_pid FROM run_sessions WHERE run_id = ? AND ended_at IS NULL',
  ).all(run.id) as Array<{
    id: number;
    owner_host: string;
    owner_pid: number;
  }>;
  return sessions.some((session) => sessionOwnerIsAlive(dbFile, session));
}

/** Ends the run's open sessions, marks it interrupted and drops its lease. The caller holds a write transaction. */
export function interruptRun(prepare: Prepare, runId: number, message: string, now: number): void {
  prepare(
    "UPDATE run_sessions SET ended_at = ?, end_status = 'interrupted', error = ? WHERE run_id = ? AND ended_at IS NULL",
  ).run(now, message, runId);
  prepare("UPDATE runs SET status = 'interrupted', finished_at = ?, error = coalesce(error, ?) WHERE id = ?").run(
    now,
    message,
    runId,
  );
  prepare('DELETE FROM run_leases WHERE run_id = ?').run(runId);
}

/**
 * Marks interrupted every queued or running run no live process owns; returns how many. Looks first without a
 * write lock (the common case, nothing to recover, then costs one read), then recovers in one IMMEDIATE transaction.
 */
export function recoverInterruptedRuns(db: Database.Database, dbFile: string, now: number): number {
  const prepare: Prepare = (sql) => db.prepare(sql);
  const unowned = () =>
    (
      prepare("SELECT id, status FROM runs WHERE status IN ('queued', 'running')").all() as Array<{
        id: number;
        status: string;
      }>
    ).filter((run) => !runIsOwned(prepare, dbFile, run, now));
  // A queued run of a sweep waits in the sweep's queue, whoever runs it: it is no abandoned start, only the lease
  // of a process that died while starting it goes.
  const inQueue = (run: { id: number; status: string }) =>
    run.status === 'queued' &&
    prepare("SELECT 1 FROM sweep_points WHERE run_id = ? AND state = 'active'").get(run.id) !== undefined;
  const found = unowned();
  if (found.length === 0) return 0;
  if (found.every(inQueue) && found.every((run) => !selectLease(prepare, run.id))) return 0;
  const recover = db.transaction((): number => {
    const runs = unowned(); // again under the write lock: another process may have recovered them meanwhile
    let interrupted = 0;
    for (const run of runs) {
      if (inQueue(run)) {
        prepare('DELETE FROM run_leases WHERE run_id = ?').run(run.id);
        continue;
      }
      interruptRun(
        prepare,
        run.id,
        run.status === 'queued' ? INTERRUPTED_BEFORE_START_MESSAGE : INTERRUPTED_MESSAGE,
        now,
      );
      interrupted++;
    }
    return interrupted;
  });
  return recover.immediate();
}

/** Records a new session owned by this process; the caller updates the run in the same transaction. */
export function insertSession(
  prepare: Prepare,
  runId: number,
  backend: BackendInfo,
  fromEpoch: number,
  now: number,
): number {
  const result = prepare(
    'INSERT INTO run_sessions (run_id, started_at, backend_json, from_epoch, owner_host, owner_pid) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(runId, now, JSON.stringify(backend), fromEpoch, ownerHost, process.pid);
  return Number(result.lastInsertRowid);
}

/** Closes the run's open sessions and returns their ids. */
export function endOpenSessions(
  prepare: Prepare,
  runId: number,
  status: FinishStatus,
  error: string | null,
  now: number,
): number[] {
  const open = prepare('SELECT id FROM run_sessions WHERE run_id = ? AND ended_at IS NULL')
    .pluck()
    .all(runId) as number[];
  // A session may carry a note from its start (store.noteRunSession): an ending's error is added to it.
  prepare(
    `UPDATE run_sessions SET ended_at = ?, end_status = ?,
       error = CASE WHEN error IS NULL THEN ? WHEN ? IS NULL THEN error ELSE error || '; ' || ? END
     WHERE run_id = ? AND ended_at IS NULL`,
  ).run(now, status, error, error, error, runId);
  return open;
}

export function selectSessions(prepare: Prepare, runId: number): RunSessionRecord[] {
  return (prepare('SELECT * FROM run_sessions WHERE run_id = ? ORDER BY id').all(runId) as SessionRow[]).map(
    toSessionRecord,
  );
}
