// Run leases: which live process owns a queued or running run. The process that creates or trains a run holds
// its lease and renews the heartbeat every second; a lease counts as gone once its process has died (checked by
// pid on this host) or its heartbeat is older than LEASE_STALE_MS (a reused pid, a hung process, another host).
// Other processes refuse to train a run whose lease is live, and refuse to start another training meanwhile, so
// one run trains at a time on a database; recovery interrupts runs whose lease is gone.
import fs from 'node:fs';
import os from 'node:os';
import type { Prepare } from './metrics.ts';
import { StoreError } from './validate.ts';

export const LEASE_HEARTBEAT_MS = 1000;
/**
 * Long enough that an owner whose thread is busy for a while (a long batch or evaluation holds the event loop)
 * is not taken for dead; a dead owner on this host is recognised at once by its pid.
 */
export const LEASE_STALE_MS = 30_000;

export const ownerHost = os.hostname();

export interface LeaseRow {
  run_id: number;
  owner_host: string;
  owner_pid: number;
  owner_label: string;
  acquired_at: number;
  heartbeat_at: number;
}

/** `${dbFile}\0${runId}` of leases held by a still-open Store in this thread. */
const heldInThisThread = new Set<string>();

export function noteLeaseHeld(dbFile: string, runId: number): void {
  heldInThisThread.add(`${dbFile}\0${runId}`);
}

export function noteLeaseDropped(dbFile: string, runId: number): void {
  heldInThisThread.delete(`${dbFile}\0${runId}`);
}

export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0); // signal 0: existence check only
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** A zombie has exited and waits only for its parent to collect its status (Linux; elsewhere: false). */
function isZombie(pid: number): boolean {
  if (process.platform !== 'linux') return false;
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}

export function isOwnLease(lease: Pick<LeaseRow, 'owner_host' | 'owner_pid'>): boolean {
  return lease.owner_host === ownerHost && lease.owner_pid === process.pid;
}

export function leaseIsLive(dbFile: string, lease: LeaseRow, now: number): boolean {
  // Held by a Store of this thread: alive, however late its heartbeat (the thread may just have been busy).
  if (isOwnLease(lease) && heldInThisThread.has(`${dbFile}\0${lease.run_id}`)) return true;
  // A Store that closes without finishing its run expires the heartbeat, so that run is recovered at once.
  if (now - lease.heartbeat_at > LEASE_STALE_MS) return false;
  // Another machine's process cannot be checked; its heartbeat is all there is.
  if (lease.owner_host !== ownerHost) return true;
  return processIsAlive(lease.owner_pid);
}

function clock(time: number): string {
  const date = new Date(time);
  const pad = (n: number) => String(n).padStart(2, '0');
  const hhmm = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  const today = new Date().toDateString() === date.toDateString();
  return today ? hhmm : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${hhmm}`;
}

/** "process 12345 (layerlab train, started 10:41)", with the host when it is another machine. */
export function describeHolder(
  lease: Pick<LeaseRow, 'owner_host' | 'owner_pid' | 'owner_label' | 'acquired_at'>,
): string {
  const host = lease.owner_host === ownerHost ? '' : ` on host ${lease.owner_host}`;
  return `process ${lease.owner_pid}${host} (${lease.owner_label}, started ${clock(lease.acquired_at)})`;
}

export function selectLease(prepare: Prepare, runId: number): LeaseRow | undefined {
  return prepare('SELECT * FROM run_leases WHERE run_id = ?').get(runId) as LeaseRow | undefined;
}

/** The live lease of another process on this run, if any. */
export function foreignLease(prepare: Prepare, dbFile: string, runId: number, now: number): LeaseRow | undefined {
  const lease = selectLease(prepare, runId);
  return lease && !isOwnLease(lease) && leaseIsLive(dbFile, lease, now) ? lease : undefined;
}

/**
 * Training cannot go ahead now because another live process trains on the database, or runs a sweep's queue;
 * a sweep queue waits and tries again, anything else reports it.
 */
export class TrainingBusyError extends StoreError {}

/** The sweep a run belongs to, and how messages name it: ' (point 3 of sweep 2 “lr search”)'; null for none. */
function sweepOfRun(prepare: Prepare, runId: number): { id: number; name: string; text: string } | null {
  const row = prepare(
    `SELECT sweeps.id AS id, sweeps.name AS name, sweep_points.point AS point FROM sweep_points
     JOIN sweeps ON sweeps.id = sweep_points.sweep_id WHERE sweep_points.run_id = ?`,
  ).get(runId) as { id: number; name: string; point: number } | undefined;
  return row
    ? { id: row.id, name: row.name, text: ` (point ${row.point + 1} of sweep ${row.id} “${row.name}”)` }
    : null;
}

/** A sweep's queue lease (sweeps.owner_*): live like a run's lease, by pid on this host and by heartbeat. */
export interface SweepDriverRow {
  id: number;
  name: string;
  owner_host: string;
  owner_pid: number;
  owner_label: string;
  acquired_at: number;
  heartbeat_at: number;
}

export function sweepDriverIsLive(
  driver: Pick<SweepDriverRow, 'owner_host' | 'owner_pid' | 'heartbeat_at'>,
  now: number,
): boolean {
  if (now - driver.heartbeat_at > LEASE_STALE_MS) return false;
  if (driver.owner_host !== ownerHost) return true;
  return processIsAlive(driver.owner_pid);
}

/**
 * A running sweep whose queue another live process runs, and which goes before `runId`: any such sweep goes before
 * a run outside sweeps, its own runs are that process's to train, and older sweeps go before a newer sweep's runs
 * (so two queues never wait on each other).
 */
function blockingSweep(prepare: Prepare, runId: number | null, now: number): SweepDriverRow | undefined {
  const own = runId === null ? null : sweepOfRun(prepare, runId);
  const drivers = prepare(
    `SELECT id, name, owner_host, owner_pid, owner_label, acquired_at, heartbeat_at FROM sweeps
     WHERE status = 'running' AND owner_pid IS NOT NULL ORDER BY id`,
  ).all() as SweepDriverRow[];
  return drivers.find((d) => (own === null || d.id <= own.id) && !isOwnLease(d) && sweepDriverIsLive(d, now));
}

/** Throws when another live process holds the run. */
export function requireNotHeldElsewhere(prepare: Prepare, dbFile: string, runId: number, now: number): void {
  const lease = foreignLease(prepare, dbFile, runId, now);
  if (lease)
    throw new TrainingBusyError(
      `run ${runId}${sweepOfRun(prepare, runId)?.text ?? ''} is being trained by ${describeHolder(lease)}`,
    );
}

/**
 * Throws when another live process holds `runId` or trains any other run on this database. `runId` null: a run
 * about to be created.
 */
export function requireFreeToTrain(prepare: Prepare, dbFile: string, runId: number | null, now: number): void {
  if (runId !== null) requireNotHeldElsewhere(prepare, dbFile, runId, now);
  const others = prepare(
    `SELECT run_leases.* FROM run_leases JOIN runs ON runs.id = run_leases.run_id
     WHERE runs.status IN ('queued', 'running') AND run_leases.run_id IS NOT ?`,
  ).all(runId) as LeaseRow[];
  const busy = others.find((lease) => !isOwnLease(lease) && leaseIsLive(dbFile, lease, now));
  const what = runId === null ? 'cannot start a new run' : `cannot train run ${runId}`;
  if (busy)
    throw new TrainingBusyError(
      `${what}: run ${busy.run_id}${sweepOfRun(prepare, busy.run_id)?.text ?? ''} is being trained by ${describeHolder(busy)}; one run trains at a time on a database`,
    );
  const sweep = blockingSweep(prepare, runId, now);
  if (sweep)
    throw new TrainingBusyError(
      `${what}: sweep ${sweep.id} “${sweep.name}” is running in ${describeHolder(sweep)} and trains its runs one after another; pause it (layerlab sweep pause ${sweep.id}) or wait for it, one run trains at a time on a database`,
    );
}

/** Takes (or refreshes) this process's lease on the run; the caller checked requireFreeToTrain in the same transaction. */
export function writeLease(prepare: Prepare, runId: number, label: string, now: number): void {
  prepare(
    `INSERT INTO run_leases (run_id, owner_host, owner_pid, owner_label, acquired_at, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE SET
       acquired_at = CASE WHEN owner_host = excluded.owner_host AND owner_pid = excluded.owner_pid THEN acquired_at ELSE excluded.acquired_at END,
       owner_host = excluded.owner_host, owner_pid = excluded.owner_pid, owner_label = excluded.owner_label,
       heartbeat_at = excluded.heartbeat_at`,
  ).run(runId, ownerHost, process.pid, label, now, now);
}

/** Returns false when this process no longer holds the run's lease. */
export function renewLease(prepare: Prepare, runId: number, now: number): boolean {
  return (
    prepare('UPDATE run_leases SET heartbeat_at = ? WHERE run_id = ? AND owner_host = ? AND owner_pid = ?').run(
      now,
      runId,
      ownerHost,
      process.pid,
    ).changes > 0
  );
}

export function deleteOwnLease(prepare: Prepare, runId: number): void {
  prepare('DELETE FROM run_leases WHERE run_id = ? AND owner_host = ? AND owner_pid = ?').run(
    runId,
    ownerHost,
    process.pid,
  );
}
