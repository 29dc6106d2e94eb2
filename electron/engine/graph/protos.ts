// The TensorFlow protocol buffers a Layerlab SavedModel is made of, from the generated google-protobuf
// classes that tfjs-node ships for its own SavedModel reader (so no second protobuf schema lives here).
import { createRequire } from 'node:module';

export type Dtype = 'float32' | 'int32' | 'bool';

/* eslint-disable @typescript-eslint/no-explicit-any -- the generated classes come without type declarations */
type Message = any;

const require = createRequire(import.meta.url);
let api: Record<string, any> | null = null;

/** The generated classes, from whichever native package is installed (both ship the same file). */
function proto(): Record<string, any> {
  if (api) return api;
  const errors: string[] = [];
  for (const pkg of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
    try {
      api = require(`${pkg}/dist/proto/api_pb.js`) as Record<string, any>;
      return api;
    } catch (err) {
      errors.push((err as Error).message.split('\n')[0]);
    }
  }
  throw new Error(`the graph trainer needs tfjs-node's protocol buffers: ${errors.join('; ')}`);
}

/** The `proto.tensorflow` namespace: GraphDef, NodeDef, AttrValue, SavedModel, … */
const messages = proto;

export function dtypeEnum(dtype: Dtype): number {
  const { DataType } = messages();
  return { float32: DataType.DT_FLOAT, int32: DataType.DT_INT32, bool: DataType.DT_BOOL }[dtype];
}

export function tensorShape(dims: number[]): Message {
  const m = messages();
  const shape = new m.TensorShape();
  for (const size of dims) {
    const dim = new m.TensorShape.Dim();
    dim.setSize(size);
    shape.addDim(dim);
  }
  return shape;
}

/** A constant's value: raw little-endian bytes in tensor_content, as TensorFlow writes them. */
export function tensorProto(dtype: 'float32' | 'int32', dims: number[], values: Float32Array | Int32Array): Message {
  const m = messages();
  const tensor = new m.Tensor();
  tensor.setDtype(dtypeEnum(dtype));
  tensor.setTensorShape(tensorShape(dims));
  tensor.setTensorContent(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  return tensor;
}

const utf8 = new TextEncoder();

/** AttrValue constructors. Strings go in as bytes: google-protobuf reads a JS string in a bytes field as base64. */
export const attr = {
  type(dtype: Dtype): Message {
    const a = new (messages().AttrValue)();
    a.setType(dtypeEnum(dtype));
    return a;
  },
  shape(dims: number[]): Message {
    const a = new (messages().AttrValue)();
    a.setShape(tensorShape(dims));
    return a;
  },
  string(value: string): Message {
    const a = new (messages().AttrValue)();
    a.setS(utf8.encode(value));
    return a;
  },
  int(value: number): Message {
    const a = new (messages().AttrValue)();
    a.setI(value);
    return a;
  },
  float(value: number): Message {
    const a = new (messages().AttrValue)();
    a.setF(value);
    return a;
  },
  bool(value: boolean): Message {
    const a = new (messages().AttrValue)();
    a.setB(value);
    return a;
  },
  ints(values: number[]): Message {
    const m = messages();
    const list = new m.AttrValue.ListValue();
    list.setIList(values);
    const a = new m.AttrValue();
    a.setList(list);
    return a;
  },
  tensor(value: Message): Message {
    const a = new (messages().AttrValue)();
    a.setTensor(value);
    return a;
  },
};

export type AttrValue = Message;

export function nodeDef(name: string, op: string, inputs: string[], attrs: Record<string, AttrValue>): Message {
  const node = new (messages().NodeDef)();
  node.setName(name);
  node.setOp(op);
  for (const input of inputs) node.addInput(input);
  const map = node.getAttrMap();
  for (const [key, value] of Object.entries(attrs)) map.set(key, value);
  return node;
}

export interface TensorSignature {
  /** Graph tensor, "node:output". */
  tensor: string;
  dtype: Dtype;
  shape: number[];
}

export interface SavedModelParts {
  nodes: Message[];
  signatures: Record<string, { inputs: Record<string, TensorSignature>; outputs: Record<string, TensorSignature> }>;
  /** GraphDef producer version (TF_GRAPH_DEF_VERSION of the oldest TensorFlow the graph must load on). */
  producer: number;
  /** Oldest TensorFlow release the graph's ops and attributes are meant for, e.g. "2.9.1". */
  tensorflowVersion: string;
}

function tensorInfo(sig: TensorSignature): Message {
  const info = new (messages().TensorInfo)();
  info.setName(sig.tensor);
  info.setDtype(dtypeEnum(sig.dtype));
  info.setTensorShape(tensorShape(sig.shape));
  return info;
}

/** saved_model.pb bytes: one MetaGraphDef tagged "serve", its GraphDef and SignatureDefs, no variables. */
export function serializeSavedModel(parts: SavedModelParts): Uint8Array {
  const m = messages();
  const graph = new m.GraphDef();
  for (const node of parts.nodes) graph.addNode(node);
  const versions = new m.VersionDef();
  versions.setProducer(parts.producer);
  versions.setMinConsumer(0);
  graph.setVersions(versions);

  const metaInfo = new m.MetaGraphDef.MetaInfoDef();
  metaInfo.addTags('serve');
  metaInfo.setTensorflowVersion(parts.tensorflowVersion);
  const meta = new m.MetaGraphDef();
  meta.setMetaInfoDef(metaInfo);
  meta.setGraphDef(graph);
  const signatureMap = meta.getSignatureDefMap();
  for (const [name, sig] of Object.entries(parts.signatures)) {
    const def = new m.SignatureDef();
    def.setMethodName('tensorflow/serving/predict');
    for (const [key, value] of Object.entries(sig.inputs)) def.getInputsMap().set(key, tensorInfo(value));
    for (const [key, value] of Object.entries(sig.outputs)) def.getOutputsMap().set(key, tensorInfo(value));
    signatureMap.set(name, def);
  }
  const saved = new m.SavedModel();
  saved.setSavedModelSchemaVersion(1);
  saved.addMetaGraphs(meta);
  return saved.serializeBinary();
}
