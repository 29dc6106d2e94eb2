// The model-spec format's types: a JSON description of a Sequential CNN that uses tfjs-layers' own field
// names, the normalised form analyzeSpec returns, and its per-layer reports and issues. Types only.

export type Activation = 'relu' | 'sigmoid' | 'tanh' | 'softmax' | 'linear';
export type Padding = 'valid' | 'same';
/** [height, width]. */
export type Pair = [number, number];

export interface Conv2DSpec {
  type: 'Conv2D';
  filters: number;
  kernelSize: number | Pair;
  strides?: number | Pair;
  padding?: Padding;
  activation?: Activation;
  useBias?: boolean;
}
export interface PoolingSpec {
  type: 'MaxPooling2D' | 'AveragePooling2D';
  poolSize?: number | Pair;
  /** Defaults to poolSize (non-overlapping windows), as in tfjs. */
  strides?: number | Pair;
  padding?: Padding;
}
export interface DropoutSpec {
  type: 'Dropout';
  rate: number;
}
/** Always normalises the last (channel) axis. */
export interface BatchNormSpec {
  type: 'BatchNormalization';
  momentum?: number;
  epsilon?: number;
}
export interface FlattenSpec {
  type: 'Flatten';
}
export interface DenseSpec {
  type: 'Dense';
  units: number;
  activation?: Activation;
  useBias?: boolean;
}
export type LayerSpec = Conv2DSpec | PoolingSpec | DropoutSpec | BatchNormSpec | FlattenSpec | DenseSpec;
export type LayerType = LayerSpec['type'];

export interface ModelSpec {
  name: string;
  /** [height, width, channels]; MNIST is [28, 28, 1]. */
  inputShape: [number, number, number];
  layers: LayerSpec[];
}

/** A layer with every default filled in and every size/stride as a [height, width] pair. */
export type NormalizedLayerSpec =
  | (Required<Omit<Conv2DSpec, 'kernelSize' | 'strides'>> & { kernelSize: Pair; strides: Pair })
  | (Required<Omit<PoolingSpec, 'poolSize' | 'strides'>> & { poolSize: Pair; strides: Pair })
  | DropoutSpec
  | Required<BatchNormSpec>
  | FlattenSpec
  | Required<DenseSpec>;

export interface LayerReport {
  /** 0-based. */
  index: number;
  type: LayerType;
  /** Without the batch dimension. */
  outputShape: number[];
  params: number;
  trainableParams: number;
  /** See the FLOP convention in infer.ts. */
  flops: number;
}

export interface SpecIssue {
  /** 0-based layer index, or null for the model itself. */
  index: number | null;
  layerType: string | null;
  field: string | null;
  /** Full human message, e.g. "layer 2 Dense: field 'units' must be ...". */
  message: string;
}

export interface SpecSummary {
  spec: ModelSpec;
  layers: LayerReport[];
  totalParams: number;
  trainableParams: number;
  totalFlops: number;
}

export type SpecAnalysis =
  ({ ok: true; outputShape: number[] } & SpecSummary) | { ok: false; issues: SpecIssue[]; layers: LayerReport[] };

export interface SpecOptions {
  /** Units the final softmax must have; default 10. */
  numClasses?: number;
  /** The dataset's image shape; fills a missing spec.inputShape and must match a present one. */
  inputShape?: [number, number, number];
}
