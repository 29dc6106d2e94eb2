// The training loop's batch sources (electron/engine/train/augmented-batches.ts): the prefetching source, which
// augments ahead on a worker thread, hands out exactly the bytes the synchronous one makes, whether its worker
// made them or it took the jobs back (every step, final short batches, a plan the loop does not follow); off, no
// worker starts; and the worker never outlives its run, whether the run finishes, stops (also while a batch is
// awaited) or fails (a worker that crashes, exits or refuses its job), each failure naming augmentation.
// No TensorFlow: the trainer is a fake that records its batches; stand-in workers are written to a temporary
// folder and started through LAYERLAB_AUGMENT_WORKER.
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { initBackend } from '#engine/backend/backends.ts';
import type { Dataset } from '#engine/data/datasets.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import type { ImageSet } from '#engine/data/idx.ts';
import { epochOrder, range, type TrainingSplit } from '#engine/data/random.ts';
import type { Classifier } from '#engine/evaluate/evaluate.ts';
import {
  augmentWorkersAlive,
  batchSource,
  synchronousBatchSource,
  type Batch,
  type BatchSource,
  type PrefetchingBatchSource,
} from '#engine/train/augmented-batches.ts';
import type { BatchTrainer } from '#engine/train/batch-trainer.ts';
import { trainLoop } from '#engine/train/trainer.ts';
import { Store } from '#engine/store/index.ts';
import { TrainingSupervisor } from '#engine/training-supervisor.ts';
import { DEFAULT_HYPERPARAMETERS, NO_AUGMENTATION, type Hyperparameters } from '#shared/hyperparameters.ts';
import { templateHyperparameters } from '#shared/model/index.ts';
import type { RunEvent } from '#shared/types.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const COUNT = 300;
const SIZE = 28 * 28;

/** The first COUNT MNIST training images (a copy: the source shares its images with the worker once). */
function subset(): ImageSet {
  const train = loadDataset(resolveDatasetSource('mnist')).train;
  return {
    ...train,
    images: train.images.slice(0, COUNT * SIZE),
    labels: train.labels.slice(0, COUNT),
    count: COUNT,
  };
}

const train = subset();
const recipe = templateHyperparameters('seed-augmented');
const hyper = (h: Partial<Hyperparameters> = {}): Hyperparameters => ({
  ...DEFAULT_HYPERPARAMETERS,
  ...recipe,
  batchSize: 32,
  epochs: 2,
  validationSplit: 0,
  seed: 11,
  ...h,
});

/** What a trainer reads from a batch: each row's image bytes and label, copied (the source reuses its buffers). */
function contents(batch: Batch): { images: Uint8Array; labels: number[] } {
  const images = new Uint8Array(batch.rows.length * SIZE);
  const labels: number[] = [];
  for (let i = 0; i < batch.rows.length; i++) {
    const row = batch.rows[i];
    images.set(batch.set.images.subarray(row * SIZE, row * SIZE + SIZE), i * SIZE);
    labels.push(batch.set.labels[row]);
  }
  return { images, labels };
}

/** Steps `first`.. over `epochs` epochs of the loop's own orders, 32-image batches and a short last one. */
function schedule(h: Hyperparameters, rows: Uint32Array, first: number) {
  const perEpoch = Math.ceil(rows.length / h.batchSize);
  const plan = (step: number) => {
    const epoch = Math.floor(step / perEpoch);
    if (epoch >= h.epochs) return undefined;
    const order = epochOrder(rows, h.seed, epoch);
    const batch = step % perEpoch;
    return order.subarray(batch * h.batchSize, Math.min((batch + 1) * h.batchSize, order.length));
  };
  const steps = Array.from({ length: h.epochs * perEpoch - first }, (_, i) => first + i);
  return { plan, steps };
}

const fixtures = tempDir('layerlab-augment-worker-');

/**
 * A stand-in for augment-worker.ts, started through LAYERLAB_AUGMENT_WORKER. `claim(job)` starts a job as the real
 * worker does (false when the training thread took it back), `finish(job)` marks it done (its images are left as
 * they are).
 */
function fakeWorker(name: string, source: string): string {
  const file = path.join(fixtures, `${name}.mjs`);
  fs.writeFileSync(
    file,
    `import { parentPort, workerData } from 'node:worker_threads';
const state = new Int32Array(workerData.state);
const claim = (job) => Atomics.compareExchange(state, job.slot, job.job * 8 + 1, job.job * 8 + 2) === job.job * 8 + 1;
const finish = (job) => Atomics.store(state, job.slot, job.job * 8 + 3);
${source}
`,
  );
  return file;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `ready()`, for up to 20 s. */
async function until(ready: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !ready(); await sleep(5))
    if (Date.now() - started > 20_000) throw new Error(`timed out waiting for ${what}`);
}

/** Asks for steps 0, 1, … (a row each) until a batch fails, pausing between them; returns the failure. */
async function firstFailure(source: BatchSource): Promise<Error> {
  for (let step = 0; step < 2000; step++) {
    try {
      source.batch(Uint32Array.of(step % COUNT), step);
    } catch (err) {
      return err as Error;
    }
    await sleep(10);
  }
  throw new Error('no batch failed');
}

afterEach(() => {
  delete process.env.LAYERLAB_AUGMENT_WORKER;
  vi.restoreAllMocks();
});

describe('the prefetching batch source', () => {
  it('yields exactly the bytes of the synchronous source, step for step, the short last batches included', async () => {
    // 150 rows: 4 batches of 32 and one of 22 per epoch; from step 2, as a resumed run would start.
    const h = hyper({ epochs: 3 });
    const rows = epochOrder(range(COUNT), 5, 0).slice(0, 150);
    const { plan, steps } = schedule(h, rows, 2);
    const sync = synchronousBatchSource(train, h);
    const prefetching = batchSource(train, h, { plan }) as PrefetchingBatchSource;
    try {
      expect(augmentWorkersAlive()).toBe(1);
      const sizes: number[] = [];
      for (const step of steps) {
        const want = contents(sync.batch(plan(step)!, step));
        const got = contents(prefetching.batch(plan(step)!, step));
        expect(got.labels, `step ${step}`).toEqual(want.labels);
        expect(Buffer.from(got.images).equals(Buffer.from(want.images)), `step ${step}`).toBe(true);
        sizes.push(got.labels.length);
        // The next one from the worker (the first, or more while it starts, may be made here).
        if (step < steps[steps.length - 1]) await until(() => prefetching.prepared(step + 1), `step ${step + 1}`);
      }
      expect(sizes).toEqual([32, 32, 22, 32, 32, 32, 32, 22, 32, 32, 32, 32, 22]);
      expect(prefetching.made.worker).toBeGreaterThanOrEqual(steps.length - 1);
      expect(prefetching.made.worker + prefetching.made.here).toBe(steps.length);
      // augmented, not copied: the images differ from the rows' originals
      const original = contents(
        synchronousBatchSource(train, hyper({ ...NO_AUGMENTATION })).batch(plan(3)!, 3) as Batch,
      );
      const augmented = contents(prefetching.batch(plan(3)!, 3));
      expect(Buffer.from(augmented.images).equals(Buffer.from(original.images))).toBe(false);
      expect(augmented.labels).toEqual(original.labels);
    } finally {
      await prefetching.close();
      await sync.close();
    }
    expect(augmentWorkersAlive()).toBe(0);
  });

  it('makes the batches itself, the same bytes, when its worker does not start them or never finishes them', async () => {
    for (const [name, source] of [
      ['idle', `parentPort.on('message', () => {});`],
      ['stuck', `parentPort.on('message', (job) => claim(job));`],
    ]) {
      process.env.LAYERLAB_AUGMENT_WORKER = fakeWorker(name, source);
      const h = hyper();
      const { plan, steps } = schedule(h, range(100), 0);
      const sync = synchronousBatchSource(train, h);
      const prefetching = batchSource(train, h, { plan }) as PrefetchingBatchSource;
      try {
        for (const step of steps) {
          const want = contents(sync.batch(plan(step)!, step));
          const got = contents(prefetching.batch(plan(step)!, step));
          expect(Buffer.from(got.images).equals(Buffer.from(want.images)), `${name}, step ${step}`).toBe(true);
          expect(got.labels).toEqual(want.labels);
          await sleep(10);
        }
        expect(prefetching.made, name).toEqual({ worker: 0, here: steps.length });
      } finally {
        await prefetching.close();
      }
      expect(augmentWorkersAlive(), name).toBe(0);
    }
  });

  it('trains on the rows it is given when the plan was wrong', async () => {
    const h = hyper({ batchSize: 16 });
    const { plan, steps } = schedule(h, range(100), 0);
    // The plan shifts every step's rows by one: whatever it prepared ahead is never what is asked for.
    const wrong = (step: number) => plan(step + 1);
    const sync = synchronousBatchSource(train, h);
    const prefetching = batchSource(train, h, { plan: wrong });
    try {
      for (const step of steps.slice(0, 9)) {
        const want = contents(sync.batch(plan(step)!, step));
        const got = contents(prefetching.batch(plan(step)!, step));
        expect(Buffer.from(got.images).equals(Buffer.from(want.images)), `step ${step}`).toBe(true);
        expect(got.labels).toEqual(want.labels);
        await sleep(20);
      }
    } finally {
      await prefetching.close();
    }
  });

  it('off, hands out the dataset itself and starts no worker', async () => {
    const source = batchSource(train, hyper({ ...NO_AUGMENTATION }), { plan: () => undefined });
    const rows = Uint32Array.of(4, 9, 2);
    const batch = source.batch(rows, 0);
    expect(batch.set).toBe(train);
    expect(batch.rows).toBe(rows);
    expect(augmentWorkersAlive()).toBe(0);
    await source.close();
  });

  it('refuses bad settings on the calling thread, before starting a worker', () => {
    expect(() => batchSource(train, hyper({ augmentRotation: 90 }), { plan: () => undefined })).toThrow(
      /augmentation rotation \(max degrees\) must be at least 0 and at most 45, got 90/,
    );
    expect(augmentWorkersAlive()).toBe(0);
  });

  it('fails, naming augmentation, on rows outside the images, and every batch after', async () => {
    const source = batchSource(train, hyper(), { plan: () => undefined });
    try {
      // Made here or on the worker: the same refusal.
      expect(() => source.batch(Uint32Array.of(1, COUNT + 5), 0)).toThrow(
        /^augmentation failed: row 305 is outside the image set \(300 images\)/,
      );
      expect(() => source.batch(Uint32Array.of(1, 2), 1)).toThrow(/^augmentation failed/);
    } finally {
      await source.close();
    }
    expect(augmentWorkersAlive()).toBe(0);
  });

  it('fails, naming augmentation, when the worker refuses, crashes or exits', async () => {
    for (const [name, source, message] of [
      [
        'refuses',
        `parentPort.postMessage({ kind: 'failed', message: 'out of sorts' });`,
        /^augmentation failed on its worker thread: out of sorts$/,
      ],
      ['throws', `throw new Error('no entry here');`, /^the augmentation worker crashed: no entry here/],
      [
        'exits',
        `parentPort.on('message', () => process.exit(7));`,
        /^the augmentation worker exited unexpectedly \(exit code 7\)$/,
      ],
    ] as const) {
      process.env.LAYERLAB_AUGMENT_WORKER = fakeWorker(name, source);
      const batches = batchSource(train, hyper(), { plan: (step) => Uint32Array.of(step % COUNT) });
      try {
        expect((await firstFailure(batches)).message, name).toMatch(message);
        expect(() => batches.batch(Uint32Array.of(0), 0), name).toThrow(message);
      } finally {
        await batches.close();
      }
      expect(augmentWorkersAlive(), name).toBe(0);
    }
  });
});

/** A trainer that trains on nothing: it records what each step was given. */
function recordingTrainer(seen: Map<number, ReturnType<typeof contents>>): BatchTrainer {
  return {
    kind: 'graph',
    classifier: {} as Classifier,
    trainBatch: async (set, rows, step) => {
      seen.set(step, contents({ set, rows }));
      await sleep(1);
      return { loss: 0.5, accuracy: 0.5 };
    },
    saveCheckpoint: async () => '',
    loadCheckpoint: async () => 0,
    dispose: () => {},
  };
}

describe('the training loop with augmentation', () => {
  const dataset = { train, test: train, height: 28, width: 28, channels: 1 } as unknown as Dataset;
  const split: TrainingSplit = { train: range(100), validation: new Uint32Array(0) };
  const loop = (h: Hyperparameters, seen = new Map<number, ReturnType<typeof contents>>(), startEpoch = 0) => ({
    trainer: recordingTrainer(seen),
    dataset,
    hyperparameters: h,
    split,
    startEpoch,
  });

  it('trains on the synchronous source’s images and ends its worker, run after run', async () => {
    const h = hyper({ batchSize: 16, epochs: 3 });
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const { plan, steps } = schedule(h, split.train, 0);
    const sync = synchronousBatchSource(train, h);
    const want = steps.map((step) => contents(sync.batch(plan(step)!, step)));
    for (const round of [1, 2]) {
      const seen = new Map<number, ReturnType<typeof contents>>();
      let alive = 0;
      const result = await trainLoop({
        ...loop(h, seen),
        onBatch: () => void (alive = Math.max(alive, augmentWorkersAlive())),
      });
      expect(result).toMatchObject({ stopped: false, epochsCompleted: 3, samplesSeen: 300 });
      expect(alive, `round ${round}`).toBe(1);
      expect(augmentWorkersAlive(), `round ${round}`).toBe(0);
      expect(terminate).toHaveBeenCalledTimes(round);
      expect([...seen.keys()]).toEqual(steps);
      for (const step of steps) {
        expect(seen.get(step)!.labels).toEqual(want[step].labels);
        expect(Buffer.from(seen.get(step)!.images).equals(Buffer.from(want[step].images)), `step ${step}`).toBe(true);
      }
    }
  });

  it('resumes at a later epoch on the same images', async () => {
    const h = hyper({ batchSize: 16, epochs: 3 });
    const { plan, steps } = schedule(h, split.train, 0);
    const sync = synchronousBatchSource(train, h);
    const seen = new Map<number, ReturnType<typeof contents>>();
    const result = await trainLoop(loop(h, seen, 2));
    expect(result).toMatchObject({ stopped: false, epochsCompleted: 3, samplesSeen: 100 });
    expect([...seen.keys()]).toEqual(steps.slice(14));
    for (const [step, got] of seen) {
      const want = contents(sync.batch(plan(step)!, step));
      expect(Buffer.from(got.images).equals(Buffer.from(want.images)), `step ${step}`).toBe(true);
    }
    expect(augmentWorkersAlive()).toBe(0);
  });

  it('stops mid-epoch, ending the worker', async () => {
    const controller = new AbortController();
    const stopped = await trainLoop({
      ...loop(hyper({ batchSize: 16, epochs: 3 })),
      signal: controller.signal,
      onBatch: (p) => void (p.epoch === 1 && p.batch === 2 && controller.abort()),
    });
    expect(stopped).toMatchObject({ stopped: true, epochsCompleted: 1, samplesSeen: 100 + 48 });
    expect(augmentWorkersAlive()).toBe(0);
  });

  it('trains on, on the same images, past a worker that starts jobs and never finishes them', async () => {
    process.env.LAYERLAB_AUGMENT_WORKER = fakeWorker('stuck', `parentPort.on('message', (job) => claim(job));`);
    const h = hyper({ batchSize: 16, epochs: 3 });
    const { plan, steps } = schedule(h, split.train, 0);
    const sync = synchronousBatchSource(train, h);
    const seen = new Map<number, ReturnType<typeof contents>>();
    const result = await trainLoop({ ...loop(h, seen), onBatch: () => {} });
    expect(result).toMatchObject({ stopped: false, epochsCompleted: 3, samplesSeen: 300 });
    for (const step of steps) {
      const want = contents(sync.batch(plan(step)!, step));
      expect(Buffer.from(seen.get(step)!.images).equals(Buffer.from(want.images)), `step ${step}`).toBe(true);
    }
    expect(augmentWorkersAlive()).toBe(0);
  });

  it('fails the run, naming augmentation, when the worker dies mid-run, and ends it', async () => {
    // Does two jobs (or fewer: the loop takes back the ones it has not started), then exits.
    process.env.LAYERLAB_AUGMENT_WORKER = fakeWorker(
      'dies',
      `let jobs = 0;
parentPort.on('message', (job) => {
  if (++jobs > 2) process.exit(9);
  if (claim(job)) finish(job);
});`,
    );
    await expect(trainLoop(loop(hyper({ batchSize: 16, epochs: 1000 })))).rejects.toThrow(
      /^the augmentation worker exited unexpectedly \(exit code 9\)$/,
    );
    expect(augmentWorkersAlive()).toBe(0);
  });
});

describe('an augmented run in the engine’s training worker (the augmentation worker nested in it)', () => {
  const dir = tempDir();
  const dbPath = path.join(dir, 'layerlab.db');
  const data = writeSyntheticIdx(path.join(dir, 'synthetic'), { train: 200, test: 12 });
  let store: Store;

  beforeAll(async () => {
    await initBackend('cpu');
    store = Store.open(dbPath, { log: () => {} });
  });
  afterAll(() => store.close());

  /** Trains a run through a TrainingSupervisor; `onEvent` may stop it. Resolves with its 'finished' event. */
  async function train(epochs: number, onEvent: (e: RunEvent, stop: () => void) => void = () => {}) {
    const events: RunEvent[] = [];
    let runId = -1;
    const training: TrainingSupervisor = new TrainingSupervisor({
      store,
      dbPath,
      checkpointRoot: path.join(dir, 'runs'),
      emit: (e) => {
        events.push(e);
        onEvent(e, () => training.stop(runId));
      },
      onFinished: () => {},
    });
    ({ runId } = await training.start({
      spec: tinySpec,
      hyperparameters: { ...recipe, batchSize: 8, epochs, validationSplit: 0.1 },
      dataset: data,
      backend: 'cpu',
    }));
    await until(() => events.some((e) => e.type === 'finished'), `run ${runId} to finish`);
    await training.shutdown();
    return events.find((e) => e.type === 'finished')!;
  }

  it('completes, stops when asked, and fails naming augmentation when that worker crashes', async () => {
    expect(await train(2)).toMatchObject({ status: 'completed' });
    let stopped = false;
    const stop = (e: RunEvent, stopRun: () => void) => {
      if (e.type === 'batch' && e.progress.step >= 3 && !stopped) {
        stopped = true;
        stopRun();
      }
    };
    expect(await train(500, stop)).toMatchObject({ status: 'stopped' });
    // The training worker inherits the variable: its augmentation worker is the one that throws.
    process.env.LAYERLAB_AUGMENT_WORKER = fakeWorker('crashes', `throw new Error('no entry here');`);
    expect(await train(500)).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/^the augmentation worker crashed: no entry here/),
    });
  });
});
