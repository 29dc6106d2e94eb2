// The engine process as Electron main drives it: a separate process speaking the engine protocol.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel, Envelope, Responses, TrainingEvent } from '../electron/shared/contract.ts';
import type { EngineToMain } from '../electron/shared/engine-protocol.ts';
import { EventCoalescer } from '../electron/shared/event-coalescer.ts';
import type { RunEvent } from '../electron/engine/runner.ts';
import { getTemplate } from '../electron/engine/model/index.ts';
import { tempDir } from './helpers/tmp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = tempDir();
let engine: ChildProcess;
let nextId = 1;
const pending = new Map<number, (e: Envelope<unknown>) => void>();
const events: RunEvent[] = [];

function request<C extends Channel>(channel: C, payload: unknown): Promise<Envelope<Responses[C]>> {
  return new Promise((resolve) => {
    const id = nextId++;
    pending.set(id, resolve as (e: Envelope<unknown>) => void);
    engine.send({ kind: 'request', id, channel, payload });
  });
}

async function value<C extends Channel>(channel: C, payload?: unknown): Promise<Responses[C]> {
  const envelope = await request(channel, payload);
  if (!envelope.ok) throw new Error(envelope.error.message);
  return envelope.value;
}

async function waitForFinish(runId: number): Promise<RunEvent> {
  for (;;) {
    const done = events.find((e) => e.type === 'finished' && e.runId === runId);
    if (done) return done;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A canvas with a vertical bar: a "1". */
function drawing() {
  const width = 140, height = 140, data = new Uint8ClampedArray(width * height * 4).fill(255);
  for (let y = 20; y < 120; y++) for (let x = 64; x < 76; x++) data.fill(0, (y * width + x) * 4, (y * width + x) * 4 + 3);
  return { width, height, data };
}

describe('engine process', () => {
  beforeAll(async () => {
    engine = fork(path.join(root, 'electron/engine/process.ts'), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      env: { ...process.env, LAYERLAB_ENGINE_CONFIG: JSON.stringify({ dbPath: path.join(dir, 'engine.db'), dataDir: dir }) },
    });
    await new Promise<void>((resolve, reject) => {
      engine.on('message', (message: EngineToMain) => {
        if (message.kind === 'ready') resolve();
        else if (message.kind === 'response') pending.get(message.id)?.(message.envelope);
        else if (message.kind === 'event') events.push(message.event);
        else reject(new Error(message.message));
      });
    });
  });

  afterAll(async () => {
    engine.send({ kind: 'shutdown' });
    await new Promise((r) => engine.once('exit', r));
  });

  it('analyses specs and answers bad ones with an error naming the field', async () => {
    const analysis = await value('spec:analyze', { spec: getTemplate('seed') });
    expect(analysis.ok && analysis.totalParams).toBe(93322);
    const bad = await request('training:start', { spec: getTemplate('seed'), hyperparameters: { learningRate: -1 }, dataset: 'mnist', backend: 'auto' });
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
    const second = await request('training:start', { spec: getTemplate('mlp'), hyperparameters: {}, dataset: 'mnist', backend: 'auto' });
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

    const cell = await value('evaluation:cell', { runId, trueLabel: 1, predicted: 1, limit: 5, order: 'confidence-desc' });
    expect(cell.total).toBeGreaterThan(900);
    expect(cell.items).toHaveLength(5);
    expect(cell.items[0].confidence).toBeGreaterThanOrEqual(cell.items[4].confidence);
    const images = await value('datasets:images', { datasetId: 'mnist', split: 'test', indices: cell.items.map((i) => i.testIndex) });
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
});

describe('event coalescing', () => {
  it('delivers every batch but at most one message per interval, in order with other events', async () => {
    const delivered: TrainingEvent[] = [];
    const coalescer = new EventCoalescer((e) => delivered.push(e), 30);
    const progress = (step: number) => ({ epoch: 0, batch: step, step, loss: 1, accuracy: 0.5, samplesPerSecond: 1, time: 0, epochs: 1, batchesPerEpoch: 1000, etaSeconds: 1 });
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
