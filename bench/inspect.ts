// `npm run bench:inspect`: how fast inspect:model answers while the user draws, against the target: the
// seed CNN's every layer (and its saliency map) updated within 100 ms of a stroke, on the native CPU backend.
// The drawings are MNIST test digits redrawn as Draw pad strokes (bench/drawn-digits: skeleton, then the pad's
// stroke path at MNIST's size), each also cut at 25%, 50% and 75% of its points, as a drawing is while it grows.
// Measured two ways, interleaved request by request: in this process (EngineService.handle, the engine's own
// cost) and as a round trip to a forked engine process over the protocol Electron main uses (engine-host.ts:
// fork, serialization 'advanced', electron/engine/process.ts), which adds the structured-clone copy of ~100k
// floats each way through the pipe. Each without saliency, with gradient × input and with Grad-CAM; predict:strokes
// (what Draw asks today) for comparison. Prints p50/p95/max per case and the answer's size as it crosses the pipe
// (v8 serialisation, what 'advanced' sends), then one JSON line. Not a test.
// The run's weights: the seed template's seeded initial weights (random; latency does not depend on them), or,
// with --train N, the seed CNN briefly trained on N MNIST images for one epoch.
// Options: --requests N (200, per case and place) --warmup N (20) --backend auto|native|wasm|cpu (auto; the
//          forked engine always picks automatically, as the app's does) --train N (0: random weights)
import { fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { BACKEND_PREFERENCES, initBackend, type BackendPreference } from '#engine/backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { buildModel } from '#engine/model/build.ts';
import { trainNewRun } from '#engine/runner.ts';
import { EngineService } from '#engine/service.ts';
import { runCheckpointDir, writeCheckpoint } from '#engine/train/checkpoint.ts';
import type { Channel, Envelope, ModelInspection } from '#shared/contract.ts';
import type { BackendInfo } from '#shared/types.ts';
import type { Stroke } from '#shared/drawing.ts';
import type { EngineToMain } from '#shared/engine-protocol.ts';
import { DEFAULT_HYPERPARAMETERS } from '#shared/hyperparameters.ts';
import { getTemplate } from '#shared/model/index.ts';
import { digitSkeleton } from './drawn-digits/skeleton.ts';
import { drawVariation, VARIATIONS } from './drawn-digits/variations.ts';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const whole = (name: string, fallback: number, min: number) => {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got ${option(name, '')}`);
    process.exit(2);
  }
  return value;
};
const requests = whole('requests', 200, 1);
const warmup = whole('warmup', 20, 0);
const trainImages = whole('train', 0, 0);
const backend = option('backend', 'auto') as BackendPreference;
if (!BACKEND_PREFERENCES.includes(backend)) {
  console.error(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}`);
  process.exit(2);
}
const TARGET_MS = 100;

// ---- the run ----------------------------------------------------------------------------------------------------
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-bench-inspect-'));
process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
const dbPath = path.join(dir, 'layerlab.db');
const info: BackendInfo = await initBackend(backend);
const service = new EngineService({ dbPath, dataDir: dir, emit: () => {} });
const seed = getTemplate('seed');
let runId: number;
let weights: string;
if (trainImages > 0) {
  const started = performance.now();
  const outcome = await trainNewRun(
    { store: service.store, checkpointRoot: path.join(dir, 'runs'), backend, testLimit: 1000, log: () => {} },
    { spec: seed, hyperparameters: { trainSize: trainImages, epochs: 1, validationSplit: 0, seed: 1 } },
  );
  runId = outcome.run.id;
  weights = `the seed CNN trained on ${trainImages} MNIST images for 1 epoch (${((performance.now() - started) / 1000).toFixed(1)} s, test accuracy ${((outcome.evaluation?.testAccuracy ?? 0) * 100).toFixed(1)}% on 1,000)`;
} else {
  const mnist = resolveDatasetSource('mnist');
  runId = service.store.createRun({
    name: 'bench seed',
    spec: seed,
    hyperparameters: DEFAULT_HYPERPARAMETERS,
    dataset: { id: mnist.id, name: mnist.name, classes: mnist.classes, trainCount: 60000, testCount: 10000 },
  }).id;
  const model = buildModel(seed, { seed: 42 });
  const folder = await writeCheckpoint(runCheckpointDir(path.join(dir, 'runs'), runId), {
    epoch: 1,
    weights: model.getWeights().map((tensor, i) => ({ name: `w${i}`, tensor })),
    optimizer: { className: 'Adam', weights: [] },
  });
  model.dispose();
  service.store.recordCheckpoint(runId, { epoch: 1, path: folder });
  weights = "the seed template's seeded initial weights (random: latency does not depend on them)";
}

// ---- the drawings -----------------------------------------------------------------------------------------------
const test = loadDataset(resolveDatasetSource('mnist')).test;
const variation = VARIATIONS.find((v) => v.path === 'strokes')!;
const drawings: Stroke[][] = [];
for (let index = 0; index < 25; index++) {
  const pixels = test.images.slice(index * 784, (index + 1) * 784);
  const digit = { index, label: test.labels[index], pixels, skeleton: digitSkeleton(pixels) };
  const drawn = drawVariation(variation, digit, 42);
  if (drawn.path !== 'strokes') continue;
  const points = drawn.strokes.reduce((n, s) => n + s.length, 0);
  for (const share of [0.25, 0.5, 0.75, 1]) {
    // The drawing as it is once `share` of its points are down: whole strokes, then part of the next.
    let left = Math.max(1, Math.round(points * share));
    const partial: Stroke[] = [];
    for (const stroke of drawn.strokes) {
      if (left <= 0) break;
      partial.push(stroke.slice(0, left));
      left -= stroke.length;
    }
    drawings.push(partial);
  }
}
const pointCounts = drawings.map((d) => d.reduce((n, s) => n + s.length, 0));

// ---- the cases ----------------------------------------------------------------------------------------------------
interface Case {
  label: string;
  channel: Channel;
  payload: (strokes: Stroke[]) => unknown;
}
const CASES: Case[] = [
  {
    label: 'predict:strokes (today’s Draw)',
    channel: 'predict:strokes',
    payload: (strokes) => ({ runIds: [runId], strokes }),
  },
  {
    label: 'inspect:model, no saliency',
    channel: 'inspect:model',
    payload: (strokes) => ({ runId, input: { strokes }, saliency: null }),
  },
  {
    label: 'inspect:model, gradient × input',
    channel: 'inspect:model',
    payload: (strokes) => ({ runId, input: { strokes }, saliency: { method: 'gradient-input' } }),
  },
  {
    label: 'inspect:model, Grad-CAM',
    channel: 'inspect:model',
    payload: (strokes) => ({ runId, input: { strokes }, saliency: { method: 'grad-cam' } }),
  },
];

// ---- the forked engine, as engine-host.ts starts it ---------------------------------------------------------------
const child = fork(path.join(root, 'electron/engine/process.ts'), [], {
  execArgv: ['--import', 'tsx'],
  serialization: 'advanced',
  stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  env: { ...process.env, LAYERLAB_ENGINE_CONFIG: JSON.stringify({ dbPath, dataDir: dir, parentPid: process.pid }) },
});
child.stderr?.resume();
let nextId = 1;
const pending = new Map<number, (envelope: Envelope<unknown>) => void>();
await new Promise<void>((resolve, reject) => {
  child.on('message', (message: EngineToMain) => {
    if (message.kind === 'ready') resolve();
    else if (message.kind === 'response') (pending.get(message.id)?.(message.envelope), pending.delete(message.id));
    else if (message.kind === 'fatal') reject(new Error(message.message));
  });
  child.on('exit', (code) => reject(new Error(`the engine process exited with ${code}`)));
});
const remote = (channel: Channel, payload: unknown) =>
  new Promise<Envelope<unknown>>((resolve) => {
    const id = nextId++;
    pending.set(id, resolve);
    child.send({ kind: 'request', id, channel, payload });
  });

const PLACES = {
  'in process': (channel: Channel, payload: unknown) => service.handle(channel, payload),
  'engine process': remote,
} as const;
type Place = keyof typeof PLACES;

const times = new Map<string, number[]>();
const sizes = new Map<string, number[]>();
let floats = 0;
async function measure(place: Place, c: Case, strokes: Stroke[], keep: boolean): Promise<void> {
  const started = performance.now();
  const envelope = await PLACES[place](c.channel, c.payload(strokes));
  const ms = performance.now() - started;
  if (!envelope.ok) throw new Error(`${c.label} (${place}): ${envelope.error.message}`);
  if (!keep) return;
  const key = `${place}|${c.label}`;
  (times.get(key) ?? times.set(key, []).get(key)!).push(ms);
  if (place === 'in process') {
    (sizes.get(c.label) ?? sizes.set(c.label, []).get(c.label)!).push(v8.serialize(envelope).length);
    if (c.channel === 'inspect:model')
      floats = (envelope.value as ModelInspection).layers.reduce((n, l) => n + l.values.length, 0);
  }
}

for (let round = 0; round < warmup + requests; round++) {
  const strokes = drawings[round % drawings.length];
  for (let k = 0; k < CASES.length; k++) {
    const c = CASES[(k + round) % CASES.length]; // rotate the order each round
    for (const place of Object.keys(PLACES) as Place[]) await measure(place, c, strokes, round >= warmup);
  }
}
const engineBackend = (await remote('backend:active', undefined)) as Envelope<BackendInfo | null>;
child.send({ kind: 'shutdown' });
await new Promise((r) => child.once('exit', r));
await service.shutdown();

// ---- the report ---------------------------------------------------------------------------------------------------
const quantile = (xs: number[], q: number) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const rows: { place: Place; case: string; p50: number; p95: number; max: number; bytes: number }[] = [];
for (const place of Object.keys(PLACES) as Place[])
  for (const c of CASES) {
    const xs = times.get(`${place}|${c.label}`)!;
    const bytes = quantile(sizes.get(c.label)!, 0.5);
    rows.push({ place, case: c.label, p50: quantile(xs, 0.5), p95: quantile(xs, 0.95), max: Math.max(...xs), bytes });
  }
const describe = (b: Envelope<BackendInfo | null>) =>
  b.ok && b.value ? `${b.value.kind} (${b.value.device})` : 'not started';
console.log(`inspect:model latency: seed CNN, ${requests} requests per case and place after ${warmup} warm-up rounds`);
console.log(`weights: ${weights}`);
console.log(
  `drawings: ${drawings.length} (25 MNIST test digits as pad strokes, each at 25/50/75/100% of its points; ${Math.min(...pointCounts)}–${Math.max(...pointCounts)} points)`,
);
console.log(`in process: ${info.kind} (${info.device}); engine process: ${describe(engineBackend)}`);
console.log(`every layer's output: ${floats.toLocaleString('en-US')} floats\n`);
const header = ['where', 'request', 'p50 ms', 'p95 ms', 'max ms', 'answer'];
const cells = rows.map((r) => [r.place, r.case, r.p50.toFixed(1), r.p95.toFixed(1), r.max.toFixed(1), kb(r.bytes)]);
const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
for (const line of [header, widths.map((w) => '-'.repeat(w)), ...cells])
  console.log(line.map((c, i) => (i >= 2 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  '));
const worst = Math.max(...rows.filter((r) => r.case.startsWith('inspect')).map((r) => r.p95));
console.log(
  `\ntarget: every inspect:model case within ${TARGET_MS} ms at p95 — ${worst <= TARGET_MS ? 'met' : 'NOT met'} (worst p95 ${worst.toFixed(1)} ms)`,
);
console.log(
  JSON.stringify({
    requests,
    warmup,
    weights: trainImages > 0 ? `trained:${trainImages}` : 'random',
    backend: info.kind,
    engineBackend: engineBackend.ok ? (engineBackend.value?.kind ?? null) : null,
    floats,
    targetMs: TARGET_MS,
    met: worst <= TARGET_MS,
    results: rows.map((r) => ({ ...r, p50: +r.p50.toFixed(2), p95: +r.p95.toFixed(2), max: +r.max.toFixed(2) })),
  }),
);
process.exit(0);
