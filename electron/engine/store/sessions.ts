// Run sessions (one per start/resume) and recovery of runs left 'running' by a process that died.
//
// The app and the CLI may have the same database open, so a run that is 'running' is only
// recovered when the process that owns its open session is gone. Sessions owned by this process
// count as alive only while a Store in this process holds them (a Store closed without finishing
// its session can never finish it).
import os from 'node:os';
import type Database from 'better-sqlite3';
import type { BackendInfo } from '#shared/types.ts';
import type { Prepare } from './metrics.ts';
import type { FinishStatus, RunSessionRecord } from '#shared/records.ts';
import { toSessionRecord, type SessionRow } from './rows.ts';

/** `${dbFile}\0${sessionId}` of sessions opened by a still-open Store in this process. */
const liveSessionsInThisProcess = new Set<string>();

export function markSessionLive(dbFile: string, sessionId: number): void {
  liveSessionsInThisProcess.add(`${dbFile}\0${sessionId}`);
}

export function markSessionEnded(dbFile: string, sessionId: number): void {
  liveSessionsInThisProcess.delete(`${dbFile}\0${sessionId}`);
}

export const ownerHost = os.hostname();

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function sessionOwnerIsAlive(dbFile: string, session: { id: number; owner_host: string; owner_pid: number }): boolean {
  // Another host's process cannot be checked; a database moved between machines is far more
  // likely than two machines training against one file, so treat it as dead.
  if (session.owner_host !== ownerHost) return false;
  if (session.owner_pid === process.pid) return liveSessionsInThisProcess.has(`${dbFile}\0${session.id}`);
  return processIsAlive(session.owner_pid);
}

export const INTERRUPTED_MESSAGE = 'the process running this run ended before it finished';

/** Returns the number of runs marked interrupted. Runs in one IMMEDIATE transaction. */
export function recoverInterruptedRuns(db: Database.Database, dbFile: string, now: number): number {
  const recover = db.transaction((): number => {
    const candidates = db
      .prepare("SELECT id FROM runs WHERE status = 'running' OR (status = 'queued' AND started_at IS NOT NULL)")
      .pluck()
      .all() as number[];
    const openSessions = db.prepare('SELECT id, owner_host, owner_pid FROM run_sessions WHERE run_id = ? AND ended_at IS NULL');
    const endSession = db.prepare(
      "UPDATE run_sessions SET ended_at = ?, end_status = 'interrupted', error = ? WHERE id = ?",
    );
    const interruptRun = db.prepare(
      "UPDATE runs SET status = 'interrupted', finished_at = ?, error = coalesce(error, ?) WHERE id = ?",
    );
    let recovered = 0;
    for (const runId of candidates) {
      const sessions = openSessions.all(runId) as Array<{ id: number; owner_host: string; owner_pid: number }>;
      if (sessions.some((session) => sessionOwnerIsAlive(dbFile, session))) continue;
      for (const session of sessions) endSession.run(now, INTERRUPTED_MESSAGE, session.id);
      interruptRun.run(now, INTERRUPTED_MESSAGE, runId);
      recovered++;
    }
    return recovered;
  });
  return recover.immediate();
}

/** Records a new session owned by this process; the caller updates the run in the same transaction. */
export function insertSession(prepare: Prepare, runId: number, backend: BackendInfo, fromEpoch: number, now: number): number {
  const result = prepare(
    'INSERT INTO run_sessions (run_id, started_at, backend_json, from_epoch, owner_host, owner_pid) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(runId, now, JSON.stringify(backend), fromEpoch, ownerHost, process.pid);
  return Number(result.lastInsertRowid);
}

/** Closes the run's open sessions and returns their ids. */
export function endOpenSessions(prepare: Prepare, runId: number, status: FinishStatus, error: string | null, now: number): number[] {
  const open = prepare('SELECT id FROM run_sessions WHERE run_id = ? AND ended_at IS NULL').pluck().all(runId) as number[];
  prepare('UPDATE run_sessions SET ended_at = ?, end_status = ?, error = ? WHERE run_id = ? AND ended_at IS NULL').run(
    now, status, error, runId,
  );
  return open;
}

export function selectSessions(prepare: Prepare, runId: number): RunSessionRecord[] {
  return (prepare('SELECT * FROM run_sessions WHERE run_id = ? ORDER BY id').all(runId) as SessionRow[]).map(toSessionRecord);
}
