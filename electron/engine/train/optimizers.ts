import * as tf from '@tensorflow/tfjs';
import type { Hyperparameters } from '../types.ts';

/** Keras-compatible optimizers (adam's epsilon 1e-7 as in Keras, rmsprop's rho 0.9). */
export function createOptimizer(h: Hyperparameters): tf.Optimizer {
  switch (h.optimizer) {
    case 'adam':
      return tf.train.adam(h.learningRate, 0.9, 0.999, 1e-7);
    case 'sgd':
      return h.momentum > 0 ? tf.train.momentum(h.learningRate, h.momentum) : tf.train.sgd(h.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(h.learningRate, 0.9, h.momentum, 1e-7);
  }
}
