// What the training thread (augmented-batches.ts) and its augmentation worker (augment-worker.ts) share: the
// worker's start data, the messages, and the state word of each batch slot.
//
// A slot's state word says which job it holds and how far that job is: POSTED (its rows are written, the job
// message sent), WORKING (the worker took it), DONE (the worker wrote its images), TAKEN (the training thread took
// it back before the worker started it: to make that batch itself, or because it is no longer wanted). The worker
// may only start a POSTED job and the training thread may only take back a POSTED one, each by compare-and-
// exchange, so only one of them ever writes a slot's images. (A batch wanted while the worker is on it is made by
// the training thread in a buffer of its own; the slot is reused once DONE.) The job's number is in the word too,
// so a message about an earlier job of the same slot cannot start a later one.
import type { AugmentationSettings } from './augment.ts';

export interface AugmentWorkerData {
  /** The training images, count × height × width × channels bytes. */
  images: SharedArrayBuffer;
  count: number;
  height: number;
  width: number;
  channels: number;
  settings: AugmentationSettings;
  seed: number;
  /** Images one slot holds. */
  slotImages: number;
  /** slots × slotImages images: slot s's augmented images start at byte s × slotImages × imageSize. */
  output: SharedArrayBuffer;
  /** slots × slotImages uint32 row numbers: slot s's start at element s × slotImages. */
  rows: SharedArrayBuffer;
  /** One int32 state word per slot (jobState). */
  state: SharedArrayBuffer;
}

/** Job `job`: augment the first `count` rows of slot `slot` for step `step` into the slot's images. */
export interface AugmentJob {
  slot: number;
  job: number;
  step: number;
  count: number;
}

/** The settings were refused or a job threw: the worker does nothing more. (A job done is seen in its state word.) */
export type FromAugmentWorker = { kind: 'failed'; message: string };

export const JOB_POSTED = 1;
export const JOB_WORKING = 2;
export const JOB_DONE = 3;
export const JOB_TAKEN = 4;

/** A slot's state word for job `job` in `phase` (job numbers wrap at 2^27: the word stays a positive int32). */
export function jobState(job: number, phase: number): number {
  return (job % 2 ** 27) * 8 + phase;
}
