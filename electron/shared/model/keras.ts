// A design as Python Keras code that builds the same network (tfjs-layers and Keras share their defaults,
// which are the engine's LAYER_DEFAULTS, so only non-default settings are written out). Pure: the Design
// screen shows it, and a run's export (electron/engine/model/run-model.ts) writes it as model.py.
import { LAYER_DEFAULTS } from './fields.ts';
import type { LayerSpec, ModelSpec, Pair } from './types.ts';

/** A layer as written or being edited: any field may be missing or hold a half-typed value. */
type AnyLayer = LayerSpec & Record<string, unknown>;

const { BatchNormalization: batchNorm, Conv2D: conv, Dense: dense, MaxPooling2D: pool } = LAYER_DEFAULTS;
const [defaultStride] = conv.strides;
const [defaultPool] = pool.poolSize;

function pyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function toPair(value: unknown, fallback: number): Pair {
  if (Array.isArray(value) && value.length === 2) return [Number(value[0]), Number(value[1])];
  const n = typeof value === 'number' ? value : fallback;
  return [n, n];
}

function pyTuple(value: unknown, fallback: number): string {
  const [h, w] = toPair(value, fallback);
  return `(${h}, ${w})`;
}

function kerasLayer(layer: AnyLayer): string {
  const args: string[] = [];
  const option = (name: string, value: string) => args.push(`${name}=${value}`);
  switch (layer.type) {
    case 'Conv2D':
      args.push(String(layer.filters), pyTuple(layer.kernelSize, 3));
      if (
        layer.strides !== undefined &&
        pyTuple(layer.strides, defaultStride) !== pyTuple(conv.strides, defaultStride)
      ) {
        option('strides', pyTuple(layer.strides, defaultStride));
      }
      if (layer.padding === 'same') option('padding', pyString('same'));
      if (layer.activation && layer.activation !== conv.activation) option('activation', pyString(layer.activation));
      if (layer.useBias === false) option('use_bias', 'False');
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      args.push(pyTuple(layer.poolSize, defaultPool));
      if (layer.strides !== undefined && pyTuple(layer.strides, defaultPool) !== pyTuple(layer.poolSize, defaultPool)) {
        option('strides', pyTuple(layer.strides, defaultPool));
      }
      if (layer.padding === 'same') option('padding', pyString('same'));
      break;
    case 'Dropout':
      args.push(String(layer.rate));
      break;
    case 'BatchNormalization':
      if (layer.momentum !== undefined && layer.momentum !== batchNorm.momentum)
        option('momentum', String(layer.momentum));
      if (layer.epsilon !== undefined && layer.epsilon !== batchNorm.epsilon) option('epsilon', String(layer.epsilon));
      break;
    case 'Flatten':
      break;
    case 'Dense':
      args.push(String(layer.units));
      if (layer.activation && layer.activation !== dense.activation) option('activation', pyString(layer.activation));
      if (layer.useBias === false) option('use_bias', 'False');
      break;
  }
  return `layers.${layer.type}(${args.join(', ')})`;
}

/** Python source for the design; `totalParams` (when known) goes in a comment to check against model.summary(). */
export function toKerasCode(spec: ModelSpec, totalParams: number | null): string {
  const [h, w, c] = spec.inputShape;
  const lines = [
    `    layers.Input(shape=(${h}, ${w}, ${c})),`,
    ...spec.layers.map((layer) => `    ${kerasLayer(layer as AnyLayer)},`),
  ];
  const summary =
    totalParams === null ? 'model.summary()' : `model.summary()  # ${totalParams.toLocaleString('en-US')} parameters`;
  return [
    'from tensorflow.keras import layers, models',
    '',
    'model = models.Sequential([',
    ...lines,
    `], name=${pyString(spec.name)})`,
    '',
    '# As Layerlab trains by default: Adam on sparse categorical cross-entropy (labels are class indices).',
    "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
    summary,
    '',
  ].join('\n');
}
