// Sweeps from the app against the real engine: the Sweep form on the Train screen (a grid over the learning rate
// of a tiny MLP on 300 MNIST images, one epoch), its preview and its field messages, the sweep view (queue,
// Pause now, Resume, watching it complete, coming back after a reload), the sweep's parallel coordinates (three
// lines on the learning-rate axis, a brush filtering the table) and Compare's warning for runs that differ in
// more than one setting.
import type { Page } from '@playwright/test';
import { expect, resizeWindow, test } from './fixtures.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

test.describe.configure({ mode: 'serial' });

const SIZES = [
  [1280, 800],
  [1000, 700],
] as const;
const RATES = ['0.001', '0.01', '0.1'];

const detail = (page: Page) => page.getByTestId('sweep-detail');
const points = (page: Page) => page.getByTestId('sweep-point');
const chartBox = (page: Page) => page.getByTestId('sweep-view').getByTestId('parallel-chart');

/** Brushes a parallel axis the way a drag on it does: the axisAreaSelect action, on the chart's ECharts instance. */
async function brush(page: Page, scope: string, axisId: string, intervals: [number, number][]) {
  await page.evaluate(
    ({ scope, axisId, intervals }) => {
      const el = document.querySelector(`${scope} [data-testid="parallel-chart"] .chart`) as HTMLElement & {
        echartsInstance?: { dispatchAction(action: object): void };
      };
      if (!el?.echartsInstance) throw new Error('no parallel chart');
      el.echartsInstance.dispatchAction({ type: 'axisAreaSelect', parallelAxisId: axisId, intervals });
    },
    { scope, axisId, intervals },
  );
}

test('the Sweep form previews a 3-point grid, and names what is wrong next to the field', async ({
  app,
  page,
  saveScreenshot,
}) => {
  await resizeWindow(app, page, 1280, 800);
  await page.click('[data-screen="train"]');
  await page.getByTestId('train-mode-sweep').click();
  await expect(page.getByTestId('sweep-form')).toBeVisible();
  await expect(page.getByTestId('sweep-view')).toContainText('No sweeps yet');
  await page.getByTestId('train-model').selectOption('template:mlp');
  await page.getByTestId('hp-trainSize').fill('300');
  await page.getByTestId('hp-epochs').fill('1');
  await page.locator('input[name="sweep-name"]').fill('e2e lr grid');
  // The backend the sweep's runs train on is chosen here too, and is the same setting as a single run's.
  await expect(page.getByTestId('sweep-backend')).toHaveValue('auto');
  await expect(page.getByTestId('sweep-backend').locator('option[value="wasm"]')).toBeEnabled();
  await page.getByTestId('sweep-backend').selectOption('wasm');
  await page.getByTestId('train-mode-run').click();
  await expect(page.getByTestId('run-backend')).toHaveValue('wasm');
  await page.getByTestId('run-backend').selectOption('auto');
  await page.getByTestId('train-mode-sweep').click();
  await expect(page.getByTestId('sweep-backend')).toHaveValue('auto');

  const values = page.getByTestId('sweep-param-values').first();
  // A value out of the engine's range: its message at the field, no preview, no Start.
  await values.fill('0.001, 50');
  await expect(page.getByTestId('sweep-param').first()).toContainText('(learningRate): value must be');
  await expect(values).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('sweep-start')).toBeDisabled();

  await values.fill(RATES.join(', '));
  await expect(page.getByTestId('sweep-count')).toHaveText('3 runs');
  await expect(page.getByTestId('sweep-preview-point')).toHaveCount(3);
  await expect(page.getByTestId('sweep-preview-point').nth(2)).toContainText('0.1');

  // Past the engine's limit: a second parameter, every seed from 1 to 100, makes 300 points; refused with its count.
  await page.getByTestId('sweep-add-param').selectOption('seed');
  const seedRow = page.locator('[data-testid="sweep-param"][data-name="seed"]');
  await seedRow.getByTestId('sweep-param-kind').selectOption('int');
  await seedRow.locator('input[name="rows.1.max"]').fill('100');
  await seedRow.locator('input[name="rows.1.steps"]').fill('');
  await expect(page.getByTestId('sweep-parameters-error')).toHaveText(
    'a grid of 3 × 100 = 300 points is more than 200; shorten the lists, or sample it (random mode, samples: N)',
  );
  await expect(page.getByTestId('sweep-count')).toHaveText('300 runs');
  await expect(page.getByTestId('sweep-start')).toBeDisabled();
  await saveScreenshot('sweep-form-refused');
  await seedRow.getByRole('button', { name: /Remove parameter/ }).click();
  await expect(page.getByTestId('sweep-start')).toHaveText('Start sweep (3 runs)');
  await expect(page.getByTestId('sweep-start')).toBeEnabled();

  for (const [width, height] of SIZES) {
    await resizeWindow(app, page, width, height);
    await page.getByTestId('sweep-form').scrollIntoViewIfNeeded();
    const overflow = await page.locator('main').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(`sweep-form-${width}x${height}`);
  }
  await resizeWindow(app, page, 1280, 800);
});

test('the sweep starts, pauses now, resumes and completes, its queue updating live', async ({
  page,
  saveScreenshot,
}) => {
  await page.getByTestId('sweep-start').click();
  await expect(detail(page)).toBeVisible();
  await expect(points(page)).toHaveCount(3);
  await expect(detail(page)).toContainText('e2e lr grid');
  // Pause at once: the run in training stops at its next batch, the others stay queued.
  await page.getByTestId('sweep-pause').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('paused', { timeout: 60_000 });
  await expect
    .poll(
      async () =>
        page.evaluate(async () => {
          const active = await window.layerlab.invoke('training:active', undefined);
          return active.ok ? active.value : 'error';
        }),
      { timeout: 60_000 },
    )
    .toBeNull();
  const statuses = await points(page).evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  expect(statuses.filter((s) => s === 'completed').length).toBeLessThan(3);
  expect(statuses).toContain('queued');
  await expect(page.getByTestId('sweep-resume')).toBeVisible();
  await detail(page).scrollIntoViewIfNeeded();
  await saveScreenshot('sweep-view-paused');

  await page.getByTestId('sweep-resume').click();
  await expect(page.getByTestId('sweep-status')).toHaveText(/running|completed/);
  await expect(page.getByTestId('sweep-status')).toHaveText('completed', { timeout: 280_000 });
  await expect(page.locator('[data-testid="sweep-point"][data-status="completed"]')).toHaveCount(3);
  for (let i = 0; i < 3; i++)
    await expect(points(page).nth(i).getByTestId('sweep-point-test')).toHaveText(/^\d{1,3}\.\d\d%$/);
  await expect(page.getByTestId('sweep-progress')).toContainText('3 of 3 runs done');
  await expect(page.getByTestId('sweep-list-item')).toHaveCount(1);
  // The form keeps the sweep's base: a point's values are not taken into it as a run's settings would be.
  await expect(page.getByTestId('hp-learningRate')).toHaveValue('0.001');
});

test("the sweep's parallel coordinates: 3 lines on the learning-rate axis, and a brush filters the table", async ({
  app,
  page,
  saveScreenshot,
}) => {
  const view = page.getByTestId('sweep-view');
  await expect(chartBox(page)).toHaveAttribute('data-lines', '3');
  await expect(chartBox(page)).toHaveAttribute('data-axes', 'learningRate,metric');
  await expect(chartBox(page).locator('canvas').first()).toBeVisible();
  const rows = view.getByTestId('parallel-row');
  await expect(rows).toHaveCount(3);
  await expect(view.getByTestId('parallel-relations')).toContainText('Learning rate');
  await expect(view.getByTestId('parallel-relations')).toContainText(/ρ = -?\d\.\d\d|—/);

  // Brush the learning-rate axis over 0.005..0.2: the runs at 0.01 and 0.1.
  await brush(page, '[data-testid="sweep-view"]', 'axis-learningRate', [[0.005, 0.2]]);
  await expect(rows).toHaveCount(2);
  await expect(view.getByTestId('parallel-shown')).toHaveText('2 of 3 runs inside the brush');
  const shownRates = await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1].textContent?.trim()));
  expect(shownRates.sort()).toEqual(['0.01', '0.1']);
  for (const [width, height] of SIZES) {
    await resizeWindow(app, page, width, height);
    await view.getByTestId('parallel-panel').scrollIntoViewIfNeeded();
    await saveScreenshot(`sweep-parallel-${width}x${height}`);
  }
  await view.getByTestId('parallel-clear').click();
  await expect(rows).toHaveCount(3);

  // A brush on the metric axis too: only runs inside both.
  await brush(page, '[data-testid="sweep-view"]', 'axis-learningRate', [[0.0005, 0.02]]);
  await expect(rows).toHaveCount(2);
  await view.getByTestId('parallel-metric').selectOption('bestValLoss');
  await expect(rows).toHaveCount(3); // a new drawing starts without brushes
  await resizeWindow(app, page, 1280, 800);
});

test('the sweep view at both sizes, and after a reload it shows the sweep where it was', async ({
  app,
  page,
  saveScreenshot,
}) => {
  for (const [width, height] of SIZES) {
    await resizeWindow(app, page, width, height);
    await detail(page).scrollIntoViewIfNeeded();
    const overflow = await page.locator('main').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await saveScreenshot(`sweep-view-${width}x${height}`);
  }
  await resizeWindow(app, page, 1280, 800);
  await page.reload();
  await page.click('[data-screen="train"]');
  await expect(detail(page)).toBeVisible();
  await expect(detail(page)).toContainText('e2e lr grid');
  await expect(page.getByTestId('sweep-status')).toHaveText('completed');
  await expect(points(page)).toHaveCount(3);
});

test('Compare: a run differing in two settings brings the warning that lists them', async ({
  page,
  saveScreenshot,
}) => {
  const spec = await templateSpec(page, 'mlp');
  const other = await trainRun(page, {
    name: 'sgd outlier',
    spec,
    hyperparameters: { trainSize: 300, epochs: 1, optimizer: 'sgd', learningRate: 0.05, momentum: 0.9 },
    dataset: 'mnist',
  });
  const sweepRuns = await points(page).evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-run-id'))));
  await page.click('[data-screen="runs"]');
  const row = (id: number) => page.locator(`tbody tr[data-run-id="${id}"]`);
  // Two of the sweep's runs differ in the learning rate alone: no warning.
  await row(sweepRuns[0]).getByRole('checkbox').check();
  await row(sweepRuns[1]).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare (2)' }).click();
  await expect(page.getByRole('heading', { name: 'Compare', exact: true })).toBeVisible();
  await expect(page.getByTestId('parallel-panel')).toBeVisible();
  await expect(page.getByTestId('compare-multi-setting')).toHaveCount(0);
  // With the SGD run the runs differ in optimizer, learning rate and momentum.
  await page.click('[data-screen="runs"]');
  await row(other).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare (3)' }).click();
  const warning = page.getByTestId('compare-multi-setting');
  await expect(warning).toBeVisible();
  await expect(warning).toContainText('Optimizer');
  await expect(warning).toContainText('Learning rate');
  await expect(page.getByTestId('parallel-chart')).toHaveAttribute('data-lines', '3');
  await expect(page.getByTestId('parallel-chart')).toHaveAttribute('data-axes', /optimizer.*learningRate.*metric/);
  await saveScreenshot('compare-multi-setting');
  await page.getByTestId('parallel-panel').scrollIntoViewIfNeeded();
  await saveScreenshot('compare-parallel');
});

test('a paused sweep: remove a queued run, add a point, cancel it and delete it, each behind a confirmation', async ({
  page,
  saveScreenshot,
}) => {
  await page.click('[data-screen="train"]');
  await page.getByTestId('train-model').selectOption('template:mlp');
  await page.getByTestId('hp-trainSize').fill('300');
  await page.getByTestId('hp-epochs').fill('1');
  await page.locator('input[name="sweep-name"]').fill('e2e cancel');
  await page.getByTestId('sweep-param-values').first().fill(RATES.join(', '));
  await page.getByTestId('sweep-start').click();
  await expect(detail(page)).toContainText('e2e cancel');
  await page.getByTestId('sweep-pause').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('paused', { timeout: 60_000 });
  await expect(page.getByTestId('sweep-list-item')).toHaveCount(2);

  const queued = page.locator('[data-testid="sweep-point"][data-status="queued"]');
  const before = await queued.count();
  expect(before).toBeGreaterThan(0);
  await queued.last().getByTestId('sweep-remove-run').click();
  await expect(page.locator('[data-testid="sweep-point"][data-status="removed"]')).toHaveCount(1);
  await expect(queued).toHaveCount(before - 1);

  await detail(page).getByText('Add points').click();
  await page.locator('[data-testid="sweep-add-value"][data-name="learningRate"]').fill('50');
  await page.getByTestId('sweep-add-point').click();
  await expect(page.getByTestId('sweep-add-error')).toContainText('learningRate');
  await page.locator('[data-testid="sweep-add-value"][data-name="learningRate"]').fill('0.05');
  await page.getByTestId('sweep-add-point').click();
  await expect(points(page)).toHaveCount(4);
  await expect(points(page).nth(3)).toHaveAttribute('data-status', 'queued');
  await expect(points(page).nth(3)).toContainText('0.05');

  await page.getByTestId('sweep-cancel').click();
  await expect(page.getByRole('alertdialog', { name: 'Cancel the sweep?' })).toBeVisible();
  await page.getByTestId('sweep-cancel-confirm').click();
  await expect(page.getByTestId('sweep-status')).toHaveText('cancelled');
  await expect(page.locator('[data-testid="sweep-point"][data-status="queued"]')).toHaveCount(0);
  await expect(page.locator('[data-testid="sweep-point"][data-status="cancelled"]')).not.toHaveCount(0);
  await expect(page.getByTestId('sweep-pause')).toHaveCount(0);
  await expect(page.getByTestId('sweep-resume')).toHaveCount(0);

  // Deleting it, with its trained runs, behind a confirmation: the list goes back to the first sweep.
  const trainedRuns = await points(page).evaluateAll(
    (rows) => rows.filter((r) => !['queued', 'cancelled', 'removed'].includes(r.getAttribute('data-status')!)).length,
  );
  const runsBefore = await page.evaluate(async () => {
    const listed = await window.layerlab.invoke('runs:list', {});
    return listed.ok ? listed.value.length : -1;
  });
  await page.getByTestId('sweep-delete').click();
  await expect(page.getByRole('alertdialog', { name: 'Delete the sweep?' })).toBeVisible();
  if (trainedRuns > 0) await page.getByTestId('sweep-delete-runs').check();
  await saveScreenshot('sweep-delete-confirm');
  await page.getByTestId('sweep-delete-confirm').click();
  await expect(page.getByTestId('sweep-list-item')).toHaveCount(1);
  await expect(detail(page)).toContainText('e2e lr grid');
  const runsAfter = await page.evaluate(async () => {
    const listed = await window.layerlab.invoke('runs:list', {});
    return listed.ok ? listed.value.length : -1;
  });
  expect(runsAfter).toBe(runsBefore - trainedRuns);
});
