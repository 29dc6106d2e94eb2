// `layerlab doctor`: which backends can run here and, for each one that cannot, why.
// Native packages are probed in child processes: loading one is irreversible for a process.
import { execFileSync, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import type { BackendCheck, DoctorReport } from '#shared/types.ts';
import { builtTensorflowVersion, nativeAddonStatus } from './backends.ts';
import { checkAvailability, builtinSources } from '../data/datasets.ts';

const GRAPH_ON_CPU = 'graph: each batch is one call of a compiled TensorFlow graph, on the CPU';
// The graph pins no devices, so TensorFlow's placer puts every op that has a CUDA kernel on /GPU:0 (the rest,
// such as shape arithmetic, stays on the host) and the variables live in GPU memory.
const GRAPH_ON_GPU = 'graph: each batch is one call of a compiled TensorFlow graph, placed on /GPU:0 by TensorFlow';

function probeNative(pkg: string): { ok: boolean; gpu?: boolean; tensorflow?: string; error?: string } {
  const script = `
    try {
      const tf = require(${JSON.stringify(pkg)});
      const b = tf.backend();
      tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).dataSync());
      console.log(JSON.stringify({ ok: true, gpu: Boolean(b.isUsingGpuDevice), tensorflow: b.binding.TF_Version }));
    } catch (e) { console.log(JSON.stringify({ ok: false, error: String(e && e.message || e).split('\\n')[0] })); }`;
  const result = spawnSync(process.execPath, ['-e', script], {
    cwd: process.cwd(),
    encoding: 'utf8',
    timeout: 60_000,
    // In an Electron utility process execPath is Electron itself: make it behave as plain Node.
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', NODE_PATH: nodePathFor(), ELECTRON_RUN_AS_NODE: '1' },
  });
  const line = (result.stdout ?? '').trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line);
  } catch {
    return {
      ok: false,
      error: `probe crashed (${result.signal ?? `exit ${result.status}`}): ${(result.stderr ?? '').trim().split('\n').pop()}`,
    };
  }
}

/** The child must resolve packages from the node_modules this engine uses, wherever it was started or bundled. */
function nodePathFor(): string {
  const dir = path.resolve(
    path.dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs/package.json')),
    '../..',
  );
  return [dir, process.env.NODE_PATH].filter(Boolean).join(path.delimiter);
}

function findSharedLibraries(prefix: string): string[] {
  if (process.platform !== 'linux') return [];
  try {
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 });
    return [
      ...new Set(
        out
          .split('\n')
          .filter((l) => l.trim().startsWith(prefix))
          .map((l) => l.trim().split(' ')[0]),
      ),
    ];
  } catch {
    return [];
  }
}

function nvidiaSmi(): string | null {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name,driver_version,memory.total', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
    }).trim();
  } catch {
    return null;
  }
}

function checkNative(kind: 'gpu' | 'native', gpuFacts: DoctorReport['gpu']): BackendCheck {
  const status = nativeAddonStatus(kind);
  if (!status.ok) return { kind, available: false, detail: status.reason, tensorflowVersion: null, trainer: null };
  const pkg = kind === 'gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  const probe = probeNative(pkg);
  const tensorflowVersion = probe.tensorflow ?? builtTensorflowVersion(status.dir);
  if (!probe.ok)
    return {
      kind,
      available: false,
      detail: `${pkg} is built but failed to load: ${probe.error}`,
      tensorflowVersion,
      trainer: null,
    };
  if (kind === 'native')
    return {
      kind,
      available: true,
      detail: `${pkg} on TensorFlow ${probe.tensorflow}`,
      tensorflowVersion,
      trainer: GRAPH_ON_CPU,
    };
  if (probe.gpu)
    return {
      kind,
      available: true,
      detail: `${pkg} on TensorFlow ${probe.tensorflow} sees a CUDA device`,
      tensorflowVersion,
      trainer: GRAPH_ON_GPU,
    };
  const missing = [
    gpuFacts.nvidiaSmi ? null : 'nvidia-smi not found or no NVIDIA driver',
    gpuFacts.cudaLibraries.length ? null : 'no libcudart in the linker cache',
    gpuFacts.cudnnLibraries.length ? null : 'no libcudnn in the linker cache',
  ].filter(Boolean);
  const stockHint =
    probe.tensorflow === '2.9.1'
      ? '; the stock tfjs-node-gpu build needs CUDA 11.2 and cuDNN 8.1 — with CUDA 12 rebuild it with `npm run native:build -- --gpu`'
      : '';
  return {
    kind,
    available: false,
    detail: `GPU build present (TensorFlow ${probe.tensorflow}) but no usable CUDA device${missing.length ? `: ${missing.join(', ')}` : ''}${stockHint}`,
    tensorflowVersion,
    trainer: null,
  };
}

const EAGER = 'eager: tfjs runs each op from JavaScript (the graph trainer needs native TensorFlow)';

export function runDoctor(): DoctorReport {
  const gpu = {
    nvidiaSmi: nvidiaSmi(),
    cudaLibraries: findSharedLibraries('libcudart.so'),
    cudnnLibraries: findSharedLibraries('libcudnn.so'),
  };
  const backends: BackendCheck[] = [
    checkNative('gpu', gpu),
    checkNative('native', gpu),
    {
      kind: 'wasm',
      available: true,
      detail: "@tensorflow/tfjs-backend-wasm with Layerlab's training kernels (portable, no native install)",
      tensorflowVersion: null,
      trainer: EAGER,
    },
    {
      kind: 'cpu',
      available: true,
      detail: 'pure JavaScript: about 1.5 samples/s on the seed CNN, never chosen automatically',
      tensorflowVersion: null,
      trainer: EAGER,
    },
  ];
  const autoChoice = backends.find((b) => b.available && b.kind !== 'cpu')!.kind;
  const cpus = os.cpus();
  return {
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.versions.node,
    cpu: `${cpus[0]?.model?.trim() ?? 'unknown'} (${cpus.length} threads)`,
    tfjsVersion: tf.version.tfjs,
    backends,
    autoChoice,
    gpu,
    datasets: builtinSources().map((s) => {
      const a = checkAvailability(s);
      return { id: s.id, name: s.name, available: a.available, reason: a.reason };
    }),
  };
}
