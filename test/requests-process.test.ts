// Malformed messages and requests sent to the real engine process, as a buggy or hostile main could send them:
// each request is answered with a typed error, a message with no id is logged and ignored, and the engine
// stays up throughout (it answers the next request, and never exits).
import { fork, type ChildProcess, type Serializable } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Envelope } from '#shared/contract.ts';
import type { EngineToMain } from '#shared/engine-protocol.ts';
import { HUGE, RAW_ERROR, VALID_PAYLOADS } from './helpers/malformed-requests.ts';
import { tempDir } from './helpers/tmp.ts';

const root = path.resolve(import.meta.dirname, '..');
const dir = tempDir();

let child: ChildProcess;
let exited: { code: number | null; signal: string | null } | null = null;
const answers = new Map<number, (envelope: Envelope<unknown>) => void>();
let nextId = 1;
const timings: { what: string; ms: number }[] = [];

beforeAll(async () => {
  child = fork(path.join(root, 'electron/engine/process.ts'), [], {
    execArgv: ['--import', 'tsx'],
    serialization: 'advanced',
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: {
      ...process.env,
      LAYERLAB_ENGINE_CONFIG: JSON.stringify({ dbPath: path.join(dir, 'engine.db'), dataDir: dir }),
    },
  });
  child.on('exit', (code, signal) => (exited = { code, signal }));
  await new Promise<void>((resolve, reject) => {
    child.on('message', (message: EngineToMain) => {
      if (message.kind === 'ready') resolve();
      else if (message.kind === 'response') answers.get(message.id)?.(message.envelope);
      else if (message.kind === 'fatal') reject(new Error(message.message));
    });
  });
});

afterAll(async () => {
  console.info(`engine process: ${timings.map((t) => `${t.what} ${t.ms.toFixed(0)} ms`).join(', ')}`);
  if (exited) return;
  child.send({ kind: 'shutdown' });
  await new Promise((r) => child.once('exit', r));
});

/** Sends a request as main does and waits for its answer. */
function request(channel: unknown, payload: unknown, what = String(channel)): Promise<Envelope<unknown>> {
  const id = nextId++;
  const started = performance.now();
  return new Promise((resolve) => {
    answers.set(id, (envelope) => {
      timings.push({ what, ms: performance.now() - started });
      resolve(envelope);
    });
    child.send({ kind: 'request', id, channel, payload });
  });
}

/** The engine is up: it answers a well-formed request, and has not exited. */
async function expectAlive(): Promise<void> {
  expect(await request('templates:list', undefined)).toMatchObject({ ok: true });
  expect(exited).toBeNull();
}

describe('the engine process', () => {
  it('ignores messages that are not messages, answering those with an id', async () => {
    const notMessages: unknown[] = [
      null,
      42,
      'text',
      [],
      {},
      { kind: 'request' },
      { kind: 'request', id: 'one', channel: 'runs:list', payload: {} },
    ];
    for (const message of notMessages) child.send(message as Serializable);
    const id = nextId++;
    const answer = new Promise<Envelope<unknown>>((resolve) => answers.set(id, resolve));
    child.send({ kind: 'bogus', id });
    expect(await answer).toEqual({
      ok: false,
      error: { message: "malformed message: unknown message kind \"bogus\" (expected 'request' or 'shutdown')" },
    });
    await expectAlive();
  });

  it('answers inherited property names as unknown channels', async () => {
    for (const channel of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await request(channel, {})).toEqual({ ok: false, error: { message: `unknown channel: ${channel}` } });
    }
    await expectAlive();
  });

  it('refuses malformed payloads naming the channel and the field', async () => {
    expect(await request('runs:delete', {})).toEqual({
      ok: false,
      error: { message: 'runs:delete: runId: expected a positive integer, got undefined', field: 'runId' },
    });
    expect(await request('runs:delete', null)).toEqual({
      ok: false,
      error: { message: 'runs:delete: expected an object, got null' },
    });
    const unknownField = await request('runs:rename', { ...VALID_PAYLOADS['runs:rename'], constructor: 'x' });
    expect(unknownField).toEqual({
      ok: false,
      error: { message: 'runs:rename: unknown field "constructor"', field: 'constructor' },
    });
    await expectAlive();
  });

  it('refuses a million-key spec and 50 MB arrays, and answers the next request', async () => {
    const answers = [
      await request('spec:analyze', { spec: HUGE.millionKeys }, 'million-key spec'),
      await request(
        'predict:image',
        { runIds: [1], image: { width: 1024, height: 1024, data: HUGE.bytes } },
        '50 MB image',
      ),
      await request('datasets:images', { datasetId: 'mnist', split: 'test', indices: HUGE.bytes }, '50 MB indices'),
      await request(
        'training:start',
        { ...VALID_PAYLOADS['training:start'], hyperparameters: HUGE.bytes },
        '50 MB hyperparameters',
      ),
    ];
    expect(answers.map((a) => !a.ok && { field: a.error.field, raw: RAW_ERROR.test(a.error.message) })).toEqual([
      { field: 'spec', raw: false },
      { field: 'image.data', raw: false },
      { field: 'indices', raw: false },
      { field: 'hyperparameters', raw: false },
    ]);
    await expectAlive();
  });
});
