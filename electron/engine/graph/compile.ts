// Compiles a validated model spec into one TensorFlow graph that trains a whole batch per session call:
// the forward pass, the loss, the backward pass written layer by layer from TensorFlow's own gradient ops,
// and the optimizer's update of every variable. The same graph also predicts (inference mode: dropout off,
// batch-norm moving statistics), reads and writes its whole state (weights, optimizer slots, step), and
// reports gradients for tests. Signatures:
//   assign   state feeds -> "done"          (initial weights, or a checkpoint being resumed)
//   state    ()          -> every variable
//   train    x, y, seed, lr -> loss, accuracy   (fetching loss runs every update: they are its control inputs;
//                                               lr is the step's learning rate, fed so a schedule can move it)
//   gradients x, y, seed -> loss, gradients and dropout masks, without updating anything
//   predict  x           -> probabilities
import type { Hyperparameters } from '#shared/types.ts';
import type { ModelSpec, NormalizedLayerSpec } from '#shared/model/spec.ts';
import { parseSpec } from '#shared/model/spec.ts';
import { GraphBuilder, type Tensor } from './builder.ts';
import { backward, forward } from './layers.ts';
import { attr, serializeSavedModel, type TensorSignature } from './protos.ts';

/** TensorFlow numbers GraphDefs by date since version 30 (2019-05-09); 1000 is 2021-12-xx, before the
 * TensorFlow 2.9 branch, so 2.9.1 (stock tfjs-node) and every later release load the graph without a
 * version warning. The ops are limited to GRAPH_OPS (builder.ts). */
export const GRAPH_PRODUCER_VERSION = 1000;
export const GRAPH_MIN_TENSORFLOW = '2.9.1';

export class GraphCompileError extends Error {
  override name = 'GraphCompileError';
}

export type VariableRole = 'kernel' | 'bias' | 'gamma' | 'beta' | 'moving_mean' | 'moving_variance';

export interface GraphVariable {
  /** "l<layer>/<role>", "iterations" or "slot/<weight id>/<slot>". */
  id: string;
  shape: number[];
  layer: number | null;
  role: VariableRole | 'iterations' | 'slot';
  trainable: boolean;
}

export interface CompiledGraph {
  savedModel: Uint8Array;
  /** Model weights in layer order, then "iterations", then the optimizer slots. */
  variables: GraphVariable[];
  /** Trainable weight ids in the order their gradients are output. */
  trainable: string[];
  /** Dropout layers' mask outputs in the gradients signature, by layer index. */
  dropoutLayers: number[];
  opsUsed: string[];
  inputShape: [number, number, number];
  numClasses: number;
}

const F32 = 'float32' as const;
const I32 = 'int32' as const;

export function compileGraph(spec: ModelSpec, h: Hyperparameters, numClasses: number): CompiledGraph {
  const parsed = parseSpec(spec, { numClasses });
  const normalized = parsed.spec;
  const summary = parsed.layers.map((l) => l.outputShape);
  const g = new GraphBuilder();
  const variables: GraphVariable[] = [];
  const handles = new Map<string, Tensor>();
  const reads = new Map<string, Tensor>();
  const declare = (
    id: string,
    shape: number[],
    layer: number | null,
    role: GraphVariable['role'],
    trainable: boolean,
  ) => {
    variables.push({ id, shape, layer, role, trainable });
    const handle = g.variable(`var/${id}`, shape);
    handles.set(id, handle);
    reads.set(id, g.read(`var/${id}/read`, handle));
    return reads.get(id)!;
  };

  // ---- Variables, in layer order -------------------------------------------------------------
  let shape: number[] = [...normalized.inputShape];
  const layerShapes: { input: number[]; output: number[] }[] = [];
  normalized.layers.forEach((raw, i) => {
    const layer = raw as NormalizedLayerSpec;
    const output = summary[i];
    layerShapes.push({ input: shape, output });
    const channelsIn = shape[shape.length - 1];
    if (layer.type === 'Conv2D') {
      declare(`l${i}/kernel`, [layer.kernelSize[0], layer.kernelSize[1], channelsIn, layer.filters], i, 'kernel', true);
      if (layer.useBias) declare(`l${i}/bias`, [layer.filters], i, 'bias', true);
    } else if (layer.type === 'Dense') {
      if (shape.length !== 1)
        throw new GraphCompileError(`layer ${i + 1} Dense: input must be flat, got ${shape.join('x')}`);
      declare(`l${i}/kernel`, [channelsIn, layer.units], i, 'kernel', true);
      if (layer.useBias) declare(`l${i}/bias`, [layer.units], i, 'bias', true);
    } else if (layer.type === 'BatchNormalization') {
      declare(`l${i}/gamma`, [channelsIn], i, 'gamma', true);
      declare(`l${i}/beta`, [channelsIn], i, 'beta', true);
      declare(`l${i}/moving_mean`, [channelsIn], i, 'moving_mean', false);
      declare(`l${i}/moving_variance`, [channelsIn], i, 'moving_variance', false);
    }
    shape = output;
  });
  const trainable = variables.filter((v) => v.trainable).map((v) => v.id);

  const [height, width, channels] = normalized.inputShape;
  const x = g.placeholder('x', F32, [-1, height, width, channels]);
  const y = g.placeholder('y', I32, [-1]);
  const seed = g.placeholder('seed', I32, [2]);

  // ---- Forward passes --------------------------------------------------------------------------
  const layers = normalized.layers as NormalizedLayerSpec[];
  const train = forward(g, layers, layerShapes, reads, handles, x, 'train', seed);
  const infer = forward(g, layers, layerShapes, reads, handles, x, 'infer', seed);

  // ---- Loss and accuracy ---------------------------------------------------------------------
  const logits = train.logits;
  const xent = g.op('SparseSoftmaxCrossEntropyWithLogits', 'loss/xent', [logits, y], {
    T: attr.type(F32),
    Tlabels: attr.type(I32),
  });
  const axis0 = g.constant('loss/axis0', [0], [1], I32);
  const loss = g.op('Mean', 'loss/mean', [xent, axis0], {
    T: attr.type(F32),
    Tidx: attr.type(I32),
    keep_dims: attr.bool(false),
  });
  const count = g.op(
    'Cast',
    'loss/count',
    [g.op('Size', 'loss/size', [y], { T: attr.type(I32), out_type: attr.type(I32) })],
    {
      SrcT: attr.type(I32),
      DstT: attr.type(F32),
      Truncate: attr.bool(false),
    },
  );
  const accuracy = accuracyOf(g, 'train/accuracy', logits, y, axis0);
  const dlogits = g.float('RealDiv', 'loss/dlogits', [`${xent}:1`, count]);

  // ---- Backward pass ---------------------------------------------------------------------------
  const grads = new Map<string, Tensor>();
  /** Input gradients that read each layer's weights: its weight updates wait for them. */
  const readers = new Map<number, Tensor>();
  let delta: Tensor = dlogits;
  for (let r = train.records.length - 1; r >= 0; r--) {
    const rec = train.records[r];
    delta = backward(g, rec, delta, reads, grads, r > 0, readers, r === train.records.length - 1) ?? delta;
  }

  // ---- Updates -----------------------------------------------------------------------------------
  const updates: Tensor[] = [];
  const iterations = declare('iterations', [], null, 'iterations', false);
  const step = g.float('AddV2', 'opt/step', [iterations, g.scalar('opt/one', 1)]);
  // Fed at every step (a float32 scalar, like the constant it replaces), so a schedule moves it without recompiling.
  const lr = g.placeholder('lr', F32, []);
  const slot = (weightId: string, name: string) => {
    const w = variables.find((v) => v.id === weightId)!;
    declare(`slot/${weightId}/${name}`, w.shape, w.layer, 'slot', false);
    return handles.get(`slot/${weightId}/${name}`)!;
  };
  const slotNames =
    h.optimizer === 'adam'
      ? ['m', 'v']
      : h.optimizer === 'rmsprop'
        ? ['ms', 'mom']
        : h.momentum > 0
          ? ['momentum']
          : [];
  // Slots are declared slot-major (all m, then all v), the order tfjs optimizers keep theirs in.
  const slotHandles = new Map<string, Tensor[]>(trainable.map((id) => [id, []]));
  for (const name of slotNames) for (const id of trainable) slotHandles.get(id)!.push(slot(id, name));
  const locking = { T: attr.type(F32), use_locking: attr.bool(false) };
  const adam =
    h.optimizer === 'adam'
      ? {
          beta1: g.scalar('opt/beta1', 0.9),
          beta2: g.scalar('opt/beta2', 0.999),
          epsilon: g.scalar('opt/epsilon', 1e-7),
          beta1Power: g.float('Pow', 'opt/beta1_power', ['opt/beta1', step]),
          beta2Power: g.float('Pow', 'opt/beta2_power', ['opt/beta2', step]),
        }
      : null;
  // Only the constants the chosen optimizer reads go into the graph.
  const momentum = h.momentum > 0 || h.optimizer === 'rmsprop' ? g.scalar('opt/momentum', h.momentum) : '';
  const rho = h.optimizer === 'rmsprop' ? g.scalar('opt/rho', 0.9) : '';
  const epsilon = adam?.epsilon ?? (h.optimizer === 'rmsprop' ? g.scalar('opt/epsilon', 1e-7) : '');
  for (const id of trainable) {
    const grad = grads.get(id);
    if (!grad) throw new GraphCompileError(`no gradient reaches ${id}`);
    const [s0, s1] = slotHandles.get(id)!;
    const layer = variables.find((v) => v.id === id)!.layer!;
    const control = readers.has(layer) ? [readers.get(layer)!] : [];
    const name = `opt/apply/${id}`;
    if (adam) {
      updates.push(
        g.op(
          'ResourceApplyAdam',
          name,
          [handles.get(id)!, s0, s1, adam.beta1Power, adam.beta2Power, lr, adam.beta1, adam.beta2, epsilon, grad],
          { ...locking, use_nesterov: attr.bool(false) },
          control,
        ),
      );
    } else if (h.optimizer === 'rmsprop') {
      updates.push(
        g.op(
          'ResourceApplyRMSProp',
          name,
          [handles.get(id)!, s0, s1, lr, rho, momentum, epsilon, grad],
          locking,
          control,
        ),
      );
    } else if (h.momentum > 0) {
      updates.push(
        g.op(
          'ResourceApplyMomentum',
          name,
          [handles.get(id)!, s0, lr, grad, momentum],
          { ...locking, use_nesterov: attr.bool(false) },
          control,
        ),
      );
    } else {
      updates.push(g.op('ResourceApplyGradientDescent', name, [handles.get(id)!, lr, grad], locking, control));
    }
  }
  updates.push(...train.updates);
  updates.push(g.assign('opt/step/assign', handles.get('iterations')!, step));
  const trainLoss = g.after('train/loss', loss, updates);
  const trainAccuracy = g.after('train/accuracy_out', accuracy, updates);

  // ---- State and prediction -----------------------------------------------------------------
  const stateInputs: Record<string, TensorSignature> = {};
  const stateOutputs: Record<string, TensorSignature> = {};
  const assigns: Tensor[] = [];
  for (const v of variables) {
    const feed = g.placeholder(`assign/${v.id}`, F32, v.shape);
    stateInputs[v.id] = { tensor: `${feed}:0`, dtype: F32, shape: v.shape };
    assigns.push(g.assign(`assign/${v.id}/op`, handles.get(v.id)!, feed));
    stateOutputs[v.id] = { tensor: `${reads.get(v.id)!}:0`, dtype: F32, shape: v.shape };
  }
  const done = g.after('assign/done', g.scalar('assign/true', 1), assigns);
  const probabilities = g.float('Softmax', 'predict/probabilities', [infer.logits]);

  const batch = (tensor: Tensor, dims: number[], dtype: 'float32' | 'int32' = F32): TensorSignature => ({
    tensor: `${tensor}:0`,
    dtype,
    shape: dims,
  });
  const feeds = { x: batch(x, [-1, height, width, channels]), y: batch(y, [-1], I32), seed: batch(seed, [2], I32) };
  const trainFeeds = { ...feeds, lr: batch(lr, []) };
  const gradientOutputs: Record<string, TensorSignature> = { loss: batch(loss, []) };
  for (const id of trainable)
    gradientOutputs[`grad/${id}`] = {
      tensor: tensorName(grads.get(id)!),
      dtype: F32,
      shape: variables.find((v) => v.id === id)!.shape,
    };
  for (const rec of train.records)
    if (rec.mask)
      gradientOutputs[`mask/l${rec.index}`] = {
        tensor: tensorName(rec.mask),
        dtype: F32,
        shape: [-1, ...rec.inputShape],
      };

  const savedModel = serializeSavedModel({
    nodes: g.nodes,
    producer: GRAPH_PRODUCER_VERSION,
    tensorflowVersion: GRAPH_MIN_TENSORFLOW,
    signatures: {
      assign: { inputs: stateInputs, outputs: { done: batch(done, []) } },
      state: { inputs: {}, outputs: stateOutputs },
      train: { inputs: trainFeeds, outputs: { loss: batch(trainLoss, []), accuracy: batch(trainAccuracy, []) } },
      gradients: { inputs: feeds, outputs: gradientOutputs },
      predict: { inputs: { x: feeds.x }, outputs: { probabilities: batch(probabilities, [-1, numClasses]) } },
    },
  });
  return {
    savedModel,
    variables,
    trainable,
    dropoutLayers: train.records.filter((r) => r.mask).map((r) => r.index),
    opsUsed: [...g.opsUsed].sort(),
    inputShape: [height, width, channels],
    numClasses,
  };
}

function tensorName(t: Tensor): string {
  return /:\d+$/.test(t) ? t : `${t}:0`;
}

function accuracyOf(g: GraphBuilder, name: string, logits: Tensor, y: Tensor, axis0: Tensor): Tensor {
  const dim1 = g.scalar(`${name}/axis`, 1, I32);
  const predicted = g.op('ArgMax', `${name}/argmax`, [logits, dim1], {
    T: attr.type(F32),
    Tidx: attr.type(I32),
    output_type: attr.type(I32),
  });
  const hits = g.op('Equal', `${name}/equal`, [predicted, y], { T: attr.type(I32) });
  const hitsFloat = g.op('Cast', `${name}/cast`, [hits], {
    SrcT: attr.type('bool'),
    DstT: attr.type(F32),
    Truncate: attr.bool(false),
  });
  return g.op('Mean', `${name}/mean`, [hitsFloat, axis0], {
    T: attr.type(F32),
    Tidx: attr.type(I32),
    keep_dims: attr.bool(false),
  });
}
