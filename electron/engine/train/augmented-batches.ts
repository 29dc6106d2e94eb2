// The training loop's source of batches. Off (no augmentation) it hands the trainer the dataset's own rows and
// pays nothing. On, each batch's rows are copied and changed (electron/engine/train/augment.ts) into a
// batch-sized image set, so the eager and the graph trainers train on augmented images without knowing it.
//
// Where the augmenting happens. The synchronous source augments each batch on the calling thread, between two
// TensorFlow calls. The prefetching source, which the training loop uses, augments on a worker thread of its
// own (augment-worker.ts) while the current batch trains: the loop tells it the rows of every step ahead
// (`plan`) and it keeps the next LOOKAHEAD batches in the works. It never waits for the worker: a batch the
// worker has not made by the time the loop asks for it (the worker is behind, busy with it, or still starting)
// is made on the calling thread, as the synchronous source would, and a job the worker has not started is
// called off. So the training thread augments only what the worker could not, and the worker (at low priority,
// augment-worker.ts) only has to use the CPU time TensorFlow leaves. Both sources give the same bytes: the
// worker's Augmenter is built from the same settings and seed, and an image depends only on (seed, step,
// position in the batch).
//
// Memory. The worker gets the training images once per run, as a SharedArrayBuffer copy (MNIST: 47 MB), and
// the two threads share a ring of SLOTS batch slots (rows in, images out, a state word; see
// augment-worker-protocol.ts): nothing is copied per batch. A slot is the worker's while its job runs, the
// trainer's from the batch() that returns it until the next batch() call, and free otherwise.
//
// Failures. A worker that refuses the settings, throws, crashes or exits fails every later batch() with an
// error naming augmentation (the loop ends the run with it); close(), which the loop calls in a finally,
// terminates the worker and waits for it to exit.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ImageSet } from '../data/idx.ts';
import { usesAugmentation, type Hyperparameters } from '#shared/hyperparameters.ts';
import { Augmenter, type AugmentationSettings } from './augment.ts';
import {
  JOB_DONE,
  JOB_POSTED,
  JOB_TAKEN,
  jobState,
  type AugmentJob,
  type AugmentWorkerData,
  type FromAugmentWorker,
} from './augment-worker-protocol.ts';

export interface Batch {
  set: ImageSet;
  rows: ArrayLike<number>;
}

export interface BatchSource {
  /** The images and rows the trainer should train step `step` on; valid until the next batch() or close(). */
  batch(rows: Uint32Array, step: number): Batch;
  /** Ends the source's worker, if it has one, and waits for it to exit; later batch() calls fail. Idempotent. */
  close(): Promise<void>;
}

export interface BatchSourceOptions {
  /**
   * The rows step `step` will train on, or undefined past the run's last step. With a plan, an augmenting source
   * prepares batches ahead on a worker thread; it still trains on the rows batch() is given (a batch prepared for
   * other rows is dropped), so a wrong plan costs time, never correctness.
   */
  plan?: (step: number) => Uint32Array | undefined;
}

/** Batches in the works ahead of the one being trained. */
const LOOKAHEAD = 2;
/** The one being trained, and the ones ahead. */
const SLOTS = LOOKAHEAD + 1;

let workersAlive = 0;

/** Augmentation workers started and not yet exited, in this thread (tests check none outlive their run). */
export function augmentWorkersAlive(): number {
  return workersAlive;
}

/**
 * The augmentation worker's entry: from TypeScript source (tests, tsx) a bootstrap that registers tsx, from the
 * bundle the bundled out/main/augment-worker.cjs. LAYERLAB_AUGMENT_WORKER overrides it (tests use it to start a
 * worker that crashes).
 */
export function augmentWorkerEntry(): string {
  const override = process.env.LAYERLAB_AUGMENT_WORKER;
  if (override) return path.resolve(override);
  // The CommonJS bundle has __filename; the ES-module source has import.meta.url.
  const self = typeof __filename === 'string' ? __filename : fileURLToPath(import.meta.url);
  const dir = path.dirname(self);
  if (/\.[cm]?ts$/.test(self)) return path.join(dir, 'augment-worker-bootstrap.mjs');
  // This code sits in the training worker's bundle or in a shared chunk (out/main/chunks).
  const candidates = [path.join(dir, 'augment-worker.cjs'), path.join(dir, '..', 'augment-worker.cjs')];
  return candidates.find((file) => fs.existsSync(file)) ?? candidates[0];
}

const augmentationSettings = (h: Hyperparameters): AugmentationSettings => ({
  rotation: h.augmentRotation,
  scale: h.augmentScale,
  shift: h.augmentShift,
  thickness: h.augmentThickness,
  elastic: h.augmentElastic,
});

const shapeOf = (train: ImageSet) => ({ height: train.height, width: train.width, channels: train.channels });

const passThrough = (train: ImageSet): BatchSource => ({
  batch: (rows) => ({ set: train, rows }),
  close: async () => {},
});

/** An image set of up to `capacity` images, `images`, that a batch's augmented copies are written into. */
function batchSet(train: ImageSet, images: Uint8Array, capacity: number): ImageSet {
  return { ...train, images, labels: new Uint8Array(capacity), count: 0 };
}

/** Hands out `set` as the batch of `rows`: their labels, and the positions 0..n-1 of the augmented copies. */
function fillBatch(train: ImageSet, set: ImageSet, rows: ArrayLike<number>, positions: Uint32Array): Batch {
  for (let i = 0; i < rows.length; i++) set.labels[i] = train.labels[rows[i]];
  set.count = rows.length;
  return { set, rows: positions.subarray(0, rows.length) };
}

/**
 * The batch source for a run: the dataset's own rows without augmentation; with it, the prefetching source when
 * `options.plan` is given, else the synchronous one. Bad augmentation settings throw here (RangeError).
 */
export function batchSource(train: ImageSet, h: Hyperparameters, options: BatchSourceOptions = {}): BatchSource {
  if (!usesAugmentation(h)) return passThrough(train);
  return options.plan ? new PrefetchingBatchSource(train, h, options.plan) : synchronousBatchSource(train, h);
}

/** Augments each batch on the calling thread when it is asked for. */
export function synchronousBatchSource(train: ImageSet, h: Hyperparameters): BatchSource {
  if (!usesAugmentation(h)) return passThrough(train);
  const augmenter = new Augmenter(augmentationSettings(h), shapeOf(train), h.seed);
  const set = batchSet(train, new Uint8Array(h.batchSize * augmenter.imageSize), h.batchSize);
  const positions = Uint32Array.from({ length: h.batchSize }, (_, i) => i);
  let closed = false;
  return {
    batch(rows, step) {
      if (closed) throw new Error('the augmented batch source is closed');
      augmenter.augmentBatch(train, rows, step, set.images);
      return fillBatch(train, set, rows, positions);
    },
    close: async () => {
      closed = true;
    },
  };
}

interface Slot {
  index: number;
  set: ImageSet;
  /** The slot's rows, shared with the worker. */
  rows: Uint32Array;
  /** The number of the slot's current job, its step and its row count. */
  job: number;
  step: number;
  count: number;
}

export class PrefetchingBatchSource implements BatchSource {
  /** Batches the worker made, and the ones made on the calling thread (it did not have them in time). */
  readonly made = { worker: 0, here: 0 };
  private readonly worker: Worker;
  /** The calling thread's Augmenter: checks the settings, and makes the batches the worker has not made. */
  private readonly augmenter: Augmenter;
  /** The calling thread's own batch, for a step the worker is still busy with (or has no slot for). */
  private readonly own: ImageSet;
  private readonly state: Int32Array;
  private readonly slots: Slot[] = [];
  private readonly free: Slot[] = [];
  /** Jobs posted to the worker, in step order. */
  private readonly queue: Slot[] = [];
  /** Slots whose job the worker is still doing though it is no longer wanted: free once it is done. */
  private readonly busy: Slot[] = [];
  private readonly positions: Uint32Array;
  private readonly capacity: number;
  private nextJob = 0;
  /** The slot batch() last handed out: the trainer's until the next call. */
  private lent: Slot | null = null;
  private failure: Error | null = null;
  private closing = false;
  private readonly exited: Promise<void>;

  constructor(
    private readonly train: ImageSet,
    h: Hyperparameters,
    private readonly plan: (step: number) => Uint32Array | undefined,
  ) {
    const settings = augmentationSettings(h);
    // Refuses bad settings here, on the training thread, as the synchronous source does (nothing is started).
    this.augmenter = new Augmenter(settings, shapeOf(train), h.seed);
    const { imageSize } = this.augmenter;
    this.capacity = Math.max(1, Math.min(h.batchSize, train.count));
    this.positions = Uint32Array.from({ length: this.capacity }, (_, i) => i);
    this.own = batchSet(train, new Uint8Array(this.capacity * imageSize), this.capacity);
    // The one copy of the training images a run makes; the worker reads it in place.
    const images = new SharedArrayBuffer(train.count * imageSize);
    new Uint8Array(images).set(train.images.subarray(0, train.count * imageSize));
    const output = new SharedArrayBuffer(SLOTS * this.capacity * imageSize);
    const rows = new SharedArrayBuffer(SLOTS * this.capacity * Uint32Array.BYTES_PER_ELEMENT);
    const state = new SharedArrayBuffer(SLOTS * Int32Array.BYTES_PER_ELEMENT);
    this.state = new Int32Array(state);
    for (let index = 0; index < SLOTS; index++) {
      const slot: Slot = {
        index,
        set: batchSet(
          train,
          new Uint8Array(output, index * this.capacity * imageSize, this.capacity * imageSize),
          this.capacity,
        ),
        rows: new Uint32Array(rows, index * this.capacity * Uint32Array.BYTES_PER_ELEMENT, this.capacity),
        job: -1,
        step: -1,
        count: 0,
      };
      this.slots.push(slot);
      this.free.push(slot);
    }
    const data: AugmentWorkerData = {
      images,
      count: train.count,
      ...shapeOf(train),
      settings,
      seed: h.seed,
      slotImages: this.capacity,
      output,
      rows,
      state,
    };
    this.worker = new Worker(augmentWorkerEntry(), { workerData: data });
    workersAlive++;
    this.exited = new Promise((resolve) => {
      this.worker.once('exit', (code) => {
        workersAlive--;
        if (!this.closing) this.fail(`the augmentation worker exited unexpectedly (exit code ${code})`);
        resolve();
      });
    });
    this.worker.on('message', (message: FromAugmentWorker) => {
      if (message.kind === 'failed') this.fail(`augmentation failed on its worker thread: ${message.message}`);
    });
    this.worker.on('error', (err) =>
      this.fail(`the augmentation worker crashed: ${err instanceof Error ? err.message : String(err)}`),
    );
    this.worker.on('messageerror', (err) => this.fail(`the augmentation worker sent an unreadable message: ${err}`));
  }

  /** Never waits for the worker: a batch it has not made yet is made here. */
  batch(rows: Uint32Array, step: number): Batch {
    if (this.failure) throw this.failure;
    if (this.closing) throw new Error('the augmented batch source is closed');
    if (rows.length > this.capacity)
      throw new RangeError(`a batch of ${rows.length} images does not fit the ${this.capacity} of a batch slot`);
    if (this.lent) this.free.push(this.lent);
    this.lent = null;
    for (let i = this.busy.length - 1; i >= 0; i--) {
      if (this.phase(this.busy[i]) === JOB_DONE) this.free.push(...this.busy.splice(i, 1));
    }
    // Jobs for other steps or rows (a plan the loop did not follow) are called off.
    while (this.queue.length && !this.holds(this.queue[0], rows, step)) this.release(this.queue.shift()!);
    const slot = this.queue.shift();
    // The next steps go to the worker first, so it works on them while this one is made or trained.
    let next = (this.queue.length ? this.queue[this.queue.length - 1].step : step) + 1;
    for (; this.free.length && next <= step + LOOKAHEAD; next++) {
      const ahead = this.plan(next);
      if (!ahead || ahead.length > this.capacity) break;
      this.post(next, ahead);
    }
    if (slot) {
      // Made by the worker, or not started by it (then taken back and made here, into the slot).
      const posted = jobState(slot.job, JOB_POSTED);
      const taken = Atomics.compareExchange(this.state, slot.index, posted, jobState(slot.job, JOB_TAKEN)) === posted;
      const done = !taken && this.phase(slot) === JOB_DONE;
      if (taken || done) {
        if (taken) this.augmentHere(rows, step, slot.set);
        else this.made.worker++;
        this.lent = slot;
        return fillBatch(this.train, slot.set, rows, this.positions);
      }
      // The worker is in the middle of it: made here rather than waited for.
      this.busy.push(slot);
    }
    this.augmentHere(rows, step, this.own);
    return fillBatch(this.train, this.own, rows, this.positions);
  }

  async close(): Promise<void> {
    if (!this.closing) {
      this.closing = true;
      this.failure ??= new Error('the augmented batch source is closed');
      void this.worker.terminate();
    }
    await this.exited;
  }

  /** Whether the worker has made step `step`'s batch, ready to be handed out (for tests). */
  prepared(step: number): boolean {
    const slot = this.queue.find((s) => s.step === step);
    return slot !== undefined && this.phase(slot) === JOB_DONE;
  }

  /** The phase of the slot's job (the atomic load also makes the worker's writes to the slot visible here). */
  private phase(slot: Slot): number {
    return Atomics.load(this.state, slot.index) - jobState(slot.job, 0);
  }

  private holds(slot: Slot, rows: Uint32Array, step: number): boolean {
    if (slot.step !== step || slot.count !== rows.length) return false;
    for (let i = 0; i < rows.length; i++) if (slot.rows[i] !== rows[i]) return false;
    return true;
  }

  private augmentHere(rows: Uint32Array, step: number, set: ImageSet): void {
    try {
      this.augmenter.augmentBatch(this.train, rows, step, set.images);
    } catch (err) {
      this.fail(`augmentation failed: ${err instanceof Error ? err.message : String(err)}`);
      throw this.failure;
    }
    this.made.here++;
  }

  /** Calls off a job no longer wanted; its slot is free at once, or when the worker is done with it. */
  private release(slot: Slot): void {
    const posted = jobState(slot.job, JOB_POSTED);
    const taken = Atomics.compareExchange(this.state, slot.index, posted, jobState(slot.job, JOB_TAKEN)) === posted;
    if (taken || this.phase(slot) === JOB_DONE) this.free.push(slot);
    else this.busy.push(slot);
  }

  private post(step: number, rows: Uint32Array): void {
    const slot = this.free.pop()!;
    slot.rows.set(rows);
    slot.job = this.nextJob++;
    slot.step = step;
    slot.count = rows.length;
    this.queue.push(slot);
    // Publishes the rows to the worker (an atomic store orders the writes before it).
    Atomics.store(this.state, slot.index, jobState(slot.job, JOB_POSTED));
    const job: AugmentJob = { slot: slot.index, job: slot.job, step, count: rows.length };
    this.worker.postMessage(job);
  }

  private fail(message: string): void {
    this.failure ??= new Error(message);
  }
}
