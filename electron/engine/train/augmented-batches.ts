// The training loop's source of batches when a run augments its images: each batch's rows are copied, changed
// (electron/engine/train/augment.ts) into one reusable buffer, and handed to the trainer as a batch-sized
// image set, so the eager and the graph trainers train on augmented images without knowing it. Off, the
// loop hands the trainer the dataset's own rows and pays nothing.
import type { ImageSet } from '../data/idx.ts';
import { usesAugmentation, type Hyperparameters } from '#shared/hyperparameters.ts';
import { Augmenter } from './augment.ts';

export interface BatchSource {
  /** The images and rows the trainer should train step `step` on. */
  batch(rows: Uint32Array, step: number): { set: ImageSet; rows: ArrayLike<number> };
}

const passThrough = (train: ImageSet): BatchSource => ({ batch: (rows) => ({ set: train, rows }) });

export function batchSource(train: ImageSet, h: Hyperparameters): BatchSource {
  if (!usesAugmentation(h)) return passThrough(train);
  const augmenter = new Augmenter(
    {
      rotation: h.augmentRotation,
      scale: h.augmentScale,
      shift: h.augmentShift,
      thickness: h.augmentThickness,
      elastic: h.augmentElastic,
    },
    { height: train.height, width: train.width, channels: train.channels },
    h.seed,
  );
  const imageSize = train.height * train.width * train.channels;
  const set: ImageSet = {
    ...train,
    images: new Uint8Array(h.batchSize * imageSize),
    labels: new Uint8Array(h.batchSize),
  };
  const positions = Uint32Array.from({ length: h.batchSize }, (_, i) => i);
  return {
    batch(rows, step) {
      augmenter.augmentBatch(train, rows, step, set.images);
      for (let i = 0; i < rows.length; i++) set.labels[i] = train.labels[rows[i]];
      set.count = rows.length;
      return { set, rows: positions.subarray(0, rows.length) };
    },
  };
}
