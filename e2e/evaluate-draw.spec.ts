// Evaluate and Draw against the real engine: empty states on a fresh database, then a tiny seed run trained
// through the app's own IPC; its confusion matrix opens cell galleries (mouse and keyboard), and drawn digits
// get live predictions, a 28x28 preview, undo and clear, and a side-by-side comparison with a second run.
import type { Page } from '@playwright/test';
import type { LayerlabApi } from '#shared/contract.ts';
import { CONFUSION_GRID } from '#renderer/components/evaluate/confusion-option.ts';
import { expect, test } from './fixtures.ts';
import { stroke } from './helpers/draw.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

test.describe.configure({ mode: 'serial' });

type Api = { layerlab: LayerlabApi };

/** Trains a template through the app's IPC and waits for the engine to be idle. */
async function trainTemplate(
  page: Page,
  template: string,
  hyperparameters: Record<string, number>,
  name: string,
): Promise<number> {
  return trainRun(page, { name, spec: await templateSpec(page, template), hyperparameters, dataset: 'mnist' });
}

async function runDetail(page: Page, runId: number) {
  return page.evaluate(async (runId) => {
    const detail = await (window as unknown as Api).layerlab.invoke('runs:get', { runId });
    if (!detail.ok) throw new Error(detail.error.message);
    return {
      status: detail.value.run.status,
      testAccuracy: detail.value.run.testAccuracy,
      confusion: detail.value.evaluation?.confusion ?? null,
    };
  }, runId);
}

/** The confusion cell with the most images off the diagonal (the busiest cell if the model never errs). */
function busiestMistake(confusion: number[][]): { row: number; col: number; count: number } {
  const cells = confusion.flatMap((counts, row) => counts.map((count, col) => ({ row, col, count })));
  const byCount = (a: { count: number }, b: { count: number }) => b.count - a.count;
  const mistake = cells.filter((c) => c.row !== c.col).sort(byCount)[0];
  return mistake && mistake.count > 0 ? mistake : cells.sort(byCount)[0];
}

async function confidences(page: Page): Promise<number[]> {
  return page
    .getByTestId('cell-gallery')
    .locator('[data-confidence]')
    .evaluateAll((nodes) => nodes.map((n) => Number(n.getAttribute('data-confidence'))));
}

const ONE: [number, number][] = Array.from({ length: 16 }, (_, i) => [146, 50 + i * 12]);
const ZERO: [number, number][] = Array.from({ length: 41 }, (_, i) => [
  140 + 62 * Math.sin((i / 40) * 2 * Math.PI),
  140 - 96 * Math.cos((i / 40) * 2 * Math.PI),
]);
const inkOfPreview = async (page: Page) => Number(await page.getByTestId('model-input').getAttribute('data-ink'));

let seedRunId = 0;

test('Evaluate: empty state, confusion matrix, cell gallery sorted both ways, keyboard and Escape', async ({
  page,
  saveScreenshot,
}) => {
  // A fresh database: both screens explain what is missing and lead to Train.
  await page.click('[data-screen="evaluate"]');
  await expect(page.getByTestId('evaluate-empty')).toBeVisible();
  await expect(page.getByTestId('evaluate-empty').getByRole('button', { name: 'Go to Train' })).toBeVisible();
  await saveScreenshot('evaluate-empty');
  await page.click('[data-screen="draw"]');
  await expect(page.getByTestId('draw-empty')).toBeVisible();
  await saveScreenshot('draw-empty');

  seedRunId = await trainTemplate(page, 'seed', { trainSize: 2000, epochs: 1, batchSize: 16 }, 'e2e evaluate seed');
  const { status, confusion } = await runDetail(page, seedRunId);
  expect(status).toBe('completed');
  expect(confusion).not.toBeNull();

  await page.click('[data-screen="evaluate"]');
  const matrix = page.getByTestId('confusion-matrix');
  await expect(matrix.locator('canvas').first()).toBeVisible();
  await expect(page.getByTestId('evaluation-summary')).toContainText('Test accuracy');
  await expect(page.getByTestId('evaluation-summary')).toContainText('10,000');
  await expect(page.getByTestId('mistakes').locator('[data-test-index]').first()).toBeVisible();
  await saveScreenshot('evaluate-matrix');

  // Click the busiest mistake cell (rows = true class from the top, columns = predicted from the left).
  const cell = busiestMistake(confusion!);
  expect(cell.count).toBeGreaterThan(0);
  const box = (await matrix.locator('.chart').boundingBox())!;
  const n = confusion!.length;
  const cellWidth = (box.width - CONFUSION_GRID.left - CONFUSION_GRID.right) / n;
  const cellHeight = (box.height - CONFUSION_GRID.top - CONFUSION_GRID.bottom) / n;
  await page.mouse.click(
    box.x + CONFUSION_GRID.left + (cell.col + 0.5) * cellWidth,
    box.y + CONFUSION_GRID.top + (cell.row + 0.5) * cellHeight,
  );

  const gallery = page.getByTestId('cell-gallery');
  await expect(gallery).toBeVisible();
  await expect(gallery.getByRole('heading')).toContainText(`True ${cell.row} → predicted ${cell.col}`);
  await expect(gallery.getByRole('heading')).toContainText(`${cell.count}`, { timeout: 60_000 });
  await expect(gallery.locator('[data-test-index] canvas').first()).toBeVisible({ timeout: 30_000 });
  expect(await gallery.locator('[data-test-index]').count()).toBe(Math.min(cell.count, 120));
  const descending = await confidences(page);
  expect(descending.every((c) => c > 0 && c <= 1)).toBe(true);
  expect(descending).toEqual([...descending].sort((a, b) => b - a));
  await saveScreenshot('evaluate-cell-gallery');

  await gallery.getByRole('button', { name: 'Least confident' }).click();
  await expect(gallery.getByRole('button', { name: 'Least confident' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(async () => (await confidences(page))[0]).toBeLessThanOrEqual(descending.at(-1)!);
  const ascending = await confidences(page);
  expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
  await saveScreenshot('evaluate-cell-gallery-ascending');

  await page.keyboard.press('Escape');
  await expect(gallery).toHaveCount(0);

  // Without the mouse: focus the matrix, move the cursor, Enter opens that cell, Escape closes it again.
  await matrix.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.locator('#confusion-cursor')).toContainText('Enter shows them');
  const cursorText = (await page.locator('#confusion-cursor').textContent()) ?? '';
  const [, trueName, predictedName] = /True (\S+) → predicted (\S+):/.exec(cursorText) ?? [];
  await saveScreenshot('evaluate-keyboard-cursor');
  await page.keyboard.press('Enter');
  await expect(gallery.getByRole('heading')).toContainText(`True ${trueName} → predicted ${predictedName}`);
  await page.keyboard.press('Escape');
  await expect(gallery).toHaveCount(0);
  await expect(matrix).toBeFocused();
});

test('Draw: live prediction of a 1 and a 0, 28x28 preview, undo, clear and comparing two runs', async ({
  page,
  saveScreenshot,
}) => {
  const { testAccuracy } = await runDetail(page, seedRunId);
  await page.click('[data-screen="draw"]');
  await expect(page.getByTestId('draw-prompt')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();

  // A "1": one vertical stroke.
  await stroke(page, ONE);
  const results = page.getByTestId('draw-results');
  const card = page.getByTestId('prediction-card');
  await expect(card.getByTestId('top-class')).toBeVisible();
  await expect(results).toHaveAttribute('data-latency-ms', /^\d+$/);
  // One quiet timing in plain words; the engine / request breakdown only in its tooltip.
  await expect(page.getByTestId('draw-timing')).toHaveText(/^Read in \d+ ms$/);
  await expect(page.getByTestId('draw-timing')).toHaveAttribute('title', /^model \d+ ms · request \d+ ms/);
  await expect(card.locator('[data-class]')).toHaveCount(10);
  await expect(card.locator('.bar-row.top')).toHaveCount(1);
  const confidence = Number(await card.getByTestId('confidence').getAttribute('data-value'));
  expect(confidence).toBeGreaterThan(0);
  expect(confidence).toBeLessThanOrEqual(1);
  // A model this small may misread it; one that learned something should not.
  if ((testAccuracy ?? 0) >= 0.85) await expect(card.getByTestId('top-class')).toHaveText('1');
  expect(await inkOfPreview(page)).toBeGreaterThan(5);
  const latency = Number(await results.getAttribute('data-latency-ms'));
  test.info().annotations.push({ type: 'stroke-to-bars', description: `${latency} ms` });
  await saveScreenshot('draw-one');

  // Clear (button) empties everything.
  await page.getByRole('button', { name: 'Clear' }).click();
  await expect(page.getByTestId('draw-prompt')).toBeVisible();
  await expect(page.getByTestId('model-input')).toHaveAttribute('data-ink', '0');

  // A "0": one ellipse; then an extra stroke, undone with Ctrl+Z.
  await stroke(page, ZERO);
  await expect(card.getByTestId('top-class')).toBeVisible();
  await expect.poll(() => inkOfPreview(page)).toBeGreaterThan(5);
  await page.waitForTimeout(400); // let the stroke-end prediction settle
  const zeroInk = await inkOfPreview(page);
  if ((testAccuracy ?? 0) >= 0.85) await expect(card.getByTestId('top-class')).toHaveText('0');
  await saveScreenshot('draw-zero');

  await stroke(page, [
    [60, 240],
    [220, 240],
  ]);
  await expect.poll(() => inkOfPreview(page)).not.toBeCloseTo(zeroInk, 0);
  await page.keyboard.press('Control+z');
  await expect.poll(() => inkOfPreview(page)).toBeCloseTo(zeroInk, 0);
  await expect(page.getByRole('button', { name: 'Undo' })).toBeEnabled();

  // Escape clears; Ctrl+Z on an empty canvas does nothing.
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('draw-prompt')).toBeVisible();
  await page.keyboard.press('Control+z');
  await expect(page.getByRole('button', { name: 'Undo' })).toBeDisabled();

  // Compare: a second, even smaller run reads the same drawing side by side.
  const mlpRunId = await trainTemplate(page, 'mlp', { trainSize: 500, epochs: 1, batchSize: 32 }, 'e2e draw mlp');
  await page.click('[data-screen="evaluate"]'); // the run lists reload on the finished event; a screen change is enough too
  await page.click('[data-screen="draw"]');
  await page.getByRole('button', { name: 'Compare models' }).click();
  await expect(page.locator('fieldset input[type="checkbox"]:checked')).toHaveCount(2);
  await stroke(page, ONE);
  await expect(page.getByTestId('prediction-card')).toHaveCount(2);
  for (const id of [seedRunId, mlpRunId]) {
    const runCard = page.locator(`[data-testid="prediction-card"][data-run-id="${id}"]`);
    await expect(runCard.getByTestId('top-class')).toBeVisible();
    await expect(runCard.locator('[data-class]')).toHaveCount(10);
  }
  await expect(page.getByTestId('agreement')).toBeVisible();
  await saveScreenshot('draw-compare');
});

test('Which weights: Evaluate, Draw and the Runs table say which epoch and switch between best and last', async ({
  page,
  saveScreenshot,
}) => {
  // Val accuracy cannot rise by 1: epoch 1 stays the best, the run stops after epoch 2 and restores epoch 1.
  const runId = await trainRun(page, {
    name: 'e2e which weights',
    spec: await templateSpec(page, 'mlp'),
    hyperparameters: {
      trainSize: 500,
      epochs: 3,
      batchSize: 32,
      validationSplit: 0.2,
      earlyStopping: 'val_accuracy',
      earlyStoppingPatience: 1,
      earlyStoppingMinDelta: 1,
      earlyStoppingRestoreBest: true,
    },
    dataset: 'mnist',
  });
  const evaluations = await page.evaluate(async (runId) => {
    const detail = await (window as unknown as Api).layerlab.invoke('runs:get', { runId });
    if (!detail.ok) throw new Error(detail.error.message);
    return (detail.value.evaluations ?? []).map((e) => ({ epoch: e.epoch, testAccuracy: e.testAccuracy }));
  }, runId);
  expect(evaluations.map((e) => e.epoch)).toEqual([1, 2]);
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`;

  // Runs: the Test acc cell says which weights its figure is from, and its tooltip gives both.
  await page.click('[data-screen="runs"]');
  const cell = page.locator(`tr[data-run-id="${runId}"] [data-col="testAccuracy"]`);
  await expect(cell).toContainText('· best ep 1');
  await expect(cell).toHaveAttribute(
    'title',
    new RegExp(`${percent(evaluations[1].testAccuracy)} with the weights after epoch 2 \\(last\\)`),
  );
  await expect(cell).toHaveAttribute(
    'title',
    /weights after epoch 1 \(early stopping's best val accuracy\) \(shown, the run’s default\)/,
  );
  await saveScreenshot('runs-test-accuracy-weights');

  // Evaluate: the run's default (its restored best), then its last epoch's weights.
  await page.click('[data-screen="evaluate"]');
  await page.getByTestId('evaluate-run').selectOption(String(runId));
  const toggle = page.getByTestId('evaluate-weights');
  await expect(toggle).toHaveAttribute('data-weights', 'best');
  await expect(page.getByTestId('evaluate-weights-label')).toHaveText(
    "Weights after epoch 1 (early stopping's best val accuracy)",
  );
  await saveScreenshot('evaluate-weights-best');
  await toggle.locator('[data-choice="last"]').click();
  await expect(toggle).toHaveAttribute('data-weights', 'last');
  await expect(page.getByTestId('evaluate-weights-label')).toHaveText('Weights after epoch 2 (last)');
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await saveScreenshot('evaluate-weights-last');

  // Draw follows the run Evaluate showed; its card and the inside-the-model view use the chosen weights.
  await page.click('[data-screen="draw"]');
  await expect(page.getByTestId('draw-run')).toHaveValue(String(runId));
  const drawToggle = page.getByTestId('draw-weights');
  await expect(drawToggle).toHaveAttribute('data-weights', 'best');
  await stroke(page, ONE);
  const card = page.locator(`[data-testid="prediction-card"][data-run-id="${runId}"]`);
  await expect(card.getByTestId('prediction-weights')).toHaveText(
    "weights after epoch 1 (early stopping's best val accuracy)",
  );
  await expect(page.getByText(`run #${runId}'s weights after epoch 1`)).toBeVisible();
  await drawToggle.locator('[data-choice="last"]').click();
  await expect(card.getByTestId('prediction-weights')).toHaveText('weights after epoch 2 (last)');
  await expect(page.getByText(`run #${runId}'s weights after epoch 2`)).toBeVisible();
  await expect(page.getByTestId('draw-weights-label')).toHaveText('Weights after epoch 2 (last)');
  await saveScreenshot('draw-weights-last');
});
