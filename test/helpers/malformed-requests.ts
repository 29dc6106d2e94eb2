// Malformed requests for every IPC channel, as a buggy or hostile caller sends them: wrong payload types,
// missing and mistyped fields, unknown and prototype keys, and payloads far too big or too deep to walk.
// test/requests.test.ts sends them all through EngineService.handle, test/requests-process.test.ts a few
// through the engine process.
import type { ZodObject, ZodType } from 'zod';
import { requestSchemas, type Channel, type RequestOf } from '#shared/contract.ts';
import { BASE_WIDTH, MAX_COORDINATE, MAX_DRAWING_POINTS, MAX_POINT_WIDTH, MAX_STROKES } from '#shared/drawing.ts';
import { getTemplate } from '#shared/model/index.ts';

export interface MalformedRequest {
  channel: Channel;
  label: string;
  payload: unknown;
  /** The field the answer must name, when the payload breaks one field. */
  field?: string;
}

const SEED = getTemplate('seed');
const pixels = (width: number, height: number) => new Uint8ClampedArray(width * height * 4);
const point = (x: number, y: number) => ({ x, y, width: BASE_WIDTH });

/** One well-formed payload per channel, which the malformed ones are made from. */
export const VALID_PAYLOADS: { [C in Channel]: RequestOf<C> } = {
  'app:info': undefined,
  'engine:status': undefined,
  'engine:restart': undefined,
  'doctor:run': undefined,
  'backend:active': undefined,
  'templates:list': undefined,
  'spec:analyze': { spec: SEED, numClasses: 10 },
  'spec:readFile': { file: '/nonexistent/probe.json' },
  'designs:list': undefined,
  'designs:save': { name: 'probe', spec: SEED },
  'designs:delete': { name: 'probe' },
  'datasets:list': undefined,
  'datasets:import': { dir: '/nonexistent', name: 'probe' },
  'datasets:images': { datasetId: 'mnist', split: 'test', indices: [0] },
  'runs:list': { status: ['completed'], search: 'probe', tag: 'probe' },
  'runs:get': { runId: 1 },
  'runs:batchMetrics': { runId: 1, every: 1, afterStep: 0 },
  'runs:rename': { runId: 1, name: 'probe' },
  'runs:setNotes': { runId: 1, notes: 'probe' },
  'runs:setTags': { runId: 1, tags: ['probe'] },
  'runs:delete': { runId: 1 },
  'runs:export': { runId: 1, dir: '/nonexistent/probe-export' },
  'runs:showExport': { dir: '/nonexistent/probe-export' },
  'evaluation:cell': { runId: 1, trueLabel: 0, predicted: 1, limit: 10, order: 'confidence-asc' },
  'evaluation:checkpoint': { runId: 1 },
  'training:start': {
    name: 'probe',
    spec: SEED,
    hyperparameters: {},
    dataset: 'mnist',
    backend: 'auto',
    tags: ['probe'],
    notes: 'probe',
  },
  'training:resume': { runId: 1, backend: 'auto' },
  'training:stop': { runId: 1 },
  'training:active': undefined,
  'training:memoryLimits': { backend: 'auto' },
  'predict:image': { runIds: [1], image: { width: 2, height: 2, data: pixels(2, 2) } },
  'predict:strokes': { runIds: [1], strokes: [[point(100, 40), point(98, 120), point(96, 200)], [point(60, 60)]] },
  'inspect:model': {
    runId: 1,
    input: { strokes: [[point(100, 40), point(98, 120), point(96, 200)]] },
    epoch: 1,
    saliency: { method: 'gradient-input', classIndex: 3 },
  },
  'inspect:filters': { runId: 1, epoch: 2, compareEpoch: 1 },
  'sweeps:create': {
    name: 'probe',
    spec: SEED,
    hyperparameters: { epochs: 1 },
    dataset: 'mnist',
    backend: 'auto',
    mode: 'random',
    parameters: [{ name: 'learningRate', range: 'log', min: 0.0001, max: 0.1 }],
    samples: 2,
    seed: 1,
    start: false,
  },
  'sweeps:list': undefined,
  'sweeps:get': { sweepId: 1 },
  'sweeps:pause': { sweepId: 1, finishCurrent: true },
  'sweeps:resume': { sweepId: 1 },
  'sweeps:cancel': { sweepId: 1 },
  'sweeps:addRuns': { sweepId: 1, points: [{ learningRate: 0.01 }], samples: 1 },
  'sweeps:removeRun': { sweepId: 1, runId: 1 },
  'sweeps:delete': { sweepId: 1, deleteRuns: true },
};

/** Built once and shared: each is costly to make. */
export const HUGE = {
  /** 1 MB of text in a field nobody asked for. */
  text: 'x'.repeat(1_000_000),
  /** A spec-sized slot holding a million keys. */
  millionKeys: Object.fromEntries(Array.from({ length: 1_000_000 }, (_, i) => [`k${i}`, i])),
  /** 50 MB of bytes where JSON or a short array belongs. */
  bytes: new Uint8Array(50 * 1024 * 1024),
  /** Two million numbers where at most a thousand are allowed. */
  longArray: new Array<number>(2_000_000).fill(0),
  /** Arrays nested 100,000 deep. */
  deep: Array.from({ length: 100_000 }).reduce<unknown>((inner) => [inner], []),
};

const WRONG_VALUES: [string, unknown][] = [
  ['null', null],
  ['a string', 'text'],
  ['an empty string', ''],
  ['a number', 42],
  ['a negative number', -1],
  ['a fraction', 1.5],
  ['NaN', NaN],
  ['a boolean', true],
  ['an object', {}],
  ['an array', []],
];

/** JSON spellings of prototype keys: JSON.parse makes "__proto__" an own key, as a crafted message would. */
const PROTOTYPE_OBJECTS: [string, () => unknown][] = [
  ['__proto__', () => JSON.parse('{"__proto__": {"polluted": true}}')],
  ['constructor', () => ({ constructor: { prototype: { polluted: true } } })],
  ['prototype', () => ({ prototype: { polluted: true } })],
];

const JSON_FIELDS = new Set(['spec', 'hyperparameters', 'parameters', 'points']);
const ARRAY_FIELDS = new Set(['indices', 'runIds', 'tags', 'status', 'strokes']);

/** The fields of a channel's request object (plainObject is a check piped into a strict object), or null. */
function fieldSchemas(channel: Channel): Record<string, ZodType> | null {
  const object = (requestSchemas[channel] as unknown as { out?: Partial<ZodObject> }).out;
  return object?.shape ? (object.shape as Record<string, ZodType>) : null;
}

/** Malformed payloads for one channel; each breaks the contract, so each must be refused. */
export function malformedRequests(channel: Channel): MalformedRequest[] {
  const valid = VALID_PAYLOADS[channel] as Record<string, unknown> | undefined;
  const fields = fieldSchemas(channel);
  const out: MalformedRequest[] = [];
  const add = (label: string, payload: unknown, field?: string) => out.push({ channel, label, payload, field });

  if (!fields || !valid) {
    for (const [label, value] of WRONG_VALUES) add(label, value);
    add('an object with 1 MB of text', { padding: HUGE.text });
    add('50 MB of bytes', HUGE.bytes);
    for (const [key, make] of PROTOTYPE_OBJECTS) add(`an object with own key ${key}`, make());
    return out;
  }
  for (const [label, value] of [['undefined', undefined], ...WRONG_VALUES] as [string, unknown][]) {
    if (!(label === 'an object' && !Object.values(fields).some((f) => !f.safeParse(undefined).success)))
      add(label, value);
  }
  add('an array holding a valid payload', [valid]);
  add('50 MB of bytes', HUGE.bytes);
  add('an extra field of 1 MB', { ...valid, padding: HUGE.text }, 'padding');
  add('an own __proto__ key', { ...JSON.parse('{"__proto__": {"polluted": true}}'), ...valid }, '__proto__');
  add('a constructor key', { ...valid, constructor: 'x' }, 'constructor');

  for (const [name, schema] of Object.entries(fields)) {
    const without = Object.fromEntries(Object.entries(valid).filter(([key]) => key !== name));
    if (!schema.safeParse(undefined).success) add(`${name} missing`, without, name);
    for (const [label, value] of WRONG_VALUES) {
      if (!schema.safeParse(value).success) add(`${name} as ${label}`, { ...valid, [name]: value }, name);
    }
    if (JSON_FIELDS.has(name)) {
      add(`${name} with a million keys`, { ...valid, [name]: HUGE.millionKeys }, name);
      add(`${name} as 50 MB of bytes`, { ...valid, [name]: HUGE.bytes }, name);
      add(`${name} nested 100,000 deep`, { ...valid, [name]: HUGE.deep }, name);
      add(`${name} as 1 MB of text`, { ...valid, [name]: HUGE.text }, name);
      for (const [key, make] of PROTOTYPE_OBJECTS)
        add(`${name} with own key ${key}`, { ...valid, [name]: make() }, name);
    }
    if (ARRAY_FIELDS.has(name)) {
      add(`${name} as 50 MB of bytes`, { ...valid, [name]: HUGE.bytes }, name);
      add(`${name} with two million items`, { ...valid, [name]: HUGE.longArray }, name);
    }
  }
  if (channel === 'predict:image') {
    const image = (width: number, height: number, data: unknown) => ({ ...valid, image: { width, height, data } });
    add('image.data of 50 MB', image(1024, 1024, HUGE.bytes), 'image.data');
    add('image 4096×4096', image(4096, 4096, pixels(4096, 4096)), 'image.width');
    add('image.data shorter than width×height×4', image(2, 2, new Uint8ClampedArray(12)), 'image.data');
    add('image.data as a number array', image(2, 2, Array.from(pixels(2, 2))), 'image.data');
    add(
      'image with an extra field',
      { ...valid, image: { width: 2, height: 2, data: pixels(2, 2), padding: HUGE.text } },
      'image.padding',
    );
  }
  if (channel === 'predict:strokes') {
    const drawing = (strokes: unknown) => ({ ...valid, strokes });
    /** The valid drawing with its first point changed. */
    const firstPoint = (change: Record<string, unknown>) => drawing([[{ ...point(10, 20), ...change }]]);
    add(`${MAX_STROKES + 1} strokes`, drawing(Array.from({ length: MAX_STROKES + 1 }, () => [point(1, 1)])), 'strokes');
    const half = Array.from({ length: MAX_DRAWING_POINTS / 2 + 1 }, () => point(1, 1));
    add(`${MAX_DRAWING_POINTS + 2} points in two strokes`, drawing([half, half]), 'strokes');
    add('a stroke of two million items', drawing([HUGE.longArray]), 'strokes');
    add('a stroke as 50 MB of bytes', drawing([HUGE.bytes]), 'strokes.0');
    add('a stroke that is a point', drawing([point(1, 1)]), 'strokes.0');
    add('a point as an [x, y] array', drawing([[[1, 2]]]), 'strokes.0.0');
    add('a point as null', drawing([[point(1, 1), null]]), 'strokes.0.1');
    add('a point without width', drawing([[{ x: 1, y: 2 }]]), 'strokes.0.0.width');
    add('x as NaN', firstPoint({ x: NaN }), 'strokes.0.0.x');
    add('y as Infinity', firstPoint({ y: Infinity }), 'strokes.0.0.y');
    add('x past the coordinate limit', firstPoint({ x: MAX_COORDINATE * 10 }), 'strokes.0.0.x');
    add('y far negative', firstPoint({ y: -MAX_COORDINATE - 1 }), 'strokes.0.0.y');
    add('x as a numeric string', firstPoint({ x: '10' }), 'strokes.0.0.x');
    add('width 0', firstPoint({ width: 0 }), 'strokes.0.0.width');
    add('a negative width', firstPoint({ width: -BASE_WIDTH }), 'strokes.0.0.width');
    add('a width past the limit', firstPoint({ width: MAX_POINT_WIDTH + 1 }), 'strokes.0.0.width');
    add('a point with an extra field of 1 MB', firstPoint({ padding: HUGE.text }), 'strokes.0.0.padding');
    add(
      'a point with an own __proto__ key',
      drawing([[{ ...JSON.parse('{"__proto__": {"polluted": true}}'), ...point(1, 1) }]]),
      'strokes.0.0.__proto__',
    );
  }
  if (channel === 'inspect:model') {
    const input = (value: unknown) => ({ ...valid, input: value });
    add('input with two kinds at once', input({ testIndex: 0, pixels: new Array(784).fill(0) }), 'input');
    add('input of an unknown kind', input({ image: 'x' }), 'input');
    add('pixels of 783 values', input({ pixels: new Array(783).fill(0) }), 'input');
    add('pixels of two million values', input({ pixels: HUGE.longArray }), 'input');
    add('a pixel above 255', input({ pixels: new Array(784).fill(0).fill(256, 0, 1) }), 'input');
    add('a negative testIndex', input({ testIndex: -1 }), 'input');
    add('a fractional testIndex', input({ testIndex: 1.5 }), 'input');
    add('epoch 0', { ...valid, epoch: 0 }, 'epoch');
    add('an unknown saliency method', { ...valid, saliency: { method: 'occlusion' } }, 'saliency.method');
    add('a negative classIndex', { ...valid, saliency: { classIndex: -1 } }, 'saliency.classIndex');
    add('saliency with an extra field', { ...valid, saliency: { padding: HUGE.text } }, 'saliency.padding');
  }
  if (channel === 'inspect:filters') add('a fractional compareEpoch', { ...valid, compareEpoch: 1.5 }, 'compareEpoch');
  return out;
}

/** Channel names that are not channels: inherited property names, unknown names, non-strings. */
export const NOT_CHANNELS: unknown[] = [
  'constructor',
  'toString',
  '__proto__',
  'hasOwnProperty',
  'valueOf',
  'fs:read',
  '',
  42,
  null,
  'x'.repeat(100_000),
];

/** What a raw JavaScript error that escaped a handler reads like. */
export const RAW_ERROR =
  /Cannot read propert|Cannot destructure|is not a function|is not iterable|is not a constructor|undefined is not|null is not|Cannot convert|Maximum call stack/;
