// `npm run bench:train`: the seed recipe (batch 32, no validation split) on Layerlab's graph trainer, its eager
// trainer (both on the native backend), the wasm backend (on a subset: it is slow) and the seed's own Keras script,
// interleaved round by round with the order rotated each round, so a noisy machine and "who runs first" hit all alike.
// Reports the whole-run rate and the steady-state rate (epochs 2..N: no Keras tracing, no graph first-call
// optimisation), then one JSON line with every figure. Not a test.
// `augmented` is the graph trainer on the seed-augmented template (the same network, its augmentation recipe
// applied to every batch), so what augmentation costs shows as augmented/graph; `keras-augmented` is the Keras
// script with Keras's own augmentation layers (keras_seed.py --augment), what the same choice costs Keras.
// Options: --epochs N (5) --batch-size N (32) --train-size N (60000) --wasm-train-size N (6000) --rounds N (3)
//          --trainers graph,augmented,eager,wasm,keras,keras-augmented (all available) --python PATH (.native/venv/bin/python, then python3)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDoctor } from '#engine/backend/doctor.ts';
import { builtinSources } from '#engine/data/datasets.ts';

const root = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const epochs = Number(option('epochs', '5'));
const batchSize = Number(option('batch-size', '32'));
const trainSize = Number(option('train-size', '60000'));
const wasmTrainSize = Number(option('wasm-train-size', '6000'));
const rounds = Number(option('rounds', '3'));

const TRAINERS = ['graph', 'augmented', 'eager', 'wasm', 'keras', 'keras-augmented'] as const;
type Trainer = (typeof TRAINERS)[number];

interface Result {
  samplesPerSecond: number; // whole run, first step included
  steadySamplesPerSecond: number | null; // epochs 2..N; null with a single epoch
  testAccuracy: number;
  trainingSeconds: number;
  detail: string;
}

/** Samples per second over epochs 2..N, from each epoch's sample count and seconds. */
function steadyRate(epochSamples: number, epochSeconds: number[]): number | null {
  const later = epochSeconds.slice(1);
  return later.length ? (epochSamples * later.length) / later.reduce((a, b) => a + b, 0) : null;
}

function lastJsonLine(out: ReturnType<typeof spawnSync>, what: string) {
  const line = String(out.stdout).trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) {
    const why = out.error?.message ?? (out.signal ? `killed by ${out.signal}` : `exit ${out.status}`);
    throw new Error(`${what} failed (${why}): ${String(out.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  }
  return JSON.parse(line);
}

function findPython(): string | null {
  const candidates = [option('python', ''), path.join(root, '.native/venv/bin/python'), 'python3'].filter(Boolean);
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import tensorflow'], {
        stdio: 'ignore',
        env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' },
      });
      return python;
    } catch {
      /* not importable here */
    }
  }
  return null;
}

function runLayerlab(backend: 'native' | 'wasm', trainer: 'graph' | 'eager', size: number, template = 'seed'): Result {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-bench-'));
  const cli = (...rest: string[]) =>
    spawnSync(process.execPath, ['bin/layerlab.mjs', '--db', path.join(dir, 'bench.db'), ...rest], {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
  try {
    // validation-split 0: the whole subset trains, as in the Keras script.
    const r = lastJsonLine(
      cli(
        'train',
        '--template',
        template,
        '--backend',
        backend,
        '--trainer',
        trainer,
        '--epochs',
        String(epochs),
        '--batch-size',
        String(batchSize),
        '--train-size',
        String(size),
        '--validation-split',
        '0',
        '--json',
      ),
      `layerlab ${backend} ${trainer}`,
    );
    if (r.backend !== backend || r.trainer !== trainer)
      throw new Error(`layerlab ran ${r.backend}/${r.trainer}, not ${backend}/${trainer}`);
    const shown = lastJsonLine(cli('runs', 'show', String(r.runId), '--json'), 'layerlab runs show');
    // Each epoch's training seconds from its samplesPerSecond (durationMs is whole ms and includes validation).
    const epochSeconds = shown.epochs.map((e: { samplesPerSecond: number }) => size / e.samplesPerSecond);
    return {
      samplesPerSecond: r.samplesPerSecond,
      steadySamplesPerSecond: steadyRate(size, epochSeconds),
      testAccuracy: r.testAccuracy,
      trainingSeconds: r.trainingSeconds,
      detail: `${size} images; ${r.device}; TensorFlow ${r.tensorflowVersion ?? '-'}`,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function runKeras(python: string, size: number, augment = false): Result {
  const dataDir = path.dirname(builtinSources()[0].files.trainImages);
  const r = lastJsonLine(
    spawnSync(
      python,
      [
        path.join(root, 'bench/keras_seed.py'),
        dataDir,
        '--epochs',
        String(epochs),
        '--batch-size',
        String(batchSize),
        '--train-size',
        String(size),
        ...(augment ? ['--augment'] : []),
      ],
      { encoding: 'utf8' },
    ),
    augment ? 'keras-augmented' : 'keras',
  );
  return {
    samplesPerSecond: r.samplesPerSecond,
    steadySamplesPerSecond: steadyRate(r.epochSamples, r.epochSeconds),
    testAccuracy: r.testAccuracy,
    trainingSeconds: r.trainingSeconds,
    detail: `${size} images; TensorFlow ${r.tensorflow} (Python)`,
  };
}

// What can run here, and why not otherwise.
const doctor = runDoctor();
const native = doctor.backends.find((b) => b.kind === 'native')!;
const python = findPython();
const unavailable: Partial<Record<Trainer, string>> = {};
if (!native.available)
  unavailable.graph = unavailable.augmented = unavailable.eager = `no native backend (${native.detail})`;
if (!python)
  unavailable.keras = unavailable['keras-augmented'] =
    'no importable Python TensorFlow (install one into .native/venv, or pass --python)';
const run: Record<Trainer, () => Result> = {
  graph: () => runLayerlab('native', 'graph', trainSize),
  augmented: () => runLayerlab('native', 'graph', trainSize, 'seed-augmented'),
  eager: () => runLayerlab('native', 'eager', trainSize),
  wasm: () => runLayerlab('wasm', 'eager', wasmTrainSize),
  keras: () => runKeras(python!, trainSize),
  'keras-augmented': () => runKeras(python!, trainSize, true),
};

const trainers = option('trainers', TRAINERS.join(','))
  .split(',')
  .filter((t): t is Trainer => {
    if (!TRAINERS.includes(t as Trainer)) console.log(`skipping ${t}: unknown trainer (use ${TRAINERS.join(', ')})`);
    else if (unavailable[t as Trainer]) console.log(`skipping ${t}: ${unavailable[t as Trainer]}`);
    else return true;
    return false;
  });
if (!trainers.length) process.exit(1);
console.log(
  `bench:train — seed CNN, ${epochs} epochs, batch ${batchSize}, ${trainSize} images (wasm: ${wasmTrainSize}), ${rounds} round(s) of ${trainers.join(', ')} on ${doctor.cpu}`,
);

const fmt = (x: number | null) => (x === null ? '-' : x.toFixed(0));
const results = Object.fromEntries(trainers.map((t) => [t, [] as Result[]])) as Record<Trainer, Result[]>;
for (let round = 0; round < rounds; round++) {
  const order = trainers.map((_, i) => trainers[(i + round) % trainers.length]);
  for (const t of order) {
    let r: Result;
    try {
      r = run[t]();
    } catch (err) {
      // One failed run costs its figure for this round, not the whole benchmark.
      console.log(`round ${round + 1}: ${t.padEnd(9)} failed: ${(err as Error).message}`);
      continue;
    }
    results[t].push(r);
    console.log(
      `round ${round + 1}: ${t.padEnd(9)} ${fmt(r.samplesPerSecond).padStart(6)} samples/s, steady ${fmt(r.steadySamplesPerSecond).padStart(6)}, ${r.trainingSeconds.toFixed(1)} s, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%`,
    );
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const stats = (xs: (number | null)[]) => {
  const ok = xs.filter((x): x is number => x !== null);
  return ok.length ? { median: median(ok), min: Math.min(...ok), max: Math.max(...ok) } : null;
};
const ran = trainers.filter((t) => results[t].length);
const summary = Object.fromEntries(
  ran.map((t) => {
    const rs = results[t];
    return [
      t,
      {
        runs: rs.length,
        whole: stats(rs.map((r) => r.samplesPerSecond)),
        steady: stats(rs.map((r) => r.steadySamplesPerSecond)),
        testAccuracy: median(rs.map((r) => r.testAccuracy)),
        detail: rs[0].detail,
      },
    ];
  }),
) as Record<
  Trainer,
  {
    runs: number;
    whole: ReturnType<typeof stats>;
    steady: ReturnType<typeof stats>;
    testAccuracy: number;
    detail: string;
  }
>;

const range = (s: ReturnType<typeof stats>) => (s ? `${fmt(s.min)}–${fmt(s.max)}` : '-');
console.log(`\nmedian over ${rounds} round(s) (samples/s; steady = epochs 2..${epochs}):`);
console.log(
  `  ${'trainer'.padEnd(9)} ${'whole'.padStart(6)} ${'range'.padStart(11)}  ${'steady'.padStart(6)} ${'range'.padStart(11)}  accuracy`,
);
for (const t of ran) {
  const s = summary[t];
  console.log(
    `  ${t.padEnd(9)} ${fmt(s.whole?.median ?? null).padStart(6)} ${range(s.whole).padStart(11)}  ${fmt(s.steady?.median ?? null).padStart(6)} ${range(s.steady).padStart(11)}  ${(s.testAccuracy * 100).toFixed(2)}%   (${s.detail}${s.runs < rounds ? `; ${s.runs} of ${rounds} rounds` : ''})`,
  );
}

// Ratios of the medians, where both sides ran.
const ratios: Record<string, { whole: number | null; steady: number | null }> = {};
const ratio = (a?: { median: number } | null, b?: { median: number } | null) =>
  a && b ? Math.round((a.median / b.median) * 100) / 100 : null;
for (const [a, b] of [
  ['graph', 'keras'],
  ['augmented', 'graph'],
  ['augmented', 'keras'],
  ['keras-augmented', 'keras'],
  ['augmented', 'keras-augmented'],
  ['graph', 'eager'],
  ['eager', 'keras'],
  ['wasm', 'keras'],
] as [Trainer, Trainer][]) {
  if (!summary[a] || !summary[b]) continue;
  ratios[`${a}/${b}`] = {
    whole: ratio(summary[a].whole, summary[b].whole),
    steady: ratio(summary[a].steady, summary[b].steady),
  };
}
if (Object.keys(ratios).length) console.log('\nratios of medians (whole, steady):');
for (const [name, r] of Object.entries(ratios))
  console.log(`  ${name.padEnd(15)} ${r.whole?.toFixed(2) ?? '-'}x  ${r.steady?.toFixed(2) ?? '-'}x`);

const round1 = (x: number) => Math.round(x * 10) / 10;
const rounded = (s: ReturnType<typeof stats>) =>
  s && { median: round1(s.median), min: round1(s.min), max: round1(s.max) };
console.log(
  JSON.stringify({
    bench: 'train',
    cpu: doctor.cpu,
    epochs,
    batchSize,
    trainSize,
    wasmTrainSize,
    rounds,
    skipped: unavailable,
    trainers: Object.fromEntries(
      ran.map((t) => [
        t,
        {
          ...summary[t],
          whole: rounded(summary[t].whole),
          steady: rounded(summary[t].steady),
          testAccuracy: Math.round(summary[t].testAccuracy * 1e4) / 1e4,
        },
      ]),
    ),
    ratios,
  }),
);
