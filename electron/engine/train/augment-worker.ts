// Entry of the augmentation worker: augments training batches on a thread of its own, so the training thread
// trains batch n while this one prepares the next ones (electron/engine/train/augmented-batches.ts starts it
// and hands out its batches). Everything it reads and writes is shared memory the training thread made once per
// run: the training images, and a small ring of batch slots (each slot's rows in, its augmented images out, its
// state word; augment-worker-protocol.ts). A job message names a slot, the job's number, its step and its row
// count; the worker starts the job unless the training thread took it meanwhile, augments the rows with its own
// Augmenter, built from the run's settings and seed (so its images are the ones the training thread would have
// made) and marks the slot done. Jobs come, and are done, one at a time in the order they were posted.
//
// The thread runs at the lowest priority where that is the thread's own (Linux): it should use the cores
// TensorFlow leaves idle, not slow TensorFlow down; the training thread makes any batch this one has not made
// in time itself.
//
// From TypeScript source (tests, tsx, the command line) augment-worker-bootstrap.mjs loads this file; the built
// app runs out/main/augment-worker.cjs (an entry of electron.vite.config.ts).
import os from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import type { ImageSet } from '../data/idx.ts';
import { Augmenter } from './augment.ts';
import {
  JOB_DONE,
  JOB_POSTED,
  JOB_WORKING,
  jobState,
  type AugmentJob,
  type AugmentWorkerData,
  type FromAugmentWorker,
} from './augment-worker-protocol.ts';

if (!parentPort) throw new Error('augment-worker must run as a worker thread of the training thread');
const port = parentPort;
const post = (message: FromAugmentWorker) => port.postMessage(message);
const data = workerData as AugmentWorkerData;

// On Linux setpriority(0) sets the calling thread's nice value; elsewhere it would lower the whole process.
if (process.platform === 'linux') {
  try {
    os.setPriority(0, os.constants.priority.PRIORITY_LOW);
  } catch {
    // Not allowed here: the thread keeps its priority.
  }
}

let failed = false;
const fail = (err: unknown) => {
  failed = true;
  post({ kind: 'failed', message: err instanceof Error ? err.message : String(err) });
};

let start: { augmenter: Augmenter; set: ImageSet; output: Uint8Array; rows: Uint32Array; state: Int32Array } | null =
  null;
try {
  start = {
    augmenter: new Augmenter(
      data.settings,
      { height: data.height, width: data.width, channels: data.channels },
      data.seed,
    ),
    set: {
      images: new Uint8Array(data.images),
      labels: new Uint8Array(0),
      count: data.count,
      height: data.height,
      width: data.width,
      channels: data.channels,
    },
    output: new Uint8Array(data.output),
    rows: new Uint32Array(data.rows),
    state: new Int32Array(data.state),
  };
} catch (err) {
  fail(err);
}

port.on('message', (job: AugmentJob) => {
  if (failed || !start) return;
  const { augmenter, set, output, rows, state } = start;
  try {
    const { slot, step, count } = job;
    const posted = jobState(job.job, JOB_POSTED);
    // Unless the training thread took it (it needed the batch before this thread got to it).
    if (Atomics.compareExchange(state, slot, posted, jobState(job.job, JOB_WORKING)) !== posted) return;
    if (!Number.isInteger(count) || count < 0 || count > data.slotImages)
      throw new RangeError(`a batch slot holds ${data.slotImages} images, the job asked for ${count}`);
    const first = slot * data.slotImages;
    const size = augmenter.imageSize;
    augmenter.augmentBatch(
      set,
      rows.subarray(first, first + count),
      step,
      output.subarray(first * size, (first + count) * size),
    );
    Atomics.store(state, slot, jobState(job.job, JOB_DONE));
  } catch (err) {
    fail(err);
  }
});
