// Smoke test of the desktop shell: window, preload API, isolation, navigation lock, IPC validation, menu,
// engine restart, the log file and the default database location.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultDatabasePath } from '#engine/store/paths.ts';
import { closeApp, expect, launchApp, test, type LaunchedApp } from './fixtures.ts';

/** The app's log file: LAYERLAB_USER_DATA (the fixture's profile folder) moves the log folder too. */
const logFile = (launched: LaunchedApp) => path.join(launched.dir, 'profile', 'logs', 'layerlab.log');
const readLog = (launched: LaunchedApp) =>
  fs.existsSync(logFile(launched)) ? fs.readFileSync(logFile(launched), 'utf8') : '';

/** The engine process: the child of Electron main that runs out/main/engine.cjs. */
function enginePid(mainPid: number): number | null {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const m = line.trim().match(/^(\d+)\s+(\d+)\s+(.*)$/);
    if (m && Number(m[2]) === mainPid && m[3].includes('out/main/engine.cjs')) return Number(m[1]);
  }
  return null;
}

test('the window opens as Layerlab at 1280x800', async ({ app, page }) => {
  await expect(page).toHaveTitle('Layerlab');
  const windows = await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().map((w) => w.getTitle()));
  expect(windows).toEqual(['Layerlab']);
  expect(await page.evaluate(() => [window.innerWidth, window.innerHeight])).toEqual([1280, 800]);
  await expect(page.locator('nav[aria-label="Screens"]')).toBeVisible();
});

test('the page gets the preload API and nothing of Node', async ({ page }) => {
  const shape = await page.evaluate(() => ({
    keys: Object.keys(window.layerlab).sort(),
    invoke: typeof window.layerlab.invoke,
    onTrainingEvent: typeof window.layerlab.onTrainingEvent,
    onMenuCommand: typeof window.layerlab.onMenuCommand,
    require: typeof (window as unknown as { require?: unknown }).require,
    process: typeof (globalThis as unknown as { process?: unknown }).process,
    module: typeof (globalThis as unknown as { module?: unknown }).module,
  }));
  expect(shape).toEqual({
    keys: ['invoke', 'onEngineStatus', 'onMenuCommand', 'onTrainingEvent', 'pathForFile'],
    invoke: 'function',
    onTrainingEvent: 'function',
    onMenuCommand: 'function',
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
  });
  // subscribing returns an unsubscribe function
  expect(await page.evaluate(() => typeof window.layerlab.onTrainingEvent(() => {}))).toBe('function');
});

test('IPC validates payloads and answers with envelopes', async ({ page }) => {
  const bad = await page.evaluate(() => window.layerlab.invoke('runs:get', { runId: -1 }));
  expect(bad.ok).toBe(false);
  if (!bad.ok) {
    expect(bad.error.field).toBe('runId');
    expect(bad.error.message).toMatch(/^runs:get: runId: /);
  }

  const missing = await page.evaluate(() => window.layerlab.invoke('runs:rename', { runId: 1 } as never));
  expect(missing).toMatchObject({ ok: false, error: { field: 'name' } });

  const unknown = await page.evaluate(() => window.layerlab.invoke('fs:read' as never, {} as never));
  expect(unknown).toMatchObject({ ok: false, error: { message: 'unknown channel: fs:read' } });
});

test('app:info is answered by main, other channels by the engine', async ({ page, launched }) => {
  const info = await page.evaluate(() => window.layerlab.invoke('app:info', undefined));
  expect(info.ok).toBe(true);
  if (info.ok) {
    expect(info.value.dbPath).toBe(launched.dbPath);
    expect(info.value.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(info.value.engineRuntime).toMatch(/Node/);
  }

  const templates = await page.evaluate(() => window.layerlab.invoke('templates:list', undefined));
  expect(templates.ok).toBe(true);
  if (templates.ok) expect(templates.value.length).toBeGreaterThan(0);

  const runs = await page.evaluate(() => window.layerlab.invoke('runs:get', { runId: 424242 }));
  expect(runs.ok).toBe(false);
});

test('datasets:import without a folder asks main for one', async ({ app, page }) => {
  // stand-in for the native folder dialog: first cancelled, then a folder that holds no IDX files
  await app.evaluate(({ dialog }) => {
    const answers = [
      { canceled: true, filePaths: [] as string[] },
      { canceled: false, filePaths: ['/nonexistent/layerlab-e2e-idx'] },
    ];
    dialog.showOpenDialog = (async () => answers.shift()!) as typeof dialog.showOpenDialog;
  });
  const cancelled = await page.evaluate(() => window.layerlab.invoke('datasets:import', {}));
  expect(cancelled).toEqual({ ok: true, value: null });
  const picked = await page.evaluate(() => window.layerlab.invoke('datasets:import', {}));
  expect(picked.ok).toBe(false);
  if (!picked.ok) expect(picked.error.message).toContain('/nonexistent/layerlab-e2e-idx');
});

test('menu commands reach the page', async ({ app, page }) => {
  await page.evaluate(() => {
    const seen: string[] = [];
    (window as unknown as { menuCommands: string[] }).menuCommands = seen;
    window.layerlab.onMenuCommand((command) => seen.push(command));
  });
  const click = (menu: string, item: string) =>
    app.evaluate(
      ({ Menu }, [menu, item]) => {
        const top = Menu.getApplicationMenu()?.items.find((i) => i.label.replace('&', '') === menu);
        const entry = top?.submenu?.items.find((i) => i.label === item);
        if (!entry) throw new Error(`no menu item ${menu} > ${item}`);
        entry.click();
      },
      [menu, item],
    );
  const commands = () => page.evaluate(() => (window as unknown as { menuCommands: string[] }).menuCommands);

  await click('View', 'Runs');
  await expect.poll(commands).toEqual(['navigate:runs']);
  await expect(page.locator('[data-screen="runs"]')).toHaveAttribute('aria-current', 'page');

  await click('View', 'Design');
  await expect.poll(commands).toEqual(['navigate:runs', 'navigate:design']);
  await expect(page.locator('[data-screen="design"]')).toHaveAttribute('aria-current', 'page');
});

test("main's and the engine's output go to the log file", async ({ launched }) => {
  await expect.poll(() => readLog(launched)).toMatch(/\[engine\] layerlab engine: started \(pid \d+/);
  const log = readLog(launched);
  expect(log).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z \[main\] layerlab \d+\.\d+\.\d+: database /m);
  expect(log).toContain(`database ${launched.dbPath}`);
  expect(log).toMatch(/\[main\] engine: starting \(/);
  expect(log).toContain(`[engine] layerlab engine: started`);
  await expect.poll(() => readLog(launched)).toMatch(/\[main\] engine: ready \(Node/);
});

test('a crashed engine is restarted and answers again', async ({ app, page, launched }) => {
  const mainPid = app.process().pid!;
  const before = enginePid(mainPid);
  expect(before).not.toBeNull();
  process.kill(before!, 'SIGKILL');
  await expect.poll(() => enginePid(mainPid), { timeout: 30_000 }).not.toBe(before);
  await expect.poll(() => enginePid(mainPid), { timeout: 30_000 }).not.toBeNull();
  // requests made while the new engine starts wait for it
  const templates = await page.evaluate(() => window.layerlab.invoke('templates:list', undefined));
  expect(templates.ok).toBe(true);
  // the log tells the story: the crash, the restart, the second engine's start
  const log = readLog(launched);
  expect(log).toMatch(/\[main\] engine: stopped unexpectedly \(signal SIGKILL\)/);
  expect(log).toMatch(/\[main\] engine: restarting in \d+ ms/);
  await expect
    .poll(() => readLog(launched).match(/\[engine\] layerlab engine: started \(pid \d+/g)?.length ?? 0)
    .toBeGreaterThanOrEqual(2);
});

test('Help shows the logs and the data folder, and About names the database and the log file', async ({
  app,
  launched,
}) => {
  // stand-ins for the file manager and the native dialog, recording what they were asked
  await app.evaluate(({ dialog, shell }) => {
    const seen: string[] = [];
    (globalThis as { helpSeen?: string[] }).helpSeen = seen;
    shell.showItemInFolder = (file: string) => void seen.push(`show ${file}`);
    shell.openPath = async (dir: string) => (seen.push(`open ${dir}`), '');
    dialog.showMessageBox = (async (...args: unknown[]) => {
      const options = args.at(-1) as Electron.MessageBoxOptions;
      seen.push(`about ${options.message}\n${options.detail}`);
      return { response: 0, checkboxChecked: false };
    }) as typeof dialog.showMessageBox;
  });
  const help = await app.evaluate(({ Menu }) =>
    Menu.getApplicationMenu()
      ?.items.find((i) => i.label.replace('&', '') === 'Help')
      ?.submenu?.items.filter((i) => i.type !== 'separator')
      .map((i) => i.label),
  );
  expect(help).toEqual(['Show Logs', 'Open Data Folder', 'About Layerlab']);
  for (const label of help!) {
    await app.evaluate(({ Menu }, label) => {
      const help = Menu.getApplicationMenu()?.items.find((i) => i.label.replace('&', '') === 'Help');
      help?.submenu?.items.find((i) => i.label === label)?.click();
    }, label);
  }
  const seen = () => app.evaluate(() => (globalThis as { helpSeen?: string[] }).helpSeen ?? []);
  await expect.poll(async () => (await seen()).length).toBe(3);
  const [shown, opened, about] = await seen();
  expect(shown).toBe(`show ${logFile(launched)}`);
  expect(opened).toBe(`open ${path.dirname(launched.dbPath)}`);
  expect(about).toMatch(/^about Layerlab \d+\.\d+\.\d+\n/);
  expect(about).toContain(`\nDatabase: ${launched.dbPath}\n`);
  expect(about).toContain(`\nLog file: ${logFile(launched)}`);
});

test("without LAYERLAB_DB the app opens the CLI's default database", async () => {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-e2e-home-'));
  // an isolated platform data folder: XDG_DATA_HOME on Linux (the e2e runs there)
  const env = { LAYERLAB_DB: '', XDG_DATA_HOME: path.join(home, 'data'), HOME: home };
  const cli = defaultDatabasePath({ ...process.env, ...env });
  expect(cli).toBe(path.join(home, 'data', 'layerlab', 'layerlab.db'));
  let launched: LaunchedApp | null = null;
  try {
    launched = await launchApp(env);
    const page = launched.page;
    const info = await page.evaluate(() => window.layerlab.invoke('app:info', undefined));
    expect(info).toMatchObject({ ok: true, value: { dbPath: cli, dataDir: path.dirname(cli) } });
    await expect.poll(() => fs.existsSync(cli), { timeout: 60_000 }).toBe(true);
  } finally {
    if (launched) await closeApp(launched);
    fs.rmSync(home, { recursive: true, force: true });
  }
});

test('screenshot of the app shell', async ({ page, saveScreenshot }) => {
  await expect(page.locator('nav[aria-label="Screens"]')).toBeVisible();
  await page.waitForTimeout(1500); // first engine answers (templates, backend badge)
  const file = await saveScreenshot('app-shell');
  expect(file).toMatch(/app-shell\.png$/);
});

test('navigation away from the app, new windows and permissions are refused', async ({ app, page }) => {
  const appUrl = page.url();
  expect(appUrl).toMatch(/^file:\/\/.*\/out\/renderer\/index\.html/);
  await page.evaluate(() => {
    window.location.href = 'https://example.com/';
  });
  await page.waitForTimeout(1000);
  expect(page.url()).toBe(appUrl);
  expect(await page.evaluate(() => typeof window.layerlab.invoke)).toBe('function');

  expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);

  expect(await page.evaluate(() => Notification.requestPermission())).toBe('denied');

  // Playwright keeps waiting for the navigation that main cancelled; a reload gives later tests a clean frame.
  await page.reload();
  await expect(page.locator('nav[aria-label="Screens"]')).toBeVisible();
});
