// Picks the training backend: CUDA GPU (tfjs-node-gpu), then native CPU (tfjs-node), then wasm.
// The native packages are optional: each is used only when its addon is built, and every choice says why.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import * as tf from '@tensorflow/tfjs';
import { BACKEND_KINDS } from '#shared/types.ts';
import type { BackendInfo, BackendKind } from '#shared/types.ts';
import { initWasmBackend } from './wasm-setup.ts';

export type BackendPreference = 'auto' | BackendKind;
export const BACKEND_PREFERENCES: readonly BackendPreference[] = ['auto', ...BACKEND_KINDS];

const require = createRequire(import.meta.url);
const PACKAGES = { gpu: '@tensorflow/tfjs-node-gpu', native: '@tensorflow/tfjs-node' } as const;

export class BackendError extends Error {
  override name = 'BackendError';
  /** A short user-facing form of the message (no package names or build commands). */
  readonly summary: string;
  constructor(message: string, summary: string = message) {
    super(message);
    this.summary = summary;
  }
}

/** Another backend is already running in this process: only a new process can train on the one asked for. */
export class BackendSwitchError extends BackendError {
  override name = 'BackendSwitchError';
}

/**
 * Where a native package's compiled addon is, or why it cannot be used: `reason` is the developer detail the
 * doctor shows (package, build command), `summary` the plain words the Train panel shows.
 */
export function nativeAddonStatus(
  kind: 'gpu' | 'native',
): { ok: true; dir: string } | { ok: false; reason: string; summary: string } {
  const pkg = PACKAGES[kind];
  const summary = kind === 'gpu' ? 'GPU build not installed' : 'native CPU build not installed';
  let dir: string;
  try {
    dir = path.dirname(require.resolve(`${pkg}/package.json`));
  } catch {
    return {
      ok: false,
      reason: `${pkg} is not installed (optional dependency; its install fails without internet access to the libtensorflow download)`,
      summary,
    };
  }
  const libDir = path.join(dir, 'lib');
  const built =
    fs.existsSync(libDir) &&
    fs.readdirSync(libDir).some((d) => fs.existsSync(path.join(libDir, d, 'tfjs_binding.node')));
  if (!built) {
    const how = kind === 'gpu' ? 'npm run native:build -- --gpu' : 'npm run native:build';
    return { ok: false, reason: `${pkg} is installed but its native addon is not built (run \`${how}\`)`, summary };
  }
  return { ok: true, dir };
}

/** TensorFlow version the addon was built against, from the marker the build script leaves (no load needed). */
export function builtTensorflowVersion(dir: string): string | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, 'deps', 'LAYERLAB_TENSORFLOW'), 'utf8')).version ?? null;
  } catch {
    return null;
  }
}

function cpuDescription(): string {
  const cpus = os.cpus();
  const model = cpus[0]?.model?.trim() || 'unknown CPU';
  return `CPU: ${model} (${cpus.length} threads, ${os.arch()})`;
}

function gpuName(): string {
  try {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const out = execFileSync('nvidia-smi', ['--query-gpu=name,memory.total', '--format=csv,noheader'], {
      encoding: 'utf8',
      timeout: 5000,
    });
    return `GPU: ${out.trim().split('\n')[0]}`;
  } catch {
    return 'GPU: CUDA device';
  }
}

let active: BackendInfo | null = null;
let nativePackage: NativePackage | null = null;

/** What the graph trainer needs of tfjs-node's own API (the package's `node` namespace). */
export interface NativePackage {
  node: {
    loadSavedModel(path: string, tags?: string[], signature?: string): Promise<SavedModelSignature>;
    getNumOfSavedModels(): number;
  };
}
export interface SavedModelSignature {
  predict(inputs: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor | tf.Tensor[] | tf.NamedTensorMap;
  dispose(): void;
}

/** The loaded native package (tfjs-node or tfjs-node-gpu), or null when the backend is not native. */
export function loadedNativePackage(): NativePackage | null {
  return nativePackage;
}

/** The backend chosen by the last initBackend call in this process. */
export function activeBackend(): BackendInfo | null {
  return active;
}

interface NodeBackend {
  isUsingGpuDevice: boolean;
  binding: { TF_Version: string };
}

async function loadNative(kind: 'gpu' | 'native'): Promise<{ gpu: boolean; tensorflowVersion: string }> {
  const status = nativeAddonStatus(kind);
  if (!status.ok) throw new BackendError(status.reason, status.summary);
  // TensorFlow reads this when the library loads: keep its C++ info logs off the console.
  process.env.TF_CPP_MIN_LOG_LEVEL ??= '2';
  try {
    nativePackage = require(PACKAGES[kind]) as NativePackage;
  } catch (err) {
    throw new BackendError(
      `${PACKAGES[kind]} failed to load: ${(err as Error).message.split('\n')[0]}`,
      `${kind === 'gpu' ? 'GPU' : 'native CPU'} build failed to load`,
    );
  }
  await tf.setBackend('tensorflow');
  await tf.ready();
  const backend = tf.backend() as unknown as NodeBackend;
  return { gpu: Boolean(backend.isUsingGpuDevice), tensorflowVersion: backend.binding.TF_Version };
}

function describe(kind: BackendKind, device: string, tensorflowVersion: string | null, reason: string): BackendInfo {
  return { kind, tfBackend: tf.getBackend(), device, tfjsVersion: tf.version.tfjs, tensorflowVersion, reason };
}

/**
 * Initialises one backend for this process. 'auto' tries gpu, native, wasm in that order and never picks the
 * pure-JS cpu backend (about 1.5 samples/s on the seed CNN); 'cpu' must be asked for by name.
 * Only one native package can be loaded per process, so a failed or CPU-only GPU load is final.
 */
export async function initBackend(preference: BackendPreference = 'auto'): Promise<BackendInfo> {
  if (active) {
    if (preference === 'auto' || preference === active.kind) return active;
    throw new BackendSwitchError(
      `backend ${active.kind} is already initialised in this process; cannot switch to ${preference}`,
    );
  }
  const skipped: string[] = [];
  if (preference === 'gpu' || preference === 'auto') {
    const gpuStatus = nativeAddonStatus('gpu');
    if (gpuStatus.ok) {
      const loaded = await loadNative('gpu');
      if (loaded.gpu)
        return (active = describe('gpu', gpuName(), loaded.tensorflowVersion, `${PACKAGES.gpu} found a CUDA device`));
      const why =
        'GPU build loaded but TensorFlow found no usable CUDA device (driver, CUDA or cuDNN libraries missing or mismatched); running on CPU';
      if (preference === 'gpu') throw new BackendError(why);
      return (active = describe('native', cpuDescription(), loaded.tensorflowVersion, why));
    }
    if (preference === 'gpu') throw new BackendError(gpuStatus.reason);
    skipped.push(gpuStatus.summary);
  }
  if (preference === 'native' || preference === 'auto') {
    try {
      const loaded = await loadNative('native');
      const reason = skipped.length ? `${skipped.join('; ')} — training on the CPU` : 'native CPU requested';
      return (active = describe('native', cpuDescription(), loaded.tensorflowVersion, reason));
    } catch (err) {
      if (preference === 'native') throw err;
      skipped.push(err instanceof BackendError ? err.summary : (err as Error).message);
    }
  }
  if (preference === 'wasm' || preference === 'auto') {
    await initWasmBackend();
    const reason = skipped.length
      ? `${skipped.join('; ')} — training on the CPU with the portable WebAssembly build`
      : 'WebAssembly requested';
    return (active = describe('wasm', `${cpuDescription()} via WebAssembly`, null, reason));
  }
  await tf.setBackend('cpu');
  return (active = describe(
    'cpu',
    `${cpuDescription()} via plain JavaScript`,
    null,
    'pure-JavaScript cpu backend requested explicitly: very slow for training',
  ));
}
