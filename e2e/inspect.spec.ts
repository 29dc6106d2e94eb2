// Inside the model, against the real engine: a tiny CNN trained for two epochs on a small MNIST subset (and a
// seed run beside it), then Draw's "Inside the model" view for a drawn 4 (every layer with the design's output
// shapes, pass-through layers folded into notes), the saliency overlay for the answer and for another class,
// the first layer's filters and their change between the two epochs, two runs side by side on one layer, the
// layout at 1000×700 and 1280×800 in both themes, and Evaluate's image dialog → Inspect and → Try in Draw.
import type { Page } from '@playwright/test';
import type { LayerlabApi } from '#shared/contract.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import { expect, resizeWindow, test } from './fixtures.ts';
import { stroke } from './helpers/draw.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

test.describe.configure({ mode: 'serial' });

type Api = { layerlab: LayerlabApi };

const TINY: ModelSpec = {
  name: 'tiny cnn',
  inputShape: [28, 28, 1],
  layers: [
    { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Conv2D', filters: 16, kernelSize: 3, activation: 'relu' },
    { type: 'MaxPooling2D', poolSize: 2 },
    { type: 'Flatten' },
    { type: 'Dropout', rate: 0.2 },
    { type: 'Dense', units: 32, activation: 'relu' },
    { type: 'Dense', units: 10, activation: 'softmax' },
  ],
};

/** A "4": the open left arm and the crossbar in one stroke, then the long upright. */
async function drawFour(page: Page) {
  await stroke(page, [
    [96, 46],
    [88, 100],
    [80, 156],
    [140, 156],
    [210, 154],
  ]);
  await stroke(page, [
    [176, 50],
    [174, 150],
    [172, 244],
  ]);
}

let tinyRun = 0;
let seedRun = 0;

const inside = (page: Page) => page.getByTestId('inside-model');
const layerRows = (page: Page) => inside(page).getByTestId('inspect-layer');

/** Text that runs out of its box or boxes that cross inside the inside view's header and toolbars. */
async function layoutProblems(page: Page, container: string): Promise<string[]> {
  return page.evaluate((container) => {
    const found: string[] = [];
    const root = document.querySelector(container);
    if (!root) return [`${container} is missing`];
    const panel = root.getBoundingClientRect();
    const crosses = (a: DOMRect, b: DOMRect) =>
      a.left < b.right - 0.5 && b.left < a.right - 0.5 && a.top < b.bottom - 0.5 && b.top < a.bottom - 0.5;
    const rows = Array.from(root.querySelectorAll('.head, .toolbar, .run-pickers, .class-picker, .pickers, header'));
    for (const row of rows) {
      const items = Array.from(row.children).filter((el) => (el as HTMLElement).offsetParent !== null);
      const boxes = items.map((el) => el.getBoundingClientRect());
      for (let i = 0; i < items.length; i++) {
        const name = `${row.className} > ${(items[i].textContent ?? '').trim().slice(0, 30)}`;
        if (boxes[i].right > panel.right + 0.5 || boxes[i].left < panel.left - 0.5)
          found.push(`${name} leaves the panel`);
        for (let j = i + 1; j < items.length; j++)
          if (boxes[i].width && boxes[j].width && crosses(boxes[i], boxes[j]))
            found.push(`${name} overlaps ${(items[j].textContent ?? '').trim().slice(0, 30)}`);
      }
    }
    // Every grid canvas and chart stays inside the panel.
    for (const el of Array.from(root.querySelectorAll('canvas, .chart'))) {
      const box = el.getBoundingClientRect();
      if (box.width && box.right > panel.right + 0.5)
        found.push(`a ${el.tagName.toLowerCase()} sticks out of the panel`);
    }
    const main = document.querySelector('main')!;
    if (main.scrollWidth > main.clientWidth) found.push('the screen scrolls sideways');
    return found;
  }, container);
}

test('train a tiny CNN for two epochs and a seed run', async ({ page }) => {
  tinyRun = await trainRun(page, {
    name: 'tiny cnn',
    spec: TINY,
    hyperparameters: { trainSize: 2000, epochs: 2, batchSize: 32, validationSplit: 0.1 },
    dataset: 'mnist',
  });
  seedRun = await trainRun(page, {
    name: 'seed small',
    spec: await templateSpec(page, 'seed'),
    hyperparameters: { trainSize: 1000, epochs: 1, batchSize: 32, validationSplit: 0.1 },
    dataset: 'mnist',
  });
  expect(seedRun).toBeGreaterThan(tinyRun);
});

test('Draw: every layer of a drawn 4, with the design’s output shapes', async ({ app, page, saveScreenshot }) => {
  await resizeWindow(app, page, 1280, 800);
  await page.click('[data-screen="draw"]');
  await page.getByTestId('draw-run').selectOption(String(tinyRun));
  await expect(inside(page).getByTestId('inside-waiting')).toBeVisible();
  await saveScreenshot('inspect-waiting');

  await drawFour(page);
  await expect(page.getByTestId('prediction-card').getByTestId('top-class')).toBeVisible();
  await expect(layerRows(page)).toHaveCount(TINY.layers.length);

  // The shapes the engine's own analysis gives the design, layer by layer.
  const analysis = await page.evaluate(async (spec) => {
    const result = await (window as unknown as Api).layerlab.invoke('spec:analyze', { spec });
    if (!result.ok || !result.value.ok) throw new Error('the tiny spec does not analyse');
    return result.value.layers.map((l) => l.outputShape.join('×'));
  }, TINY);
  const shown = await layerRows(page).evaluateAll((rows) =>
    rows.map((r) => [r.getAttribute('data-type'), r.getAttribute('data-shape'), r.getAttribute('data-kind')]),
  );
  expect(shown).toEqual([
    ['Conv2D', analysis[0], 'maps'],
    ['MaxPooling2D', analysis[1], 'maps'],
    ['Conv2D', analysis[2], 'maps'],
    ['MaxPooling2D', analysis[3], 'maps'],
    ['Flatten', analysis[4], 'same'],
    ['Dropout', analysis[5], 'same'],
    ['Dense', analysis[6], 'vector'],
    ['Dense', analysis[7], 'output'],
  ]);
  expect(analysis.slice(0, 4)).toEqual(['26×26×8', '13×13×8', '11×11×16', '5×5×16']);
  // One tile per channel; pass-through layers are notes, not another grid.
  await expect(layerRows(page).nth(0).getByTestId('layer-maps')).toHaveAttribute('data-tiles', '8');
  await expect(layerRows(page).nth(2).getByTestId('layer-maps')).toHaveAttribute('data-tiles', '16');
  await expect(layerRows(page).nth(4)).toContainText('Flatten lays the 5×5×16 values');
  await expect(layerRows(page).nth(5)).toContainText('Dropout only acts while training');
  await expect(layerRows(page).nth(4).locator('canvas')).toHaveCount(0);
  await expect(layerRows(page).nth(0)).toContainText('One scale for every map of this layer');
  // The answer: the same class as the prediction card.
  const predicted = await page.getByTestId('prediction-card').getAttribute('data-predicted');
  await expect(inside(page).getByTestId('inspect-predicted')).toHaveText(predicted!);
  await expect(inside(page).getByTestId('inside-status')).toContainText('your drawing');
  await expect(inside(page).getByTestId('inside-status')).toContainText(`run #${tinyRun}'s weights after epoch 2`);

  // Keyboard: the first grid reads out its maps.
  await layerRows(page).nth(0).locator('[role="application"]').focus();
  await page.keyboard.press('ArrowRight');
  await expect(layerRows(page).nth(0).locator('.readout')).toContainText('Map 2 of 8');
  await page.keyboard.press('End');
  await expect(layerRows(page).nth(0).locator('.readout')).toContainText('Map 8 of 8');

  // Each map on its own scale, then back.
  await inside(page).getByRole('button', { name: 'Each map its own' }).click();
  await expect(layerRows(page).nth(0)).toContainText('Each map on its own scale');
  await saveScreenshot('inspect-layers-own-scale');
  await inside(page).getByRole('button', { name: 'One scale per layer' }).click();

  const latency = Number(await inside(page).getAttribute('data-latency-ms'));
  test.info().annotations.push({ type: 'tiny: stroke end to inside view', description: `${latency} ms` });
  console.log(`tiny CNN: stroke end to inside view ${latency} ms`);
  await inside(page).scrollIntoViewIfNeeded();
  await saveScreenshot('inspect-layers');
  await page.getByTestId('inspect-layer').nth(6).scrollIntoViewIfNeeded();
  await saveScreenshot('inspect-layers-dense-output');
});

test('Draw: saliency for the answer and for another class, both methods', async ({ page, saveScreenshot }) => {
  await inside(page).getByRole('tab', { name: 'Saliency' }).click();
  const maps = inside(page).getByTestId('saliency');
  const map = maps.first();
  const predicted = await page.getByTestId('prediction-card').getAttribute('data-predicted');
  await expect(map).toHaveAttribute('data-class', predicted!);
  await expect(map).toHaveAttribute('data-method', 'gradient-input');
  await expect(map).toContainText('Why');
  await expect(maps).toHaveCount(1);
  await expect(inside(page).getByTestId('saliency-legend')).toContainText("red ink raises the model's score");
  const first = await map.getAttribute('data-signature');
  expect(first).toBeTruthy();
  await inside(page).scrollIntoViewIfNeeded();
  await saveScreenshot('inspect-saliency-answer');

  // "Why not …?": another class, picked by its button.
  const other = predicted === '4' ? '9' : '4';
  await inside(page).getByTestId('saliency-classes').locator(`[data-class="${other}"]`).click();
  await expect(map).toHaveAttribute('data-class', other);
  await expect(map).toContainText(`Why not ${other}?`);
  await expect.poll(() => map.getAttribute('data-signature')).not.toBe(first);
  // Beside it, the answer's own map, for comparison.
  await expect(maps).toHaveCount(2);
  await expect(maps.nth(1)).toHaveAttribute('data-class', predicted!);
  await expect(maps.nth(1)).toHaveAttribute('data-signature', first!);
  await saveScreenshot('inspect-saliency-why-not');

  // Grad-CAM, with its own legend; the opacity slider changes the overlay.
  await inside(page).getByRole('button', { name: 'Grad-CAM' }).click();
  await expect(map).toHaveAttribute('data-method', 'grad-cam');
  await expect(inside(page).getByTestId('saliency-legend').first()).toContainText('the last Conv2D');
  await inside(page).getByTestId('saliency-opacity').fill('0.5');
  await expect(map.locator('canvas.overlay')).toHaveCSS('opacity', '0.5');
  await saveScreenshot('inspect-saliency-gradcam');

  // Tabs with the keyboard: ArrowRight moves to Filters.
  await inside(page).getByRole('tab', { name: 'Saliency' }).focus();
  await page.keyboard.press('ArrowRight');
  await expect(inside(page).getByRole('tab', { name: 'Filters' })).toHaveAttribute('aria-selected', 'true');
  await expect(inside(page).getByRole('tab', { name: 'Filters' })).toBeFocused();
});

test('Draw: the first layer’s filters over their maps, and how they changed from epoch 1 to 2', async ({
  page,
  saveScreenshot,
}) => {
  const view = inside(page).getByTestId('filters-view');
  const layers = view.getByTestId('filter-layer');
  await expect(layers).toHaveCount(2);
  await expect(layers.nth(0)).toHaveAttribute('data-filters', '8');
  await expect(layers.nth(0).getByTestId('filter-grid')).toHaveAttribute('data-tiles', '8');
  await expect(layers.nth(0).getByTestId('filter-params')).toContainText('80 parameters (72 weights + 8 biases)');
  await expect(layers.nth(1).getByTestId('filter-params')).toContainText('1,168 parameters');
  await expect(layers.nth(0)).toContainText('over the map it makes of your drawing');
  await expect(view.getByTestId('filters-epoch')).toHaveValue('2');
  await expect(view.getByTestId('filters-compare-epoch')).toHaveValue('1');
  const change = layers.nth(0).getByTestId('filter-change');
  await expect(change).toHaveAttribute('data-from', '1');
  await expect(change).toHaveAttribute('data-to', '2');
  await expect(change.locator('.chart canvas').first()).toBeVisible();
  await expect(change.getByTestId('filter-delta-grid')).toHaveAttribute('data-tiles', '8');
  await inside(page).scrollIntoViewIfNeeded();
  await saveScreenshot('inspect-filters');

  // A deeper layer: one input channel's slice, then the summary again.
  await layers.nth(1).getByTestId('filter-channel').selectOption('3');
  await expect(layers.nth(1)).toContainText('weights on input channel 4');
  await layers.nth(1).scrollIntoViewIfNeeded();
  await saveScreenshot('inspect-filters-deeper');
  await layers.nth(1).getByTestId('filter-channel').selectOption('mean');

  // No comparison: the change section goes.
  await view.getByTestId('filters-compare-epoch').selectOption('');
  await expect(layers.nth(0).getByTestId('filter-change')).toHaveCount(0);
  await view.getByTestId('filters-compare-epoch').selectOption('1');
  await expect(layers.nth(0).getByTestId('filter-change')).toBeVisible();
});

test('Draw: two runs side by side on one layer, matched by type', async ({ page, saveScreenshot }) => {
  await inside(page).getByRole('tab', { name: 'Layers' }).click();
  // The seed network alone first: how fast its inside view follows a stroke.
  await page.getByTestId('draw-run').selectOption(String(seedRun));
  await page.getByRole('button', { name: 'Clear' }).click();
  await drawFour(page);
  await expect(layerRows(page)).toHaveCount(8);
  await expect(inside(page)).toHaveAttribute('data-latency-ms', /^\d+$/);
  const latencies: number[] = [];
  for (let i = 0; i < 3; i++) {
    await stroke(page, [
      [60 + i * 10, 250],
      [90 + i * 10, 252],
    ]);
    await expect.poll(async () => Number(await inside(page).getAttribute('data-seq'))).toBeGreaterThan(0);
    await page.waitForTimeout(400);
    latencies.push(Number(await inside(page).getAttribute('data-latency-ms')));
    console.log(
      `seed: engine ${await inside(page).getAttribute('data-engine-ms')} ms, request ${await inside(page).getAttribute('data-round-ms')} ms`,
    );
  }
  test.info().annotations.push({ type: 'seed: stroke end to inside view', description: `${latencies.join(', ')} ms` });
  console.log(`seed CNN: stroke end to inside view ${latencies.join(', ')} ms`);
  // The goal is 100 ms on an idle machine; this bound only catches a view that stopped following the pen.
  expect(Math.min(...latencies)).toBeLessThan(1000);

  await page.getByRole('button', { name: 'Compare models' }).click();
  await expect(page.locator('fieldset input[type="checkbox"]:checked')).toHaveCount(2);
  await expect(inside(page).getByTestId('inside-column')).toHaveCount(2);
  const ids = await inside(page)
    .getByTestId('inside-column')
    .evaluateAll((cols) => cols.map((c) => Number(c.getAttribute('data-run-id'))));
  expect(ids.sort()).toEqual([tinyRun, seedRun].sort());
  // Make the tiny CNN the first: its 3rd layer (2nd Conv2D) is the seed's 3rd layer too.
  await inside(page).getByTestId('inside-run-a').selectOption(String(tinyRun));
  await inside(page).getByTestId('inside-run-b').selectOption(String(seedRun));
  await inside(page).getByTestId('inside-layer').selectOption('0');
  const columns = inside(page).getByTestId('inside-column');
  await expect(columns.nth(0).getByTestId('inspect-layer')).toHaveAttribute('data-shape', '26×26×8');
  await expect(columns.nth(1).getByTestId('inspect-layer')).toHaveAttribute('data-shape', '26×26×32');
  await expect(inside(page).getByTestId('inside-match-note')).toContainText('The designs differ');
  await inside(page).scrollIntoViewIfNeeded();
  await saveScreenshot('inspect-compare-conv1');

  // The 1st Dense: layer 7 of the tiny CNN, layer 7 of the seed, matched by type.
  await inside(page).getByTestId('inside-layer').selectOption('6');
  await expect(columns.nth(0).getByTestId('inspect-layer')).toHaveAttribute('data-shape', '32');
  await expect(columns.nth(1).getByTestId('inspect-layer')).toHaveAttribute('data-shape', '64');
  // The output layers, side by side.
  await inside(page).getByTestId('inside-layer').selectOption('7');
  await expect(inside(page).getByTestId('inside-match-note')).toContainText("Both runs' output layers");
  await expect(columns.nth(1).getByTestId('inspect-predicted')).toBeVisible();
  await saveScreenshot('inspect-compare-output');

  // Saliency for both runs on the same class.
  await inside(page).getByRole('tab', { name: 'Saliency' }).click();
  await expect(inside(page).getByTestId('saliency')).toHaveCount(2);
  await saveScreenshot('inspect-compare-saliency');
  await inside(page).getByRole('tab', { name: 'Layers' }).click();
});

for (const [width, height] of [
  [1000, 700],
  [1280, 800],
]) {
  for (const scheme of ['light', 'dark'] as const) {
    test(`Draw: at ${width}×${height} (${scheme}) the inside view fits without overlaps`, async ({
      app,
      page,
      saveScreenshot,
    }) => {
      await resizeWindow(app, page, width, height);
      await page.emulateMedia({ colorScheme: scheme });
      await expect(page.locator('html')).toHaveClass(scheme === 'dark' ? /dark/ : /^(?!.*dark).*$/);
      for (const mode of ['One model', 'Compare models']) {
        await page.getByRole('button', { name: mode }).click();
        if (mode === 'One model') await page.getByTestId('draw-run').selectOption(String(tinyRun));
        await expect(layerRows(page).first()).toBeVisible();
        for (const tab of ['Layers', 'Saliency', 'Filters']) {
          await inside(page).getByRole('tab', { name: tab }).click();
          await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
          expect(await layoutProblems(page, '[data-testid="inside-model"]'), `${mode}, ${tab}`).toEqual([]);
          await inside(page).scrollIntoViewIfNeeded();
          const which = mode === 'One model' ? '' : '-compare';
          await saveScreenshot(`inspect-${tab.toLowerCase()}${which}-${width}x${height}-${scheme}`);
        }
        await inside(page).getByRole('tab', { name: 'Layers' }).click();
      }
    });
  }
}

test('Evaluate: a thumbnail opens large; Inspect looks inside; Try in Draw reads its pixels', async ({
  app,
  page,
  saveScreenshot,
}) => {
  await resizeWindow(app, page, 1280, 800);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.getByRole('button', { name: 'One model' }).click();
  await page.click('[data-screen="evaluate"]');
  await page.getByTestId('evaluate-run').selectOption(String(tinyRun));
  const thumb = page.getByTestId('mistakes').locator('[data-test-index] button').first();
  await expect(thumb).toBeEnabled();
  const testIndex = await page
    .getByTestId('mistakes')
    .locator('[data-test-index]')
    .first()
    .getAttribute('data-test-index');

  // Keyboard: Enter opens it, Escape closes it and focus returns to the thumbnail.
  await thumb.focus();
  await page.keyboard.press('Enter');
  const dialog = page.getByTestId('image-dialog');
  await expect(dialog).toBeVisible();
  await expect(dialog).toHaveAttribute('data-test-index', testIndex!);
  await expect(dialog.getByRole('heading', { name: new RegExp(`Test image ${testIndex}`) })).toBeVisible();
  await saveScreenshot('inspect-evaluate-dialog');
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(thumb).toBeFocused();

  // Inspect: the inside view of this test image, in the dialog.
  await thumb.click();
  await dialog.getByTestId('image-inspect').click();
  const dialogInside = dialog.getByTestId('inside-model');
  await expect(dialogInside.getByTestId('inspect-layer')).toHaveCount(TINY.layers.length);
  await expect(dialogInside.getByTestId('inside-status')).toContainText(`test image ${testIndex}`);
  expect(await layoutProblems(page, '[data-testid="image-dialog"] [data-testid="inside-model"]')).toEqual([]);
  await saveScreenshot('inspect-evaluate-dialog-inspect');
  await dialogInside.getByRole('tab', { name: 'Saliency' }).click();
  await expect(dialogInside.getByTestId('saliency')).toHaveAttribute('data-class', /^\d$/);
  await saveScreenshot('inspect-evaluate-dialog-saliency');
  // Escape inside the inside view closes the dialog too.
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);

  // Try in Draw: Draw shows the test image as its input, says so, predicts and looks inside it.
  await thumb.click();
  await dialog.getByTestId('image-try-draw').click();
  await expect(page.locator('[data-screen="draw"]')).toHaveAttribute('aria-current', 'page');
  await expect(page.getByTestId('draw-image-input')).toBeVisible();
  await expect(page.getByTestId('draw-image-note')).toContainText(`Test image ${testIndex}`);
  await expect(page.getByTestId('draw-image-note')).toContainText('exactly as stored');
  await expect(page.getByTestId('draw-run')).toHaveValue(String(tinyRun));
  const card = page.getByTestId('prediction-card');
  await expect(card.getByTestId('top-class')).toBeVisible();
  await expect(layerRows(page)).toHaveCount(TINY.layers.length);
  await expect(inside(page).getByTestId('inside-status')).toContainText(`test image ${testIndex}`);
  // The card and the inside view read the same answer; the preview is the image's own pixels.
  await expect(inside(page).getByTestId('inspect-predicted')).toHaveText((await card.getAttribute('data-predicted'))!);
  expect(Number(await page.getByTestId('model-input').getAttribute('data-ink'))).toBeGreaterThan(5);
  await saveScreenshot('inspect-try-in-draw');

  // Clear (Escape) goes back to an empty pad.
  await page.locator('body').press('Escape');
  await expect(page.getByTestId('draw-image-input')).toHaveCount(0);
  await expect(page.getByTestId('draw-prompt')).toBeVisible();
  await expect(inside(page).getByTestId('inside-waiting')).toBeVisible();
});
