// Runs and Compare against the real engine: two tiny runs trained through the app's own IPC (they differ in
// optimizer, learning rate and one Dense layer), then the Runs table (rename, tag, notes that survive a screen
// switch, sorting, keyboard selection), Compare (curves, hyperparameter diff with its toggle, architecture
// diff, confusion matrices, removing and re-adding a run) and deleting a run behind a confirmation.
import type { Page } from '@playwright/test';
import type { LayerSpec, ModelSpec } from '#shared/model/spec.ts';
import { expect, resizeWindow, test } from './fixtures.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

test.describe.configure({ mode: 'serial' });

const seedSpec = (page: Page) => templateSpec(page, 'seed');

const row = (page: Page, runId: number) => page.locator(`tbody tr[data-run-id="${runId}"]`);
const testAccuracyOf = async (page: Page, runId: number) =>
  parseFloat(await row(page, runId).locator('[data-col="testAccuracy"]').innerText());

let adamRun = 0;
let sgdRun = 0;

test('seed two runs that differ in optimizer and one layer', async ({ page }) => {
  const spec = await seedSpec(page);
  // The second run narrows the hidden Dense layer: one "changed" layer in the architecture diff.
  const narrower: ModelSpec = {
    ...spec,
    layers: spec.layers.map((layer): LayerSpec =>
      layer.type === 'Dense' && layer.activation !== 'softmax' ? { ...layer, units: 32 } : layer,
    ),
  };
  const small = { trainSize: 600, epochs: 2, validationSplit: 0.1, batchSize: 32 };
  adamRun = await trainRun(page, {
    name: 'adam run',
    spec,
    hyperparameters: { ...small, optimizer: 'adam', learningRate: 0.001 },
    dataset: 'mnist',
  });
  sgdRun = await trainRun(page, {
    name: 'sgd run',
    spec: narrower,
    hyperparameters: { ...small, optimizer: 'sgd', learningRate: 0.05, momentum: 0.9 },
    dataset: 'mnist',
  });
  expect(adamRun).toBeGreaterThan(0);
  expect(sgdRun).toBeGreaterThan(adamRun);
});

test('Runs: the table lists both runs with their test accuracies', async ({ page, saveScreenshot }) => {
  await page.click('[data-screen="runs"]');
  await expect(page.getByRole('heading', { name: 'Runs', exact: true })).toBeVisible();
  await expect(page.locator('tbody tr[data-run-id]')).toHaveCount(2);
  for (const id of [adamRun, sgdRun]) {
    await expect(row(page, id).getByText('completed')).toBeVisible();
    await expect(row(page, id).locator('[data-col="testAccuracy"]')).toHaveText(/^\d{1,3}\.\d\d% · (last )?ep 2$/); // and which epoch's weights
  }
  await expect(row(page, adamRun)).toContainText('C32-P-C64-P-C64-F-D64-D10');
  await expect(row(page, sgdRun)).toContainText('C32-P-C64-P-C64-F-D32-D10');
  await saveScreenshot('runs-list');
});

// Narrow windows drop the columns the detail pane repeats (LR, batch, duration, backend), never Test acc.
for (const [width, height] of [
  [1000, 700],
  [1280, 800],
]) {
  test(`Runs: at ${width}×${height} the table fits, Test acc in view`, async ({ app, page, saveScreenshot }) => {
    await resizeWindow(app, page, width, height);
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    // Neither the table nor the screen (with the run's detail pane below) scrolls sideways.
    const overflow = (selector: string) => page.locator(selector).evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(await overflow('.table-wrap')).toBeLessThanOrEqual(0);
    expect(await overflow('main')).toBeLessThanOrEqual(0);
    const header = page.getByRole('button', { name: /^Test acc/ });
    await expect(header).toBeInViewport({ ratio: 1 });
    await expect(row(page, adamRun).locator('[data-col="testAccuracy"]')).toBeInViewport({ ratio: 1 });
    await expect(page.getByRole('button', { name: /^Backend/ })).toBeVisible({ visible: width >= 1200 });
    await saveScreenshot(`runs-${width}x${height}`);
  });
}

test('Runs: rename, tag and notes persist across screens', async ({ page, saveScreenshot }) => {
  await row(page, adamRun).getByRole('button', { name: 'adam run' }).click();
  const pane = page.getByRole('region', { name: 'Run details' });
  await pane.getByRole('button', { name: 'Rename adam run' }).click();
  const nameInput = pane.getByRole('textbox', { name: 'Run name' });
  await nameInput.fill('baseline adam');
  // Escape abandons an edit; Enter saves.
  await nameInput.press('Escape');
  await expect(pane.getByRole('heading', { name: 'adam run' })).toBeVisible();
  await pane.getByRole('button', { name: 'Rename adam run' }).click();
  await nameInput.fill('baseline adam');
  await nameInput.press('Enter');
  await expect(row(page, adamRun).getByRole('button', { name: 'baseline adam' })).toBeVisible();

  const tagInput = pane.getByRole('textbox', { name: 'Add tag' });
  await tagInput.fill('baseline');
  await tagInput.press('Enter');
  await expect(pane.getByRole('button', { name: 'Remove tag baseline' })).toBeVisible();
  await expect(row(page, adamRun).locator('.tag', { hasText: 'baseline' })).toBeVisible();

  const notes = pane.getByRole('textbox', { name: /Notes/ });
  await notes.fill('Reference run.\nAdam at 1e-3 beats SGD here.');
  await expect(pane.getByText('saved', { exact: true })).toBeVisible();
  await saveScreenshot('runs-edited');

  await page.click('[data-screen="design"]');
  await page.click('[data-screen="runs"]');
  await row(page, adamRun).getByRole('button', { name: 'baseline adam' }).click();
  await expect(page.getByRole('textbox', { name: /Notes/ })).toHaveValue(
    'Reference run.\nAdam at 1e-3 beats SGD here.',
  );
  await expect(page.getByRole('button', { name: 'Remove tag baseline' })).toBeVisible();

  // The search goes to the engine: notes and tags are searchable.
  await page.getByRole('searchbox').fill('beats');
  await expect(page.locator('tbody tr[data-run-id]')).toHaveCount(1);
  await page.getByRole('searchbox').press('Escape');
  await expect(page.locator('tbody tr[data-run-id]')).toHaveCount(2);
});

test('Runs: sort by test accuracy both ways', async ({ page }) => {
  const header = page.locator('th', { has: page.getByRole('button', { name: /^Test acc/ }) });
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'descending');
  const [high, low] =
    (await testAccuracyOf(page, adamRun)) >= (await testAccuracyOf(page, sgdRun))
      ? [adamRun, sgdRun]
      : [sgdRun, adamRun];
  await expect(page.locator('tbody tr[data-run-id]').first()).toHaveAttribute('data-run-id', String(high));
  await header.getByRole('button').click();
  await expect(header).toHaveAttribute('aria-sort', 'ascending');
  await expect(page.locator('tbody tr[data-run-id]').first()).toHaveAttribute('data-run-id', String(low));
});

test('Compare: curves, hyperparameter diff, architecture diff and confusion matrices', async ({
  page,
  saveScreenshot,
}) => {
  // Keyboard selection: Space ticks a focused checkbox.
  await row(page, adamRun).getByRole('checkbox').focus();
  await page.keyboard.press('Space');
  await row(page, sgdRun).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare (2)' }).click();
  await expect(page.getByRole('heading', { name: 'Compare', exact: true })).toBeVisible();

  await expect(page.getByRole('img', { name: /Validation accuracy of 2 runs/ })).toBeVisible();
  await expect(
    page
      .getByRole('img', { name: /of 2 runs/ })
      .locator('canvas')
      .first(),
  ).toBeVisible();

  const settings = page.getByTestId('settings-table');
  const keys = () => settings.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key')));
  await expect.poll(keys).toEqual(['architecture', 'parameters', 'optimizer', 'learningRate', 'momentum']);
  await saveScreenshot('compare-top');

  await page.getByRole('checkbox', { name: 'Show only differences' }).uncheck();
  await expect
    .poll(keys)
    .toEqual(
      expect.arrayContaining([
        'dataset',
        'batchSize',
        'epochs',
        'validationSplit',
        'trainSize',
        'seed',
        'backend',
        'optimizer',
      ]),
    );
  await page.getByRole('checkbox', { name: 'Show only differences' }).check();

  const changed = page.locator('li[data-kind="changed"]');
  await expect(changed).toHaveCount(1);
  await expect(changed).toContainText('Dense');
  await expect(changed.locator('.hl', { hasText: 'units' }).first()).toBeVisible();
  await expect(page.locator('li[data-kind="added"], li[data-kind="removed"]')).toHaveCount(0);

  const matrices = page.getByTestId('confusion-matrix');
  await expect(matrices).toHaveCount(2);
  for (const matrix of await matrices.all()) await expect(matrix.locator('canvas').first()).toBeVisible();
  const scrollToTop = (element: Element) => element.scrollIntoView({ block: 'start' });
  await page.getByRole('heading', { name: 'Architecture', exact: true }).evaluate(scrollToTop);
  await saveScreenshot('compare-diff');
  await page.getByRole('heading', { name: 'Confusion matrices' }).evaluate(scrollToTop);
  await saveScreenshot('compare-confusion');

  // Switching the curves to loss per batch step with a log scale keeps both series.
  await page.getByRole('combobox', { name: /^Metric/ }).selectOption('loss');
  await page.getByRole('radio', { name: 'Batch step' }).check();
  await page.getByRole('checkbox', { name: 'Log scale' }).check();
  await expect(page.getByRole('img', { name: /Training loss of 2 runs/ })).toBeVisible();

  // Removing a run leaves one: Compare explains; the picker adds it back.
  await page.getByRole('button', { name: `Remove run ${sgdRun} from the comparison` }).click();
  await expect(page.getByRole('heading', { name: 'Add one more run' })).toBeVisible();
  await saveScreenshot('compare-one-run');
  await page.getByRole('combobox', { name: 'Add a run to the comparison' }).selectOption(String(sgdRun));
  await expect(page.getByTestId('confusion-matrix')).toHaveCount(2);
});

test('Runs: delete a run after confirming', async ({ page, saveScreenshot }) => {
  await page.click('[data-screen="runs"]');
  await row(page, sgdRun).getByRole('button', { name: 'sgd run' }).click();
  await page.getByRole('region', { name: 'Run details' }).getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete run “sgd run”?' });
  await expect(dialog).toBeVisible();
  await saveScreenshot('runs-delete-dialog');
  // Cancel keeps it; confirming deletes it.
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row(page, sgdRun)).toBeVisible();
  await page.getByRole('region', { name: 'Run details' }).getByRole('button', { name: 'Delete…' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Delete run' }).click();
  await expect(row(page, sgdRun)).toHaveCount(0);
  await expect(page.locator('tbody tr[data-run-id]')).toHaveCount(1);
  await saveScreenshot('runs-after-delete');

  // The deleted run also left the comparison.
  await page.click('[data-screen="compare"]');
  await expect(page.getByRole('heading', { name: 'Add one more run' })).toBeVisible();
});
