// Failures the app must come back from without a restart of Layerlab: the app's main process killed mid-run
// (no engine may stay behind, and the run is offered for Resume after a relaunch), the engine killed twice in a
// row (the Restart engine button brings it back and no screen stays stuck), and a stopped run evaluated from
// its last checkpoint and resumed from Runs with its own settings in the Train form.
// Processes are found in /proc: the engine is the child of the app's main process running out/main/engine.cjs.
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import type { RequestOf } from '#shared/contract.ts';
import { closeApp, expect, launchApp, SCREENSHOT_DIR, test, type LaunchedApp } from './fixtures.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

test.describe.configure({ mode: 'serial' });

/** State letter and parent pid from /proc/<pid>/stat ("pid (comm) S ppid …"), or null when it is gone. */
function procStat(pid: number): { state: string; ppid: number } | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return null;
  }
}

/** A zombie waiting for a parent that does not reap it counts as gone: it runs nothing. */
function isAlive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== null && stat.state !== 'Z' && stat.state !== 'X';
}

function enginePidOf(mainPid: number): number | null {
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || procStat(pid)?.ppid !== mainPid || !isAlive(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join('out', 'main', 'engine.cjs'))) return pid;
    } catch {
      // it ended while we looked
    }
  }
  return null;
}

/** Every live process below `rootPid` (Electron's zygote, GPU, renderer and utility processes, the engine). */
function descendantsOf(rootPid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    const pid = Number(entry);
    const stat = Number.isInteger(pid) ? procStat(pid) : null;
    if (stat && isAlive(pid)) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [rootPid];
  while (queue.length) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Waits for an engine process other than `previous` (a restarted one) and returns its pid. */
async function waitForEngine(launched: LaunchedApp, previous: number | null = null): Promise<number> {
  const mainPid = launched.app.process().pid!;
  let found: number | null = null;
  await expect
    .poll(
      () => {
        found = enginePidOf(mainPid);
        return found !== null && found !== previous;
      },
      { timeout: 120_000, intervals: [100] },
    )
    .toBe(true);
  return found!;
}

const engineState = (page: Page) =>
  page.evaluate(async () => {
    const status = await window.layerlab.invoke('engine:status', undefined);
    return status.ok ? status.value.state : 'error';
  });

async function startRun(page: Page, request: RequestOf<'training:start'>): Promise<number> {
  return page.evaluate(async (request) => {
    const started = await window.layerlab.invoke('training:start', request);
    if (!started.ok) throw new Error(started.error.message);
    return started.value.runId;
  }, request);
}

async function runStatus(page: Page, runId: number) {
  return page.evaluate(async (runId) => {
    const detail = await window.layerlab.invoke('runs:get', { runId });
    if (!detail.ok) throw new Error(detail.error.message);
    return { status: detail.value.run.status, epochsCompleted: detail.value.run.epochsCompleted };
  }, runId);
}

/** 10,800 training images in batches of 8: 1,350 batches an epoch, long enough to act mid-run. */
const SLOW = { trainSize: 12000, validationSplit: 0.1, batchSize: 8, seed: 42 };
/** For the apps these tests launch themselves (saveScreenshot is the shared app's). */
async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

const epochShown = async (page: Page) => Number(await page.getByTestId('train-epoch').getAttribute('data-epoch'));

test('killing the app mid-run leaves no engine behind, and the relaunched app offers the run for Resume', async () => {
  const first = await launchApp();
  let second: LaunchedApp | null = null;
  try {
    const spec = await templateSpec(first.page, 'seed');
    const runId = await startRun(first.page, {
      name: 'e2e killed with the app',
      spec,
      hyperparameters: { ...SLOW, epochs: 3 },
      dataset: 'mnist',
    });
    await expect.poll(() => runStatus(first.page, runId).then((r) => r.status), { timeout: 120_000 }).toBe('running');
    const enginePid = await waitForEngine(first);
    const mainPid = first.app.process().pid!;
    const helpers = descendantsOf(mainPid).filter((pid) => pid !== enginePid);

    process.kill(mainPid, 'SIGKILL');
    await expect.poll(() => isAlive(mainPid), { timeout: 30_000 }).toBe(false);
    // The engine notices its parent is gone and exits (LIFECYCLE: the engine watches its parent).
    await expect
      .poll(() => isAlive(enginePid), { timeout: 30_000, message: `engine pid ${enginePid} still runs` })
      .toBe(false);
    // Chromium's own helpers die with their browser process; the relaunch below shares their profile folder, so
    // wait for them rather than race them.
    await expect
      .poll(() => helpers.filter(isAlive), { timeout: 30_000, message: 'Electron helper processes still run' })
      .toEqual([]);

    // A new app on the same database: the run is interrupted, not "running", and Train offers it for Resume.
    second = await launchApp({ LAYERLAB_DB: first.dbPath, LAYERLAB_USER_DATA: path.join(first.dir, 'profile') });
    const page = second.page;
    await page.click('[data-screen="train"]');
    const row = page.locator(`tr[data-run-id="${runId}"]`);
    await expect(row).toBeVisible({ timeout: 60_000 });
    await expect(row.locator('.status')).toHaveText('interrupted');
    await expect(row.getByTestId('resume-run')).toBeEnabled();
    await shot(page, 'failures-relaunch-resumable');

    await row.getByTestId('resume-run').click();
    await expect(page.getByTestId('train-phase')).toHaveText(/^(Training|Validating)$/, { timeout: 120_000 });
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-result')).toHaveAttribute('data-status', 'stopped', { timeout: 120_000 });
  } finally {
    if (second) await closeApp(second);
    await closeApp(first); // its process is gone; this removes its folder
  }
});

test('two engine crashes in a row: no screen stays stuck, and Restart engine brings it back', async () => {
  // One automatic restart, as before this fix: the second crash in a row is left to the Restart engine button.
  const launched = await launchApp({ LAYERLAB_ENGINE_AUTO_RESTARTS: '1' });
  const { page } = launched;
  try {
    await page.click('[data-screen="train"]');
    await page.getByTestId('train-model').selectOption('template:seed');
    for (const [name, value] of Object.entries({
      trainSize: '12000',
      epochs: '4',
      batchSize: '8',
      validationSplit: '0.1',
    })) {
      await page.getByTestId(`hp-${name}`).fill(value);
    }
    await page.getByTestId('run-name').fill('e2e engine crashes');
    await page.getByTestId('train-start').click();
    await expect(page.getByTestId('train-run-name')).toContainText('e2e engine crashes', { timeout: 60_000 });
    // After the first checkpoint, so the run has weights to resume from.
    await expect.poll(() => epochShown(page), { timeout: 180_000 }).toBeGreaterThanOrEqual(2);

    // Crash 1, mid-training: the run ends interrupted at once and the engine restarts on its own.
    const firstEngine = await waitForEngine(launched);
    process.kill(firstEngine, 'SIGKILL');
    await expect(page.getByTestId('train-result')).toHaveAttribute('data-status', 'interrupted', { timeout: 30_000 });
    await expect(page.getByTestId('train-stop')).toHaveCount(0);
    await shot(page, 'failures-engine-restarting'); // restarting or starting again, whichever it is by now
    const secondEngine = await waitForEngine(launched, firstEngine);
    await expect.poll(() => engineState(page), { timeout: 120_000 }).toBe('ready');
    await expect(page.getByTestId('engine-recovered')).toContainText('Run #1 was interrupted');
    await shot(page, 'failures-engine-recovered');

    // Crash 2, right after Resume was pressed (the "Starting…" that used to stay forever).
    await page.getByTestId('result-resume').click();
    process.kill(secondEngine, 'SIGKILL');
    const banner = page.getByTestId('engine-banner');
    await expect(banner).toHaveAttribute('data-state', 'down', { timeout: 30_000 });
    await expect(page.getByTestId('engine-cause')).toHaveText(/^The engine was killed/);
    await expect(banner.getByText(/SIGKILL/)).toBeHidden(); // only under Details, closed
    await expect(page.getByTestId('train-phase')).not.toHaveText(/Starting/);
    await expect(page.getByTestId('train-stop')).toHaveCount(0);
    await expect(page.getByTestId('train-start')).toHaveText('Start training');
    await expect(page.getByTestId('train-start')).toBeDisabled();
    await expect(page.getByText('The engine is not running; restart it from the banner above.')).toBeVisible();
    await shot(page, 'failures-engine-down');

    // Runs cannot load meanwhile, and says so with a Retry; Restart engine fixes it without touching Retry.
    await page.click('[data-screen="runs"]');
    await expect(page.getByText(/^Could not load runs: The engine was killed/)).toBeVisible();
    await page.getByTestId('engine-restart').click();
    await expect(banner).toHaveCount(0, { timeout: 120_000 });
    await expect(page.locator('tbody tr[data-run-id]')).toHaveCount(1, { timeout: 30_000 });
    await expect(page.locator('tbody tr[data-run-id]').getByText('interrupted')).toBeVisible();

    // Draw lists the interrupted run (it has weights) once the engine is back.
    await page.click('[data-screen="draw"]');
    await expect(page.getByTestId('draw-run')).toBeVisible();

    // Train works again: the interrupted run resumes from its checkpoint, and Stop stops it.
    await page.click('[data-screen="train"]');
    await page.getByTestId('result-resume').click();
    await expect(page.getByTestId('train-phase')).toHaveText(/^(Training|Validating)$/, { timeout: 120_000 });
    await expect(page.getByText(/Resumed from the checkpoint after epoch \d/)).toBeVisible();
    await page.getByTestId('train-stop').click();
    await expect(page.getByTestId('train-result')).toHaveAttribute('data-status', 'stopped', { timeout: 120_000 });
    await expect(page.getByTestId('train-start')).toBeEnabled();
    await shot(page, 'failures-engine-back');
  } finally {
    await closeApp(launched);
  }
});

let completedRun = 0;
let stoppedRun = 0;

test('a stopped run is evaluated from its last checkpoint, saying which epoch', async ({ page, saveScreenshot }) => {
  const spec = await templateSpec(page, 'seed');
  completedRun = await trainRun(page, {
    name: 'e2e completed',
    spec,
    hyperparameters: { trainSize: 2000, epochs: 1, batchSize: 16 },
    dataset: 'mnist',
  });
  stoppedRun = await startRun(page, {
    name: 'e2e stopped',
    spec,
    hyperparameters: { ...SLOW, epochs: 3 },
    dataset: 'mnist',
  });
  await expect
    .poll(() => runStatus(page, stoppedRun).then((r) => r.epochsCompleted), { timeout: 240_000 })
    .toBeGreaterThanOrEqual(1);
  await page.evaluate((runId) => window.layerlab.invoke('training:stop', { runId }), stoppedRun);
  await expect.poll(() => runStatus(page, stoppedRun).then((r) => r.status), { timeout: 120_000 }).toBe('stopped');
  const { epochsCompleted } = await runStatus(page, stoppedRun);

  // From Runs: Evaluate opens this run, not the newest completed one.
  await page.click('[data-screen="runs"]');
  await page.locator(`tbody tr[data-run-id="${stoppedRun}"]`).getByRole('button', { name: 'e2e stopped' }).click();
  await page.getByRole('region', { name: 'Run details' }).getByRole('button', { name: 'Evaluate' }).click();
  await expect(page.getByTestId('evaluate-run')).toHaveValue(String(stoppedRun));
  await expect(page.getByTestId('evaluation-weights')).toHaveText(
    `Test accuracy of the epoch ${epochsCompleted} weights, its last checkpoint: the run was stopped after ${epochsCompleted} of 3 epochs.`,
    { timeout: 120_000 },
  );
  await expect(page.getByTestId('evaluation-summary').locator('.main dd')).toHaveText(/^\d{1,3}\.\d\d%$/);
  await saveScreenshot('failures-evaluate-stopped');

  // The completed run says its score is the final epoch's; the stopped one is listed by what it is.
  await page.getByTestId('evaluate-run').selectOption(String(completedRun));
  await expect(page.getByTestId('evaluation-weights')).toHaveText(
    'Test accuracy of the epoch 1 weights, the end of training (1 of 1 epochs).',
  );
  await expect(page.getByTestId('evaluate-run').locator(`option[value="${stoppedRun}"]`)).toHaveText(
    `#${stoppedRun} e2e stopped (stopped after epoch ${epochsCompleted})`,
  );
});

test('Train offers the stopped run for Resume, and resuming from Runs shows its own settings', async ({
  page,
  saveScreenshot,
}) => {
  // The form holds something else first: another network and other hyperparameters.
  await page.click('[data-screen="train"]');
  await page.getByTestId('train-model').selectOption('template:mlp');
  await page.getByTestId('hp-epochs').fill('7');
  await page.getByTestId('hp-trainSize').fill('');
  const row = page.locator(`tr[data-run-id="${stoppedRun}"]`);
  await expect(row.getByTestId('resume-run')).toBeEnabled();
  await expect(row.locator('.status')).toHaveText('stopped');

  await page.click('[data-screen="runs"]');
  await page.locator(`tbody tr[data-run-id="${stoppedRun}"]`).getByRole('button', { name: 'e2e stopped' }).click();
  await page.getByRole('region', { name: 'Run details' }).getByRole('button', { name: 'Resume' }).click();
  await expect(page.locator('[data-screen="train"]')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('train-run-name')).toContainText('e2e stopped', { timeout: 60_000 });
  await expect(page.getByTestId('train-model')).toHaveValue(`run:${stoppedRun}`);
  await expect(page.getByTestId('hp-epochs')).toHaveValue('3');
  await expect(page.getByTestId('hp-trainSize')).toHaveValue('12000');
  await expect(page.getByTestId('hp-batchSize')).toHaveValue('8');
  await expect(page.getByTestId('train-param-count')).toContainText('93,322');
  await saveScreenshot('failures-resumed-from-runs');

  await expect(page.getByTestId('train-phase')).toHaveText(/^(Training|Validating)$/, { timeout: 120_000 });
  await page.getByTestId('train-stop').click();
  await expect(page.getByTestId('train-result')).toHaveAttribute('data-status', 'stopped', { timeout: 120_000 });
});
