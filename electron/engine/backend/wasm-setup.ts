// Brings up the tfjs wasm backend in Node/Electron with the training kernels it lacks.
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { registerWasmTrainingKernels } from './wasm-kernels.ts';

let pathsSet = false;

/**
 * Points tfjs-backend-wasm at the .wasm binaries in its own dist folder. The Node bundle would
 * find them via __dirname, but resolving explicitly keeps working when the engine is bundled
 * (electron-vite) and __dirname no longer sits next to the binaries. Must run before the
 * backend first initializes; setWasmPaths throws after a failed init, which we tolerate.
 */
function setWasmBinaryPaths(): void {
  if (pathsSet) return;
  pathsSet = true;
  try {
    const entry = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(path.dirname(entry) + path.sep);
  } catch {
    // Fall back to the package's own lookup.
  }
}

/**
 * Makes 'wasm' the active tfjs backend, ready to train CNNs.
 *
 * SIMD: detected by tfjs itself (WebAssembly.validate) and on in Node 20, so the
 * tfjs-backend-wasm-simd.wasm binary is used. Threads: tfjs 4.22 hard-codes
 * WASM_HAS_MULTITHREAD_SUPPORT=false under Node (tfjs issue #3830: the threaded build spawns
 * browser Workers from Blob URLs), so XNNPACK runs single-threaded here; we leave that flag alone.
 */
export async function initWasmBackend(): Promise<void> {
  setWasmBinaryPaths();
  registerWasmTrainingKernels();
  const ok = await tf.setBackend('wasm');
  if (!ok) throw new Error('tfjs wasm backend failed to initialize');
  await tf.ready();
}
