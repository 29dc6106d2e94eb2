// Files are read with size limits: spec files (at most 1 MB, a UTF-8 BOM accepted) through the CLI and
// electron/engine/files.ts, IDX files at most 1 GB with gzip inflated no further than the header declares, and
// the fixed choice between plain and .gz copies of an IDX file.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { FileReadError, MAX_SPEC_FILE_BYTES, readFileBounded, readJsonFile } from '#engine/files.ts';
import { encodeIdxUbyte, IdxError, readIdx } from '#engine/data/idx.ts';
import { chooseIdxFiles, idxFolderSource } from '#engine/data/datasets.ts';
import { getTemplate } from '#shared/model/index.ts';
import { writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { cliOn } from './helpers/cli.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
const write = (name: string, content: string | Buffer) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, content);
  return file;
};
const idxHeader = (dims: number[]) => encodeIdxUbyte(dims, new Uint8Array(0));

describe('bounded file reads', () => {
  it('refuses a device that never ends after the limit, naming it', () => {
    expect(() => readFileBounded('/dev/zero', MAX_SPEC_FILE_BYTES)).toThrow(
      new FileReadError('/dev/zero', 'holds more than the 1 MB allowed'),
    );
  });

  it('refuses a regular file from its size before reading it', () => {
    const file = path.join(dir, 'sparse-2g');
    fs.writeFileSync(file, '');
    fs.truncateSync(file, 2 * 1024 ** 3); // sparse: no 2 GB written
    expect(() => readFileBounded(file, MAX_SPEC_FILE_BYTES)).toThrow(`${file}: is 2 GB, more than the 1 MB allowed`);
  });

  it('reads a file of exactly the limit and refuses one byte more', () => {
    expect(readFileBounded(write('limit', Buffer.alloc(1000, 1)), 1000)).toHaveLength(1000);
    expect(() => readFileBounded(write('limit-plus-one', Buffer.alloc(1001, 1)), 1000)).toThrow(
      /is 1001 bytes, more than the 1000 bytes allowed/,
    );
  });

  it('accepts a spec with a UTF-8 byte-order mark and says what is wrong with other files', () => {
    const spec = getTemplate('seed');
    expect(readJsonFile(write('bom.json', `\uFEFF${JSON.stringify(spec)}`), MAX_SPEC_FILE_BYTES)).toEqual(spec);
    expect(() => readJsonFile(write('latin1.json', Buffer.from([0x7b, 0xe9, 0x7d])), 100)).toThrow(
      /latin1\.json: is not UTF-8 text/,
    );
    expect(() => readJsonFile(write('broken.json', '{"name": '), 100)).toThrow(/broken\.json: is not valid JSON \(/);
    expect(() => readJsonFile(dir, 100)).toThrow(`${dir}: is a folder, not a file`);
    expect(() => readJsonFile(path.join(dir, 'missing.json'), 100)).toThrow(/missing\.json: file not found/);
  });
});

describe('IDX files with bounded inflation', () => {
  it('refuses at once a 5.5 MB .gz whose header declares 5.5 GB, naming the file', () => {
    // 82 gzip members of 64 MB of zeros each after the header: a real 5.5 MB file that inflates to 5.5 GB.
    const zeros = zlib.gzipSync(Buffer.alloc(64 * 1024 ** 2));
    const bomb = write(
      'bomb-images-idx3-ubyte.gz',
      Buffer.concat([zlib.gzipSync(idxHeader([7_000_000, 28, 28])), ...Array(82).fill(zeros)]),
    );
    expect(fs.statSync(bomb).size).toBeGreaterThan(5 * 1024 ** 2);
    expect(() => readIdx(bomb)).toThrow(IdxError);
    expect(() => readIdx(bomb)).toThrow(
      `${bomb}: header declares 7000000x28x28 ubyte values (5.1 GB), more than the 1 GB an IDX file may hold here`,
    );
  });

  it('stops inflating where the header says the file ends', () => {
    const file = write(
      'long-images-idx3-ubyte.gz',
      zlib.gzipSync(Buffer.concat([idxHeader([10, 28, 28]), Buffer.alloc(100 * 1024 ** 2)])),
    );
    expect(() => readIdx(file)).toThrow(
      `${file}: is longer than its header says: header declares 10x28x28 ubyte values (7.7 KB) but it inflates to more`,
    );
  });

  it('refuses a header that declares more than its gzip could ever inflate to', () => {
    const file = write(
      'small-images-idx3-ubyte.gz',
      zlib.gzipSync(Buffer.concat([idxHeader([1_000_000, 28, 28]), Buffer.alloc(784)])),
    );
    expect(() => readIdx(file)).toThrow(
      /small-images-idx3-ubyte\.gz: header declares 1000000x28x28 ubyte values \(747\.7 MB\) but \d+ bytes of gzip inflate to at most [\d.]+ KB: the file is truncated or its header is wrong/,
    );
  });

  it('refuses a plain file larger than 1 GB from its size', () => {
    const file = path.join(dir, 'huge-images-idx3-ubyte');
    fs.writeFileSync(file, idxHeader([2000, 1000, 1000]));
    fs.truncateSync(file, 2_000_000_016); // sparse
    expect(() => readIdx(file)).toThrow(`${file}: is 1.9 GB, more than the 1 GB allowed`);
  });

  it('uses the plain file when a .gz copy is also present, whatever the order, and says so', () => {
    const folder = writeSyntheticIdx(path.join(dir, 'both-copies'));
    for (const name of ['train-images-idx3-ubyte', 't10k-labels-idx1-ubyte']) {
      fs.writeFileSync(path.join(folder, `${name}.gz`), zlib.gzipSync(fs.readFileSync(path.join(folder, name))));
    }
    fs.copyFileSync(path.join(folder, 't10k-images-idx3-ubyte'), path.join(folder, 'test-images-idx3-ubyte'));
    const { files, ignored } = chooseIdxFiles(folder);
    expect(Object.values(files).map((f) => path.basename(f))).toEqual([
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
    ]);
    expect(ignored).toEqual(['train-images-idx3-ubyte.gz', 'test-images-idx3-ubyte', 't10k-labels-idx1-ubyte.gz']);
    expect(idxFolderSource(folder).description).toBe(
      `IDX files in ${folder} (using train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte; ignoring train-images-idx3-ubyte.gz, test-images-idx3-ubyte, t10k-labels-idx1-ubyte.gz)`,
    );
    // Only the .gz left: it is used.
    fs.rmSync(path.join(folder, 'train-images-idx3-ubyte'));
    expect(path.basename(chooseIdxFiles(folder).files.trainImages)).toBe('train-images-idx3-ubyte.gz');
  });
});

describe('the CLI reads spec files with a limit', () => {
  const layerlab = cliOn(path.join(dir, 'cli.db'));

  it('`layerlab spec /dev/zero` fails with a message instead of reading forever', async () => {
    const r = await layerlab('spec', '/dev/zero');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('layerlab: /dev/zero: holds more than the 1 MB allowed\n');
  });

  it('checks a spec file saved with a byte-order mark', async () => {
    const file = write('bom-spec.json', `\uFEFF${JSON.stringify(getTemplate('mlp'), null, 2)}`);
    const r = await layerlab('spec', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/total 101,770 parameters/);
  });

  it('refuses to train the segfaulting design at batch 2048, naming the layer, and records no run', async () => {
    const spec = {
      name: 'wide',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Conv2D', filters: 4096, kernelSize: 1, padding: 'same', activation: 'relu' },
        { type: 'MaxPooling2D', poolSize: 28 },
        { type: 'Flatten' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    };
    const r = await layerlab(
      'train',
      '--spec',
      write('wide.json', JSON.stringify(spec)),
      '--batch-size',
      '2048',
      '--json',
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^layerlab: layer 1 Conv2D: its 4096×28×28 activations × batch 2048 are 24\.5 GB; training needs \d+ GB in all, and the limit is [\d.]+ GB \(.*\) — lower the batch size or the filters\n$/,
    );
    expect(JSON.parse((await layerlab('runs', 'list', '--json')).stdout)).toEqual([]);
  });
});
