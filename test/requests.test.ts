// Every channel of the IPC contract, sent malformed payloads straight to the engine (EngineService.handle, as
// the engine process calls it): each answer is an error envelope that names the channel and the field, never a
// raw TypeError, and the engine goes on answering.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestSchemas, SPEC_LIMITS, type Channel, type Envelope } from '#shared/contract.ts';
import { jsonProblem } from '#shared/request-checks.ts';
import { EngineService } from '#engine/service.ts';
import { getTemplate } from '#shared/model/index.ts';
import {
  malformedRequests,
  NOT_CHANNELS,
  RAW_ERROR,
  VALID_PAYLOADS,
  type MalformedRequest,
} from './helpers/malformed-requests.ts';
import { tempDir } from './helpers/tmp.ts';

const CHANNELS = Object.keys(requestSchemas) as Channel[];
const tally = { tried: 0, typed: 0, raw: 0, accepted: 0, slowestMs: 0, slowest: '' };

let service: EngineService;

beforeAll(() => {
  const dir = tempDir();
  service = new EngineService({ dbPath: path.join(dir, 'requests.db'), dataDir: dir, emit: () => {} });
});

afterAll(async () => {
  await service.shutdown();
  console.info(
    `malformed requests: ${tally.tried} tried over ${CHANNELS.length} channels, ${tally.typed} typed errors, ` +
      `${tally.raw} raw errors, ${tally.accepted} accepted; slowest answer ${tally.slowestMs.toFixed(0)} ms (${tally.slowest})`,
  );
});

async function send(channel: unknown, payload: unknown, label: string): Promise<Envelope<unknown>> {
  const started = performance.now();
  const envelope = await service.handle(channel as Channel, payload);
  const ms = performance.now() - started;
  if (ms > tally.slowestMs)
    Object.assign(tally, { slowestMs: ms, slowest: `${String(channel).slice(0, 30)} ${label}` });
  tally.tried++;
  if (envelope.ok) tally.accepted++;
  else if (RAW_ERROR.test(envelope.error.message)) tally.raw++;
  else tally.typed++;
  return envelope;
}

/** The answer as the test reports it: what was sent and what came back, so a failure says which payload. */
function answerOf(request: MalformedRequest, envelope: Envelope<unknown>) {
  if (envelope.ok) return { label: request.label, ok: true };
  const { message, field } = envelope.error;
  return {
    label: request.label,
    ok: false,
    namesChannel: message.startsWith(`${request.channel}: `),
    namesField: request.field === undefined || field === request.field || field?.startsWith(`${request.field}.`),
    raw: RAW_ERROR.test(message),
    short: message.length <= 2000,
    ...(RAW_ERROR.test(message) || !message.startsWith(request.channel) ? { message: message.slice(0, 200) } : {}),
  };
}

describe('malformed requests, channel by channel', () => {
  it.each(CHANNELS)('%s refuses every malformed payload, naming the channel and the field', async (channel) => {
    const requests = malformedRequests(channel);
    if (channel === 'datasets:import')
      requests.push({ channel, label: 'no folder (main asks for one; the engine cannot)', payload: {}, field: 'dir' });
    if (channel === 'runs:export') {
      requests.push({ channel, label: 'no folder (main asks for one)', payload: { runId: 1 }, field: 'dir' });
      requests.push({ channel, label: 'a relative folder', payload: { runId: 1, dir: 'out' }, field: 'dir' });
    }
    if (channel === 'spec:readFile') {
      requests.push({ channel, label: 'no file (main asks for one)', payload: {}, field: 'file' });
      requests.push({ channel, label: 'a relative file', payload: { file: 'spec.json' }, field: 'file' });
    }
    // fs refuses a NUL in a path with a TypeError: the schema refuses it first.
    for (const [key, value] of Object.entries(VALID_PAYLOADS[channel] ?? {}))
      if (['dir', 'file'].includes(key) && typeof value === 'string')
        requests.push({
          channel,
          label: `${key} with a NUL`,
          payload: { ...VALID_PAYLOADS[channel], [key]: '/tmp/a\0b' },
          field: key,
        });
    const answers = [];
    for (const request of requests)
      answers.push(answerOf(request, await send(channel, request.payload, request.label)));
    const expected = answers.map((a) => ({
      label: a.label,
      ok: false,
      namesChannel: true,
      namesField: true,
      raw: false,
      short: true,
    }));
    expect(answers).toEqual(expected);
    // Still answering: a well-formed request right after.
    expect(await service.handle('templates:list', undefined)).toMatchObject({ ok: true });
  });
});

it('refuses a payload that throws when read instead of throwing itself', async () => {
  const hostile = {
    get runId(): number {
      throw new Error('boom');
    },
  };
  expect(await service.handle('runs:get', hostile)).toEqual({
    ok: false,
    error: { message: 'the request could not be read: boom' },
  });
});

describe('channel names', () => {
  it.each(NOT_CHANNELS.map((name) => [typeof name === 'string' ? name.slice(0, 20) : String(name), name]))(
    '%s is an unknown channel, whatever it inherits',
    async (_label, name) => {
      const envelope = await send(name, {}, 'as a channel');
      expect(envelope.ok).toBe(false);
      expect(!envelope.ok && envelope.error.message).toMatch(/^unknown channel/);
      expect(!envelope.ok && envelope.error.message.length).toBeLessThan(200);
    },
  );

  it.each(['app:info', 'engine:status', 'engine:restart', 'runs:showExport'] as const)(
    '%s belongs to main: the engine says so instead of answering',
    async (channel) => {
      expect(await service.handle(channel, VALID_PAYLOADS[channel])).toEqual({
        ok: false,
        error: { message: `${channel}: answered by the app's main process, not the engine` },
      });
    },
  );
});

describe('well-formed requests still pass', () => {
  it('answers the valid payloads the malformed ones were made from', async () => {
    expect(await service.handle('spec:analyze', VALID_PAYLOADS['spec:analyze'])).toMatchObject({
      ok: true,
      value: { ok: true },
    });
    expect(await service.handle('runs:list', VALID_PAYLOADS['runs:list'])).toEqual({ ok: true, value: [] });
    expect(await service.handle('runs:list', {})).toEqual({ ok: true, value: [] });
    expect(await service.handle('runs:get', { runId: 1 })).toMatchObject({
      ok: false,
      error: { message: 'run 1 does not exist' },
    });
    expect(await service.handle('designs:save', { name: 'probe', spec: getTemplate('seed') })).toMatchObject({
      ok: true,
      value: { name: 'probe' },
    });
    expect(await service.handle('designs:delete', { name: 'probe' })).toEqual({ ok: true, value: true });
  });

  it('words a refusal as channel: field: reason', async () => {
    expect(await service.handle('runs:delete', {})).toEqual({
      ok: false,
      error: { message: 'runs:delete: runId: expected a positive integer, got undefined', field: 'runId' },
    });
  });
});

describe('the bounded walk over specs and hyperparameters', () => {
  it('refuses an object with too many keys without reading one of its values', () => {
    let reads = 0;
    const wide = Object.fromEntries(Array.from({ length: 30_000 }, (_, i) => [`k${i}`, i]));
    const counted = new Proxy(wide, {
      get(target, key) {
        reads++;
        return Reflect.get(target, key);
      },
    });
    expect(jsonProblem(counted, SPEC_LIMITS)).toEqual({
      path: [],
      message: 'an object with 30,000 keys: more than the 20,000 values allowed',
    });
    expect(reads).toBe(0);
  });

  it('stops at the depth limit, even in a value that never ends', () => {
    let reads = 0;
    const endless = (): object => ({
      get child() {
        reads++;
        return endless();
      },
    });
    const problem = jsonProblem(endless(), SPEC_LIMITS);
    expect(problem).toEqual({
      path: Array(SPEC_LIMITS.maxDepth).fill('child'),
      message: `nested more than ${SPEC_LIMITS.maxDepth} levels deep`,
    });
    expect(reads).toBe(SPEC_LIMITS.maxDepth);
  });
});
