// Plain data shared by the engine, the store, the CLI and (later) the IPC contract.
// Nothing here imports tfjs or Node modules, so the renderer can import these types too.

export type OptimizerName = 'adam' | 'sgd' | 'rmsprop';

export interface Hyperparameters {
  optimizer: OptimizerName;
  learningRate: number;
  /** Only used by sgd (classical momentum) and rmsprop. */
  momentum: number;
  batchSize: number;
  epochs: number;
  /** Fraction of the training subset held out for validation, 0 <= x < 1. */
  validationSplit: number;
  /** Number of training images used (before the validation split); null = the whole training set. */
  trainSize: number | null;
  seed: number;
}

export type BackendKind = 'gpu' | 'native' | 'wasm' | 'cpu';

/** How a run's batches are trained: one compiled TensorFlow graph call per batch (native backends), or tfjs's
 * eager op-by-op loop (every backend). */
export type TrainerKind = 'graph' | 'eager';

export interface BackendInfo {
  kind: BackendKind;
  /** tfjs backend name as registered: 'tensorflow', 'wasm', 'cpu'. */
  tfBackend: string;
  /** Human description of the device, e.g. "CPU (2 cores, x86_64)" or a GPU name. */
  device: string;
  tfjsVersion: string;
  /** Version of the native TensorFlow library, when native; null otherwise. */
  tensorflowVersion: string | null;
  /** Why this backend was chosen (e.g. "native CPU: GPU build not installed"). */
  reason: string;
  /** Set on a run's sessions: which trainer ran it. */
  trainer?: TrainerKind;
}

export interface DatasetRef {
  /** Registry id, e.g. "mnist", "fashion-mnist", or "idx:<name>" for an imported set. */
  id: string;
  name: string;
  classes: string[];
  trainCount: number;
  testCount: number;
}

export type RunStatus = 'queued' | 'running' | 'completed' | 'stopped' | 'failed' | 'interrupted';

export interface BatchMetric {
  epoch: number; // 0-based epoch
  batch: number; // 0-based batch within the epoch
  step: number; // global 0-based batch counter across epochs
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  time: number; // ms since epoch 1970
}

export interface EpochMetric {
  epoch: number; // 0-based
  loss: number;
  accuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  durationMs: number;
  samplesPerSecond: number;
  time: number;
}

export interface Mistake {
  testIndex: number;
  trueLabel: number;
  predicted: number;
  confidence: number;
}

export interface EvaluationResult {
  testLoss: number;
  testAccuracy: number;
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  perClassAccuracy: number[];
  /** Most confident mistakes first. */
  mistakes: Mistake[];
  count: number;
  durationMs: number;
}
