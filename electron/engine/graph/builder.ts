// A small GraphDef builder: named nodes, typed attributes, constants, placeholders and resource variables.
// Tensors are referred to as TensorFlow does: "node" for output 0, "node:k" for output k, "^node" for a
// control input.
import { attr, nodeDef, tensorProto, type AttrValue, type Dtype } from './protos.ts';

export type Tensor = string;

/** Every op a Layerlab graph may use. Each exists, with the attributes used here, in TensorFlow 2.9.1 (what the
 * stock tfjs-node package loads) and later; building with any other op is a programming error. */
export const GRAPH_OPS = new Set([
  'Placeholder',
  'Const',
  'Identity',
  'NoOp',
  'VarHandleOp',
  'ReadVariableOp',
  'AssignVariableOp',
  'Conv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'BiasAdd',
  'BiasAddGrad',
  'MatMul',
  'MaxPool',
  'MaxPoolGrad',
  'AvgPool',
  'AvgPoolGrad',
  'Reshape',
  'Shape',
  'Size',
  'Cast',
  'Relu',
  'ReluGrad',
  'Sigmoid',
  'SigmoidGrad',
  'Tanh',
  'TanhGrad',
  'Softmax',
  'FusedBatchNormV3',
  'FusedBatchNormGradV3',
  'StatelessRandomUniform',
  'GreaterEqual',
  'SparseSoftmaxCrossEntropyWithLogits',
  'ArgMax',
  'Equal',
  'Mean',
  'Sum',
  'Add',
  'AddV2',
  'Sub',
  'Mul',
  'RealDiv',
  'Pow',
  'Maximum',
  'ResourceApplyAdam',
  'ResourceApplyMomentum',
  'ResourceApplyGradientDescent',
  'ResourceApplyRMSProp',
]);

export class GraphBuilder {
  readonly nodes: AttrValue[] = [];
  readonly opsUsed = new Set<string>();
  private readonly names = new Set<string>();

  /** Adds a node; returns its name (its output 0). */
  op(
    op: string,
    name: string,
    inputs: Tensor[],
    attrs: Record<string, AttrValue> = {},
    control: Tensor[] = [],
  ): Tensor {
    if (!GRAPH_OPS.has(op))
      throw new Error(`graph builder: op ${op} is not in the TensorFlow 2.9 op set Layerlab uses`);
    if (this.names.has(name)) throw new Error(`graph builder: node name ${name} is used twice`);
    this.names.add(name);
    this.opsUsed.add(op);
    this.nodes.push(nodeDef(name, op, [...inputs, ...control.map((c) => `^${c.replace(/:\d+$/, '')}`)], attrs));
    return name;
  }

  /** op() with T=float32, the usual case. */
  float(
    op: string,
    name: string,
    inputs: Tensor[],
    attrs: Record<string, AttrValue> = {},
    control: Tensor[] = [],
  ): Tensor {
    return this.op(op, name, inputs, { T: attr.type('float32'), ...attrs }, control);
  }

  constant(
    name: string,
    values: number[] | Float32Array | Int32Array,
    dims: number[],
    dtype: 'float32' | 'int32' = 'float32',
  ): Tensor {
    const typed = dtype === 'float32' ? Float32Array.from(values) : Int32Array.from(values);
    return this.op('Const', name, [], { dtype: attr.type(dtype), value: attr.tensor(tensorProto(dtype, dims, typed)) });
  }

  scalar(name: string, value: number, dtype: 'float32' | 'int32' = 'float32'): Tensor {
    return this.constant(name, [value], [], dtype);
  }

  placeholder(name: string, dtype: Dtype, dims: number[]): Tensor {
    return this.op('Placeholder', name, [], { dtype: attr.type(dtype), shape: attr.shape(dims) });
  }

  /** A resource variable: its handle (each with its own shared_name, so variables never alias). */
  variable(name: string, dims: number[], dtype: Dtype = 'float32'): Tensor {
    return this.op('VarHandleOp', name, [], {
      dtype: attr.type(dtype),
      shape: attr.shape(dims),
      shared_name: attr.string(name),
      container: attr.string(''),
    });
  }

  read(name: string, handle: Tensor, dtype: Dtype = 'float32'): Tensor {
    return this.op('ReadVariableOp', name, [handle], { dtype: attr.type(dtype) });
  }

  assign(name: string, handle: Tensor, value: Tensor, dtype: Dtype = 'float32', control: Tensor[] = []): Tensor {
    return this.op('AssignVariableOp', name, [handle, value], { dtype: attr.type(dtype) }, control);
  }

  /** An Identity of `value` that runs only after every op in `after`: how fetching one output runs the updates. */
  after(name: string, value: Tensor, after: Tensor[], dtype: Dtype = 'float32'): Tensor {
    return this.op('Identity', name, [value], { T: attr.type(dtype) }, after);
  }
}
