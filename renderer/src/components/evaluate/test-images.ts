// Test-set images by index, fetched from the engine once and kept: test sets never change, and galleries
// re-show the same images as the user re-sorts or switches cells.
import { call } from '../../lib/api.ts';

export interface GalleryItem {
  testIndex: number;
  trueLabel: number;
  predicted: number;
  /** The model's probability for its prediction. */
  confidence: number;
  /** The model's probability for the true class, when known. */
  trueProbability?: number;
}

const MAX_PER_REQUEST = 1000; // the datasets:images schema limit
const MAX_CACHED = 5000;
const cache = new Map<string, Uint8Array>();

const key = (datasetId: string, index: number) => `${datasetId}#${index}`;

export function cachedTestImage(datasetId: string, index: number): Uint8Array | undefined {
  return cache.get(key(datasetId, index));
}

/** Resolves once every requested image is in the cache. */
export async function loadTestImages(datasetId: string, indices: number[]): Promise<void> {
  const missing = [...new Set(indices)].filter((i) => !cache.has(key(datasetId, i)));
  for (let start = 0; start < missing.length; start += MAX_PER_REQUEST) {
    const chunk = missing.slice(start, start + MAX_PER_REQUEST);
    const { images } = await call('datasets:images', { datasetId, split: 'test', indices: chunk });
    chunk.forEach((index, i) => cache.set(key(datasetId, index), images[i]));
  }
  // Oldest first out; a Map iterates in insertion order.
  for (const old of cache.keys()) {
    if (cache.size <= MAX_CACHED) break;
    cache.delete(old);
  }
}

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)}%`;
}
