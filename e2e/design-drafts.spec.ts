// The Design screen keeps unsaved work: a blank design on request, asking before New discards changes,
// saving an unfinished design (marked in the Open dialog, refused by Train), the draft restored after a
// restart with its note, the question before the window closes or the app quits over unsaved changes, and
// the layer table at narrow and default window widths.
//
// Its own app, relaunched on the same profile and database (the fixtures give each file a fresh one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ElectronApplication, Page } from '@playwright/test';
import {
  answerUnsavedPrompts,
  closeApp,
  expect,
  launchApp,
  resizeWindow,
  SCREENSHOT_DIR,
  test,
  type LaunchedApp,
} from './fixtures.ts';

test.describe.configure({ mode: 'serial' });

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-e2e-drafts-'));
const profileEnv = { LAYERLAB_DB: path.join(home, 'layerlab.db'), LAYERLAB_USER_DATA: path.join(home, 'profile') };
let launched: LaunchedApp | null = null;

async function start(): Promise<{ app: ElectronApplication; page: Page }> {
  launched = await launchApp(profileEnv);
  await launched.page.click('[data-screen="design"]');
  return launched;
}

async function stop(): Promise<void> {
  if (launched) await closeApp(launched);
  launched = null;
}

test.afterAll(async () => {
  await stop();
  fs.rmSync(home, { recursive: true, force: true });
});

async function shot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), animations: 'disabled' });
}

const rows = (page: Page) => page.getByTestId('layer-row');

async function layerTypes(page: Page): Promise<string[]> {
  return (await rows(page).locator('.type').allTextContents()).map((text) => text.trim());
}

/** The messages of main's unsaved-changes questions so far (answerUnsavedPrompts records them). */
function unsavedPrompts(app: ElectronApplication): Promise<string[]> {
  return app.evaluate(() => [...((globalThis as { unsavedPrompts?: string[] }).unsavedPrompts ?? [])]);
}

/** Waits until the kept draft holds `text` (it is written a moment after the last edit). */
async function waitForDraft(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.evaluate(() => localStorage.getItem('layerlab.design-draft') ?? '')).toContain(text);
}

test('Save as offers a sensible name, selected so that typing replaces it', async () => {
  const { page } = await start();
  await expect(page.getByTestId('design-name')).toContainText('Keras CNN example');
  await page.getByRole('button', { name: 'Save as…' }).click();
  const name = page.getByRole('dialog').getByLabel('Name');
  await expect(name).toHaveValue('Keras CNN example');
  await expect(name).toBeFocused();
  expect(await name.evaluate((input: HTMLInputElement) => [input.selectionStart, input.selectionEnd])).toEqual([
    0,
    'Keras CNN example'.length,
  ]);
  await page.keyboard.type('typed over');
  await expect(name).toHaveValue('typed over');
  await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByRole('dialog')).toBeHidden();
});

test('New asks before discarding changes, then starts from the input and a softmax output', async () => {
  const page = launched!.page;
  await rows(page).nth(6).locator('.row-main').click();
  await page.getByLabel('Units').fill('32');
  await expect(page.getByTestId('unsaved')).toHaveText('● Unsaved changes');

  await page.getByRole('button', { name: 'New', exact: true }).click();
  const confirm = page.getByTestId('confirm-new');
  await expect(confirm).toContainText('unsaved changes');
  await shot(page, 'design-confirm-new');
  await confirm.getByRole('button', { name: 'Keep editing' }).click();
  await expect(confirm).toBeHidden();
  await expect(rows(page).nth(6)).toContainText('32 units relu');

  await page.getByRole('button', { name: 'New', exact: true }).click();
  await confirm.getByRole('button', { name: 'Discard and start blank' }).click();
  await expect(page.getByTestId('design-name')).toHaveText('Untitled design');
  expect(await layerTypes(page)).toEqual(['Flatten', 'Dense']);
  await expect(page.getByTestId('layer-shape')).toHaveText(['784', '10']);
  await expect(page.getByTestId('total-params')).toHaveText('7,850');
  await expect(page.getByRole('button', { name: 'Train this design →' })).toBeEnabled();
  await shot(page, 'design-blank');

  // A clean design is replaced without a question; the Open dialog offers the blank design too.
  await page.getByRole('button', { name: 'New', exact: true }).click();
  await expect(confirm).toBeHidden();
  await page.getByRole('button', { name: 'Open…' }).click();
  await expect(page.getByRole('dialog').locator('[data-template="blank"]')).toContainText('7,850 parameters');
  await page.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
});

test('an unfinished design is saved, marked in the Open dialog, and refused only by Train', async () => {
  const page = launched!.page;
  // A Conv2D after the output layer: the design has problems.
  await rows(page).nth(1).locator('.row-main').click();
  await page.getByRole('button', { name: 'Add Conv2D' }).click();
  await expect(rows(page).nth(2)).toHaveClass(/invalid/);
  await expect(page.getByRole('button', { name: 'Train this design →' })).toBeDisabled();

  await page.getByRole('button', { name: 'Save', exact: true }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog.getByLabel('Name')).toHaveValue('untitled');
  await page.keyboard.type('half done');
  await dialog.getByRole('button', { name: 'Save', exact: true }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('design-name')).toHaveText('half done');
  await expect(page.getByRole('status').filter({ hasText: 'Saved “half done”' })).toHaveText(
    /with \d+ problems? to fix before it can train/,
  );
  await expect(page.getByTestId('unsaved')).toHaveCount(0);

  await page.getByRole('button', { name: 'Open…' }).click();
  const saved = dialog.locator('tr[data-design="half done"]');
  await expect(saved.getByTestId('design-problems')).toHaveText(/^\d+ problems?$/);
  await expect(saved).toContainText('F-D10-C32');
  await shot(page, 'design-open-unfinished');
  await dialog.getByRole('button', { name: 'Close' }).click();

  await page.click('[data-screen="train"]');
  await page.getByTestId('train-model').selectOption('saved:half done');
  await expect(page.getByText('This network cannot train on the chosen dataset')).toBeVisible();
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await page.click('[data-screen="design"]');
});

test('closing the window or quitting over unsaved changes asks; staying keeps the app and its engine', async () => {
  const { app, page } = launched!;
  await rows(page).nth(2).locator('.row-main').click();
  await page.getByLabel('Filters').fill('7');
  await waitForDraft(page, '"filters":7');

  await answerUnsavedPrompts(app, 'Stay');
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].close());
  await expect.poll(() => unsavedPrompts(app)).toEqual(['The design has unsaved changes.']);
  await app.evaluate(({ app }) => app.quit());
  await expect.poll(() => unsavedPrompts(app)).toHaveLength(2);

  // Still here, and the engine still answers (the quit stopped before shutting it down).
  await expect(page.getByTestId('design-name')).toHaveText('half done');
  const designs = await page.evaluate(() => window.layerlab.invoke('designs:list', undefined));
  expect(designs.ok).toBe(true);

  // Leaving is safe: the draft is kept.
  await stop();
});

test('after a restart the draft comes back with a note; Discard returns to the saved design, Ctrl+Z undoes that', async () => {
  const { page } = await start();
  const note = page.getByTestId('draft-restored');
  await expect(note).toHaveText(/Restored your unsaved design from \d{1,2}:\d{2}/);
  await expect(page.getByTestId('design-name')).toHaveText('half done');
  await expect(page.getByTestId('unsaved')).toHaveText('● Unsaved changes');
  await expect(rows(page).nth(2)).toContainText('7 filters 3×3 relu');
  await expect(rows(page).nth(2)).toHaveClass(/invalid/);
  await shot(page, 'design-draft-restored');

  await note.getByRole('button', { name: 'Discard' }).click();
  await expect(note).toBeHidden();
  await expect(rows(page).nth(2)).toContainText('32 filters 3×3 relu');
  await expect(page.getByTestId('unsaved')).toHaveCount(0);
  await expect.poll(() => page.evaluate(() => localStorage.getItem('layerlab.design-draft'))).toBeNull();

  await page.getByRole('button', { name: 'Undo' }).click();
  await expect(rows(page).nth(2)).toContainText('7 filters 3×3 relu');
  await expect(page.getByTestId('unsaved')).toHaveText('● Unsaved changes');
  await waitForDraft(page, '"filters":7');
});

for (const [width, height] of [
  [1000, 700],
  [1280, 800],
]) {
  test(`at ${width}×${height} the layer table's columns do not overlap`, async () => {
    const { app, page } = launched!;
    await resizeWindow(app, page, width, height);
    // The seed: the widest settings and shapes of the templates.
    await page.getByRole('button', { name: 'Open…' }).click();
    await page.getByRole('dialog').locator('[data-template="seed"]').click();
    const discard = page.getByRole('dialog').getByRole('button', { name: 'Discard and open' });
    if (await discard.isVisible()) await discard.click();
    await expect(rows(page)).toHaveCount(8);
    await rows(page).nth(0).locator('.row-main').click();

    await shot(page, `design-${width}x${height}`);
    const overlaps = await page.evaluate(() => {
      const found: string[] = [];
      const crosses = (a: DOMRect, b: DOMRect) =>
        a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
      const lines = Array.from(document.querySelectorAll('.layers .head, .layers .row'));
      for (const [lineIndex, line] of lines.entries()) {
        const cells = Array.from(line.querySelectorAll<HTMLElement>(':scope > .cols > span'));
        const boxes = cells.map((cell) => cell.getBoundingClientRect());
        for (const [i, cell] of cells.entries()) {
          const text = `line ${lineIndex} "${cell.textContent?.trim()}"`;
          // Text wider than its cell spills over the next one (the settings summary ends in … instead).
          if (!cell.classList.contains('summary') && cell.scrollWidth > cell.clientWidth + 1)
            found.push(`${text} overflows its cell`);
          for (let j = i + 1; j < cells.length; j++) {
            if (boxes[i].width > 0 && boxes[j].width > 0 && crosses(boxes[i], boxes[j]))
              found.push(`${text} overlaps "${cells[j].textContent?.trim()}"`);
          }
        }
        // A grid too narrow for its columns lets them run out of the row, under its buttons.
        const row = line.querySelector(':scope > .cols')!.getBoundingClientRect();
        const actions = line.querySelector(':scope > .actions')?.getBoundingClientRect();
        for (const [i, box] of boxes.entries()) {
          const text = `line ${lineIndex} "${cells[i].textContent?.trim()}"`;
          if (box.width > 0 && (box.left < row.left - 0.5 || box.right > row.right + 0.5))
            found.push(`${text} sticks out of its row`);
          if (box.width > 0 && actions && crosses(box, actions)) found.push(`${text} runs under the row buttons`);
        }
      }
      const table = document.querySelector('.layers')!.getBoundingClientRect();
      const panel = document.querySelector('.list-panel')!.getBoundingClientRect();
      if (table.right > panel.right + 0.5) found.push('the table is wider than its panel');
      return found;
    });
    expect(overlaps).toEqual([]);
  });
}
