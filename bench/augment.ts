// `node --import tsx bench/augment.ts`: µs per image of the augmentation kernel (electron/engine/train/augment.ts)
// on real MNIST training images, batch by batch into one reusable buffer as training does, for each transform
// alone, all of them together and a plain copy (everything off), with the seconds it adds to a 60,000-image
// epoch. Rounds are interleaved (each round runs every case, in a rotated order); it prints the best and median
// round by the wall clock and the best by this process' CPU time, since a shared machine makes the wall clock
// noisy. Not a test. Options: --images N (20000) --batch-size N (32) --rounds N (5)
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { Augmenter, NO_AUGMENTATION, type AugmentationSettings } from '#engine/train/augment.ts';

const args = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
};
const imageCount = option('images', 20000);
const batchSize = option('batch-size', 32);
const rounds = option('rounds', 5);

const CASES: [string, Partial<AugmentationSettings>][] = [
  ['copy (all off)', {}],
  ['rotation 15°', { rotation: 15 }],
  ['scale 0.15', { scale: 0.15 }],
  ['shift 3 px', { shift: 3 }],
  ['thickness 0.5', { thickness: 0.5 }],
  ['elastic 3 px', { elastic: 3 }],
  ['all on', { rotation: 15, scale: 0.15, shift: 3, thickness: 0.5, elastic: 3 }],
];

const { train } = loadDataset(resolveDatasetSource('mnist'));
const count = Math.min(imageCount, train.count);
const order = new Uint32Array(count);
for (let i = 0; i < count; i++) order[i] = (i * 7919) % train.count; // spread over the set, no shuffle cost
const augmenters = CASES.map(
  ([, s]) => new Augmenter({ ...NO_AUGMENTATION, ...s }, { height: 28, width: 28, channels: 1 }, 42),
);
const out = new Uint8Array(batchSize * 28 * 28);

let checksum = 0;
/** µs per image, wall-clock and this process' CPU time (which other processes on the machine inflate less). */
function run(augmenter: Augmenter): { wall: number; cpu: number } {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  for (let from = 0, step = 0; from < count; from += batchSize, step++) {
    augmenter.augmentBatch(train, order.subarray(from, Math.min(from + batchSize, count)), step, out);
    checksum += out[392];
  }
  const cpu = process.cpuUsage(cpuStart);
  return { wall: Number(process.hrtime.bigint() - start) / 1e3 / count, cpu: (cpu.user + cpu.system) / count };
}

// The elastic bank is built on first use: time that once, apart.
const bankStart = process.hrtime.bigint();
new Augmenter({ ...NO_AUGMENTATION, elastic: 3 }, { height: 28, width: 28, channels: 1 }, 7).augmentBatch(
  train,
  [0],
  0,
  out,
);
console.log(
  `elastic bank (32 fields of 28×28, built once per Augmenter): ${(Number(process.hrtime.bigint() - bankStart) / 1e6).toFixed(1)} ms`,
);

// Warm-up: JIT every path (and build the elastic bank) before timing.
for (const augmenter of augmenters) {
  const warm = new Uint32Array(2000).map((_, i) => i);
  for (let step = 0; step < 20; step++) augmenter.augmentBatch(train, warm.subarray(0, batchSize), step, out);
}
const best = CASES.map(() => ({ wall: Infinity, cpu: Infinity }));
const walls: number[][] = CASES.map(() => []);
for (let round = 0; round < rounds; round++) {
  for (let k = 0; k < CASES.length; k++) {
    const c = (k + round) % CASES.length; // rotate the order each round
    const { wall, cpu } = run(augmenters[c]);
    walls[c].push(wall);
    best[c] = { wall: Math.min(best[c].wall, wall), cpu: Math.min(best[c].cpu, cpu) };
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const epochSeconds = (us: number) => (us * 60000) / 1e6;
const cell = (x: number, digits = 2) => x.toFixed(digits).padStart(7);
console.log(`augmentation kernel: ${count} MNIST images per round, batch ${batchSize}, ${rounds} rounds`);
console.log(`  ${''.padEnd(16)}  µs/image: best wall  median wall  best CPU   s per 60k epoch (best wall)`);
for (let c = 0; c < CASES.length; c++) {
  console.log(
    `  ${CASES[c][0].padEnd(16)}            ${cell(best[c].wall)}      ${cell(median(walls[c]))}   ${cell(best[c].cpu)}   ${cell(epochSeconds(best[c].wall))}`,
  );
}
const figures = (f: (c: number) => number) =>
  Object.fromEntries(CASES.map(([name], c) => [name, Number(f(c).toFixed(3))]));
console.log(
  JSON.stringify({
    images: count,
    batchSize,
    rounds,
    microsecondsPerImage: figures((c) => best[c].wall),
    medianMicrosecondsPerImage: figures((c) => median(walls[c])),
    cpuMicrosecondsPerImage: figures((c) => best[c].cpu),
    secondsPerEpoch: figures((c) => epochSeconds(best[c].wall)),
    checksum,
  }),
);
