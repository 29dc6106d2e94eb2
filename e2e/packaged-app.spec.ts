// The packaged app, as electron-builder made it (an unpacked --dir build): LAYERLAB_PACKAGED_APP names its
// executable (scripts/package-local.sh sets it; skipped otherwise). Checks that it opens its window, that its
// engine comes up where it can (Electron's utility process when better-sqlite3 was rebuilt for the packaged
// Electron, else a system Node when the app is not in an archive), and that a utility process loads what the
// engine needs from inside the app archive (tfjs, the wasm binaries, tfjs-node's addon and libtensorflow, and the
// training worker on a worker thread).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import type { AppInfo, EngineStatus, Envelope, LayerlabApi } from '#shared/contract.ts';
import { locateApp, nativeAbiReport } from '../scripts/verify-package.mjs';

declare global {
  interface Window {
    layerlab: LayerlabApi;
  }
}

const executable = process.env.LAYERLAB_PACKAGED_APP ? path.resolve(process.env.LAYERLAB_PACKAGED_APP) : '';
const SCREENSHOT_DIR = path.resolve(import.meta.dirname, '.screenshots');

test.describe.configure({ mode: 'serial' });
test.skip(!executable, 'LAYERLAB_PACKAGED_APP is not set (scripts/package-local.sh sets it)');

let app: ElectronApplication;
let page: Page;
let dir: string;
const logs: string[] = [];

test.beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-packaged-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  // as a user starts it: no engine runtime chosen, no development settings
  for (const k of ['LAYERLAB_ENGINE_NODE', 'ELECTRON_RUN_AS_NODE', 'ELECTRON_RENDERER_URL', 'NODE_OPTIONS'])
    delete env[k];
  Object.assign(env, {
    LAYERLAB_DB: path.join(dir, 'layerlab.db'),
    LAYERLAB_USER_DATA: path.join(dir, 'profile'),
    LAYERLAB_ENGINE_AUTO_RESTARTS: '0',
  });
  app = await _electron.launch({ executablePath: executable, args: ['--no-sandbox'], env, timeout: 120_000 });
  const keep = (prefix: string) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(`${prefix}${line}`);
  };
  app.process().stdout?.on('data', keep(''));
  app.process().stderr?.on('data', keep('[stderr] '));
  page = await app.firstWindow({ timeout: 120_000 });
  await page.waitForLoadState('domcontentloaded', { timeout: 120_000 });
});

test.afterAll(async () => {
  const proc = app?.process();
  await Promise.race([app?.close(), new Promise((r) => setTimeout(r, 20_000))]).catch(() => {});
  if (proc && proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

test('the packaged app opens its window', async () => {
  expect(await app.evaluate(({ app: electronApp }) => electronApp.isPackaged)).toBe(true);
  await expect
    .poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.getTitle()))
    .toBe('Layerlab');
  await expect(page.locator('body')).not.toBeEmpty();
  // let the first screen render before the picture
  await page.waitForTimeout(2000);
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const appDir = path.dirname(executable);
  const name = `packaged-app-${path.basename(path.dirname(appDir))}.png`;
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, name) });
});

test('the engine starts where the packaged native modules allow', async () => {
  const appDir = path.dirname(executable);
  const abi = nativeAbiReport(appDir);
  const kind = locateApp(appDir).kind;
  const invoke = <T>(channel: string) =>
    page.evaluate((c) => window.layerlab.invoke(c as 'app:info', undefined), channel) as Promise<Envelope<T>>;
  const settled = async () => {
    const status = await invoke<EngineStatus>('engine:status');
    return status.ok ? status.value.state : 'unknown';
  };
  await expect.poll(settled, { timeout: 120_000 }).toMatch(/^(ready|down)$/);
  const info = await invoke<AppInfo>('app:info');
  const runtime = info.ok ? info.value.engineRuntime : '';
  test.info().annotations.push({ type: 'engine', description: runtime });
  console.log(`packaged app: engine ${runtime}; better-sqlite3 ABI ${abi.addon}, Electron ABI ${abi.electron?.abi}`);
  for (const line of logs) if (/engine/.test(line)) console.log(`  ${line.slice(0, 300)}`);
  if (abi.matches) {
    // rebuilt for the packaged Electron: the utility process, no system Node
    expect(runtime).toMatch(/^Electron .* utility process/);
    expect(await settled()).toBe('ready');
  } else if (kind === 'dir') {
    // not rebuilt, app not in an archive: the system Node runs the engine from resources/app
    expect(runtime).toMatch(/^Node v\d+/);
    expect(logs.join('\n')).toMatch(/built for another Node ABI; running the engine with/);
    expect(await settled()).toBe('ready');
  } else {
    // not rebuilt, app in app.asar: the utility process cannot load better-sqlite3 and a plain Node cannot read
    // the archive, so this package cannot start its engine (`npm run dist` rebuilds the module and avoids this)
    expect(logs.join('\n')).toMatch(/NODE_MODULE_VERSION/);
    expect(await settled()).toBe('down');
    return;
  }
  const templates = await invoke<unknown[]>('templates:list');
  expect(templates.ok).toBe(true);
});

/** Runs `source` (CommonJS) in a new utility process of the packaged app; resolves with what it posts. */
async function inUtilityProcess(source: string, root: string): Promise<Record<string, unknown>> {
  const file = path.join(dir, `probe-${Math.random().toString(36).slice(2)}.cjs`);
  fs.writeFileSync(file, source);
  return app.evaluate(
    ({ utilityProcess }, { file, root }) =>
      new Promise<Record<string, unknown>>((resolve) => {
        const child = utilityProcess.fork(file, [root], { stdio: 'pipe' });
        let stderr = '';
        child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
        const timer = setTimeout(() => {
          child.kill();
          resolve({ error: 'timed out', stderr });
        }, 90_000);
        child.on('message', (m: Record<string, unknown>) => {
          clearTimeout(timer);
          resolve(m);
          child.kill();
        });
        child.on('exit', (code: number) => {
          clearTimeout(timer);
          resolve({ error: `exited with code ${code}`, stderr: stderr.slice(-2000) });
        });
      }),
    { file, root },
  );
}

test("a utility process loads the engine's modules from inside the app", async () => {
  const appDir = path.dirname(executable);
  const location = locateApp(appDir);
  const root = location.kind === 'asar' ? location.asar : location.plain;
  const abi = nativeAbiReport(appDir);
  // resolves packages as the engine bundle does, from out/main/engine.cjs in the app
  const prelude = `
    const { createRequire } = require('node:module');
    const path = require('node:path');
    const root = process.argv[process.argv.length - 1];
    const engineRequire = createRequire(path.join(root, 'out', 'main', 'engine.cjs'));
    const post = (m) => process.parentPort.postMessage(m);
    const message = (e) => String((e && e.message) || e).replace(/\\s+/g, ' ').slice(0, 400);
  `;

  const wasm = await inUtilityProcess(
    `${prelude}
    (async () => {
      try {
        const tf = engineRequire('@tensorflow/tfjs');
        const wasmEntry = engineRequire.resolve('@tensorflow/tfjs-backend-wasm');
        engineRequire('@tensorflow/tfjs-backend-wasm').setWasmPaths(path.dirname(wasmEntry) + path.sep);
        await tf.setBackend('wasm');
        await tf.ready();
        const sum = tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum().dataSync()[0]);
        post({ backend: tf.getBackend(), sum, wasmEntry });
      } catch (e) { post({ error: message(e) }); }
    })();`,
    root,
  );
  expect(wasm, JSON.stringify(wasm)).toMatchObject({ backend: 'wasm', sum: 64 });
  if (location.kind === 'asar') expect(String(wasm.wasmEntry)).toContain(`app.asar${path.sep}`);

  // (this process is plain Node: it sees the unpacked files, not the archive)
  const onDisk = location.kind === 'asar' ? location.unpacked : location.plain;
  const hasNative = fs.existsSync(path.join(onDisk, 'node_modules/@tensorflow/tfjs-node/lib'));
  if (hasNative) {
    const native = await inUtilityProcess(
      `${prelude}
      try {
        process.env.TF_CPP_MIN_LOG_LEVEL = '2';
        const tf = engineRequire('@tensorflow/tfjs-node');
        const sum = tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum().dataSync()[0]);
        post({ backend: tf.getBackend(), tensorflow: tf.backend().binding.TF_Version, sum });
      } catch (e) { post({ error: message(e) }); }`,
      root,
    );
    expect(native, JSON.stringify(native)).toMatchObject({ backend: 'tensorflow', sum: 64 });
    console.log(`packaged app: tfjs-node loaded in a utility process, TensorFlow ${native.tensorflow}`);
  }

  // The training worker from inside the app, on a worker thread of a utility process; then, on another worker
  // thread, the native addons the training worker loads (better-sqlite3 always, tfjs-node on the native backend).
  const worker = await inUtilityProcess(
    `${prelude}
    const { Worker } = require('node:worker_threads');
    const result = {};
    const done = () => { if ('worker' in result && 'addons' in result) post(result); };
    const training = new Worker(path.join(root, 'out', 'main', 'training-worker.cjs'));
    training.on('online', () => setTimeout(() => { result.worker ??= 'running'; training.terminate(); done(); }, 1500));
    training.on('error', (e) => { result.worker = message(e); done(); });
    const addons = new Worker(\`
      const { parentPort, workerData } = require('node:worker_threads');
      const { createRequire } = require('node:module');
      const path = require('node:path');
      const engineRequire = createRequire(path.join(workerData.root, 'out', 'main', 'engine.cjs'));
      const message = (e) => String((e && e.message) || e).replace(/\\\\s+/g, ' ').slice(0, 400);
      const out = {};
      try { new (engineRequire('better-sqlite3'))(':memory:').close(); out.sqlite = 'ok'; } catch (e) { out.sqlite = message(e); }
      if (workerData.native) {
        try {
          process.env.TF_CPP_MIN_LOG_LEVEL = '2';
          const tf = engineRequire('@tensorflow/tfjs-node');
          out.tfjsNode = tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum().dataSync()[0]);
        } catch (e) { out.tfjsNode = message(e); }
      }
      parentPort.postMessage(out);
    \`, { eval: true, workerData: { root, native: ${hasNative} } });
    addons.on('message', (m) => { result.addons = m; done(); });
    addons.on('error', (e) => { result.addons = { error: message(e) }; done(); });`,
    root,
  );
  console.log(`packaged app: worker threads in a utility process: ${JSON.stringify(worker)}`);
  // read from inside the archive: running, not a missing file
  expect(worker.worker).toBe('running');
  const addons = worker.addons as { sqlite?: string; tfjsNode?: number | string; error?: string };
  expect(addons.error).toBeUndefined();
  if (hasNative) expect(addons.tfjsNode).toBe(64);
  if (abi.matches) expect(addons.sqlite).toBe('ok');
  else expect(addons.sqlite).toMatch(/NODE_MODULE_VERSION/);
});
