import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import type { ImageSet } from '#engine/data/idx.ts';
import { datasetImages, sliceImages } from '#engine/data/images.ts';
import { datasetRefFor, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

// Three 2x2 images: image i holds 10i, 10i+1, 10i+2, 10i+3.
const set: ImageSet = {
  images: Uint8Array.from({ length: 12 }, (_, i) => 10 * Math.floor(i / 4) + (i % 4)),
  labels: Uint8Array.from([7, 8, 9]),
  count: 3,
  height: 2,
  width: 2,
  channels: 1,
};

describe('images by index', () => {
  it('returns the requested images, in the order asked, with their labels and size', () => {
    const result = sliceImages(set, 'test', [2, 0, 2]);
    expect({ ...result, images: result.images.map((i) => Array.from(i)) }).toEqual({
      width: 2,
      height: 2,
      channels: 1,
      images: [
        [20, 21, 22, 23],
        [0, 1, 2, 3],
        [20, 21, 22, 23],
      ],
      labels: [9, 7, 9],
    });
    expect(result.images[0]).toBeInstanceOf(Uint8Array);
  });

  it('hands out copies, not views of the cached dataset', () => {
    const [image] = sliceImages(set, 'train', [1]).images;
    image.fill(255);
    expect(Array.from(set.images.subarray(4, 8))).toEqual([10, 11, 12, 13]);
  });

  it('refuses an index past the end of the split, naming it', () => {
    expect(() => sliceImages(set, 'test', [0, 3])).toThrow('index 3 is outside the test set (3 images)');
  });

  it('finds the split of a dataset by its id', () => {
    const dir = writeSyntheticIdx(path.join(tempDir(), 'synthetic'), { train: 6, test: 4 }, (i) => 9 - i);
    const { id } = datasetRefFor(dir);
    const dataset = loadDataset(resolveDatasetSource(id));
    const train = datasetImages(id, 'train', [5]);
    expect(train.labels).toEqual([4]);
    expect(Array.from(train.images[0])).toEqual(Array.from(dataset.train.images.subarray(5 * 784, 6 * 784)));
    const test = datasetImages(id, 'test', [3]);
    expect(test.labels).toEqual([6]);
    expect(Array.from(test.images[0])).toEqual(Array.from(dataset.test.images.subarray(3 * 784, 4 * 784)));
    expect(() => datasetImages(id, 'test', [4])).toThrow('index 4 is outside the test set (4 images)');
  });
});
