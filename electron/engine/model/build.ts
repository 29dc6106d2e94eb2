// Turns a spec into an (uncompiled) tfjs Sequential model. Compiling — optimizer, loss,
// metrics — belongs to the training module.

import * as tf from '@tensorflow/tfjs';
import { parseSpec, type ModelSpec, type NormalizedLayerSpec, type SpecOptions } from '#shared/model/spec.ts';

export interface BuildOptions {
  /**
   * Classes the final softmax must have. When omitted, the last Dense layer's own units are
   * accepted: building only needs a well-formed model, matching a dataset is the caller's check
   * (via parseSpec/analyzeSpec with the dataset's numClasses).
   */
  numClasses?: number;
  /** Seeds the kernel initializers (layer i uses seed + i) for reproducible initial weights. */
  seed?: number;
}

/** Validates with parseSpec (throws SpecError) and builds the model; does not compile it. */
export function buildModel(spec: ModelSpec, options: BuildOptions = {}): tf.Sequential {
  const specOptions: SpecOptions = { numClasses: options.numClasses ?? lastDenseUnits(spec) };
  const { spec: normalized } = parseSpec(spec, specOptions);
  const model = tf.sequential();
  normalized.layers.forEach((layer, index) => {
    const seed = options.seed === undefined ? undefined : options.seed + index;
    // Only the first layer declares the input; tfjs infers the rest.
    const inputShape = index === 0 ? normalized.inputShape : undefined;
    model.add(createLayer(layer as NormalizedLayerSpec, inputShape, seed));
  });
  return model;
}

function createLayer(layer: NormalizedLayerSpec, inputShape: number[] | undefined, seed: number | undefined) {
  const kernelInitializer = seed === undefined ? undefined : tf.initializers.glorotUniform({ seed });
  switch (layer.type) {
    case 'Conv2D':
      return tf.layers.conv2d({
        inputShape,
        filters: layer.filters,
        kernelSize: layer.kernelSize,
        strides: layer.strides,
        padding: layer.padding,
        activation: layer.activation,
        useBias: layer.useBias,
        kernelInitializer,
      });
    case 'MaxPooling2D':
      return tf.layers.maxPooling2d({
        inputShape,
        poolSize: layer.poolSize,
        strides: layer.strides,
        padding: layer.padding,
      });
    case 'AveragePooling2D':
      return tf.layers.averagePooling2d({
        inputShape,
        poolSize: layer.poolSize,
        strides: layer.strides,
        padding: layer.padding,
      });
    case 'Dropout':
      return tf.layers.dropout({ inputShape, rate: layer.rate, seed });
    case 'BatchNormalization':
      return tf.layers.batchNormalization({ inputShape, axis: -1, momentum: layer.momentum, epsilon: layer.epsilon });
    case 'Flatten':
      return tf.layers.flatten({ inputShape });
    case 'Dense':
      return tf.layers.dense({
        inputShape,
        units: layer.units,
        activation: layer.activation,
        useBias: layer.useBias,
        kernelInitializer,
      });
  }
}

function lastDenseUnits(spec: ModelSpec): number | undefined {
  const last = Array.isArray(spec?.layers) ? spec.layers[spec.layers.length - 1] : undefined;
  return last?.type === 'Dense' && Number.isInteger(last.units) && last.units >= 2 ? last.units : undefined;
}
