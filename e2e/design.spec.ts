// The Design screen against the real engine: the seed template and its totals, engine issues marked on
// their layer, editing the layer list (add, duplicate, keyboard and drag reordering, remove), saving,
// reopening after a reload, export, and the empty state.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const SEED_PARAMS = '93,322';
/** The seed template's output shape after each layer. */
const SEED_SHAPES = ['26×26×32', '13×13×32', '11×11×64', '5×5×64', '3×3×64', '576', '64', '10'];

function rows(page: Page) {
  return page.getByTestId('layer-row');
}

async function layerTypes(page: Page): Promise<string[]> {
  return (await rows(page).locator('.type').allTextContents()).map((text) => text.trim());
}

async function openDesignScreen(page: Page) {
  await page.click('[data-screen="design"]');
  await expect(rows(page).first()).toBeVisible();
}

/** Opens the seed template through the Open dialog, discarding edits if asked. */
async function openSeedTemplate(page: Page) {
  await page.getByRole('button', { name: 'Open…' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.locator('[data-template="seed"]').click();
  const discard = dialog.getByRole('button', { name: 'Discard and open' });
  if (await discard.isVisible()) await discard.click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);
}

test('the seed template opens with its shapes and 93,322 parameters', async ({ page, saveScreenshot }) => {
  await openDesignScreen(page);
  await expect(page.getByTestId('design-name')).toContainText('Keras CNN example');
  await expect(rows(page)).toHaveCount(8);
  await expect(page.getByTestId('input-shape')).toHaveText('28×28×1');
  await expect(page.getByTestId('layer-shape')).toHaveText(SEED_SHAPES);
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);
  await expect(page.getByTestId('header-params')).toContainText(SEED_PARAMS);
  await expect(rows(page).nth(0)).toContainText('32 filters 3×3 relu');
  await saveScreenshot('design-seed');
});

test('a broken layer shows the engine message on that layer; fixing it restores the totals', async ({
  page,
  saveScreenshot,
}) => {
  await openDesignScreen(page);
  const thirdConv = rows(page).nth(4);
  await thirdConv.locator('.row-main').click();
  const kernel = page.getByLabel('Kernel size');
  await kernel.fill('9');

  // The message shown is the engine's own, for layer index 4.
  const expected = await page.evaluate(async () => {
    const templates = await window.layerlab.invoke('templates:list', undefined);
    if (!templates.ok) throw new Error(templates.error.message);
    const spec = structuredClone(templates.value.find((t) => t.name === 'seed')!.spec);
    (spec.layers[4] as { kernelSize: number }).kernelSize = 9;
    const analysis = await window.layerlab.invoke('spec:analyze', { spec });
    if (!analysis.ok || analysis.value.ok) throw new Error('expected issues');
    return analysis.value.issues.find((issue) => issue.index === 4)!.message;
  });
  expect(expected).toContain('kernelSize 9x9 does not fit');
  await expect(thirdConv.getByTestId('layer-issues')).toHaveText(expected);
  await expect(thirdConv).toHaveClass(/invalid/);
  await expect(kernel).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#layer-field-kernelSize-issue')).toHaveText(expected);
  // Shapes stop at the error; totals are withheld.
  await expect(rows(page).nth(5).getByTestId('layer-shape')).toHaveText('—');
  await expect(page.getByTestId('total-params')).toHaveText('—');
  await expect(page.getByRole('button', { name: 'Train this design →' })).toBeDisabled();
  await saveScreenshot('design-error');

  await kernel.fill('3');
  await expect(page.getByTestId('layer-issues')).toHaveCount(0);
  await expect(kernel).not.toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);

  // A field-level error on the last Dense, then undone with Ctrl+Z.
  const output = rows(page).nth(7);
  await output.locator('.row-main').click();
  await page.getByLabel('Units').fill('0');
  await expect(output.getByTestId('layer-issues')).toContainText(
    "layer 8 Dense: field 'units' must be an integer between 1 and 65536, got 0",
  );
  await expect(page.getByLabel('Units')).toHaveAttribute('aria-invalid', 'true');
  await page.keyboard.press('Control+z');
  await expect(page.getByLabel('Units')).toHaveValue('10');
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);
});

test('layers are added, duplicated, reordered by keyboard and drag, and removed', async ({ page, saveScreenshot }) => {
  await openDesignScreen(page);
  await openSeedTemplate(page);

  // Insert after the selected first MaxPool.
  await rows(page).nth(1).locator('.row-main').click();
  await page.getByRole('button', { name: 'Add BatchNormalization' }).click();
  await expect(rows(page)).toHaveCount(9);
  await expect(rows(page).nth(2).locator('.type')).toHaveText('BatchNorm');
  await expect(rows(page).nth(2).getByTestId('layer-shape')).toHaveText('13×13×32');
  await expect(rows(page).nth(2).getByTestId('layer-params')).toHaveText('128');
  await expect(page.getByTestId('total-params')).toHaveText('93,450');
  await expect(page.getByTestId('unsaved')).toHaveText('● Unsaved changes');

  await page.getByRole('button', { name: 'Duplicate layer 3' }).click();
  await expect(rows(page)).toHaveCount(10);
  await expect(page.getByTestId('total-params')).toHaveText('93,578');

  // Alt+ArrowUp twice moves the duplicate above the MaxPool and the first Conv2D's output; focus follows it.
  await rows(page).nth(3).locator('.row-main').focus();
  await page.keyboard.press('Alt+ArrowUp');
  await page.keyboard.press('Alt+ArrowUp');
  expect(await layerTypes(page)).toEqual([
    'Conv2D',
    'BatchNorm',
    'MaxPool',
    'BatchNorm',
    'Conv2D',
    'MaxPool',
    'Conv2D',
    'Flatten',
    'Dense',
    'Dense',
  ]);
  await expect(rows(page).nth(1).locator('.row-main')).toBeFocused();
  await expect(rows(page).nth(1).getByTestId('layer-shape')).toHaveText('26×26×32');
  await expect(rows(page).nth(1).getByTestId('layer-params')).toHaveText('128');
  await page.keyboard.press('Alt+ArrowDown');
  await expect(rows(page).nth(2).locator('.type')).toHaveText('BatchNorm');
  await expect(rows(page).nth(2).getByTestId('layer-shape')).toHaveText('13×13×32');

  // Drag the first Conv2D (by its grip) below the first MaxPool: a Conv2D on 14×14×1 gives 12×12×32.
  await rows(page)
    .nth(0)
    .locator('.grip')
    .dragTo(rows(page).nth(1), { targetPosition: { x: 200, y: 28 } });
  expect((await layerTypes(page)).slice(0, 3)).toEqual(['MaxPool', 'Conv2D', 'BatchNorm']);
  await expect(rows(page).nth(1).getByTestId('layer-shape')).toHaveText('12×12×32');
  await saveScreenshot('design-edited');
  await page.keyboard.press('Control+z');
  expect((await layerTypes(page)).slice(0, 3)).toEqual(['Conv2D', 'MaxPool', 'BatchNorm']);

  // Remove both BatchNorms (the button, then the Delete key) and the totals are the seed's again.
  await page.getByRole('button', { name: 'Remove layer 3', exact: true }).click();
  await expect(rows(page)).toHaveCount(9);
  await rows(page).nth(2).locator('.row-main').focus();
  await expect(rows(page).nth(2).locator('.type')).toHaveText('BatchNorm');
  await page.keyboard.press('Delete');
  await expect(rows(page)).toHaveCount(8);
  await expect(page.getByTestId('layer-shape')).toHaveText(SEED_SHAPES);
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);
});

test('a design is saved under a name, survives screen switches, and reopens after a reload', async ({
  app,
  page,
  saveScreenshot,
}) => {
  await openDesignScreen(page);
  await openSeedTemplate(page);
  await rows(page).nth(6).locator('.row-main').click();
  await page.getByLabel('Units').fill('128');
  await expect(page.getByTestId('total-params')).toHaveText('130,890');

  await page.getByRole('button', { name: 'Save as…' }).click();
  const saveDialog = page.getByRole('dialog');
  await saveDialog.getByLabel('Name').fill('e2e wide dense');
  await saveDialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(saveDialog).toBeHidden();
  await expect(page.getByTestId('design-name')).toHaveText('e2e wide dense');
  await expect(page.getByTestId('unsaved')).toHaveCount(0);

  // Edits live in app.design, so they survive a trip to another screen.
  await page.click('[data-screen="runs"]');
  await openDesignScreen(page);
  await expect(page.getByTestId('design-name')).toHaveText('e2e wide dense');
  await expect(rows(page).nth(6)).toContainText('128 units relu');

  // A reload starts from the seed again; the saved design is in the list.
  await page.reload();
  await openDesignScreen(page);
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);
  await page.getByRole('button', { name: 'Open…' }).click();
  const openDialog = page.getByRole('dialog');
  const saved = openDialog.locator('tr[data-design="e2e wide dense"]');
  await expect(saved).toContainText('C32-P-C64-P-C64-F-D128-D10');
  await saveScreenshot('design-open-dialog');
  await saved.getByRole('button', { name: 'Open e2e wide dense' }).click();
  await expect(openDialog).toBeHidden();
  await expect(page.getByTestId('design-name')).toHaveText('e2e wide dense');
  await expect(page.getByTestId('total-params')).toHaveText('130,890');
  await expect(page.getByTestId('layer-shape')).toHaveText([
    '26×26×32',
    '13×13×32',
    '11×11×64',
    '5×5×64',
    '3×3×64',
    '576',
    '128',
    '10',
  ]);

  // Export as Keras code, checked on the system clipboard.
  await page.getByRole('button', { name: 'Export…' }).click();
  await page.getByRole('button', { name: 'Copy as Keras code' }).click();
  await expect(page.getByText('Keras code copied to the clipboard.')).toBeVisible();
  const clipboard = await app.evaluate(({ clipboard }) => clipboard.readText());
  expect(clipboard).toContain('models.Sequential([');
  expect(clipboard).toContain("layers.Dense(128, activation='relu'),");
  expect(clipboard).toContain('130,890 parameters');
  await saveScreenshot('design-export');
  await page.getByRole('button', { name: 'Export…' }).click();

  // Delete asks first; the design stays open, unsaved.
  await page.getByRole('button', { name: 'Open…' }).click();
  await openDialog.getByRole('button', { name: 'Delete e2e wide dense' }).click();
  await openDialog.getByRole('button', { name: 'Delete', exact: true }).click();
  await expect(openDialog.getByText('No saved designs yet')).toBeVisible();
  await openDialog.getByRole('button', { name: 'Close' }).click();
  await expect(page.getByTestId('unsaved')).toHaveText('Not saved yet');

  await page.getByRole('button', { name: 'Train this design →' }).click();
  await expect(page.locator('[data-screen="train"]')).toHaveAttribute('aria-current', 'page');
});

test('removing every layer shows the empty state with the engine reason', async ({ page, saveScreenshot }) => {
  await openDesignScreen(page);
  while ((await rows(page).count()) > 0) {
    await page.getByRole('button', { name: 'Remove layer 1', exact: true }).click();
  }
  await expect(page.getByTestId('empty-design')).toContainText('layers must not be empty');
  // An unfinished design can be saved (design-drafts.spec.ts saves one); it cannot train.
  await expect(page.getByRole('button', { name: 'Save', exact: true })).toBeEnabled();
  await expect(page.getByRole('button', { name: 'Train this design →' })).toBeDisabled();
  await saveScreenshot('design-empty');
  await page.getByRole('button', { name: 'Add Dense' }).click();
  await expect(rows(page)).toHaveCount(1);
  await expect(rows(page).first().getByTestId('layer-issues')).toContainText(
    'the last layer must output one probability per class',
  );
});
