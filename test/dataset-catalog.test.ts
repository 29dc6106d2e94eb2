import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { datasetCatalog, importIdxDataset } from '#engine/data/catalog.ts';
import { Store, type ImportedDatasetRecord } from '#engine/store/index.ts';
import { writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir();
let store: Store;
const record = (folder: string, extra: Partial<ImportedDatasetRecord> = {}): ImportedDatasetRecord => ({
  id: `idx:${folder}`,
  name: path.basename(folder),
  dir: folder,
  classes: ['a', 'b', 'c'],
  createdAt: 0,
  ...extra,
});

beforeAll(() => {
  store = Store.open(path.join(dir, 'layerlab.db'), { log: () => {} });
});
afterAll(() => store.close());

describe('dataset catalog', () => {
  it('lists the built-in datasets first, then the imported ones with their counts', () => {
    const folder = writeSyntheticIdx(path.join(dir, 'three-classes'), { train: 9, test: 6 }, (i) => i % 3);
    const catalog = datasetCatalog([record(folder)]);
    expect(catalog.map((d) => [d.id, d.imported])).toEqual([
      ['mnist', false],
      ['fashion-mnist', false],
      [`idx:${folder}`, true],
    ]);
    expect(catalog[0]).toMatchObject({ available: true, reason: null, trainCount: 60000, testCount: 10000 });
    expect(catalog[2]).toEqual({
      id: `idx:${folder}`,
      name: 'three-classes',
      description: `IDX files in ${folder}`,
      classes: ['a', 'b', 'c'],
      available: true,
      reason: null,
      imported: true,
      trainCount: 9,
      testCount: 6,
    });
  });

  it('lists an imported folder that lost its files as unavailable, saying why', () => {
    const gone = path.join(dir, 'gone');
    expect(datasetCatalog([record(gone)])[2]).toEqual({
      id: `idx:${gone}`,
      name: 'gone',
      description: `IDX files in ${gone}`,
      classes: ['a', 'b', 'c'],
      available: false,
      reason: `folder ${gone} no longer holds the IDX files`,
      imported: true,
      trainCount: null,
      testCount: null,
    });
    const broken = writeSyntheticIdx(path.join(dir, 'broken'), { train: 6, test: 3 }, (i) => i % 3);
    fs.writeFileSync(path.join(broken, 't10k-images-idx3-ubyte'), 'not an IDX file');
    expect(datasetCatalog([record(broken)])[2]).toMatchObject({
      available: false,
      reason: expect.stringMatching(/t10k-images-idx3-ubyte: .*bad magic/),
      trainCount: null,
    });
  });

  it('imports a folder with the classes its training labels use', () => {
    const folder = writeSyntheticIdx(path.join(dir, 'to-import'), { train: 8, test: 4 }, (i) => i % 4);
    const info = importIdxDataset(store, folder, 'Four shapes');
    expect(info).toMatchObject({
      id: `idx:${folder}`,
      name: 'Four shapes',
      classes: ['0', '1', '2', '3'],
      available: true,
      imported: true,
      trainCount: 8,
      testCount: 4,
    });
    expect(store.listDatasets()).toEqual([
      expect.objectContaining({ id: `idx:${folder}`, name: 'Four shapes', dir: folder, classes: ['0', '1', '2', '3'] }),
    ]);
  });

  it('keeps all ten class names for a folder whose training set uses one label', () => {
    const folder = writeSyntheticIdx(path.join(dir, 'one-label'), { train: 3, test: 2 }, () => 0);
    importIdxDataset(store, folder);
    expect(store.listDatasets().find((d) => d.dir === folder)?.classes).toHaveLength(10);
  });

  it('refuses a missing folder and a folder without IDX files, recording nothing', () => {
    const before = store.listDatasets().length;
    expect(() => importIdxDataset(store, undefined)).toThrow('datasets:import needs a folder');
    const empty = path.join(dir, 'empty');
    fs.mkdirSync(empty);
    expect(() => importIdxDataset(store, empty)).toThrow(/has no training images file/);
    expect(store.listDatasets()).toHaveLength(before);
  });
});
