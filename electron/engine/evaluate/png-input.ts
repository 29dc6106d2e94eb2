// PNG files as RgbaImages, for `layerlab predict`: decoded by pngjs into 8-bit RGBA whatever the file's colour
// type, bit depth, palette or transparency. The file's size is bounded before it is read and the image's size
// before any pixel is decoded, so a huge or hostile file is refused instead of filling memory.
import zlib from 'node:zlib';
import { PNG } from 'pngjs';
import { FileReadError, readFileBounded } from '../files.ts';
import type { RgbaImage } from './preprocess.ts';

/** A 4096x4096 RGBA image stored without compression is 64 MB; a drawing of a digit is a few kilobytes. */
export const MAX_PNG_FILE_BYTES = 32 * 1024 * 1024;
/** The largest width and height preprocess.ts's inkFromRgba accepts. */
export const MAX_PNG_SIDE = 4096;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Samples per pixel of each PNG colour type: grey, RGB, palette index, grey + alpha, RGBA. */
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Adam7 passes: first column, first row, column step, row step. */
export const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
];

interface PngHeader {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
}

/** The PNG file as 8-bit RGBA; a FileReadError names the file and the reason it cannot be used. */
export function readPngImage(file: string): RgbaImage {
  return decodePng(readFileBounded(file, MAX_PNG_FILE_BYTES), file);
}

/** `file` names the image in error messages. */
export function decodePng(bytes: Buffer, file: string): RgbaImage {
  const header = readHeader(bytes, file);
  if (header.width > MAX_PNG_SIDE || header.height > MAX_PNG_SIDE) {
    throw new FileReadError(file, `image is ${header.width}×${header.height}, at most ${MAX_PNG_SIDE}×${MAX_PNG_SIDE}`);
  }
  // pngjs bounds what it inflates to the image's size, except for interlaced images: check those first.
  if (header.interlaced) checkInterlacedSize(bytes, header, file);
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(bytes);
  } catch (err) {
    throw new FileReadError(file, describePngError(err));
  }
  if (png.width !== header.width || png.height !== header.height || png.data.length !== png.width * png.height * 4) {
    throw new FileReadError(file, 'is damaged (its pixel data does not match its size)');
  }
  return {
    width: png.width,
    height: png.height,
    data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length),
  };
}

/** The signature and the IHDR chunk that every PNG starts with. */
function readHeader(bytes: Buffer, file: string): PngHeader {
  if (bytes.length < SIGNATURE.length || !bytes.subarray(0, SIGNATURE.length).equals(SIGNATURE)) {
    throw new FileReadError(file, 'is not a PNG file');
  }
  if (bytes.length < 33 || bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') {
    throw new FileReadError(file, 'is damaged (no PNG header after the signature)');
  }
  const header = {
    width: bytes.readUInt32BE(16),
    height: bytes.readUInt32BE(20),
    bitDepth: bytes[24],
    colorType: bytes[25],
    interlaced: bytes[28] === 1,
  };
  if (header.width === 0 || header.height === 0) {
    throw new FileReadError(file, `is damaged (its header gives a size of ${header.width}×${header.height})`);
  }
  if (CHANNELS[header.colorType] === undefined) {
    throw new FileReadError(file, `is damaged or unsupported (unknown colour type ${header.colorType})`);
  }
  return header;
}

/** Inflates the image data once with a limit of what an image of the header's size holds. */
function checkInterlacedSize(bytes: Buffer, header: PngHeader, file: string): void {
  const bitsPerPixel = CHANNELS[header.colorType] * header.bitDepth;
  let expected = 0;
  for (const [x0, y0, dx, dy] of ADAM7) {
    const width = Math.ceil((header.width - x0) / dx);
    const height = Math.ceil((header.height - y0) / dy);
    if (width > 0 && height > 0) expected += height * (1 + Math.ceil((width * bitsPerPixel) / 8));
  }
  const parts: Buffer[] = [];
  for (let offset = 8; offset + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(offset);
    const type = bytes.toString('latin1', offset + 4, offset + 8);
    if (type === 'IDAT') parts.push(bytes.subarray(offset + 8, Math.min(offset + 8 + length, bytes.length)));
    if (type === 'IEND') break;
    offset += 12 + length;
  }
  try {
    zlib.inflateSync(Buffer.concat(parts), { maxOutputLength: Math.max(expected, 1) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FileReadError(
        file,
        `is damaged (its image data is larger than a ${header.width}×${header.height} image)`,
      );
    }
    // Any other fault is pngjs's to report, in the same words as for other images.
  }
}

function describePngError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/read requests|unexpected end of file/i.test(message)) return 'is damaged (the file is cut short)';
  if (/^Crc error/.test(message)) return 'is damaged (a checksum does not match)';
  return `is damaged or unsupported (${message})`;
}
