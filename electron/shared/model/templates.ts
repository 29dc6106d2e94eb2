// Starting points offered in the editor and the CLI. Written the way a user would write them
// (defaults omitted); analyzeSpec fills the defaults in.

import type { Hyperparameters } from '../hyperparameters.ts';
import type { ModelSpec } from './types.ts';

export interface ModelTemplate {
  title: string;
  description: string;
  spec: ModelSpec;
  /** The training recipe that goes with the network, where it has one (otherwise the defaults). */
  hyperparameters?: Partial<Hyperparameters>;
}

const SEED_LAYERS: ModelSpec['layers'] = [
  { type: 'Conv2D', filters: 32, kernelSize: 3, activation: 'relu' },
  { type: 'MaxPooling2D', poolSize: 2 },
  { type: 'Conv2D', filters: 64, kernelSize: 3, activation: 'relu' },
  { type: 'MaxPooling2D', poolSize: 2 },
  { type: 'Conv2D', filters: 64, kernelSize: 3, activation: 'relu' },
  { type: 'Flatten' },
  { type: 'Dense', units: 64, activation: 'relu' },
  { type: 'Dense', units: 10, activation: 'softmax' },
];

/**
 * Strengths for digits drawn by other hands: people differ most in stroke width and slant, then in size; the
 * preprocessing already centres and sizes a drawing, so shift and scale stay small.
 */
export const DRAWN_DIGITS_AUGMENTATION: Partial<Hyperparameters> = {
  augmentRotation: 12,
  augmentScale: 0.12,
  augmentShift: 2,
  augmentThickness: 0.6,
  augmentElastic: 2,
};

export const TEMPLATES: Record<string, ModelTemplate> = {
  seed: {
    title: 'Keras CNN example',
    description:
      'The TensorFlow tutorial CNN: three 3x3 convolutions (32, 64, 64 filters) with max pooling, ' +
      'then Dense 64 and a softmax. 93,322 parameters.',
    spec: { name: 'seed', inputShape: [28, 28, 1], layers: SEED_LAYERS },
  },
  'seed-augmented': {
    title: 'Keras CNN example + augmentation',
    description:
      'The same network trained on randomly rotated, scaled, shifted, thickened or thinned and elastically ' +
      'distorted digits, so it reads drawings by other hands and pens as well as MNIST.',
    spec: { name: 'seed-augmented', inputShape: [28, 28, 1], layers: SEED_LAYERS },
    hyperparameters: DRAWN_DIGITS_AUGMENTATION,
  },
  lenet5: {
    title: 'LeNet-5',
    description:
      "LeCun's LeNet-5 adapted to 28x28 inputs: 'same' padding on the first 5x5 convolution stands in " +
      'for the original 32x32 images; tanh activations and average pooling as in 1998.',
    spec: {
      name: 'lenet5',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Conv2D', filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh' },
        { type: 'AveragePooling2D', poolSize: 2 },
        { type: 'Conv2D', filters: 16, kernelSize: 5, padding: 'valid', activation: 'tanh' },
        { type: 'AveragePooling2D', poolSize: 2 },
        { type: 'Flatten' },
        { type: 'Dense', units: 120, activation: 'tanh' },
        { type: 'Dense', units: 84, activation: 'tanh' },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    },
  },
  mlp: {
    title: 'Multilayer perceptron',
    description:
      'No convolutions: Flatten, one hidden Dense layer of 128 with dropout, softmax. A baseline for the CNNs.',
    spec: {
      name: 'mlp',
      inputShape: [28, 28, 1],
      layers: [
        { type: 'Flatten' },
        { type: 'Dense', units: 128, activation: 'relu' },
        { type: 'Dropout', rate: 0.2 },
        { type: 'Dense', units: 10, activation: 'softmax' },
      ],
    },
  },
};

export function templateNames(): string[] {
  return Object.keys(TEMPLATES);
}

/** A fresh copy, so callers may edit it without changing the template. */
export function getTemplate(name: string): ModelSpec {
  if (!Object.hasOwn(TEMPLATES, name)) {
    throw new Error(`unknown template '${name}'; known templates: ${templateNames().join(', ')}`);
  }
  return structuredClone(TEMPLATES[name].spec);
}

/** The template's training recipe (empty when it has none). */
export function templateHyperparameters(name: string): Partial<Hyperparameters> {
  return Object.hasOwn(TEMPLATES, name) ? { ...TEMPLATES[name].hyperparameters } : {};
}
