// The files of one checkpoint folder and their checks. A folder holds weights.bin and optimizer.bin (tfjs's
// encoded weights) and checkpoint.json, the manifest, written last: their layout, and since version 2 each data
// file's size and sha256, so a truncated or overwritten file is named with what is wrong instead of being
// decoded into a shape error or into garbage weights. Version 1 folders (no sizes or checksums) stay readable:
// their sizes are checked against the layout, and their weights for values no training writes (NaN, Infinity).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { errorCode } from '../disk-errors.ts';

export const MANIFEST_FILE = 'checkpoint.json';
export const DATA_FILES = ['weights.bin', 'optimizer.bin'] as const;
export type DataFile = (typeof DATA_FILES)[number];

export interface FileRecord {
  bytes: number;
  sha256: string;
}

export interface CheckpointManifest {
  format: 'layerlab-checkpoint';
  version: 1 | 2;
  epoch: number; // number of finished epochs
  weights: tf.io.WeightsManifestEntry[];
  optimizer: { className: string; weights: tf.io.WeightsManifestEntry[] };
  /** Version 2 and later. */
  files?: Record<DataFile, FileRecord>;
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

const BYTES_PER_VALUE: Partial<Record<string, number>> = { float32: 4, int32: 4, bool: 1, complex64: 8 };

export const formatBytes = (n: number) => n.toLocaleString('en-US');

export function describeFile(data: Uint8Array): FileRecord {
  return { bytes: data.byteLength, sha256: crypto.createHash('sha256').update(data).digest('hex') };
}

/** Writes and fsyncs a file, so a checkpoint renamed into place after a crash holds what was written. */
export function writeFileDurably(file: string, data: string | Uint8Array): void {
  fs.writeFileSync(file, data, { flush: true });
}

/** Makes a folder's entries (files created or renamed in it) durable. */
export function syncFolder(dir: string): void {
  // Windows cannot open a folder to fsync it; NTFS journals its renames itself.
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** The size a layout encodes to, or null when it has a type of variable size (strings) or is quantized. */
function layoutBytes(specs: tf.io.WeightsManifestEntry[]): number | null {
  let total = 0;
  for (const spec of specs) {
    const perValue = BYTES_PER_VALUE[spec.dtype];
    if (perValue === undefined || spec.quantization) return null;
    total += spec.shape.reduce((a, b) => a * b, 1) * perValue;
  }
  return total;
}

function readFile(file: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (error) {
    const code = errorCode(error);
    throw new CheckpointError(
      code === 'ENOENT' ? `${file} is missing` : `${file} cannot be read: ${(error as Error).message}`,
      { cause: error },
    );
  }
}

const isLayout = (value: unknown): value is tf.io.WeightsManifestEntry[] =>
  Array.isArray(value) &&
  value.every((w) => typeof w?.name === 'string' && Array.isArray(w.shape) && typeof w.dtype === 'string');

const isFileRecord = (value: unknown): value is FileRecord =>
  Number.isSafeInteger((value as FileRecord)?.bytes) && /^[0-9a-f]{64}$/.test(String((value as FileRecord)?.sha256));

export function readManifest(folder: string): CheckpointManifest {
  if (!fs.existsSync(folder)) throw new CheckpointError(`checkpoint folder ${folder} is missing`);
  const file = path.join(folder, MANIFEST_FILE);
  let manifest: CheckpointManifest;
  try {
    manifest = JSON.parse(readFile(file).toString('utf8'));
  } catch (error) {
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(`${file} is not valid JSON (${(error as Error).message})`, { cause: error });
  }
  if (manifest?.format !== 'layerlab-checkpoint' || (manifest.version !== 1 && manifest.version !== 2)) {
    throw new CheckpointError(`${file} is not a Layerlab checkpoint manifest`);
  }
  if (!Number.isSafeInteger(manifest.epoch) || !isLayout(manifest.weights) || !isLayout(manifest.optimizer?.weights)) {
    throw new CheckpointError(`${file} is damaged: its epoch or weight layout is missing`);
  }
  if (manifest.version === 2 && !DATA_FILES.every((name) => isFileRecord(manifest.files?.[name]))) {
    throw new CheckpointError(`${file} is damaged: the size or checksum of a data file is missing`);
  }
  return manifest;
}

export function layoutOf(manifest: CheckpointManifest, name: DataFile): tf.io.WeightsManifestEntry[] {
  return name === 'weights.bin' ? manifest.weights : manifest.optimizer.weights;
}

/** Reads one data file of the folder and checks it against the manifest; throws a CheckpointError naming the file. */
export function readDataFile(folder: string, manifest: CheckpointManifest, name: DataFile): Buffer {
  const file = path.join(folder, name);
  const data = readFile(file);
  const layout = layoutOf(manifest, name);
  const recorded = manifest.files?.[name];
  const expected = recorded?.bytes ?? layoutBytes(layout);
  if (expected !== null && data.byteLength !== expected) {
    const why = data.byteLength < expected ? 'truncated' : 'longer than written';
    throw new CheckpointError(
      `${file}: expected ${formatBytes(expected)} bytes, found ${formatBytes(data.byteLength)} (${why})`,
    );
  }
  if (recorded) {
    if (describeFile(data).sha256 !== recorded.sha256)
      throw new CheckpointError(`${file}: checksum mismatch (its contents changed after it was written)`);
    const fromLayout = layoutBytes(layout);
    if (fromLayout !== null && fromLayout !== recorded.bytes) {
      throw new CheckpointError(
        `${path.join(folder, MANIFEST_FILE)} is damaged: its layout of ${name} needs ${formatBytes(fromLayout)} bytes, the file has ${formatBytes(recorded.bytes)}`,
      );
    }
  } else if (name === 'weights.bin') {
    requireFiniteWeights(file, data, layout);
  }
  return data;
}

/** Version 1 has no checksum: a file overwritten with other bytes of the right size shows as NaN or Infinity. */
function requireFiniteWeights(file: string, data: Buffer, layout: tf.io.WeightsManifestEntry[]): void {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  let offset = 0;
  for (const spec of layout) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const perValue = BYTES_PER_VALUE[spec.dtype] ?? 0;
    if (spec.dtype === 'float32') {
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(view.getFloat32(offset + i * 4, true))) {
          throw new CheckpointError(
            `${file}: weight ${spec.name} holds NaN or infinite values (the file is damaged, or the weights diverged)`,
          );
        }
      }
    }
    offset += count * perValue;
  }
}

/** Checks the whole folder: its manifest, and both data files' sizes and checksums. */
export function verifyCheckpointFolder(folder: string): CheckpointManifest {
  const manifest = readManifest(folder);
  for (const name of DATA_FILES) readDataFile(folder, manifest, name);
  return manifest;
}
