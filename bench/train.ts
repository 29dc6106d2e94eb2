// `npm run bench:train`: the seed CNN on each available backend, and the seed's own Keras script when a Python
// TensorFlow is importable, interleaved round by round so a noisy machine hits them alike. Not a test.
// Options: --epochs N (5) --batch-size N (32) --train-size N (60000) --wasm-train-size N (6000) --rounds N (1)
//          --backends native,wasm,gpu (those available) --python PATH (.native/venv/bin/python, then python3)
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDoctor } from '../electron/engine/backend/doctor.ts';
import { builtinSources } from '../electron/engine/data/datasets.ts';

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
const rounds = Number(option('rounds', '1'));

interface Result {
  label: string;
  samplesPerSecond: number;
  testAccuracy: number;
  trainingSeconds: number;
  samples: number;
  detail: string;
}

function findPython(): string | null {
  const candidates = [option('python', ''), path.join(root, '.native/venv/bin/python'), 'python3'].filter(Boolean);
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import tensorflow'], { stdio: 'ignore', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '3' } });
      return python;
    } catch {
      /* not importable here */
    }
  }
  return null;
}

function runLayerlab(backend: string, size: number): Result {
  const db = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-bench-')), 'bench.db');
  // validation-split 0: the whole subset trains, as in the Keras script.
  const cli = ['bin/layerlab.mjs', '--db', db, 'train', '--template', 'seed', '--backend', backend, '--epochs', String(epochs), '--batch-size', String(batchSize), '--train-size', String(size), '--validation-split', '0', '--json'];
  const out = spawnSync(process.execPath, cli, { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 });
  fs.rmSync(path.dirname(db), { recursive: true, force: true });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) throw new Error(`layerlab ${backend} failed: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const r = JSON.parse(line);
  return { label: `layerlab ${backend}`, samplesPerSecond: r.samplesPerSecond, testAccuracy: r.testAccuracy, trainingSeconds: r.trainingSeconds, samples: size * epochs, detail: `${r.device}; TensorFlow ${r.tensorflowVersion ?? '-'}` };
}

function runKeras(python: string, size: number): Result {
  const dataDir = path.dirname(builtinSources()[0].files.trainImages);
  const out = spawnSync(python, [path.join(root, 'bench/keras_seed.py'), dataDir, '--epochs', String(epochs), '--batch-size', String(batchSize), '--train-size', String(size)], { encoding: 'utf8' });
  const line = out.stdout.trim().split('\n').pop() ?? '';
  if (out.status !== 0 || !line.startsWith('{')) throw new Error(`keras failed: ${out.stderr.trim().split('\n').slice(-3).join(' | ')}`);
  const r = JSON.parse(line);
  return { label: 'keras (python)', samplesPerSecond: r.samplesPerSecond, testAccuracy: r.testAccuracy, trainingSeconds: r.trainingSeconds, samples: r.samples, detail: `TensorFlow ${r.tensorflow}` };
}

const doctor = runDoctor();
const available = doctor.backends.filter((b) => b.available && b.kind !== 'cpu').map((b) => b.kind as string);
const backends = option('backends', available.join(',')).split(',').filter((b) => available.includes(b) || console.warn(`skipping ${b}: not available`));
const python = findPython();
console.log(`bench:train — seed CNN, ${epochs} epochs, batch ${batchSize}, ${trainSize} images (wasm: ${wasmTrainSize}), ${rounds} round(s) on ${doctor.cpu}`);
if (!python) console.log('keras: no importable Python TensorFlow (install one, e.g. into .native/venv), so no Keras baseline');

const results: Result[][] = [];
for (let round = 0; round < rounds; round++) {
  const row: Result[] = [];
  if (python) row.push(runKeras(python, trainSize));
  for (const backend of backends) row.push(runLayerlab(backend, backend === 'wasm' ? wasmTrainSize : trainSize));
  for (const r of row) console.log(`round ${round + 1}: ${r.label}: ${r.samplesPerSecond.toFixed(0)} samples/s, ${r.trainingSeconds.toFixed(1)} s for ${r.samples} samples, test accuracy ${(r.testAccuracy * 100).toFixed(2)}%`);
  results.push(row);
}

console.log('\nmedian over rounds:');
const labels = results[0].map((r) => r.label);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const keras = python ? median(results.map((row) => row[0].samplesPerSecond)) : null;
for (const [i, label] of labels.entries()) {
  const sps = median(results.map((row) => row[i].samplesPerSecond));
  const acc = median(results.map((row) => row[i].testAccuracy));
  const ratio = keras ? `${(sps / keras).toFixed(2)}x keras` : 'no keras baseline';
  console.log(`  ${label.padEnd(16)} ${sps.toFixed(0).padStart(6)} samples/s  ${ratio.padEnd(18)} accuracy ${(acc * 100).toFixed(2)}%  (${results[0][i].detail})`);
}
