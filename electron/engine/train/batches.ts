// Turns rows of a uint8 image set into float tensors scaled to [0, 1], one batch at a time,
// so a 60k-image set never sits on the backend as one 188 MB float tensor.
import * as tf from '@tensorflow/tfjs';
import type { ImageSet } from '../data/idx.ts';

export function imagesToTensor(set: ImageSet, indices: ArrayLike<number>): tf.Tensor4D {
  const size = set.height * set.width * set.channels;
  const values = new Float32Array(indices.length * size);
  for (let row = 0; row < indices.length; row++) {
    const from = indices[row] * size;
    const to = row * size;
    for (let i = 0; i < size; i++) values[to + i] = set.images[from + i] / 255;
  }
  return tf.tensor4d(values, [indices.length, set.height, set.width, set.channels]);
}

export function labelsOf(set: ImageSet, indices: ArrayLike<number>): Int32Array {
  const labels = new Int32Array(indices.length);
  for (let row = 0; row < indices.length; row++) labels[row] = set.labels[indices[row]];
  return labels;
}

export function labelsToTensor(set: ImageSet, indices: ArrayLike<number>): tf.Tensor1D {
  // tfjs' sparse categorical cross-entropy takes float labels.
  return tf.tensor1d(Float32Array.from(labelsOf(set, indices)), 'float32');
}
