// Checkpoint files on a bad disk: each file verified by size and checksum and named in errors, the old format
// still readable, the newest readable checkpoint chosen for a resume, disk faults during a write named, and
// half-written or foreign run folders dealt with before a session trains into them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  CheckpointError,
  CheckpointWriteError,
  newestReadableCheckpoint,
  readCheckpoint,
  removeRunCheckpoints,
  runCheckpointDir,
  writeCheckpoint,
  type CheckpointContents,
} from '#engine/train/checkpoint.ts';
import { formatBytes } from '#engine/train/checkpoint-files.ts';
import { markRunFolder, prepareRunFolder } from '#engine/train/run-folder.ts';
import { tempDir } from './helpers/tmp.ts';

const SHAPES = [[784, 10], [10]];
const root = tempDir('layerlab-disk-');
let folders = 0;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => {
  vi.restoreAllMocks();
});

function contents(epoch: number, seed = epoch): CheckpointContents {
  return {
    epoch,
    weights: SHAPES.map((shape, i) => ({
      name: `w${i}`,
      tensor: tf.randomNormal(shape, 0, 0.1, 'float32', seed * 10 + i),
    })),
    optimizer: {
      className: 'Adam',
      weights: [
        { name: 'iter', tensor: tf.scalar(epoch * 5, 'int32') },
        ...SHAPES.map((shape, i) => ({ name: `w${i}/m`, tensor: tf.zeros(shape) })),
      ],
    },
  };
}

async function save(runDir: string, epoch: number): Promise<string> {
  const c = contents(epoch);
  try {
    return await writeCheckpoint(runDir, c);
  } finally {
    tf.dispose([...c.weights, ...c.optimizer.weights].map((w) => w.tensor));
  }
}

/** A checkpoint in the first format: the same files, a manifest without sizes or checksums. */
async function saveVersion1(runDir: string, epoch: number): Promise<string> {
  const folder = await save(runDir, epoch);
  const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'checkpoint.json'), 'utf8'));
  delete manifest.files;
  fs.writeFileSync(path.join(folder, 'checkpoint.json'), JSON.stringify({ ...manifest, version: 1 }));
  return folder;
}

function read(folder: string): CheckpointContents {
  const checkpoint = readCheckpoint(folder, SHAPES, true);
  tf.dispose([...checkpoint.weights, ...checkpoint.optimizer.weights].map((w) => w.tensor));
  return checkpoint;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

/** Bytes that decode into floats, none of them NaN or infinite: garbage a version 1 checkpoint cannot tell apart. */
const finiteGarbage = (bytes: number) => Buffer.from(new Float32Array(bytes / 4).map((_, i) => Math.sin(i) * 3).buffer);

/** The folder of run 7 under a checkpoint root of its own. */
const newRunDir = () => runCheckpointDir(path.join(root, String(folders++), 'runs'), 7);

describe('checkpoint manifest and verification', () => {
  it('records each data file’s size and sha256, writes the manifest last and leaves no temporary folder', async () => {
    const runDir = newRunDir();
    const folder = await save(runDir, 1);
    expect(fs.readdirSync(runDir)).toEqual(['epoch-1']);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, 'checkpoint.json'), 'utf8'));
    expect(manifest.version).toBe(2);
    expect(manifest.files['weights.bin']).toEqual({
      bytes: (7840 + 10) * 4,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(fs.statSync(path.join(folder, 'optimizer.bin')).size).toBe(manifest.files['optimizer.bin'].bytes);
    expect(read(folder).epoch).toBe(1);
  });

  it('names a truncated file and both sizes', async () => {
    const folder = await save(newRunDir(), 3);
    const file = path.join(folder, 'weights.bin');
    fs.truncateSync(file, 12_000);
    const error = errorOf(() => read(folder));
    expect(error).toBeInstanceOf(CheckpointError);
    expect(error.message).toBe(`${file}: expected ${formatBytes(31_400)} bytes, found 12,000 (truncated)`);
  });

  it('catches random bytes of the right size by their checksum', async () => {
    const folder = await save(newRunDir(), 3);
    const file = path.join(folder, 'optimizer.bin');
    fs.writeFileSync(file, finiteGarbage(fs.statSync(file).size));
    expect(errorOf(() => read(folder)).message).toBe(
      `${file}: checksum mismatch (its contents changed after it was written)`,
    );
  });

  it('names a missing manifest, a manifest that is not JSON, and a missing folder', async () => {
    const folder = await save(newRunDir(), 1);
    const manifest = path.join(folder, 'checkpoint.json');
    fs.writeFileSync(manifest, '{"format": "layerlab-che');
    expect(errorOf(() => read(folder)).message).toMatch(
      new RegExp(`^${manifest.replaceAll('\\', '\\\\')} is not valid JSON`),
    );
    fs.rmSync(manifest);
    expect(errorOf(() => read(folder)).message).toBe(`${manifest} is missing`);
    fs.rmSync(folder, { recursive: true });
    expect(errorOf(() => read(folder)).message).toBe(`checkpoint folder ${folder} is missing`);
  });

  it('still reads the first format (no sizes or checksums): its sizes come from the layout, garbage shows as NaN', async () => {
    const runDir = newRunDir();
    const folder = await saveVersion1(runDir, 2);
    const original = contents(2);
    const restored = readCheckpoint(folder, SHAPES, true);
    expect(restored.weights[0].tensor.dataSync()).toEqual(original.weights[0].tensor.dataSync());
    tf.dispose(
      [...original.weights, ...original.optimizer.weights, ...restored.weights, ...restored.optimizer.weights].map(
        (w) => w.tensor,
      ),
    );

    const file = path.join(folder, 'weights.bin');
    const bytes = fs.statSync(file).size;
    fs.truncateSync(file, bytes - 4);
    expect(errorOf(() => read(folder)).message).toBe(
      `${file}: expected ${formatBytes(bytes)} bytes, found ${formatBytes(bytes - 4)} (truncated)`,
    );
    const nan = finiteGarbage(bytes);
    nan.writeFloatLE(Number.NaN, 400);
    fs.writeFileSync(file, nan);
    expect(errorOf(() => read(folder)).message).toBe(
      `${file}: weight w0 holds NaN or infinite values (the file is damaged, or the weights diverged)`,
    );
  });
});

describe('choosing the checkpoint a resume starts from', () => {
  it('takes the newest that verifies and says which it skipped and why', async () => {
    const runDir = newRunDir();
    const records = [];
    for (const epoch of [1, 2, 3]) records.push({ epoch, path: await save(runDir, epoch) });
    expect(newestReadableCheckpoint(records)).toEqual({ checkpoint: records[2], notice: null });

    const weights3 = path.join(records[2].path, 'weights.bin');
    fs.truncateSync(weights3, 100);
    const choice = newestReadableCheckpoint(records);
    expect(choice.checkpoint).toEqual(records[1]);
    expect(choice.notice).toBe(
      `epoch 3 checkpoint unreadable (${weights3}: expected ${formatBytes(31_400)} bytes, found 100 (truncated)); resumed from the epoch 2 checkpoint`,
    );
  });

  it('offers a fresh start when no checkpoint is readable, instead of failing for good', async () => {
    const runDir = newRunDir();
    const records = [];
    for (const epoch of [1, 2]) records.push({ epoch, path: await save(runDir, epoch) });
    fs.rmSync(path.join(records[1].path, 'checkpoint.json'));
    fs.writeFileSync(path.join(records[0].path, 'weights.bin'), finiteGarbage(31_400));
    const choice = newestReadableCheckpoint(records);
    expect(choice.checkpoint).toBeNull();
    expect(choice.notice).toMatch(
      /^epoch 2 checkpoint unreadable \(.*checkpoint\.json is missing\); epoch 1 checkpoint unreadable \(.*weights\.bin: checksum mismatch .*\); no readable checkpoint is left, so training starts again from epoch 0$/,
    );
    expect(newestReadableCheckpoint([])).toEqual({ checkpoint: null, notice: null });
  });

  it('does not take a folder whose manifest holds another epoch than the one recorded', async () => {
    const runDir = newRunDir();
    const folder = await save(runDir, 2);
    const choice = newestReadableCheckpoint([{ epoch: 3, path: folder }]);
    expect(choice.notice).toMatch(/holds epoch 2, not 3\); no readable checkpoint/);
  });
});

describe('disk faults while writing a checkpoint', () => {
  const failing = (code: string, fileName: string) => {
    const write = fs.writeFileSync;
    vi.spyOn(fs, 'writeFileSync').mockImplementation((file, ...rest) => {
      if (String(file).endsWith(fileName)) throw Object.assign(new Error(`${code}: simulated, write`), { code });
      return write(file, ...rest);
    });
  };

  for (const [code, cause, fileName] of [
    ['ENOSPC', 'disk full', 'optimizer.bin'],
    ['EDQUOT', 'disk quota exceeded', 'weights.bin'],
    ['EIO', 'disk I/O error', 'checkpoint.json'],
    ['EROFS', 'file system is read-only', 'weights.bin'],
  ] as const) {
    it(`names ${code} as "${cause}", removes the partial folder and keeps the previous checkpoint`, async () => {
      const runDir = newRunDir();
      const previous = await save(runDir, 1);
      failing(code, fileName);
      const error = await save(runDir, 2).then(
        () => null,
        (e: Error) => e,
      );
      expect(error).toBeInstanceOf(CheckpointWriteError);
      expect(error!.message).toBe(
        `${cause} while writing the epoch 2 checkpoint to ${path.join(runDir, 'epoch-2')}: ${code}`,
      );
      vi.restoreAllMocks();
      expect(fs.readdirSync(runDir).sort()).toEqual(['epoch-1']);
      expect(read(previous).epoch).toBe(1);
    });
  }

  it('names other write failures too, with their message', async () => {
    const runDir = newRunDir();
    failing('EACCES', 'weights.bin');
    const error = await save(runDir, 1).then(
      () => null,
      (e: Error) => e,
    );
    expect(error!.message).toBe(
      `could not write the epoch 1 checkpoint to ${path.join(runDir, 'epoch-1')}: EACCES: simulated, write`,
    );
  });
});

describe('the run folder before a session', () => {
  const run = { id: 7, createdAt: 1_700_000_000_000 };
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!;

  it('removes half-written folders of dead processes and of this one, not of a live other process', async () => {
    const runDir = newRunDir();
    await save(runDir, 1);
    const dead = `epoch-2.tmp-${deadPid()}`;
    const own = `epoch-3.tmp-${process.pid}`;
    const live = `epoch-4.tmp-${process.ppid}`;
    for (const name of [dead, own, live]) fs.mkdirSync(path.join(runDir, name, 'x'), { recursive: true });
    const report = prepareRunFolder(runDir, run, true);
    expect(fs.readdirSync(runDir).sort()).toEqual(['epoch-1', live]);
    expect(report.cleaned).toHaveLength(1);
    expect(report.cleaned[0]).toMatch(
      new RegExp(`^removed half-written checkpoint folder\\(s\\) (${dead}, ${own}|${own}, ${dead}) from `),
    );
    expect(report.notices).toEqual([]);
  });

  it('moves aside a folder holding another run’s checkpoints (a replaced database), never overwriting it', async () => {
    const runDir = newRunDir();
    const old = await save(runDir, 1);
    const before = fs.readFileSync(path.join(old, 'weights.bin'));
    // No run.json (a folder from before it existed) and no checkpoint recorded for this run: not this run's.
    const report = prepareRunFolder(runDir, run, false);
    expect(report.notices).toHaveLength(1);
    const aside = /moved it aside to (.+) instead of overwriting it$/.exec(report.notices[0])![1];
    expect(report.notices[0]).toBe(
      `run folder ${runDir} belongs to another run (it holds checkpoints this database does not record for run 7 (was the database replaced?)); moved it aside to ${aside} instead of overwriting it`,
    );
    expect(fs.readFileSync(path.join(aside, 'epoch-1', 'weights.bin')).equals(before)).toBe(true);
    expect(fs.existsSync(runDir)).toBe(false);

    // This run's session marks the folder as run 7 of 1_700_000_000_000: a later run 7 (another database again)
    // moves it aside although it records checkpoints of its own.
    markRunFolder(runDir, run);
    await save(runDir, 1);
    expect(fs.readdirSync(runDir).sort()).toEqual(['epoch-1', 'run.json']);
    expect(prepareRunFolder(runDir, run, true).notices).toEqual([]);
    const later = prepareRunFolder(runDir, { id: 7, createdAt: run.createdAt + 1 }, true);
    expect(later.notices[0]).toMatch(
      /its run\.json names run 7 created 2023-11-14T22:13:20\.000Z, not this run created 2023-11-14T22:13:20\.001Z\); moved it aside/,
    );
  });

  it('keeps a folder from before run.json existed when the store records its checkpoints', async () => {
    const runDir = newRunDir();
    await save(runDir, 1);
    expect(prepareRunFolder(runDir, run, true)).toEqual({ notices: [], cleaned: [] });
    expect(fs.readdirSync(runDir)).toEqual(['epoch-1']);
  });

  it('removes a deleted run’s whole folder, half-written checkpoints included', async () => {
    const runDir = newRunDir();
    await save(runDir, 1);
    fs.mkdirSync(path.join(runDir, `epoch-2.tmp-${deadPid()}`));
    removeRunCheckpoints(path.dirname(runDir), 7, [path.join(runDir, 'epoch-1')]);
    expect(fs.existsSync(runDir)).toBe(false);
  });
});
