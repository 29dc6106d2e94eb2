// Each layer's forward op(s) and the stock TensorFlow gradient ops that run it backwards (NHWC throughout).
import type { Activation, NormalizedLayerSpec, Pair } from '#shared/model/spec.ts';
import type { GraphBuilder, Tensor } from './builder.ts';
import { attr } from './protos.ts';

const F32 = 'float32' as const;
const I32 = 'int32' as const;

export interface LayerRecord {
  index: number;
  layer: NormalizedLayerSpec;
  input: Tensor;
  /** Without the batch dimension. */
  inputShape: number[];
  output: Tensor;
  /** Dropout's scaled keep-mask (training only). */
  mask?: Tensor;
  /** FusedBatchNormV3's inputs and reserve spaces, for its gradient. */
  batchNorm?: { input4d: Tensor; reserve: [Tensor, Tensor, Tensor] };
}

export interface ForwardPass {
  logits: Tensor;
  records: LayerRecord[];
  /** Batch-norm moving-statistics assignments (training only). */
  updates: Tensor[];
}

type Mode = 'train' | 'infer';

function convAttrs(strides: Pair, padding: string) {
  return {
    strides: attr.ints([1, strides[0], strides[1], 1]),
    padding: attr.string(padding.toUpperCase()),
    data_format: attr.string('NHWC'),
    dilations: attr.ints([1, 1, 1, 1]),
    use_cudnn_on_gpu: attr.bool(true),
  };
}

function poolAttrs(size: Pair, strides: Pair, padding: string) {
  return {
    ksize: attr.ints([1, size[0], size[1], 1]),
    strides: attr.ints([1, strides[0], strides[1], 1]),
    padding: attr.string(padding.toUpperCase()),
    data_format: attr.string('NHWC'),
  };
}

const NHWC = { data_format: attr.string('NHWC') };
const reshapeAttrs = { T: attr.type(F32), Tshape: attr.type(I32) };

function shapeOf(g: GraphBuilder, name: string, t: Tensor): Tensor {
  return g.op('Shape', name, [t], { T: attr.type(F32), out_type: attr.type(I32) });
}

function batchNormAttrs(epsilon: number, training: boolean) {
  return {
    T: attr.type(F32),
    U: attr.type(F32),
    epsilon: attr.float(epsilon),
    is_training: attr.bool(training),
    ...NHWC,
  };
}

function activate(g: GraphBuilder, prefix: string, z: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'relu':
      return g.float('Relu', `${prefix}/relu`, [z]);
    case 'sigmoid':
      return g.float('Sigmoid', `${prefix}/sigmoid`, [z]);
    case 'tanh':
      return g.float('Tanh', `${prefix}/tanh`, [z]);
    case 'softmax':
      return g.float('Softmax', `${prefix}/softmax`, [z]);
    case 'linear':
      return z;
  }
}

/** dL/dz from dL/dy, where y = activation(z). */
function activationGrad(g: GraphBuilder, prefix: string, dy: Tensor, y: Tensor, activation: Activation): Tensor {
  switch (activation) {
    case 'relu':
      return g.float('ReluGrad', `${prefix}/relu_grad`, [dy, y]);
    case 'sigmoid':
      return g.float('SigmoidGrad', `${prefix}/sigmoid_grad`, [y, dy]);
    case 'tanh':
      return g.float('TanhGrad', `${prefix}/tanh_grad`, [y, dy]);
    case 'softmax': {
      // (dy - sum(dy * y)) * y, over the class axis.
      const dot = g.float(
        'Sum',
        `${prefix}/softmax_dot`,
        [g.float('Mul', `${prefix}/softmax_dy_y`, [dy, y]), g.constant(`${prefix}/softmax_axis`, [-1], [1], I32)],
        {
          Tidx: attr.type(I32),
          keep_dims: attr.bool(true),
        },
      );
      return g.float('Mul', `${prefix}/softmax_grad`, [g.float('Sub', `${prefix}/softmax_centered`, [dy, dot]), y]);
    }
    case 'linear':
      return dy;
  }
}

export function forward(
  g: GraphBuilder,
  layers: NormalizedLayerSpec[],
  shapes: { input: number[]; output: number[] }[],
  reads: Map<string, Tensor>,
  handles: Map<string, Tensor>,
  x: Tensor,
  mode: Mode,
  seed: Tensor,
): ForwardPass {
  let h = x;
  const records: LayerRecord[] = [];
  const updates: Tensor[] = [];
  const last = layers.length - 1;
  layers.forEach((layer, i) => {
    const p = `${mode}/l${i}`;
    const inputShape = shapes[i].input;
    const record: LayerRecord = { index: i, layer, input: h, inputShape, output: h };
    const weight = (role: string) => reads.get(`l${i}/${role}`)!;
    switch (layer.type) {
      case 'Conv2D':
      case 'Dense': {
        let z =
          layer.type === 'Conv2D'
            ? g.float('Conv2D', `${p}/conv`, [h, weight('kernel')], convAttrs(layer.strides, layer.padding))
            : g.float('MatMul', `${p}/matmul`, [h, weight('kernel')], {
                transpose_a: attr.bool(false),
                transpose_b: attr.bool(false),
              });
        if (layer.useBias) z = g.float('BiasAdd', `${p}/bias`, [z, weight('bias')], NHWC);
        // The last layer's softmax is folded into the loss (and into prediction): its output is the logits.
        record.output = i === last ? z : activate(g, p, z, layer.activation);
        break;
      }
      case 'MaxPooling2D':
        record.output = g.float(
          'MaxPool',
          `${p}/maxpool`,
          [h],
          poolAttrs(layer.poolSize, layer.strides, layer.padding),
        );
        break;
      case 'AveragePooling2D':
        record.output = g.float(
          'AvgPool',
          `${p}/avgpool`,
          [h],
          poolAttrs(layer.poolSize, layer.strides, layer.padding),
        );
        break;
      case 'Flatten':
        record.output = g.op(
          'Reshape',
          `${p}/flatten`,
          [h, g.constant(`${p}/flat_shape`, [-1, shapes[i].output[0]], [2], I32)],
          reshapeAttrs,
        );
        break;
      case 'Dropout':
        if (mode === 'train' && layer.rate > 0) {
          // A seeded mask: [run seed, step] plus the layer index, so a resumed run draws the same masks.
          const layerSeed = g.op(
            'AddV2',
            `${p}/seed`,
            [seed, g.constant(`${p}/seed_offset`, [7919 * (i + 1), 0], [2], I32)],
            { T: attr.type(I32) },
          );
          const uniform = g.op('StatelessRandomUniform', `${p}/uniform`, [shapeOf(g, `${p}/shape`, h), layerSeed], {
            dtype: attr.type(F32),
            T: attr.type(I32),
            Tseed: attr.type(I32),
          });
          const keep = g.op('GreaterEqual', `${p}/keep`, [uniform, g.scalar(`${p}/rate`, layer.rate)], {
            T: attr.type(F32),
          });
          const keepFloat = g.op('Cast', `${p}/keep_float`, [keep], {
            SrcT: attr.type('bool'),
            DstT: attr.type(F32),
            Truncate: attr.bool(false),
          });
          record.mask = g.float('Mul', `${p}/mask`, [keepFloat, g.scalar(`${p}/scale`, 1 / (1 - layer.rate))]);
          record.output = g.float('Mul', `${p}/dropout`, [h, record.mask]);
        }
        break;
      case 'BatchNormalization': {
        const channels = inputShape[inputShape.length - 1];
        const flat = inputShape.length === 1;
        // FusedBatchNorm wants NHWC: a [batch, features] input is viewed as [batch, 1, 1, features].
        const h4 = flat
          ? g.op('Reshape', `${p}/to4d`, [h, g.constant(`${p}/shape4d`, [-1, 1, 1, channels], [4], I32)], reshapeAttrs)
          : h;
        const training = mode === 'train';
        const empty = training ? g.constant(`${p}/empty`, [], [0]) : '';
        const mean = training ? empty : weight('moving_mean');
        const variance = training ? empty : weight('moving_variance');
        const bn = g.op(
          'FusedBatchNormV3',
          `${p}/batchnorm`,
          [h4, weight('gamma'), weight('beta'), mean, variance],
          batchNormAttrs(layer.epsilon, training),
        );
        if (training) {
          record.batchNorm = { input4d: h4, reserve: [`${bn}:3`, `${bn}:4`, `${bn}:5`] };
          updates.push(...movingStatistics(g, p, i, bn, h4, channels, layer.momentum, reads, handles));
        }
        record.output = flat
          ? g.op('Reshape', `${p}/to2d`, [bn, g.constant(`${p}/shape2d`, [-1, channels], [2], I32)], reshapeAttrs)
          : bn;
        break;
      }
    }
    records.push(record);
    h = record.output;
  });
  return { logits: h, records, updates };
}

/** moving = moving * momentum + batch * (1 - momentum), with the batch variance uncorrected (n, not n - 1), as
 * tfjs and Keras keep it; FusedBatchNormV3 outputs the corrected one. */
function movingStatistics(
  g: GraphBuilder,
  p: string,
  i: number,
  bn: Tensor,
  h4: Tensor,
  channels: number,
  momentum: number,
  reads: Map<string, Tensor>,
  handles: Map<string, Tensor>,
): Tensor[] {
  const keep = g.scalar(`${p}/momentum`, momentum);
  const take = g.scalar(`${p}/one_minus_momentum`, 1 - momentum);
  const size = g.op(
    'Cast',
    `${p}/size_float`,
    [g.op('Size', `${p}/size`, [h4], { T: attr.type(F32), out_type: attr.type(I32) })],
    {
      SrcT: attr.type(I32),
      DstT: attr.type(F32),
      Truncate: attr.bool(false),
    },
  );
  const n = g.float('RealDiv', `${p}/n`, [size, g.scalar(`${p}/channels`, channels)]);
  const uncorrect = g.float('RealDiv', `${p}/uncorrect`, [
    g.float('Sub', `${p}/n_minus_1`, [n, g.scalar(`${p}/one`, 1)]),
    n,
  ]);
  const blend = (role: string, batch: Tensor) =>
    g.float('AddV2', `${p}/${role}_new`, [
      g.float('Mul', `${p}/${role}_keep`, [reads.get(`l${i}/${role}`)!, keep]),
      g.float('Mul', `${p}/${role}_take`, [batch, take]),
    ]);
  return [
    g.assign(`${p}/moving_mean_update`, handles.get(`l${i}/moving_mean`)!, blend('moving_mean', `${bn}:1`)),
    g.assign(
      `${p}/moving_variance_update`,
      handles.get(`l${i}/moving_variance`)!,
      blend('moving_variance', g.float('Mul', `${p}/batch_variance`, [`${bn}:2`, uncorrect])),
    ),
  ];
}

/**
 * Runs one layer backwards: records its weights' gradients in `grads` and returns dL/d(input), or null when the
 * input needs no gradient (the first layer). `readers` gets the op that reads the layer's weights for the input
 * gradient, so their update can be made to wait for it.
 */
export function backward(
  g: GraphBuilder,
  record: LayerRecord,
  dy: Tensor,
  reads: Map<string, Tensor>,
  grads: Map<string, Tensor>,
  needInput: boolean,
  readers: Map<number, Tensor>,
  isLast: boolean,
): Tensor | null {
  const { layer, index: i, input } = record;
  const p = `grad/l${i}`;
  const weight = (role: string) => reads.get(`l${i}/${role}`)!;
  switch (layer.type) {
    case 'Conv2D':
    case 'Dense': {
      const dz = isLast ? dy : activationGrad(g, p, dy, record.output, layer.activation);
      if (layer.useBias) grads.set(`l${i}/bias`, g.float('BiasAddGrad', `${p}/bias`, [dz], NHWC));
      if (layer.type === 'Conv2D') {
        const kernelShape = [layer.kernelSize[0], layer.kernelSize[1], record.inputShape[2], layer.filters];
        const attrs = convAttrs(layer.strides, layer.padding);
        grads.set(
          `l${i}/kernel`,
          g.float(
            'Conv2DBackpropFilter',
            `${p}/kernel`,
            [input, g.constant(`${p}/kernel_shape`, kernelShape, [4], I32), dz],
            attrs,
          ),
        );
        if (!needInput) return null;
        const dx = g.float(
          'Conv2DBackpropInput',
          `${p}/input`,
          [shapeOf(g, `${p}/input_shape`, input), weight('kernel'), dz],
          attrs,
        );
        readers.set(i, dx);
        return dx;
      }
      grads.set(
        `l${i}/kernel`,
        g.float('MatMul', `${p}/kernel`, [input, dz], { transpose_a: attr.bool(true), transpose_b: attr.bool(false) }),
      );
      if (!needInput) return null;
      const dx = g.float('MatMul', `${p}/input`, [dz, weight('kernel')], {
        transpose_a: attr.bool(false),
        transpose_b: attr.bool(true),
      });
      readers.set(i, dx);
      return dx;
    }
    case 'MaxPooling2D':
      if (!needInput) return null;
      return g.float(
        'MaxPoolGrad',
        `${p}/maxpool`,
        [input, record.output, dy],
        poolAttrs(layer.poolSize, layer.strides, layer.padding),
      );
    case 'AveragePooling2D':
      if (!needInput) return null;
      return g.float(
        'AvgPoolGrad',
        `${p}/avgpool`,
        [shapeOf(g, `${p}/input_shape`, input), dy],
        poolAttrs(layer.poolSize, layer.strides, layer.padding),
      );
    case 'Flatten':
      if (!needInput) return null;
      return g.op(
        'Reshape',
        `${p}/unflatten`,
        [dy, g.constant(`${p}/shape`, [-1, ...record.inputShape], [record.inputShape.length + 1], I32)],
        reshapeAttrs,
      );
    case 'Dropout':
      if (!needInput) return null;
      return record.mask ? g.float('Mul', `${p}/dropout`, [dy, record.mask]) : dy;
    case 'BatchNormalization': {
      const bn = record.batchNorm!;
      const channels = record.inputShape[record.inputShape.length - 1];
      const flat = record.inputShape.length === 1;
      const dy4 = flat
        ? g.op('Reshape', `${p}/dy4d`, [dy, g.constant(`${p}/shape4d`, [-1, 1, 1, channels], [4], I32)], reshapeAttrs)
        : dy;
      const r = g.op(
        'FusedBatchNormGradV3',
        `${p}/batchnorm`,
        [dy4, bn.input4d, weight('gamma'), ...bn.reserve],
        batchNormAttrs(layer.epsilon, true),
      );
      grads.set(`l${i}/gamma`, `${r}:1`);
      grads.set(`l${i}/beta`, `${r}:2`);
      readers.set(i, r);
      if (!needInput) return null;
      return flat
        ? g.op('Reshape', `${p}/dx2d`, [r, g.constant(`${p}/shape2d`, [-1, channels], [2], I32)], reshapeAttrs)
        : r;
    }
  }
}
