// The records the run store hands out, as they cross IPC to the app: runs, their sessions, checkpoints,
// evaluations and saved designs, and the limits on what a user writes into them (checked by the IPC schemas,
// the store and the renderer's forms alike). electron/engine/store/rows.ts builds the records from SQLite rows.
import type { ModelSpec } from './model/types.ts';
import type { BackendInfo, DatasetRef, EvaluationResult, Hyperparameters, RunStatus, TrainerKind } from './types.ts';

/** How a session (and so a run) ended. */
export const FINISH_STATUSES = ['completed', 'stopped', 'failed', 'interrupted'] as const;
export type FinishStatus = (typeof FINISH_STATUSES)[number];

/** Run and design names. */
export const MAX_RUN_NAME_LENGTH = 200;
export const MAX_TAG_LENGTH = 40;
export const MAX_TAGS = 50;
export const MAX_NOTES_LENGTH = 20_000;

export interface RunRecord {
  id: number;
  name: string;
  status: RunStatus;
  spec: ModelSpec;
  hyperparameters: Hyperparameters;
  dataset: DatasetRef;
  /** Backend of the most recent session; null until the run first starts. */
  backend: BackendInfo | null;
  /** Trainer of the most recent session (graph or eager); null until the run first starts. */
  trainer: TrainerKind | null;
  createdAt: number;
  /** First start; resuming does not move it. */
  startedAt: number | null;
  finishedAt: number | null;
  error: string | null;
  notes: string;
  /** Sorted case-insensitively. */
  tags: string[];
  finalTrainLoss: number | null;
  finalTrainAccuracy: number | null;
  finalValLoss: number | null;
  finalValAccuracy: number | null;
  testLoss: number | null;
  testAccuracy: number | null;
  bestValAccuracy: number | null;
  bestValAccuracyEpoch: number | null;
  bestValLoss: number | null;
  bestValLossEpoch: number | null;
  trainingDurationMs: number | null;
  /** Mean over the run's epochs (or the value given to setFinalTrainingStats). */
  samplesPerSecond: number | null;
  epochsCompleted: number;
  /**
   * Why training ended before its last epoch (early stopping: what stalled, the best epoch, whose weights the test
   * evaluation used); null when it ran every epoch, was stopped by hand, or was recorded before early stopping existed.
   */
  stopReason: string | null;
  /**
   * The checkpoint (finished-epoch count) whose weights the run's test evaluation used and its model keeps for
   * Evaluate, Draw and export: its best epoch when early stopping restored it, else its last. Null until a session
   * completes (and for runs recorded before it was kept: theirs is the last).
   */
  weightsEpoch: number | null;
  /**
   * The run's test evaluations, oldest checkpoint first: its last epoch's weights and, when it differs, its best
   * epoch's (electron/shared/weights.ts). testLoss/testAccuracy are those of its default weights.
   */
  testEvaluations: TestScore[];
  /** The process creating or training this run while it is queued or running; null once no process owns it. */
  heldBy: RunLeaseHolder | null;
}

/** A process's lease on a run (electron/engine/store/leases.ts): whoever trains it, and since when. */
export interface RunLeaseHolder {
  pid: number;
  host: string;
  /** What the process is, e.g. 'layerlab train' or 'Layerlab app'. */
  label: string;
  /** When it took the run (ms since the epoch). */
  since: number;
  heartbeatAt: number;
}

/** One start (or resume) of a run: a run resumed on another backend keeps one row per backend. */
export interface RunSessionRecord {
  id: number;
  runId: number;
  startedAt: number;
  endedAt: number | null;
  backend: BackendInfo;
  fromEpoch: number;
  endStatus: FinishStatus | null;
  error: string | null;
}

export interface CheckpointRecord {
  /** Number of epochs completed when it was saved, i.e. the epoch a resume starts at. */
  epoch: number;
  path: string;
}

export interface StoredEvaluation extends EvaluationResult {
  /** The checkpoint (finished-epoch count) whose weights were scored. */
  epoch: number;
  createdAt: number;
}

/** A run's test result with one checkpoint's weights (RunRecord.testEvaluations). */
export interface TestScore {
  epoch: number;
  testLoss: number | null;
  testAccuracy: number | null;
}

export interface DesignRecord {
  id: number;
  name: string;
  spec: ModelSpec;
  createdAt: number;
  updatedAt: number;
}
