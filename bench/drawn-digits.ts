// `npm run bench:drawn-digits`: how well the seed CNN reads digits drawn on the Draw pad, with and without
// training augmentation. MNIST test digits are redrawn through the real Draw paths (bench/drawn-digits/
// variations.ts): as pad strokes through preprocessStrokes at other sizes, places, pen widths, angles and
// slants, and as 280×280 images through preprocessCanvas (what `layerlab predict` does with a PNG). Trains two
// runs of the seed CNN with the same seed, batch size and data (one with the seed recipe, one with the
// 'seed-augmented' template's recipe), or reuses two recorded ones; prints each run's plain test accuracy on all
// 10,000 test digits, a table of accuracy per variation and run on the first --limit digits with the goals
// each meets, and one JSON line with every figure. Progress goes to stderr. Not a test.
// Goals (for the augmented run): lose at most 0.2 points of plain test accuracy; ≥ 98% in every size and position
// variation; ≥ 97% for strokes one pixel thicker or thinner, for rotations of 15° and for a small digit drawn
// with the pad's own brush. Slants and the even (mouse) pen are reported without a goal.
// Options: --epochs N (5) --batch-size N (32) --train-size N (60000) --seed N (42) --limit N (2000)
//          --backend auto|native|wasm|cpu (auto) --db FILE (train into FILE and keep it; default a temporary one)
//          --runs A,B (with --db: reuse runs A, without augmentation, and B, with it, instead of training)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_PREFERENCES, initBackend, type BackendPreference } from '#engine/backend/backends.ts';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { modelEvaluationBatchSize } from '#engine/evaluate/evaluate.ts';
import { RunModelCache } from '#engine/evaluate/model-cache.ts';
import { preprocessInk } from '#engine/evaluate/preprocess.ts';
import { trainNewRun } from '#engine/runner.ts';
import { Store } from '#engine/store/index.ts';
import { getTemplate, templateHyperparameters } from '#shared/model/index.ts';
import type { Hyperparameters } from '#shared/types.ts';
import { digitSkeleton } from './drawn-digits/skeleton.ts';
import { VARIATIONS, drawVariation, modelInput, type TestDigit, type Variation } from './drawn-digits/variations.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const whole = (name: string, fallback: number, min = 1) => {
  const value = Number(option(name, String(fallback)));
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be a whole number of at least ${min}, got ${option(name, '')}`);
    process.exit(2);
  }
  return value;
};
const epochs = whole('epochs', 5);
const batchSize = whole('batch-size', 32);
const trainSize = whole('train-size', 60000);
const seed = whole('seed', 42, 0);
const limitOption = whole('limit', 2000);
const backendOption = option('backend', 'auto') as BackendPreference;
const dbOption = option('db', '');
const runsOption = option('runs', '');
if (!BACKEND_PREFERENCES.includes(backendOption)) {
  console.error(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, got ${backendOption}`);
  process.exit(2);
}
if (runsOption && !dbOption) {
  console.error('--runs A,B reuses runs recorded in a database: give it with --db FILE');
  process.exit(2);
}

const progress = (line: string) => process.stderr.write(`${line}\n`);
const percent = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(2)}%`);
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;
const seconds = (since: number) => (performance.now() - since) / 1000;

/** The two runs compared: the seed recipe, and the same with the 'seed-augmented' template's augmentation. */
const RUNS = [
  { key: 'seed', label: 'seed', template: 'seed', recipe: templateHyperparameters('seed') },
  {
    key: 'augmented',
    label: 'seed-augmented',
    template: 'seed-augmented',
    recipe: templateHyperparameters('seed-augmented'),
  },
] as const;
type RunKey = (typeof RUNS)[number]['key'];

const backend = await initBackend(backendOption);
const dataset = loadDataset(resolveDatasetSource('mnist'));
const limit = Math.min(limitOption, dataset.test.count);
progress(
  `bench:drawn-digits — seed CNN on ${backend.kind} (${backend.device}); ${VARIATIONS.length} variations of the first ${limit} test digits`,
);

const temporary = dbOption ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-drawn-digits-'));
const dbFile = path.resolve(dbOption || path.join(temporary!, 'bench.db'));
const store = Store.open(dbFile, { owner: 'bench:drawn-digits', log: (message) => progress(`layerlab: ${message}`) });
const models = new RunModelCache(store);

interface RunInfo {
  runId: number;
  hyperparameters: Hyperparameters;
  trainingSeconds: number | null;
}

async function trainRun(run: (typeof RUNS)[number]): Promise<RunInfo> {
  const started = performance.now();
  const hyperparameters: Partial<Hyperparameters> = {
    ...run.recipe,
    epochs,
    batchSize,
    validationSplit: 0,
    trainSize: trainSize >= dataset.train.count ? null : trainSize,
    seed,
  };
  const outcome = await trainNewRun(
    {
      store,
      checkpointRoot: path.join(path.dirname(dbFile), 'runs'),
      backend: backendOption,
      log: progress,
      onEvent: (event) => {
        if (event.type === 'started')
          progress(
            `${run.label}: run ${event.runId}, ${event.trainCount} images × ${event.epochs} epochs, ${event.backend.trainer} trainer`,
          );
        if (event.type === 'epoch') {
          const m = event.metric;
          progress(
            `${run.label}: epoch ${m.epoch + 1}/${epochs}  loss ${m.loss.toFixed(4)}  accuracy ${percent(m.accuracy)}  ${m.samplesPerSecond.toFixed(0)} samples/s`,
          );
        }
      },
    },
    { name: `drawn-digits bench · ${run.label}`, spec: getTemplate(run.template), hyperparameters },
  );
  if (outcome.run.status !== 'completed')
    throw new Error(`${run.label} training ended ${outcome.run.status}: ${outcome.run.error ?? 'no error recorded'}`);
  return { runId: outcome.run.id, hyperparameters: outcome.run.hyperparameters, trainingSeconds: seconds(started) };
}

function reusedRun(runId: number, run: (typeof RUNS)[number]): RunInfo {
  const record = store.getRun(runId);
  if (!record) throw new Error(`--runs: run ${runId} does not exist in ${dbFile}`);
  if (!store.checkpointFor(runId, 'default')) throw new Error(`--runs: run ${runId} has no saved weights`);
  progress(`${run.label}: reusing run ${runId} (${record.name}, ${record.epochsCompleted} epochs)`);
  return { runId, hyperparameters: record.hyperparameters, trainingSeconds: null };
}

/** Predicted class of each of `count` 28×28 inputs (row after row, 0..1), in batches as evaluation makes them. */
function predictClasses(model: tf.LayersModel, inputs: Float32Array, count: number): Int32Array {
  const batch = Math.min(modelEvaluationBatchSize(model), 1024);
  const predicted = new Int32Array(count);
  for (let start = 0; start < count; start += batch) {
    const n = Math.min(batch, count - start);
    const classes = tf.tidy(() => {
      const x = tf.tensor4d(inputs.subarray(start * 784, (start + n) * 784), [n, 28, 28, 1]);
      return (model.predict(x, { batchSize: n }) as tf.Tensor).argMax(-1);
    });
    predicted.set(classes.dataSync() as Int32Array, start);
    classes.dispose();
  }
  return predicted;
}

const accuracyOf = (predicted: Int32Array, count: number) => {
  let correct = 0;
  for (let i = 0; i < count; i++) if (predicted[i] === dataset.test.labels[i]) correct++;
  return correct / count;
};

try {
  // ---- The two runs: trained here, or recorded ones ----
  const trainingStarted = performance.now();
  const runs = {} as Record<RunKey, RunInfo>;
  if (runsOption) {
    const ids = runsOption.split(',').map(Number);
    if (ids.length !== 2 || !ids.every((id) => Number.isInteger(id) && id > 0))
      throw new Error(`--runs takes two run ids, the run without augmentation first: got ${runsOption}`);
    RUNS.forEach((run, i) => (runs[run.key] = reusedRun(ids[i], run)));
  } else {
    for (const run of RUNS) runs[run.key] = await trainRun(run);
    if (dbOption)
      progress(
        `runs kept in ${dbFile}: reuse them with --db ${dbOption} --runs ${runs.seed.runId},${runs.augmented.runId}`,
      );
  }
  const trainingSeconds = seconds(trainingStarted);
  const loaded = {} as Record<RunKey, tf.LayersModel>;
  for (const run of RUNS) loaded[run.key] = await models.get(runs[run.key].runId);

  // ---- Plain MNIST test accuracy, all 10,000 ----
  const testCount = dataset.test.count;
  const plainInputs = Float32Array.from(dataset.test.images.subarray(0, testCount * 784), (v) => v / 255);
  const testAccuracy = {} as Record<RunKey, number>;
  const subsetAccuracy = {} as Record<RunKey, number>;
  for (const run of RUNS) {
    const predicted = predictClasses(loaded[run.key], plainInputs, testCount);
    testAccuracy[run.key] = accuracyOf(predicted, testCount);
    subsetAccuracy[run.key] = accuracyOf(predicted, limit);
    progress(`${run.label}: plain test accuracy ${percent(testAccuracy[run.key])} on ${testCount} digits`);
  }
  // The same digits cropped, scaled and centred again as every drawing is (preprocessInk on the 28×28 itself):
  // what the preprocessing alone changes, the floor of every variation's input Δ.
  const reprocessed = new Float32Array(limit * 784);
  let reprocessedDifference = 0;
  for (let i = 0; i < limit; i++) {
    const { pixels } = preprocessInk(plainInputs.subarray(i * 784, (i + 1) * 784), 28, 28);
    reprocessed.set(pixels, i * 784);
    for (let p = 0; p < 784; p++) reprocessedDifference += Math.abs(pixels[p] - plainInputs[i * 784 + p]);
  }
  reprocessedDifference /= limit * 784;
  const reprocessedAccuracy = {} as Record<RunKey, number>;
  for (const run of RUNS)
    reprocessedAccuracy[run.key] = accuracyOf(predictClasses(loaded[run.key], reprocessed, limit), limit);

  // ---- The digits as strokes ----
  const skeletonStarted = performance.now();
  const digits: TestDigit[] = [];
  for (let index = 0; index < limit; index++) {
    const pixels = dataset.test.images.slice(index * 784, (index + 1) * 784);
    digits.push({ index, label: dataset.test.labels[index], pixels, skeleton: digitSkeleton(pixels) });
  }
  const skeletonSeconds = seconds(skeletonStarted);
  progress(`skeletons of ${limit} digits: ${skeletonSeconds.toFixed(1)} s`);

  // ---- Each variation: drawn, preprocessed, predicted by both runs ----
  interface VariationResult {
    variation: Variation;
    accuracy: Record<RunKey, number>;
    /** Mean |model input − MNIST digit| per pixel (0..1): how far the drawing moved from the original. */
    inputDifference: number;
    /** Median ink mass of the model input ÷ the MNIST digit's. */
    inkRatio: number;
    /** Drawings the Draw path rejected (counted as wrong). */
    errors: number;
    seconds: number;
  }
  const results: VariationResult[] = [];
  const variationsStarted = performance.now();
  for (const variation of VARIATIONS) {
    const started = performance.now();
    const inputs = new Float32Array(limit * 784);
    const ratios: number[] = [];
    let difference = 0;
    let errors = 0;
    const rejected = new Uint8Array(limit);
    for (const digit of digits) {
      let input: Float32Array;
      try {
        input = modelInput(drawVariation(variation, digit, seed));
      } catch (err) {
        if (errors++ === 0) progress(`${variation.id}: digit ${digit.index}: ${(err as Error).message}`);
        rejected[digit.index] = 1;
        continue;
      }
      inputs.set(input, digit.index * 784);
      let mass = 0;
      let original = 0;
      for (let p = 0; p < 784; p++) {
        const v = digit.pixels[p] / 255;
        difference += Math.abs(input[p] - v);
        mass += input[p];
        original += v;
      }
      ratios.push(mass / original);
    }
    const accuracy = {} as Record<RunKey, number>;
    for (const run of RUNS) {
      const predicted = predictClasses(loaded[run.key], inputs, limit);
      for (let i = 0; i < limit; i++) if (rejected[i]) predicted[i] = -1;
      accuracy[run.key] = accuracyOf(predicted, limit);
    }
    ratios.sort((a, b) => a - b);
    const result: VariationResult = {
      variation,
      accuracy,
      inputDifference: difference / (Math.max(limit - errors, 1) * 784),
      inkRatio: ratios.length ? ratios[ratios.length >> 1] : 0,
      errors,
      seconds: seconds(started),
    };
    results.push(result);
    progress(
      `${variation.id}: ${RUNS.map((r) => `${r.label} ${percent(accuracy[r.key])}`).join(', ')} (${result.seconds.toFixed(1)} s)`,
    );
  }
  const variationSeconds = seconds(variationsStarted);

  // ---- Report ----
  const met = (accuracy: number, goal: number | null) => (goal === null ? null : accuracy >= goal);
  const mark = (ok: boolean | null) => (ok === null ? ' ' : ok ? '✓' : '✗');
  const plainLoss = testAccuracy.seed - testAccuracy.augmented;
  const plainMet = plainLoss <= 0.002 + 1e-9;

  console.log(
    `bench:drawn-digits — seed CNN, ${epochs} epochs, batch ${batchSize}, ${Math.min(trainSize, dataset.train.count)} training images, seed ${seed}, on ${backend.kind} (${backend.device})`,
  );
  console.log('\nplain MNIST test accuracy (all 10,000):');
  for (const run of RUNS) {
    const h = runs[run.key].hyperparameters;
    const recipe = `rotation ${h.augmentRotation}°, scale ${h.augmentScale}, shift ${h.augmentShift} px, thickness ${h.augmentThickness}, elastic ${h.augmentElastic} px`;
    console.log(
      `  ${run.label.padEnd(15)} ${percent(testAccuracy[run.key]).padStart(7)}   run ${runs[run.key].runId}; augmentation: ${recipe}`,
    );
  }
  console.log(`  augmentation costs ${(plainLoss * 100).toFixed(2)} points (goal: at most 0.20) ${mark(plainMet)}`);

  const labelWidth = Math.max(...VARIATIONS.map((v) => v.label.length), 30);
  console.log(
    `\naccuracy on the first ${limit} test digits, drawn (±${(100 * Math.sqrt((0.98 * 0.02) / limit)).toFixed(2)} points standard error at 98%):`,
  );
  console.log(
    `  ${'variation'.padEnd(labelWidth)}  ${'goal'.padStart(4)}  ${RUNS.map((r) => r.label.padStart(16)).join(' ')}  ${'input Δ'.padStart(7)}  ${'ink'.padStart(5)}`,
  );
  console.log(
    `  ${'plain MNIST digits'.padEnd(labelWidth)}  ${''.padStart(4)}  ${RUNS.map((r) => `${percent(subsetAccuracy[r.key])}  `.padStart(16)).join(' ')}  ${(0).toFixed(3).padStart(7)}  ${(1).toFixed(2).padStart(5)}`,
  );
  console.log(
    `  ${'plain, cropped/scaled/centred again'.padEnd(labelWidth)}  ${''.padStart(4)}  ${RUNS.map((r) => `${percent(reprocessedAccuracy[r.key])}  `.padStart(16)).join(' ')}  ${reprocessedDifference.toFixed(3).padStart(7)}`,
  );
  for (const r of results) {
    const v = r.variation;
    const goal = v.goal === null ? '-' : `${Math.round(v.goal * 100)}%`;
    const cells = RUNS.map((run) =>
      `${percent(r.accuracy[run.key])} ${mark(met(r.accuracy[run.key], v.goal))}`.padStart(16),
    );
    console.log(
      `  ${v.label.padEnd(labelWidth)}  ${goal.padStart(4)}  ${cells.join(' ')}  ${r.inputDifference.toFixed(3).padStart(7)}  ${r.inkRatio.toFixed(2).padStart(5)}${r.errors ? `  (${r.errors} rejected)` : ''}`,
    );
  }
  const withGoal = results.filter((r) => r.variation.goal !== null);
  const goalsMet = Object.fromEntries(
    RUNS.map((run) => [run.key, withGoal.filter((r) => met(r.accuracy[run.key], r.variation.goal)).length]),
  ) as Record<RunKey, number>;
  console.log(
    `\ngoals met: ${RUNS.map((run) => `${run.label} ${goalsMet[run.key]} of ${withGoal.length}`).join(', ')}; plain accuracy kept within 0.2 points: ${plainMet ? 'yes' : 'no'}`,
  );
  console.log(
    '(input Δ: mean |model input − MNIST digit| per pixel, 0..1; ink: median ink mass of the model input ÷ the digit’s;\n' +
      ' "cropped/scaled/centred again": the plain digits through preprocessInk, what preprocessing alone changes)',
  );

  console.log(
    JSON.stringify({
      bench: 'drawn-digits',
      backend: backend.kind,
      device: backend.device,
      epochs,
      batchSize,
      trainSize: Math.min(trainSize, dataset.train.count),
      seed,
      limit,
      db: temporary ? null : dbFile,
      runs: Object.fromEntries(
        RUNS.map((run) => [
          run.key,
          {
            runId: runs[run.key].runId,
            template: run.template,
            testAccuracy: round4(testAccuracy[run.key]),
            subsetAccuracy: round4(subsetAccuracy[run.key]),
            reprocessedAccuracy: round4(reprocessedAccuracy[run.key]),
            goalsMet: goalsMet[run.key],
          },
        ]),
      ),
      goals: { of: withGoal.length, plainLossPoints: Math.round(plainLoss * 1e4) / 100, plainMet },
      reprocessedInputDifference: round4(reprocessedDifference),
      variations: Object.fromEntries(
        results.map((r) => [
          r.variation.id,
          {
            path: r.variation.path,
            group: r.variation.group,
            goal: r.variation.goal,
            accuracy: Object.fromEntries(RUNS.map((run) => [run.key, round4(r.accuracy[run.key])])),
            met: Object.fromEntries(RUNS.map((run) => [run.key, met(r.accuracy[run.key], r.variation.goal)])),
            inputDifference: round4(r.inputDifference),
            inkRatio: Math.round(r.inkRatio * 100) / 100,
            errors: r.errors,
          },
        ]),
      ),
      seconds: {
        training: runsOption ? null : Math.round(trainingSeconds * 10) / 10,
        skeletons: Math.round(skeletonSeconds * 10) / 10,
        variations: Math.round(variationSeconds * 10) / 10,
      },
    }),
  );
} finally {
  models.dispose();
  store.close();
  if (temporary) fs.rmSync(temporary, { recursive: true, force: true });
}
