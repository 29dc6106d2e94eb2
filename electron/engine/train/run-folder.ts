// A run's checkpoint folder (<checkpointRoot>/<runId>), made ready before a session trains into it:
// - half-written `epoch-<n>.tmp-<pid>` folders of processes that died mid-write are removed;
// - a folder that belongs to another run with the same id (the database was replaced, so ids start over) is
//   moved aside, never overwritten. run.json in the folder names the run it belongs to; a folder from before
//   run.json existed counts as the run's own when the store records checkpoints for the run.
import fs from 'node:fs';
import path from 'node:path';
import { diskFault, errorCode } from '../disk-errors.ts';
import { processIsAlive } from '../store/leases.ts';
import { TEMP_FOLDER } from './checkpoint.ts';

const MARKER_FILE = 'run.json';
const CHECKPOINT_FOLDER = /^epoch-\d+$/;

interface RunMarker {
  runId: number;
  createdAt: number;
}

export interface RunFolderReport {
  /** What the user should be told (e.g. a folder moved aside); goes to the session and the log. */
  notices: string[];
  /** Housekeeping worth a log line only (leftover temporary folders removed). */
  cleaned: string[];
}

function readMarker(runDir: string): RunMarker | null {
  try {
    const marker = JSON.parse(fs.readFileSync(path.join(runDir, MARKER_FILE), 'utf8')) as RunMarker;
    return Number.isSafeInteger(marker?.runId) && Number.isSafeInteger(marker?.createdAt) ? marker : null;
  } catch {
    return null;
  }
}

/**
 * Removes `epoch-<n>.tmp-<pid>` folders whose process is gone, or is this one: this session has not started
 * writing yet, and the run's lease keeps any other session of this process off the run.
 */
export function removeStaleTempFolders(runDir: string): string[] {
  if (!fs.existsSync(runDir)) return [];
  const removed: string[] = [];
  for (const name of fs.readdirSync(runDir)) {
    const pid = TEMP_FOLDER.exec(name)?.[1];
    if (pid === undefined || (Number(pid) !== process.pid && processIsAlive(Number(pid)))) continue;
    fs.rmSync(path.join(runDir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

const isMarkerOf = (marker: RunMarker | null, run: { id: number; createdAt: number }) =>
  marker !== null && marker.runId === run.id && marker.createdAt === run.createdAt;

/** Why the folder's checkpoints belong to another run, or null when they are this run's (or there are none). */
function foreignBecause(
  runDir: string,
  run: { id: number; createdAt: number },
  recordsCheckpoints: boolean,
): string | null {
  if (!fs.readdirSync(runDir).some((name) => CHECKPOINT_FOLDER.test(name))) return null;
  const marker = readMarker(runDir);
  if (marker) {
    if (isMarkerOf(marker, run)) return null;
    return `its ${MARKER_FILE} names run ${marker.runId} created ${new Date(marker.createdAt).toISOString()}, not this run created ${new Date(run.createdAt).toISOString()}`;
  }
  if (recordsCheckpoints) return null;
  return `it holds checkpoints this database does not record for run ${run.id} (was the database replaced?)`;
}

function folderError(error: unknown, runDir: string): Error {
  const fault = diskFault(error);
  const message = fault
    ? `${fault} while preparing the run folder ${runDir}: ${errorCode(error)}`
    : `cannot prepare the run folder ${runDir}: ${error instanceof Error ? error.message : String(error)}`;
  return new Error(message, { cause: error });
}

/**
 * Before a session picks its checkpoint: removes leftover temporary folders and moves aside a folder of another
 * run; `recordsCheckpoints` says whether the store has checkpoint rows for the run.
 */
export function prepareRunFolder(
  runDir: string,
  run: { id: number; createdAt: number },
  recordsCheckpoints: boolean,
): RunFolderReport {
  const report: RunFolderReport = { notices: [], cleaned: [] };
  if (!fs.existsSync(runDir)) return report;
  try {
    const removed = removeStaleTempFolders(runDir);
    if (removed.length)
      report.cleaned.push(`removed half-written checkpoint folder(s) ${removed.join(', ')} from ${runDir}`);
    const foreign = foreignBecause(runDir, run, recordsCheckpoints);
    if (foreign) {
      const aside = `${runDir}.orphaned-${Date.now()}`;
      fs.renameSync(runDir, aside);
      report.notices.push(
        `run folder ${runDir} belongs to another run (${foreign}); moved it aside to ${aside} instead of overwriting it`,
      );
    }
  } catch (error) {
    throw folderError(error, runDir);
  }
  return report;
}

/**
 * Once its session has started: marks the folder as this run's (run.json), so a later run with the same id
 * moves it aside. Only started sessions mark, so a start that fails earlier leaves no folder behind.
 */
export function markRunFolder(runDir: string, run: { id: number; createdAt: number }): void {
  if (isMarkerOf(readMarker(runDir), run)) return;
  try {
    fs.mkdirSync(runDir, { recursive: true });
    const marker: RunMarker = { runId: run.id, createdAt: run.createdAt };
    fs.writeFileSync(path.join(runDir, MARKER_FILE), JSON.stringify(marker));
  } catch (error) {
    throw folderError(error, runDir);
  }
}
