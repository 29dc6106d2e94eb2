// The engine process as Electron main drives it: a separate process speaking the engine protocol.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Envelope, Responses, TrainingEvent } from '#shared/contract.ts';
import type { EngineToMain } from '#shared/engine-protocol.ts';
import { EventCoalescer } from '#shared/event-coalescer.ts';
import type { RunEvent } from '#shared/types.ts';
import { getTemplate } from '#shared/model/index.ts';
import { tempDir } from './helpers/tmp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = tempDir();

interface Engine {
  request<C extends Channel>(channel: C, payload: unknown): Promise<Envelope<Responses[C]>>;
  value<C extends Channel>(channel: C, payload?: unknown): Promise<Responses[C]>;
  events: (RunEvent & { receivedAt: number })[];
  /** Resolves with the run's `count`-th 'finished' event (a resumed run has one per session). */
  waitForFinish(runId: number, count?: number): Promise<RunEvent>;
  shutdown(): Promise<void>;
}

/** Forks the engine process from source, as the tests run it; `env` adds environment variables. */
async function launchEngine(dbFile: string, env: Record<string, string> = {}): Promise<Engine> {
  const child: ChildProcess = fork(path.join(root, 'electron/engine/process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    env: {
      ...process.env,
      ...env,
      LAYERLAB_ENGINE_CONFIG: JSON.stringify({ dbPath: path.join(dir, dbFile), dataDir: dir }),
    },
  });
  let nextId = 1;
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  const events: Engine['events'] = [];
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: EngineToMain) => {
      if (message.kind === 'ready') resolve();
      else if (message.kind === 'response') pending.get(message.id)?.(message.envelope);
      else if (message.kind === 'event') events.push({ ...message.event, receivedAt: performance.now() });
      else reject(new Error(message.message));
    });
  });
  const request = <C extends Channel>(channel: C, payload: unknown) =>
    new Promise<Envelope<Responses[C]>>((resolve) => {
      const id = nextId++;
      pending.set(id, resolve as (e: Envelope<unknown>) => void);
      child.send({ kind: 'request', id, channel, payload });
    });
  return {
    request,
    events,
    async value<C extends Channel>(channel: C, payload?: unknown) {
      const envelope = await request(channel, payload);
      if (!envelope.ok) throw new Error(envelope.error.message);
      return envelope.value;
    },
    async waitForFinish(runId, count = 1) {
      for (;;) {
        const done = events.filter((e) => e.type === 'finished' && e.runId === runId);
        if (done.length >= count) return done[count - 1];
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async shutdown() {
      child.send({ kind: 'shutdown' });
      await new Promise((r) => child.once('exit', r));
    },
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A canvas with a vertical bar: a "1". */
function drawing() {
  const width = 140,
    height = 140,
    data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 20; y < 120; y++)
    for (let x = 64; x < 76; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  return { width, height, data };
}

describe('engine process', () => {
  let engine: Engine;
  let events: Engine['events'];
  let request: Engine['request'];
  let value: Engine['value'];
  let waitForFinish: Engine['waitForFinish'];

  beforeAll(async () => {
    engine = await launchEngine('engine.db');
    ({ events, request, value, waitForFinish } = engine);
  });

  afterAll(() => engine.shutdown());

  it('analyses specs and answers bad ones with an error naming the field', async () => {
    const analysis = await value('spec:analyze', { spec: getTemplate('seed') });
    expect(analysis.ok && analysis.totalParams).toBe(93322);
    const bad = await request('training:start', {
      spec: getTemplate('seed'),
      hyperparameters: { learningRate: -1 },
      dataset: 'mnist',
      backend: 'auto',
    });
    expect(bad).toMatchObject({ ok: false, error: { field: 'learningRate' } });
    const unknown = await request('runs:get', { runId: 4242 });
    expect(unknown).toMatchObject({ ok: false, error: { message: 'run 4242 does not exist' } });
  });

  it('trains in the background, streams events, refuses a second run, then predicts a drawing', async () => {
    const { runId } = await value('training:start', {
      spec: getTemplate('seed'),
      hyperparameters: { trainSize: 1000, epochs: 1, batchSize: 20, validationSplit: 0.2 },
      dataset: 'mnist',
      backend: 'auto',
    });
    const second = await request('training:start', {
      spec: getTemplate('mlp'),
      hyperparameters: {},
      dataset: 'mnist',
      backend: 'auto',
    });
    expect(second.ok).toBe(false);
    expect(!second.ok && second.error.message).toMatch(/is training; stop it before starting another/);
    // Requests are answered while training runs.
    expect((await value('runs:list', {})).map((r) => r.id)).toContain(runId);
    const finished = await waitForFinish(runId);
    expect(finished).toMatchObject({ type: 'finished', status: 'completed' });
    expect(events.filter((e) => e.type === 'batch')).toHaveLength(40);
    expect(await value('training:active')).toBeNull();

    const result = await value('predict:image', { runIds: [runId, 9999], image: drawing() });
    expect(result.blank).toBe(false);
    expect(result.input).toHaveLength(784);
    expect(result.predictions[0].probabilities).toHaveLength(10);
    expect(result.predictions[0].probabilities!.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    expect(result.predictions[1].error).toMatch(/run 9999 does not exist/);

    const cell = await value('evaluation:cell', {
      runId,
      trueLabel: 1,
      predicted: 1,
      limit: 5,
      order: 'confidence-desc',
    });
    expect(cell.total).toBeGreaterThan(900);
    expect(cell.items).toHaveLength(5);
    expect(cell.items[0].confidence).toBeGreaterThanOrEqual(cell.items[4].confidence);
    const images = await value('datasets:images', {
      datasetId: 'mnist',
      split: 'test',
      indices: cell.items.map((i) => i.testIndex),
    });
    expect(images.images[0]).toBeInstanceOf(Uint8Array);
    expect(images.images[0]).toHaveLength(784);
    expect(images.labels.every((l) => l === 1)).toBe(true);
  });

  it('stops a run at a batch boundary and resumes it', async () => {
    const { runId } = await value('training:start', {
      spec: getTemplate('mlp'),
      hyperparameters: { trainSize: 2000, epochs: 30, batchSize: 10 },
      dataset: 'mnist',
      backend: 'auto',
    });
    while (!events.some((e) => e.type === 'epoch' && e.runId === runId)) await new Promise((r) => setTimeout(r, 20));
    expect(await value('training:stop', { runId })).toEqual({ stopping: true });
    expect(await waitForFinish(runId)).toMatchObject({ status: 'stopped' });
    const stopped = await value('runs:get', { runId });
    expect(stopped.run.status).toBe('stopped');
    expect(stopped.run.epochsCompleted).toBeGreaterThanOrEqual(1);
    const refused = await request('runs:delete', { runId: 999 });
    expect(refused.ok).toBe(false);
    expect(await value('training:resume', { runId, backend: 'auto' })).toEqual({ runId });
    // The resumed session's start follows the reply once its trainer is ready.
    const starts = () => events.filter((e) => e.type === 'started' && e.runId === runId);
    while (starts().length < 2) await new Promise((r) => setTimeout(r, 20));
    const started = starts().at(-1)!;
    expect(started.type === 'started' && started.fromEpoch).toBe(stopped.run.epochsCompleted);
    await value('training:stop', { runId });
  });

  /** Waits until no run trains (the previous test may leave one stopping). */
  async function idle(): Promise<void> {
    while (await value('training:active')) await sleep(20);
  }

  it('answers requests while heavy batches train on the worker thread', async () => {
    await idle();
    // batch 512 of the seed CNN: each step is one long synchronous TensorFlow call
    const { runId } = await value('training:start', {
      spec: getTemplate('seed'),
      hyperparameters: { trainSize: 6000, epochs: 10, batchSize: 512 },
      dataset: 'mnist',
      backend: 'auto',
    });
    const batches = () => events.filter((e) => e.type === 'batch' && e.runId === runId);
    while (batches().length < 2) await sleep(10);
    const batchesBefore = batches().length;
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      const t0 = performance.now();
      const active = await value('training:active');
      times.push(performance.now() - t0);
      // answered while the run is still training, not after it ended
      expect(active?.runId).toBe(runId);
    }
    const batchesDuring = batches().length - batchesBefore;
    // Trained on the engine's main thread, each request waited for the batch in progress (the loop yields once
    // per batch), so 100 sequential requests spanned about 100 batches. On the worker they take a few at most.
    expect(batchesDuring).toBeLessThan(50);
    const gaps = batches()
      .slice(1)
      .map((e, i) => e.receivedAt - batches()[i].receivedAt)
      .sort((a, b) => a - b);
    console.log(
      `100 round trips while training at batch 512: max ${Math.max(...times).toFixed(1)} ms, ` +
        `${batchesDuring} batch(es) meanwhile, median batch ${gaps[Math.floor(gaps.length / 2)].toFixed(0)} ms`,
    );
    expect(await value('training:stop', { runId })).toEqual({ stopping: true });
    expect(await waitForFinish(runId)).toMatchObject({ status: 'stopped' });
  });

  it('resumes a run whose every checkpoint is damaged from epoch 0, saying why on its session', async () => {
    await idle();
    const { runId } = await value('training:start', {
      spec: getTemplate('mlp'),
      hyperparameters: { trainSize: 2000, epochs: 30, batchSize: 10 },
      dataset: 'mnist',
      backend: 'auto',
    });
    while (!events.some((e) => e.type === 'epoch' && e.runId === runId)) await sleep(20);
    await value('training:stop', { runId });
    expect(await waitForFinish(runId)).toMatchObject({ status: 'stopped' });
    // Damage every checkpoint the run saved.
    const runDir = path.join(dir, 'runs', String(runId));
    for (const file of fs.readdirSync(runDir, { recursive: true, withFileTypes: true })) {
      if (file.isFile()) fs.writeFileSync(path.join(file.parentPath, file.name), 'not a checkpoint');
    }
    expect(await value('training:resume', { runId, backend: 'auto' })).toEqual({ runId });
    const startedAgain = () => events.filter((e) => e.type === 'started' && e.runId === runId)[1];
    while (!startedAgain()) await sleep(20);
    expect(startedAgain()).toMatchObject({ fromEpoch: 0 });
    await value('training:stop', { runId });
    expect(await waitForFinish(runId, 2)).toMatchObject({ type: 'finished', status: 'stopped' });
    const { sessions } = await value('runs:get', { runId });
    expect(sessions.at(-1)).toMatchObject({ fromEpoch: 0, endStatus: 'stopped' });
    expect(sessions.at(-1)!.error).toMatch(
      /^epoch \d+ checkpoint unreadable \(.*checkpoint\.json is not valid JSON.*no readable checkpoint is left, so training starts again from epoch 0$/,
    );
    expect(await value('training:active')).toBeNull();
  });
});

describe('engine process with a training worker that dies', () => {
  let engine: Engine;
  beforeAll(async () => {
    // Wraps the real worker: at the first batch it exits abruptly (epochs 3) or throws an uncaught error (epochs 2).
    const crashing = path.join(dir, 'crashing-worker.mjs');
    fs.writeFileSync(
      crashing,
      `import { parentPort } from 'node:worker_threads';
const post = parentPort.postMessage.bind(parentPort);
parentPort.postMessage = (message) => {
  if (message?.kind === 'event' && message.event.type === 'batch') {
    if (message.event.progress.epochs === 2) setImmediate(() => { throw new Error('simulated native failure'); });
    else process.exit(7);
  }
  post(message);
};
await import(${JSON.stringify(pathToFileURL(path.join(root, 'electron/engine/training-worker-bootstrap.mjs')).href)});
`,
    );
    engine = await launchEngine('crash.db', { LAYERLAB_TRAINING_WORKER: crashing });
  });

  afterAll(() => engine.shutdown());

  it('reports the run failed and does not leave it running', async () => {
    const cases = [
      { epochs: 3, error: /training worker exited unexpectedly \(exit code 7\)/ },
      { epochs: 2, error: /training worker crashed: simulated native failure/ },
    ];
    for (const { epochs, error } of cases) {
      const { runId } = await engine.value('training:start', {
        spec: getTemplate('mlp'),
        hyperparameters: { trainSize: 500, epochs, batchSize: 10 },
        dataset: 'mnist',
        backend: 'auto',
      });
      const finished = await engine.waitForFinish(runId);
      expect(finished).toMatchObject({ type: 'finished', status: 'failed' });
      expect(finished.type === 'finished' && finished.error).toMatch(error);
      const { run, sessions } = await engine.value('runs:get', { runId });
      expect(run.status).toBe('failed');
      expect(sessions.at(-1)).toMatchObject({ endStatus: 'failed' });
      expect(await engine.value('training:active')).toBeNull();
    }
  });
});

describe('event coalescing', () => {
  it('delivers every batch but at most one message per interval, in order with other events', async () => {
    const delivered: TrainingEvent[] = [];
    const coalescer = new EventCoalescer((e) => delivered.push(e), 30);
    const progress = (step: number) => ({
      epoch: 0,
      batch: step,
      step,
      loss: 1,
      accuracy: 0.5,
      samplesPerSecond: 1,
      time: 0,
      epochs: 1,
      batchesPerEpoch: 1000,
      etaSeconds: 1,
    });
    for (let step = 0; step < 500; step++) coalescer.push({ type: 'batch', runId: 1, progress: progress(step) });
    expect(delivered).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(delivered).toHaveLength(1);
    coalescer.push({ type: 'batch', runId: 1, progress: progress(500) });
    coalescer.push({ type: 'finished', runId: 1, status: 'completed', error: null });
    expect(delivered.map((e) => e.type)).toEqual(['batches', 'batches', 'finished']);
    const steps = delivered.flatMap((e) => (e.type === 'batches' ? e.items.map((i) => i.step) : []));
    expect(steps).toEqual(Array.from({ length: 501 }, (_, i) => i));
    coalescer.dispose();
  });
});
