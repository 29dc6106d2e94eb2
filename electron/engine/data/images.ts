// Raw images of a dataset by index, for galleries (a confusion-matrix cell, a run's mistakes).
import type { DatasetImages } from '#shared/contract.ts';
import { loadDataset, resolveDatasetSource } from './datasets.ts';
import type { ImageSet } from './idx.ts';

export type Split = 'train' | 'test';

/** Copies of the images at `indices` with their labels; an index past the end fails the whole request. */
export function sliceImages(set: ImageSet, split: Split, indices: number[]): DatasetImages {
  const size = set.height * set.width * set.channels;
  const bad = indices.find((i) => i >= set.count);
  if (bad !== undefined) throw new Error(`index ${bad} is outside the ${split} set (${set.count} images)`);
  return {
    width: set.width,
    height: set.height,
    channels: set.channels,
    images: indices.map((i) => set.images.slice(i * size, (i + 1) * size)),
    labels: indices.map((i) => set.labels[i]),
  };
}

export function datasetImages(datasetId: string, split: Split, indices: number[]): DatasetImages {
  const dataset = loadDataset(resolveDatasetSource(datasetId));
  return sliceImages(split === 'train' ? dataset.train : dataset.test, split, indices);
}
