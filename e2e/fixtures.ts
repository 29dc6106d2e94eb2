// Playwright fixtures for the built Layerlab app.
//
// One app per test file: the first test of a file launches it (fresh database and profile in a temp folder),
// later tests of the same file reuse it, and the next file closes it and starts its own.
// Tests get `app` (ElectronApplication), `page` (the main window) and `saveScreenshot(name)`, which saves
// e2e/.screenshots/<name>.png for the record: ignored by git, so runs leave the tree clean, and outside
// Playwright's outputDir (test-results/), which every run empties, so running one file keeps the others'.
// The README's screenshots (docs/screenshots/) come from `npm run docs:screenshots`.
//
// Needs LAYERLAB_ELECTRON (an Electron binary; scripts/e2e.sh sets it) and a display (xvfb-run).
// The engine runs under the Node that runs Playwright (LAYERLAB_ENGINE_NODE): better-sqlite3 is built for it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { _electron, test as base, expect, type ElectronApplication, type Page } from '@playwright/test';
import type { LayerlabApi } from '#shared/contract.ts';

// What preload exposes, for code passed to page.evaluate.
declare global {
  interface Window {
    layerlab: LayerlabApi;
  }
}

export const REPO_ROOT = path.resolve(import.meta.dirname, '..');
export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'e2e', '.screenshots');

export interface LaunchedApp {
  app: ElectronApplication;
  page: Page;
  /** Temp folder holding the database, checkpoints and the Electron profile. */
  dir: string;
  dbPath: string;
  /** Main-process and engine output, for failure reports. */
  logs: string[];
}

export async function launchApp(extraEnv: Record<string, string> = {}): Promise<LaunchedApp> {
  const executablePath = process.env.LAYERLAB_ELECTRON;
  if (!executablePath) throw new Error('LAYERLAB_ELECTRON must name an Electron binary (npm run test:e2e sets it)');
  if (!fs.existsSync(path.join(REPO_ROOT, 'out/main/index.cjs')))
    throw new Error('out/main/index.cjs is missing: run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-e2e-'));
  const dbPath = path.join(dir, 'layerlab.db');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  Object.assign(env, {
    LAYERLAB_DB: dbPath,
    LAYERLAB_USER_DATA: path.join(dir, 'profile'),
    LAYERLAB_ENGINE_NODE: process.execPath,
    ELECTRON_DISABLE_SECURITY_WARNINGS: 'true',
    ...extraEnv,
  });
  delete env.ELECTRON_RENDERER_URL;
  delete env.ELECTRON_RUN_AS_NODE;
  const app = await _electron.launch({
    executablePath,
    args: ['--no-sandbox', REPO_ROOT],
    env,
    // generous: the machines are small and often busy
    timeout: 120_000,
  });
  const logs: string[] = [];
  const keep = (prefix: string) => (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(`${prefix}${line}`);
    if (logs.length > 2000) logs.splice(0, logs.length - 2000);
  };
  app.process().stdout?.on('data', keep(''));
  app.process().stderr?.on('data', keep('[stderr] '));
  const page = await app.firstWindow({ timeout: 120_000 });
  await page.waitForLoadState('domcontentloaded', { timeout: 120_000 }); // as generous as the launch itself
  return { app, page, dir, dbPath, logs };
}

/** Sets the page's size (unmaximised) and waits until the page has it. */
export async function resizeWindow(app: ElectronApplication, page: Page, width: number, height: number): Promise<void> {
  await app.evaluate(
    ({ BrowserWindow }, size) => {
      const win = BrowserWindow.getAllWindows()[0];
      win.unmaximize();
      win.setContentSize(size.width, size.height);
    },
    { width, height },
  );
  await expect.poll(() => page.evaluate(() => window.innerWidth)).toBe(width);
}

export async function closeApp(launched: LaunchedApp): Promise<void> {
  try {
    await answerUnsavedPrompts(launched.app, 'Leave').catch(() => {});
    await Promise.race([
      launched.app.close(),
      new Promise((_, reject) => setTimeout(() => reject(new Error('close timed out')), 20_000)),
    ]);
  } catch {
    launched.app.process().kill('SIGKILL');
  }
  fs.rmSync(launched.dir, { recursive: true, force: true });
}

/**
 * From now on, main's "unsaved changes" question (a native dialog Playwright cannot click) answers itself with
 * `answer`; each question's message is pushed to globalThis.unsavedPrompts in main. Leaving loses nothing: the
 * design is kept as a draft.
 */
export async function answerUnsavedPrompts(app: ElectronApplication, answer: 'Leave' | 'Stay'): Promise<void> {
  await app.evaluate(({ dialog }, wanted) => {
    const asked: string[] = ((globalThis as { unsavedPrompts?: string[] }).unsavedPrompts ??= []);
    dialog.showMessageBoxSync = ((...args: unknown[]) => {
      const options = args.at(-1) as Electron.MessageBoxSyncOptions;
      asked.push(options.message);
      return Math.max(0, options.buttons?.indexOf(wanted) ?? 0);
    }) as typeof dialog.showMessageBoxSync;
  }, answer);
}

interface Launcher {
  appFor(file: string): Promise<LaunchedApp>;
  current(): LaunchedApp | null;
}

type TestFixtures = {
  launched: LaunchedApp;
  app: ElectronApplication;
  page: Page;
  /** Saves e2e/.screenshots/<name>.png (named so: Playwright's own `screenshot` is a worker option). */
  saveScreenshot: (name: string) => Promise<string>;
};

export const test = base.extend<TestFixtures, { launcher: Launcher }>({
  launcher: [
    async ({}, use) => {
      let file: string | null = null;
      let current: LaunchedApp | null = null;
      let failure: unknown = null;
      await use({
        async appFor(testFile) {
          if (file === testFile) {
            if (failure) throw failure; // one failed launch per file is enough
            if (current && !current.page.isClosed()) return current;
          }
          if (current) await closeApp(current);
          current = null;
          failure = null;
          file = testFile;
          try {
            current = await launchApp();
          } catch (err) {
            failure = err;
            throw err;
          }
          return current;
        },
        current: () => current,
      });
      if (current) await closeApp(current);
    },
    { scope: 'worker' },
  ],

  launched: async ({ launcher }, use, testInfo) => {
    const launched = await launcher.appFor(testInfo.file);
    await use(launched);
    if (testInfo.status !== testInfo.expectedStatus && launched.logs.length) {
      await testInfo.attach('app-log', { body: launched.logs.join('\n'), contentType: 'text/plain' });
    }
  },

  app: async ({ launched }, use) => use(launched.app),

  page: async ({ launched }, use) => use(launched.page),

  saveScreenshot: async ({ launched }, use) => {
    await use(async (name: string) => {
      fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
      const file = path.join(SCREENSHOT_DIR, `${name}.png`);
      // let charts and transitions settle
      await launched.page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      await launched.page.screenshot({ path: file, animations: 'disabled' });
      return file;
    });
  },
});

export { expect };
