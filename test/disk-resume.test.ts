// Runs on a bad disk, end to end through the runner: a damaged latest checkpoint costs epochs, not the run; none
// readable means a fresh start; a full disk during a checkpoint or a store write fails the run with the real
// cause and leaves it resumable; leftover temporary folders go; a replaced database never overwrites old runs.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import { resumeRun, trainNewRun, type RunnerContext } from '#engine/runner.ts';
import { toStoreError } from '#engine/store/connection.ts';
import { Store } from '#engine/store/index.ts';
import type { RunEvent } from '#shared/types.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir('layerlab-disk-resume-');
const dataset = writeSyntheticIdx(path.join(dir, 'idx'));
const checkpointRoot = path.join(dir, 'runs');
// 20 images in batches of 4: 5 batches an epoch.
const request = (epochs: number) => ({
  spec: tinySpec,
  dataset,
  hyperparameters: { epochs, batchSize: 4, validationSplit: 0, seed: 5 },
});
let store: Store;

beforeAll(async () => {
  await initBackend('cpu');
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
  return () => store.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

function context(extra: Partial<RunnerContext> = {}): RunnerContext & { events: RunEvent[]; logs: string[] } {
  const events: RunEvent[] = [];
  const logs: string[] = [];
  return {
    store,
    checkpointRoot,
    backend: 'cpu',
    testLimit: 12,
    onEvent: (e) => events.push(e),
    log: (m) => logs.push(m),
    events,
    logs,
    ...extra,
  };
}

/** A run of `epochs` stopped in the middle of its last epoch, with a checkpoint for every epoch before it. */
async function stoppedRun(epochs: number): Promise<number> {
  const controller = new AbortController();
  const ctx = context({
    signal: controller.signal,
    onEvent: (e) => {
      if (e.type === 'batch' && e.progress.epoch === epochs - 1 && e.progress.batch === 2) controller.abort();
    },
  });
  const outcome = await trainNewRun(ctx, request(epochs));
  expect(outcome.run.status).toBe('stopped');
  expect(store.checkpointFor(outcome.run.id, 'last')?.epoch).toBe(epochs - 1);
  return outcome.run.id;
}

const checkpointFile = (runId: number, epoch: number, file: string) =>
  path.join(checkpointRoot, String(runId), `epoch-${epoch}`, file);
const startedFrom = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'started' ? [e.fromEpoch] : []));

describe('resuming past damaged checkpoints', () => {
  it('falls back to the previous epoch when the latest weights are truncated, and says so on the session and in the log', async () => {
    const runId = await stoppedRun(4);
    const weights = checkpointFile(runId, 3, 'weights.bin');
    fs.truncateSync(weights, 1000);
    const ctx = context();
    const outcome = await resumeRun(ctx, runId);
    expect(startedFrom(ctx.events)).toEqual([2]);
    expect(outcome.run.status).toBe('completed');
    expect(store.getEpochMetrics(runId).map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
    const notice = `epoch 3 checkpoint unreadable (${weights}: expected 31,400 bytes, found 1,000 (truncated)); resumed from the epoch 2 checkpoint`;
    expect(store.getRunSessions(runId).at(-1)).toMatchObject({ fromEpoch: 2, endStatus: 'completed', error: notice });
    expect(ctx.logs).toContain(`run ${runId}: ${notice}`);
    expect(fs.statSync(weights).size).toBe(31_400); // epoch 3 trained and saved again
  });

  it('catches random weights of the right size by their checksum instead of training into "diverged"', async () => {
    const runId = await stoppedRun(3);
    const weights = checkpointFile(runId, 2, 'weights.bin');
    fs.writeFileSync(weights, Buffer.alloc(31_400, 0x7f));
    const ctx = context();
    const outcome = await resumeRun(ctx, runId);
    expect(outcome.run.status).toBe('completed');
    expect(startedFrom(ctx.events)).toEqual([1]);
    expect(store.getRunSessions(runId).at(-1)!.error).toBe(
      `epoch 2 checkpoint unreadable (${weights}: checksum mismatch (its contents changed after it was written)); resumed from the epoch 1 checkpoint`,
    );
  });

  it('starts again from epoch 0 when no checkpoint is readable, rather than failing on every resume', async () => {
    const runId = await stoppedRun(3);
    for (const epoch of [1, 2]) fs.rmSync(checkpointFile(runId, epoch, 'checkpoint.json'));
    const ctx = context();
    const outcome = await resumeRun(ctx, runId);
    expect(startedFrom(ctx.events)).toEqual([0]);
    expect(outcome.run.status).toBe('completed');
    expect(store.getBatchMetrics(runId)).toHaveLength(15);
    expect(store.getRunSessions(runId).at(-1)!.error).toMatch(
      /^epoch 2 checkpoint unreadable \(.*epoch-2[/\\]checkpoint\.json is missing\); epoch 1 checkpoint unreadable \(.*\); no readable checkpoint is left, so training starts again from epoch 0$/,
    );
    expect(store.checkpointFor(runId, 'last')?.epoch).toBe(3);
  });

  it('removes half-written checkpoint folders of dead processes when a session starts', async () => {
    const runId = await stoppedRun(2);
    const leftover = path.join(
      checkpointRoot,
      String(runId),
      `epoch-2.tmp-${spawnSync(process.execPath, ['-e', '']).pid}`,
    );
    fs.mkdirSync(leftover);
    fs.writeFileSync(path.join(leftover, 'weights.bin'), 'partial');
    const ctx = context();
    await resumeRun(ctx, runId);
    expect(fs.existsSync(leftover)).toBe(false);
    expect(ctx.logs).toEqual([
      `run ${runId}: removed half-written checkpoint folder(s) ${path.basename(leftover)} from ${path.dirname(leftover)}`,
    ]);
    expect(store.getRunSessions(runId).at(-1)!.error).toBeNull();
  });
});

describe('a full disk', () => {
  /** Makes fs.writeFileSync fail with `code` for files whose path matches. */
  const failWrites = (code: string, match: RegExp) => {
    const write = fs.writeFileSync;
    vi.spyOn(fs, 'writeFileSync').mockImplementation((file, ...rest) => {
      if (match.test(String(file))) throw Object.assign(new Error(`${code}: no space left on device, write`), { code });
      return write(file, ...rest);
    });
  };

  it('while writing a checkpoint: the run fails with the real cause, no temporary folder is left, and it resumes from the previous epoch', async () => {
    failWrites('ENOSPC', /epoch-2\.tmp-\d+[/\\]weights\.bin$/);
    const ctx = context();
    const outcome = await trainNewRun(ctx, request(3));
    const runId = outcome.run.id;
    const runDir = path.join(checkpointRoot, String(runId));
    const cause = `disk full while writing the epoch 2 checkpoint to ${path.join(runDir, 'epoch-2')}: ENOSPC`;
    expect(outcome.run).toMatchObject({ status: 'failed', error: cause });
    expect(ctx.events.at(-1)).toEqual({ type: 'finished', runId, status: 'failed', error: cause });
    expect(store.getRunSessions(runId).at(-1)).toMatchObject({ endStatus: 'failed', error: cause });
    expect(fs.readdirSync(runDir).sort()).toEqual(['epoch-1', 'run.json']);
    expect(store.getBatchMetrics(runId)).toHaveLength(10); // epoch 2's batches were written before its checkpoint

    vi.restoreAllMocks();
    const again = context();
    expect((await resumeRun(again, runId)).run.status).toBe('completed');
    expect(startedFrom(again.events)).toEqual([1]);
  });

  it('while the store records the run’s end as well: the checkpoint’s cause still leads the error', async () => {
    failWrites('ENOSPC', /epoch-1\.tmp-\d+[/\\]optimizer\.bin$/);
    const finish = store.finishRunSession.bind(store);
    const full = toStoreError(realSqliteFull(), 'finish run session', store.file);
    vi.spyOn(store, 'finishRunSession').mockImplementationOnce(() => {
      throw full;
    });
    const ctx = context();
    const error = await trainNewRun(ctx, request(2)).then(
      () => null,
      (e: Error) => e,
    );
    expect(error!.message).toMatch(
      /^disk full while writing the epoch 1 checkpoint to .*epoch-1: ENOSPC; recording the run's end also failed: disk full: finish run session failed on database .*layerlab\.db \(SQLITE_FULL\)$/,
    );
    // What the engine's supervisor does next once the disk has room again: the run ends failed with that message.
    const runId = ctx.events[0].runId;
    expect(store.getRun(runId)?.status).toBe('running');
    expect(finish(runId, 'failed', error!.message)).toMatchObject({ status: 'failed', error: error!.message });
  });

  it('while writing batch metrics: the run fails naming the database and the cause', async () => {
    const full = toStoreError(realSqliteFull(), 'append batch metrics', store.file);
    vi.spyOn(store, 'appendBatchMetrics').mockImplementation(() => {
      throw full;
    });
    const outcome = await trainNewRun(context(), request(1));
    expect(outcome.run.status).toBe('failed');
    expect(outcome.run.error).toBe(
      `disk full: append batch metrics failed on database ${store.file} (SQLITE_FULL); its last 5 batch metric(s) could not be saved: ${full.message}`,
    );
  });
});

/** A real SQLITE_FULL from SQLite: a database capped at its current size, then written to. */
function realSqliteFull(): unknown {
  const db = new Database(':memory:');
  try {
    db.exec('CREATE TABLE t (x BLOB)');
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(100_000));
  } catch (error) {
    expect((error as { code: string }).code).toBe('SQLITE_FULL');
    return error;
  } finally {
    db.close();
  }
  throw new Error('expected SQLITE_FULL');
}

describe('a replaced database', () => {
  it('never lets a new run overwrite an older run’s checkpoint folder: it is moved aside, and the session says so', async () => {
    const root = path.join(dir, 'replaced');
    const runDir = path.join(root, 'runs', '1');
    const stores = [
      Store.open(path.join(root, 'old.db'), { log: () => {} }),
      Store.open(path.join(root, 'new.db'), { log: () => {} }),
    ];
    try {
      const first = await trainNewRun(
        { ...context(), store: stores[0], checkpointRoot: path.join(root, 'runs') },
        request(1),
      );
      expect(first.run.id).toBe(1);
      const weights = fs.readFileSync(path.join(runDir, 'epoch-1', 'weights.bin'));

      // A new database next to the same checkpoint folder starts its run ids at 1 again.
      const ctx = { ...context(), store: stores[1], checkpointRoot: path.join(root, 'runs') };
      const outcome = await trainNewRun(ctx, request(1));
      expect(outcome.run).toMatchObject({ id: 1, status: 'completed' });
      const notice = stores[1].getRunSessions(1)[0].error ?? '';
      const aside = /moved it aside to (.+) instead of overwriting it$/.exec(notice)?.[1];
      expect(notice).toMatch(
        /^run folder .*1 belongs to another run \(its run\.json names run 1 created .*, not this run created .*\); moved it aside/,
      );
      expect(fs.readFileSync(path.join(aside!, 'epoch-1', 'weights.bin')).equals(weights)).toBe(true);
      expect(ctx.logs).toEqual([`run 1: ${notice}`]);
      expect(fs.readdirSync(runDir).sort()).toEqual(['epoch-1', 'run.json']);
    } finally {
      for (const s of stores) s.close();
    }
  });
});
