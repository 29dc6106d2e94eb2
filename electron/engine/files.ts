// Reading files with a size limit, so a huge file, a device (/dev/zero) or a pipe cannot make the engine or the
// CLI read forever or run out of memory: a regular file is refused from its size before any byte is read, any
// other kind after the limit's worth of bytes.
import fs from 'node:fs';

/** Spec files: a spec of the maximum 100 layers is a few kilobytes. */
export const MAX_SPEC_FILE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
const UTF8_BOM = '\uFEFF';

export class FileReadError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = 'FileReadError';
  }
}

/** The whole file, or a FileReadError naming it when it is missing, unreadable or larger than `maxBytes`. */
export function readFileBounded(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new FileReadError(file, describeFsError(err));
  }
  try {
    const stat = fs.fstatSync(fd);
    if (stat.isDirectory()) throw new FileReadError(file, 'is a folder, not a file');
    if (stat.isFile() && stat.size > maxBytes) throw tooLarge(file, maxBytes, stat.size);
    // Read until the end whatever the kind: a device or a pipe reports size 0, and a file may grow meanwhile.
    // One byte beyond the limit is room enough to tell that there is more.
    let buffer = Buffer.allocUnsafe(Math.min(maxBytes + 1, Math.max(CHUNK_BYTES, stat.isFile() ? stat.size + 1 : 0)));
    let total = 0;
    for (;;) {
      if (total === buffer.length) {
        const grown = Buffer.allocUnsafe(Math.min(maxBytes + 1, buffer.length * 2));
        buffer.copy(grown, 0, 0, total);
        buffer = grown;
      }
      const read = readChunk(fd, buffer, total, file);
      if (read === 0) break;
      total += read;
      if (total > maxBytes) throw tooLarge(file, maxBytes);
    }
    return buffer.subarray(0, total);
  } finally {
    fs.closeSync(fd);
  }
}

/** UTF-8 text with a leading byte-order mark dropped (editors on Windows write one). */
export function readTextFileBounded(file: string, maxBytes: number): string {
  const bytes = readFileBounded(file, maxBytes);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FileReadError(file, 'is not UTF-8 text');
  }
  return text.startsWith(UTF8_BOM) ? text.slice(UTF8_BOM.length) : text;
}

/** A JSON file (UTF-8, BOM allowed) of at most `maxBytes`; errors name the file and what is wrong. */
export function readJsonFile(file: string, maxBytes: number): unknown {
  const text = readTextFileBounded(file, maxBytes);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new FileReadError(file, `is not valid JSON (${(err as Error).message})`);
  }
}

/** "1 MB", "5.5 GB": binary units, as file managers show sizes. */
export function formatSize(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${bytes} bytes` : `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}

function readChunk(fd: number, buffer: Buffer, offset: number, file: string): number {
  try {
    return fs.readSync(fd, buffer, offset, buffer.length - offset, null);
  } catch (err) {
    throw new FileReadError(file, describeFsError(err));
  }
}

/** `size` when known from the file's metadata; devices and pipes are only known to hold more. */
function tooLarge(file: string, maxBytes: number, size?: number): FileReadError {
  const what = size === undefined ? 'holds more' : `is ${formatSize(size)}, more`;
  return new FileReadError(file, `${what} than the ${formatSize(maxBytes)} allowed`);
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a folder, not a file';
  return `cannot be read (${code ?? String(err)})`;
}
