// Export of a design as Python Keras code that builds the same network (tfjs-layers and Keras share
// their defaults, so only non-default settings are written out).
import type { ModelSpec } from '../../../../electron/engine/model/spec.ts';
import { toPair, type EditableLayer } from './layers.ts';

function pyString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function pyTuple(value: unknown, fallback: number): string {
  const [h, w] = toPair(value, fallback);
  return `(${h}, ${w})`;
}

function kerasLayer(layer: EditableLayer): string {
  const args: string[] = [];
  const option = (name: string, value: string) => args.push(`${name}=${value}`);
  switch (layer.type) {
    case 'Conv2D':
      args.push(String(layer.filters), pyTuple(layer.kernelSize, 3));
      if (layer.strides !== undefined && pyTuple(layer.strides, 1) !== '(1, 1)') option('strides', pyTuple(layer.strides, 1));
      if (layer.padding === 'same') option('padding', pyString('same'));
      if (layer.activation && layer.activation !== 'linear') option('activation', pyString(layer.activation));
      if (layer.useBias === false) option('use_bias', 'False');
      break;
    case 'MaxPooling2D':
    case 'AveragePooling2D':
      args.push(pyTuple(layer.poolSize, 2));
      if (layer.strides !== undefined && pyTuple(layer.strides, 2) !== pyTuple(layer.poolSize, 2)) {
        option('strides', pyTuple(layer.strides, 2));
      }
      if (layer.padding === 'same') option('padding', pyString('same'));
      break;
    case 'Dropout':
      args.push(String(layer.rate));
      break;
    case 'BatchNormalization':
      if (layer.momentum !== undefined && layer.momentum !== 0.99) option('momentum', String(layer.momentum));
      if (layer.epsilon !== undefined && layer.epsilon !== 0.001) option('epsilon', String(layer.epsilon));
      break;
    case 'Flatten':
      break;
    case 'Dense':
      args.push(String(layer.units));
      if (layer.activation && layer.activation !== 'linear') option('activation', pyString(layer.activation));
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
    ...spec.layers.map((layer) => `    ${kerasLayer(layer as EditableLayer)},`),
  ];
  const summary = totalParams === null ? 'model.summary()' : `model.summary()  # ${totalParams.toLocaleString('en-US')} parameters`;
  return [
    'from tensorflow.keras import layers, models',
    '',
    'model = models.Sequential([',
    ...lines,
    `], name=${pyString(spec.name)})`,
    '',
    "# As Layerlab trains by default: Adam on sparse categorical cross-entropy (labels are class indices).",
    "model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])",
    summary,
    '',
  ].join('\n');
}
