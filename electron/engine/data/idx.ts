// Reader for the IDX format used by MNIST and its relatives (http://yann.lecun.com/exdb/mnist/ describes it):
// magic 0x0000 <type> <rank>, then rank big-endian uint32 dimensions, then the data. Files may be gzipped.
// Reads are bounded: a file, plain or inflated, may hold at most MAX_IDX_BYTES, and a gzipped file is inflated
// only up to the size its header declares, so a small .gz that inflates to gigabytes fails at once.
import path from 'node:path';
import zlib from 'node:zlib';
import { FileReadError, formatSize, readFileBounded } from '../files.ts';

/** The largest IDX file read, plain or inflated: MNIST's training images are 47 MB. */
export const MAX_IDX_BYTES = 1024 ** 3;
/** DEFLATE inflates at most 1032 bytes per compressed byte (RFC 1951's longest match per shortest code). */
const MAX_DEFLATE_RATIO = 1032;
/** Compressed bytes inflated to find the header: enough for any gzip header and first block. */
const HEADER_PROBE_BYTES = 4096;

const TYPES = {
  0x08: { name: 'ubyte', bytes: 1 },
  0x09: { name: 'byte', bytes: 1 },
  0x0b: { name: 'short', bytes: 2 },
  0x0c: { name: 'int', bytes: 4 },
  0x0d: { name: 'float', bytes: 4 },
  0x0e: { name: 'double', bytes: 8 },
} as const;

export type IdxType = (typeof TYPES)[keyof typeof TYPES]['name'];

export interface IdxArray {
  type: IdxType;
  dims: number[];
  /** Raw values; for ubyte a view of the file bytes (no copy). */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

export class IdxError extends Error {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'IdxError';
  }
}

interface IdxHeader {
  type: (typeof TYPES)[keyof typeof TYPES];
  dims: number[];
  headerBytes: number;
  count: number;
  /** What the whole file must measure: header plus data. */
  expectedBytes: number;
}

function readIdxBytes(file: string): Buffer {
  let raw: Buffer;
  try {
    raw = readFileBounded(file, MAX_IDX_BYTES);
  } catch (err) {
    if (err instanceof FileReadError) throw new IdxError(file, err.reason);
    throw err;
  }
  return raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? inflateBounded(raw, file) : raw;
}

/** Inflates a gzipped IDX file no further than its header declares. */
function inflateBounded(raw: Buffer, file: string): Buffer {
  const header = parseHeader(
    gunzip(raw.subarray(0, HEADER_PROBE_BYTES), file, { finishFlush: zlib.constants.Z_SYNC_FLUSH }),
    file,
    true,
  );
  const declared = `header declares ${header.dims.join('x')} ${header.type.name} values (${formatSize(header.expectedBytes)})`;
  if (header.expectedBytes > raw.length * MAX_DEFLATE_RATIO) {
    throw new IdxError(
      file,
      `${declared} but ${formatSize(raw.length)} of gzip inflate to at most ${formatSize(raw.length * MAX_DEFLATE_RATIO)}: the file is truncated or its header is wrong`,
    );
  }
  return gunzip(
    raw,
    file,
    { maxOutputLength: header.expectedBytes },
    `is longer than its header says: ${declared} but it inflates to more`,
  );
}

/** `tooLong` is the message for output beyond options.maxOutputLength. */
function gunzip(raw: Buffer, file: string, options: zlib.ZlibOptions, tooLong?: string): Buffer {
  try {
    return zlib.gunzipSync(raw, options);
  } catch (err) {
    if (tooLong && (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new IdxError(file, tooLong);
    throw new IdxError(file, `is not a valid gzip file (${(err as Error).message}); it may be truncated`);
  }
}

/** Parses an IDX file (plain or .gz), checking the magic number, the header and that the size matches. */
export function readIdx(file: string): IdxArray {
  return parseIdx(readIdxBytes(file), file);
}

export function parseIdx(buf: Buffer, file = '<buffer>'): IdxArray {
  const { type, dims, headerBytes, count, expectedBytes: expected } = parseHeader(buf, file);
  if (buf.length !== expected) {
    const what = buf.length < expected ? 'truncated' : 'longer than its header says';
    throw new IdxError(
      file,
      `is ${what}: header says ${dims.join('x')} ${type.name} values (${expected} bytes) but the file has ${buf.length} bytes`,
    );
  }
  const body = buf.subarray(headerBytes);
  return { type: type.name, dims, data: decode(type.name, body, count) };
}

/** The header at the start of `buf`; `inflated` marks the first bytes of a gzip stream. */
function parseHeader(buf: Buffer, file: string, inflated = false): IdxHeader {
  const where = inflated ? ' (the first inflated bytes)' : '';
  if (buf.length < 4) throw new IdxError(file, `is ${buf.length} bytes long${where}, too short for an IDX header`);
  if (buf[0] !== 0 || buf[1] !== 0) {
    throw new IdxError(
      file,
      `bad magic number 0x${buf.readUInt32BE(0).toString(16).padStart(8, '0')}${where}: not an IDX file`,
    );
  }
  const type = TYPES[buf[2] as keyof typeof TYPES];
  if (!type) throw new IdxError(file, `unknown IDX data type 0x${buf[2].toString(16)}`);
  const rank = buf[3];
  if (rank < 1 || rank > 4) throw new IdxError(file, `unsupported number of dimensions ${rank}`);
  const headerBytes = 4 + 4 * rank;
  if (buf.length < headerBytes) throw new IdxError(file, `is truncated inside its header (${buf.length} bytes)`);
  const dims = Array.from({ length: rank }, (_, i) => buf.readUInt32BE(4 + 4 * i));
  const count = dims.reduce((a, b) => a * b, 1);
  const expectedBytes = headerBytes + count * type.bytes;
  if (expectedBytes > MAX_IDX_BYTES) {
    throw new IdxError(
      file,
      `header declares ${dims.join('x')} ${type.name} values (${formatSize(expectedBytes)}), more than the ${formatSize(MAX_IDX_BYTES)} an IDX file may hold here`,
    );
  }
  return { type, dims, headerBytes, count, expectedBytes };
}

function decode(type: IdxType, body: Buffer, count: number): IdxArray['data'] {
  switch (type) {
    case 'ubyte':
      return new Uint8Array(body.buffer, body.byteOffset, count);
    case 'byte':
      return new Int8Array(body.buffer, body.byteOffset, count);
    default: {
      // Multi-byte IDX values are big-endian; typed arrays use the host order, so copy through a DataView.
      const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
      const Out = { short: Int16Array, int: Int32Array, float: Float32Array, double: Float64Array }[type];
      const out = new Out(count);
      const size = Out.BYTES_PER_ELEMENT;
      for (let i = 0; i < count; i++) {
        const at = i * size;
        out[i] =
          type === 'short'
            ? view.getInt16(at)
            : type === 'int'
              ? view.getInt32(at)
              : type === 'float'
                ? view.getFloat32(at)
                : view.getFloat64(at);
      }
      return out;
    }
  }
}

export interface ImageSet {
  images: Uint8Array; // count * height * width * channels, row-major
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  channels: number;
}

/** Reads an image/label IDX pair and checks they belong together (ubyte, same count, labels < numClasses). */
export function readImageSet(imagesFile: string, labelsFile: string, numClasses?: number): ImageSet {
  const images = readIdx(imagesFile);
  const labels = readIdx(labelsFile);
  if (images.type !== 'ubyte') throw new IdxError(imagesFile, `images must be unsigned bytes, found ${images.type}`);
  if (images.dims.length !== 3 && images.dims.length !== 4) {
    throw new IdxError(
      imagesFile,
      `images must have 3 dimensions (count, rows, columns) or 4 (with channels), found ${images.dims.length}`,
    );
  }
  if (labels.type !== 'ubyte' || labels.dims.length !== 1) {
    throw new IdxError(
      labelsFile,
      `labels must be a 1-dimensional ubyte array, found ${labels.dims.length}-dimensional ${labels.type}`,
    );
  }
  const [count, height, width, channels = 1] = images.dims;
  if (labels.dims[0] !== count) {
    throw new IdxError(
      labelsFile,
      `has ${labels.dims[0]} labels but ${path.basename(imagesFile)} has ${count} images: the files do not belong together`,
    );
  }
  if (count === 0) throw new IdxError(imagesFile, 'holds no images');
  const labelData = labels.data as Uint8Array;
  if (numClasses !== undefined) {
    const bad = labelData.findIndex((l) => l >= numClasses);
    if (bad >= 0)
      throw new IdxError(labelsFile, `label ${labelData[bad]} at index ${bad} is not below the ${numClasses} classes`);
  }
  return { images: images.data as Uint8Array, labels: labelData, count, height, width, channels };
}

/** Writes a ubyte IDX file (used by tests and by dataset export). */
export function encodeIdxUbyte(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, Buffer.from(data.buffer, data.byteOffset, data.byteLength)]);
}
