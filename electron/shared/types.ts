// Plain data shared by the engine, the store, the CLI, the IPC contract and the renderer: backends, datasets,
// metrics, evaluations, training progress and run events, and the doctor's report. The value lists behind the
// unions live here too, so the IPC schemas, the store's checks and the renderer's pickers share one spelling.

export type { Hyperparameters, OptimizerName } from './hyperparameters.ts';

export const BACKEND_KINDS = ['gpu', 'native', 'wasm', 'cpu'] as const;
export type BackendKind = (typeof BACKEND_KINDS)[number];

/** What the user sees for each backend, and for letting Layerlab choose. */
export const BACKEND_LABELS: Record<BackendKind | 'auto', string> = {
  auto: 'Auto',
  gpu: 'GPU',
  native: 'Native CPU',
  wasm: 'WebAssembly',
  cpu: 'JS CPU',
};

/** How a run's batches are trained: one compiled TensorFlow graph call per batch (native backends), or tfjs's
 * eager op-by-op loop (every backend). */
export const TRAINER_KINDS = ['graph', 'eager'] as const;
export type TrainerKind = (typeof TRAINER_KINDS)[number];

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

export const RUN_STATUSES = ['queued', 'running', 'completed', 'stopped', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

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
  /** The learning rate of the epoch's first step (the schedule may move it within the epoch); null for runs
   * recorded before it was stored. */
  learningRate: number | null;
  /** What the learning-rate schedule did after this epoch's validation (reduce on plateau lowering the rate). */
  note: string | null;
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

/** One trained batch, as the training loop reports it. */
export interface BatchProgress extends BatchMetric {
  epochs: number;
  batchesPerEpoch: number;
  /** Seconds until the last epoch ends at the recent rate (validation excluded). */
  etaSeconds: number;
}

/** What a training run reports as it goes (the CLI's progress, the engine process's events). */
export type RunEvent =
  | {
      type: 'started';
      runId: number;
      backend: BackendInfo;
      fromEpoch: number;
      epochs: number;
      batchesPerEpoch: number;
      trainCount: number;
      validationCount: number;
    }
  | { type: 'batch'; runId: number; progress: BatchProgress }
  | { type: 'epoch'; runId: number; metric: EpochMetric; checkpoint: string }
  | { type: 'evaluating'; runId: number }
  | { type: 'evaluation'; runId: number; result: EvaluationResult }
  | { type: 'finished'; runId: number; status: RunStatus; error: string | null };

/** `layerlab doctor` and the app's backend badge: one backend's availability. */
export interface BackendCheck {
  kind: BackendKind;
  available: boolean;
  detail: string;
  tensorflowVersion: string | null;
  /** How runs train on this backend ('--trainer auto'), or null when the backend is unavailable. */
  trainer: string | null;
}

export interface DoctorReport {
  platform: string;
  node: string;
  cpu: string;
  tfjsVersion: string;
  backends: BackendCheck[];
  /** What `--backend auto` would pick. */
  autoChoice: BackendKind;
  gpu: { nvidiaSmi: string | null; cudaLibraries: string[]; cudnnLibraries: string[] };
  datasets: { id: string; name: string; available: boolean; reason: string | null }[];
}
