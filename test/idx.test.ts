import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeIdxUbyte, IdxError, parseIdx, readIdx, readImageSet } from '#engine/data/idx.ts';
import {
  builtinSources,
  findIdxFiles,
  FASHION_MNIST_DIR,
  loadDataset,
  resolveDatasetSource,
} from '#engine/data/datasets.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
function write(name: string, content: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
}
const images = (n: number, fill = (i: number) => i % 256) =>
  encodeIdxUbyte(
    [n, 4, 3],
    Uint8Array.from({ length: n * 12 }, (_, i) => fill(i)),
  );
const labels = (values: number[]) => encodeIdxUbyte([values.length], Uint8Array.from(values));

describe('IDX reader', () => {
  it('reads a plain ubyte file with its dimensions and values', () => {
    const parsed = readIdx(write('ok-images', images(2)));
    expect(parsed.type).toBe('ubyte');
    expect(parsed.dims).toEqual([2, 4, 3]);
    expect(Array.from(parsed.data.slice(0, 3))).toEqual([0, 1, 2]);
  });

  it('reads a gzipped file the same as the plain one', () => {
    const plain = readIdx(write('p', images(3)));
    const gz = readIdx(write('p.gz', zlib.gzipSync(images(3))));
    expect(gz.dims).toEqual(plain.dims);
    expect(Array.from(gz.data)).toEqual(Array.from(plain.data));
  });

  it('decodes big-endian multi-byte types', () => {
    const buf = Buffer.alloc(4 + 4 + 8);
    buf[2] = 0x0d; // float
    buf[3] = 1;
    buf.writeUInt32BE(2, 4);
    buf.writeFloatBE(1.5, 8);
    buf.writeFloatBE(-2.25, 12);
    expect(Array.from(parseIdx(buf).data)).toEqual([1.5, -2.25]);
  });

  it.each([
    ['bad magic', Buffer.from([1, 2, 3, 4, 0, 0, 0, 0]), /bad magic number 0x01020304/],
    ['unknown type', Buffer.from([0, 0, 0x42, 1, 0, 0, 0, 0]), /unknown IDX data type 0x42/],
    ['too short', Buffer.from([0, 0]), /too short for an IDX header/],
    ['truncated header', Buffer.from([0, 0, 8, 3, 0, 0, 0, 1]), /truncated inside its header/],
    [
      'truncated data',
      images(2).subarray(0, 30),
      /is truncated: header says 2x4x3 ubyte values \(40 bytes\) but the file has 30 bytes/,
    ],
    ['trailing bytes', Buffer.concat([images(2), Buffer.alloc(5)]), /longer than its header says/],
    ['zero rank', Buffer.from([0, 0, 8, 0]), /unsupported number of dimensions 0/],
  ])('rejects a file with %s, naming the file', (_name, content, message) => {
    const file = write(`broken-${_name.replace(/ /g, '-')}`, content);
    expect(() => readIdx(file)).toThrow(IdxError);
    expect(() => readIdx(file)).toThrow(message);
    expect(() => readIdx(file)).toThrow(file);
  });

  it('rejects a truncated gzip file', () => {
    const gz = zlib.gzipSync(images(50));
    const file = write('cut.gz', gz.subarray(0, gz.length - 20));
    expect(() => readIdx(file)).toThrow(/cut\.gz: is not a valid gzip file .* truncated/);
  });

  it('rejects a missing file', () => {
    expect(() => readIdx(path.join(dir, 'nope'))).toThrow(/nope: file not found/);
  });

  it('checks that images and labels belong together', () => {
    const img = write('pair-images', images(3));
    expect(readImageSet(img, write('pair-labels', labels([1, 2, 3])), 10).count).toBe(3);
    expect(() => readImageSet(img, write('short-labels', labels([1, 2])))).toThrow(
      /has 2 labels but pair-images has 3 images/,
    );
    expect(() => readImageSet(img, write('big-labels', labels([1, 2, 12])), 10)).toThrow(
      /label 12 at index 2 is not below the 10 classes/,
    );
    expect(() => readImageSet(write('lbl-as-img', labels([1])), write('l1', labels([1])))).toThrow(
      /images must have 3 dimensions/,
    );
  });
});

describe('datasets', () => {
  it('loads the real MNIST files: 60k train, 10k test, 28x28, digits 0-9', () => {
    const mnist = loadDataset(resolveDatasetSource('mnist'));
    expect(mnist.train.count).toBe(60000);
    expect(mnist.test.count).toBe(10000);
    expect([mnist.height, mnist.width, mnist.channels]).toEqual([28, 28, 1]);
    expect(Math.max(...mnist.train.labels.subarray(0, 1000))).toBe(9);
    expect(mnist.train.labels[0]).toBe(5); // the famous first training digit
  });

  it('loads Fashion-MNIST from the Debian package as a second real dataset', () => {
    expect(
      fs.existsSync(FASHION_MNIST_DIR),
      `install the Debian package dataset-fashion-mnist (${FASHION_MNIST_DIR})`,
    ).toBe(true);
    const fashion = loadDataset(resolveDatasetSource('fashion-mnist'));
    expect(fashion.train.count).toBe(60000);
    expect(fashion.test.count).toBe(10000);
    expect(fashion.ref.classes[9]).toBe('Ankle boot');
  });

  it('imports any folder of IDX files and reports what is missing', () => {
    const folder = path.join(dir, 'tiny-set');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'train-images-idx3-ubyte.gz'), zlib.gzipSync(images(4)));
    fs.writeFileSync(path.join(folder, 'train-labels-idx1-ubyte'), labels([0, 1, 2, 3]));
    fs.writeFileSync(path.join(folder, 't10k-images-idx3-ubyte'), images(2));
    expect(() => findIdxFiles(folder)).toThrow(/has no test labels file/);
    fs.writeFileSync(path.join(folder, 't10k-labels-idx1-ubyte'), labels([4, 5]));
    const source = resolveDatasetSource(folder);
    expect(source.id).toBe(`idx:${folder}`);
    const set = loadDataset(source);
    expect([set.train.count, set.test.count, set.height, set.width]).toEqual([4, 2, 4, 3]);
    expect(resolveDatasetSource(source.id).files).toEqual(source.files);
  });

  it('rejects an unknown dataset name with the known ones', () => {
    expect(() => resolveDatasetSource('cifar')).toThrow(/neither a known dataset \(mnist, fashion-mnist\)/);
    expect(builtinSources().map((s) => s.id)).toEqual(['mnist', 'fashion-mnist']);
  });
});
