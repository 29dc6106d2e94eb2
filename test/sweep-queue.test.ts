// The sweep queue in the app's engine (EngineService, runs on the training thread): every point trained once, one
// after another; pause (now, or after the current run), resume, cancel, adding and removing runs; training by hand
// refused while a sweep runs, naming it; a sweep left running when the engine quits resumed by the next engine;
// and the requests' refusals, naming the field. Tiny runs on a synthetic IDX set.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineService } from '#engine/service.ts';
import { Store } from '#engine/store/index.ts';
import type { Channel, RequestOf, Responses } from '#shared/contract.ts';
import { randomPoints, type SweepDetail } from '#shared/sweeps.ts';
import type { RunEvent } from '#shared/types.ts';
import { tinySpec, writeSyntheticIdx } from './helpers/run-fixtures.ts';
import { tempDir } from './helpers/tmp.ts';

const dir = tempDir('layerlab-sweep-queue-');
const dataset = writeSyntheticIdx(path.join(dir, 'idx'), { train: 1200, test: 20 });
/** A run of about a second or two: 500 batches of one image, so a pause or cancel lands mid-epoch. */
const LONG = { epochs: 1, batchSize: 1, validationSplit: 0, trainSize: 500 };
/** A run of a few batches. */
const SHORT = { epochs: 1, batchSize: 20, validationSplit: 0, trainSize: 100 };

const events: RunEvent[] = [];
const services: EngineService[] = [];

function engine(db: string): EngineService {
  const service = new EngineService({
    dbPath: path.join(dir, db),
    dataDir: path.join(dir, `${db}-data`),
    emit: (e) => events.push(e),
  });
  services.push(service);
  return service;
}

afterAll(async () => {
  for (const service of services) await service.shutdown().catch(() => {});
});

function client(service: EngineService) {
  const call = async <C extends Channel>(channel: C, payload: RequestOf<C>): Promise<Responses[C]> => {
    const envelope = await service.handle(channel, payload);
    if (!envelope.ok) throw new Error(envelope.error.message);
    return envelope.value as Responses[C];
  };
  const refused = async <C extends Channel>(channel: C, payload: RequestOf<C>) => {
    const envelope = await service.handle(channel, payload);
    if (envelope.ok) throw new Error(`${channel} was accepted`);
    return envelope.error;
  };
  const sweep = (sweepId: number) => call('sweeps:get', { sweepId });
  const create = (over: Partial<RequestOf<'sweeps:create'>>) =>
    call('sweeps:create', {
      name: 'probe',
      spec: tinySpec,
      hyperparameters: SHORT,
      dataset,
      mode: 'grid',
      parameters: [{ name: 'lr', values: [0.001, 0.01] }],
      ...over,
    });
  return { call, refused, sweep, create };
}

async function until(condition: () => boolean | Promise<boolean>, what: string, limitMs = 90_000): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const statuses = (detail: SweepDetail) => detail.points.map((p) => p.status);
const batchOf = (runId: number) => () => events.some((e) => e.type === 'batch' && e.runId === runId);

describe('the sweep queue in the engine', () => {
  it('trains every point once, one after another, and refuses training by hand meanwhile, naming the sweep', async () => {
    const { call, refused, sweep, create } = client(engine('grid.db'));
    const created = await create({ name: 'lr grid', parameters: [{ name: 'lr', values: [0.001, 0.01, 0.1] }] });
    expect(created.sweep).toMatchObject({ status: 'running', mode: 'grid', counts: { total: 3 } });
    expect(created.points.map((p) => p.values)).toEqual([
      { learningRate: 0.001 },
      { learningRate: 0.01 },
      { learningRate: 0.1 },
    ]);
    expect(created.points.map((p) => p.run?.hyperparameters.learningRate)).toEqual([0.001, 0.01, 0.1]);
    expect(created.points.every((p) => p.run?.tags.includes(`sweep-${created.sweep.id}`))).toBe(true);
    const runIds = created.points.map((p) => p.runId!);

    const manual = await refused('training:start', { spec: tinySpec, hyperparameters: SHORT, dataset });
    expect(manual.message).toMatch(
      /^sweep 1 “lr grid” is running(, training its run \d+)?; pause it before starting a run by hand/,
    );
    await until(async () => (await sweep(1)).sweep.status === 'completed', 'the sweep to complete');
    const done = await sweep(1);
    expect(statuses(done)).toEqual(['completed', 'completed', 'completed']);
    expect(done.sweep).toMatchObject({ counts: { total: 3, completed: 3 }, drivenBy: null, currentRunId: null });
    expect(done.sweep.best?.runId).toBeTypeOf('number');
    for (const runId of runIds) {
      const detail = await call('runs:get', { runId });
      expect(detail.sessions.map((s) => s.endStatus)).toEqual(['completed']);
      expect(detail.epochs).toHaveLength(1);
    }
    // One at a time: each run finished before the next started.
    const order = events
      .filter((e) => (e.type === 'started' || e.type === 'finished') && runIds.includes(e.runId))
      .map((e) => `${e.type} ${e.runId}`);
    expect(order).toEqual(runIds.flatMap((id) => [`started ${id}`, `finished ${id}`]));
    // Once it is done, training by hand is free again.
    await expect(call('training:start', { spec: tinySpec, hyperparameters: SHORT, dataset })).resolves.toHaveProperty(
      'runId',
    );
  });

  it('pauses at the next batch and resumes from the stopped run; after-run lets it finish; cancel deletes the queued runs', async () => {
    const { call, refused, sweep, create } = client(engine('pause.db'));
    const { sweep: s, points } = await create({
      hyperparameters: LONG,
      parameters: [{ name: 'lr', values: [0.001, 0.002, 0.003, 0.004] }],
    });
    const [a, b, c, d] = points.map((p) => p.runId!);

    await until(batchOf(a), `a batch of run ${a}`);
    const paused = await call('sweeps:pause', { sweepId: s.id });
    expect(paused).toMatchObject({ status: 'paused', pauseMode: 'now' });
    await until(async () => (await sweep(s.id)).points[0].status === 'stopped', `run ${a} to stop`);
    let now = await sweep(s.id);
    expect(statuses(now)).toEqual(['stopped', 'queued', 'queued', 'queued']);
    expect(now.points[0].run?.epochsCompleted).toBe(0);
    expect(now.sweep).toMatchObject({ status: 'paused', drivenBy: null, error: null });

    await call('sweeps:resume', { sweepId: s.id });
    // The stopped run goes first; pausing after-run lets it finish, and the next stays queued.
    await until(batchOf(b), `a batch of run ${b}`);
    await until(async () => (await sweep(s.id)).points[1].status === 'running', `run ${b} to train`);
    expect((await call('runs:get', { runId: a })).sessions.map((x) => x.endStatus)).toEqual(['stopped', 'completed']);
    expect(await call('sweeps:pause', { sweepId: s.id, finishCurrent: true })).toMatchObject({
      status: 'paused',
      pauseMode: 'after-run',
    });
    await until(async () => (await sweep(s.id)).points[1].status === 'completed', `run ${b} to finish`);
    await until(async () => (await sweep(s.id)).sweep.drivenBy === null, 'the queue to let go of the sweep');
    expect(statuses(await sweep(s.id))).toEqual(['completed', 'completed', 'queued', 'queued']);

    await call('sweeps:resume', { sweepId: s.id });
    await until(batchOf(c), `a batch of run ${c}`);
    const cancelled = await call('sweeps:cancel', { sweepId: s.id });
    expect(cancelled.status).toBe('cancelled');
    await until(async () => (await sweep(s.id)).points[2].status === 'stopped', `run ${c} to stop`);
    now = await sweep(s.id);
    expect(statuses(now)).toEqual(['completed', 'completed', 'stopped', 'cancelled']);
    expect(now.points[3].runId).toBeNull();
    expect((await refused('runs:get', { runId: d })).message).toBe(`run ${d} does not exist`);
    expect((await refused('sweeps:resume', { sweepId: s.id })).message).toBe(
      `sweep ${s.id} is cancelled; a cancelled sweep cannot be resumed`,
    );
  });

  it('deletes a sweep that is not running with its queued runs: trained runs stay, or with deleteRuns go with their checkpoints', async () => {
    const { call, refused, sweep, create } = client(engine('delete.db'));
    const running = await create({ name: 'kept runs', hyperparameters: LONG });
    const [a] = running.points.map((p) => p.runId!);
    await until(batchOf(a), `a batch of run ${a}`);
    expect((await refused('sweeps:delete', { sweepId: running.sweep.id })).message).toBe(
      `sweep ${running.sweep.id} is running; pause or cancel it before deleting it`,
    );
    await call('sweeps:pause', { sweepId: running.sweep.id });
    await until(async () => (await sweep(running.sweep.id)).sweep.drivenBy === null, 'the queue to let go of it');
    // Its queued run goes with it (it never trained); the stopped one stays.
    expect(await call('sweeps:delete', { sweepId: running.sweep.id })).toEqual({
      sweepId: running.sweep.id,
      deletedRuns: [running.points[1].runId],
    });
    expect((await refused('sweeps:get', { sweepId: running.sweep.id })).message).toBe(
      `sweep ${running.sweep.id} does not exist`,
    );
    // Its trained run stays as an ordinary run, still tagged with the sweep it came from.
    const kept = await call('runs:list', { tag: `sweep-${running.sweep.id}` });
    expect(kept.map((r) => [r.id, r.status])).toEqual([[a, 'stopped']]);

    const done = await create({ name: 'gone with runs' });
    await until(async () => (await sweep(done.sweep.id)).sweep.status === 'completed', 'the second sweep');
    const runIds = done.points.map((p) => p.runId!);
    const reader = Store.open(path.join(dir, 'delete.db'), { log: () => {} });
    const folders = runIds.flatMap((runId) => reader.listCheckpoints(runId).map((c) => c.path));
    reader.close();
    expect(folders.length).toBeGreaterThan(0);
    const deleted = await call('sweeps:delete', { sweepId: done.sweep.id, deleteRuns: true });
    expect(deleted.deletedRuns).toEqual(runIds);
    for (const runId of runIds)
      expect((await refused('runs:get', { runId })).message).toBe(`run ${runId} does not exist`);
    for (const folder of folders) expect(fs.existsSync(folder), folder).toBe(false);
    expect((await call('sweeps:list', undefined)).map((x) => x.id)).toEqual([]);
  });

  it('takes queued runs out and adds points to a running sweep, random draws continuing its sequence', async () => {
    const { call, refused, sweep, create } = client(engine('edit.db'));
    const parameters = [{ name: 'lr', range: 'log' as const, min: 1e-4, max: 1e-1 }];
    const created = await create({ mode: 'random', samples: 3, seed: 5, hyperparameters: LONG, parameters });
    const id = created.sweep.id;
    expect(created.points.map((p) => p.values)).toEqual(randomPoints(created.sweep.parameters, 5, 3));
    const [first, , third] = created.points.map((p) => p.runId!);
    await until(batchOf(first), `a batch of run ${first}`);

    expect((await refused('sweeps:removeRun', { sweepId: id, runId: first })).message).toMatch(
      new RegExp(`^run ${first} is (starting to train|running); `),
    );
    const removed = await call('sweeps:removeRun', { sweepId: id, runId: third });
    expect(removed.points[2]).toMatchObject({ status: 'removed', runId: null });
    expect((await refused('runs:get', { runId: third })).message).toBe(`run ${third} does not exist`);

    const more = await call('sweeps:addRuns', { sweepId: id, samples: 2 });
    expect(more.points.slice(3).map((p) => p.values)).toEqual(randomPoints(created.sweep.parameters, 5, 2, 3));
    expect(more.sweep.samples).toBe(5);
    const explicit = await call('sweeps:addRuns', { sweepId: id, points: [{ lr: 0.05, batchSize: 50 }] });
    expect(explicit.points[5]).toMatchObject({
      point: 5,
      values: { learningRate: 0.05, batchSize: 50 },
      status: 'queued',
    });
    expect(explicit.points[5].run?.hyperparameters).toMatchObject({ learningRate: 0.05, batchSize: 50, epochs: 1 });
    const grid = await refused('sweeps:addRuns', { sweepId: id, points: [{ 'layers.0.units': 4 }] });
    expect(grid).toMatchObject({ field: 'points[0].layers.0.units' });
    expect(grid.message).toMatch(
      /^sweeps:addRuns: points\[0\]\.layers\.0\.units: spec\.layers\[0\] is a Flatten layer/,
    );

    await until(async () => (await sweep(id)).sweep.status === 'completed', 'the sweep to complete', 180_000);
    const done = await sweep(id);
    expect(statuses(done)).toEqual(['completed', 'completed', 'removed', 'completed', 'completed', 'completed']);
    expect((await refused('sweeps:removeRun', { sweepId: id, runId: first })).message).toMatch(
      /only a queued run can be removed from a sweep \(it has trained; delete the run itself to drop it\)$/,
    );
    // A completed sweep takes more points and runs again.
    const reopened = await call('sweeps:addRuns', {
      sweepId: id,
      points: [{ lr: 0.02, trainSize: 100, batchSize: 20 }],
    });
    expect(reopened.sweep.status).toBe('running');
    await until(async () => (await sweep(id)).sweep.status === 'completed', 'the reopened sweep to complete');
    expect((await sweep(id)).points.at(-1)?.status).toBe('completed');
  });

  it('is resumed where it was by the next engine when the engine quits mid-run', async () => {
    const first = engine('quit.db');
    const { points, sweep: s } = await client(first).create({
      hyperparameters: LONG,
      parameters: [{ name: 'seed', values: [1, 2] }],
    });
    const runId = points[0].runId!;
    await until(batchOf(runId), `a batch of run ${runId}`);
    await first.shutdown();
    const left = await client(engine('quit.db')).sweep(s.id);
    // What the quit left: the run stopped, the sweep still running (the new engine has already taken it up).
    expect(left.sweep.status).toBe('running');
    const { sweep, call } = client(services.at(-1)!);
    await until(async () => (await sweep(s.id)).sweep.status === 'completed', 'the next engine to finish the sweep');
    expect(statuses(await sweep(s.id))).toEqual(['completed', 'completed']);
    expect((await call('runs:get', { runId })).sessions.map((x) => x.endStatus)).toEqual(['stopped', 'completed']);
  });

  it('refuses malformed sweeps, naming the field', async () => {
    const { refused, create, call } = client(engine('refusals.db'));
    const tooBig = await refused('sweeps:create', {
      spec: tinySpec,
      hyperparameters: SHORT,
      dataset,
      mode: 'grid',
      parameters: [
        { name: 'lr', values: [0.001, 0.01, 0.1] },
        { name: 'batchSize', values: [1, 2, 4, 8] },
        { name: 'seed', range: 'int', min: 1, max: 20 },
      ],
    });
    expect(tooBig).toEqual({
      field: 'parameters',
      message:
        'sweeps:create: a grid of 3 × 4 × 20 = 240 points is more than 200; shorten the lists, or sample it (random mode, samples: N)',
    });
    const knob = await refused('sweeps:create', {
      spec: tinySpec,
      hyperparameters: SHORT,
      dataset,
      mode: 'grid',
      parameters: [{ name: 'layers.1.filters', values: [8] }],
    });
    expect(knob).toEqual({
      field: 'parameters[0].name',
      message:
        'sweeps:create: parameters[0] (layers.1.filters): spec.layers[1] is a Dense layer, which has no filters; filters is a field of Conv2D layers',
    });
    expect(
      await refused('sweeps:create', {
        spec: tinySpec,
        hyperparameters: SHORT,
        dataset,
        mode: 'random',
        parameters: [{ name: 'lr', values: [1] }],
      }),
    ).toMatchObject({
      field: 'samples',
      message: expect.stringMatching(/^sweeps:create: samples must be a whole number from 1 to 200/),
    });
    expect(
      await refused('sweeps:create', { spec: tinySpec, dataset, mode: 'grid', parameters: [], hyperparameters: {} }),
    ).toMatchObject({
      field: 'parameters',
    });
    expect(
      await refused('sweeps:create', {
        spec: tinySpec,
        dataset,
        mode: 'grid',
        parameters: [{ name: 'lr', values: [1] }],
        hyperparameters: {},
        samples: 0,
      }),
    ).toMatchObject({
      field: 'samples',
      message: expect.stringMatching(/^sweeps:create: samples: /),
    });
    expect(await refused('sweeps:get', { sweepId: 99 })).toEqual({ message: 'sweep 99 does not exist' });
    // Recorded paused, nothing trains; a paused sweep cannot be paused into completion, nor resumed once completed.
    const paused = await create({ start: false });
    expect(paused.sweep).toMatchObject({ status: 'paused', drivenBy: null });
    expect(statuses(paused)).toEqual(['queued', 'queued']);
    await call('sweeps:cancel', { sweepId: paused.sweep.id });
    expect(await refused('sweeps:pause', { sweepId: paused.sweep.id })).toEqual({
      message: `sweep ${paused.sweep.id} is cancelled; only a running sweep can be paused`,
    });
    expect((await call('sweeps:list', undefined)).map((x) => x.id)).toEqual([paused.sweep.id]);
  });
});
