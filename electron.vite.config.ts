// electron-vite: main (app + engine process), preload and renderer.
// Main and preload are CommonJS `.cjs` (package.json says "type": "module"; a sandboxed preload must be CommonJS,
// and the Electron 25 test runtime cannot load an ES-module main). Targets fit Electron 25 (Node 18, Chromium 114)
// and anything newer. Imports across layers (#shared/…, #engine/…) are package.json subpath imports, which Vite
// resolves like Node does: no alias is configured here.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

const root = import.meta.dirname;
const NODE_TARGET = 'node18.15';
const CHROME_TARGET = 'chrome114';

export default defineConfig({
  main: {
    build: {
      target: NODE_TARGET,
      outDir: resolve(root, 'out/main'),
      // dependencies are required from node_modules at run time (native addons, tfjs, better-sqlite3);
      // the optional native tfjs packages too, though the engine only loads them through createRequire.
      externalizeDeps: { include: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu'] },
      rolldownOptions: {
        input: {
          index: resolve(root, 'electron/main/index.ts'),
          engine: resolve(root, 'electron/engine/process.ts'),
          // the engine trains on a worker thread (electron/engine/training-supervisor.ts finds it next to engine.cjs)
          'training-worker': resolve(root, 'electron/engine/training-worker.ts'),
          // which augments its batches on a worker of its own (electron/engine/train/augmented-batches.ts finds it here)
          'augment-worker': resolve(root, 'electron/engine/train/augment-worker.ts'),
        },
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          chunkFileNames: 'chunks/[name]-[hash].cjs',
        },
      },
    },
  },
  preload: {
    build: {
      target: NODE_TARGET,
      outDir: resolve(root, 'out/preload'),
      // sandboxed preload: one self-contained file that requires nothing but 'electron'
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'electron/preload/index.ts') },
        output: {
          format: 'cjs',
          entryFileNames: '[name].cjs',
          codeSplitting: false,
        },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    plugins: [svelte()],
    build: {
      target: CHROME_TARGET,
      outDir: resolve(root, 'out/renderer'),
      rolldownOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
});
