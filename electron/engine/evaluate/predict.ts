// Inference for one image: a 28x28 grey image, or a raw canvas drawing preprocessed like MNIST.
import * as tf from '@tensorflow/tfjs';
import { ImageInputError, MNIST_SIZE, preprocessCanvas, type RgbaImage } from './preprocess.ts';

export interface Prediction {
  /** One probability per class, summing to 1. */
  probabilities: number[];
  predicted: number;
  confidence: number;
  /** The 28x28 input the model saw, in [0, 1]. */
  input: number[];
}

/** pixels: 784 values, either bytes 0..255 or floats 0..1 (white ink on black, like MNIST). */
export function predictPixels(model: tf.LayersModel, pixels: ArrayLike<number>): Prediction {
  const size = MNIST_SIZE * MNIST_SIZE;
  if (pixels.length !== size) throw new ImageInputError(`image must have ${size} pixels (28x28), got ${pixels.length}`);
  const values = Float32Array.from(pixels);
  const max = values.reduce((m, v) => (v > m ? v : m), 0);
  if (values.some((v) => !Number.isFinite(v) || v < 0 || v > 255))
    throw new ImageInputError('pixel values must be finite numbers from 0 to 255 (or 0 to 1)');
  if (max > 1) for (let i = 0; i < size; i++) values[i] /= 255;
  const probabilities = tf.tidy(() =>
    (model.predict(tf.tensor4d(values, [1, MNIST_SIZE, MNIST_SIZE, 1])) as tf.Tensor).dataSync(),
  );
  const list = Array.from(probabilities);
  const predicted = list.indexOf(Math.max(...list));
  return { probabilities: list, predicted, confidence: list[predicted], input: Array.from(values) };
}

export function predictCanvas(model: tf.LayersModel, image: RgbaImage): Prediction & { blank: boolean } {
  const { pixels, box } = preprocessCanvas(image);
  return { ...predictPixels(model, pixels), blank: box === null };
}
