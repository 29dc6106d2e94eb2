// The README's screenshots (docs/screenshots/), taken from one app in a populated state: the seed design, a
// small seed run trained on the Train screen, a second run (SGD, a narrower Dense layer) compared with it, and
// a drawn 3 read by both. Not part of the e2e suite (its name is not *.spec.ts): `npm run docs:screenshots`
// runs it with scripts/docs-screenshots.config.ts and copies the PNGs from e2e/.screenshots/docs-*.png.
import type { LayerSpec, ModelSpec } from '#shared/model/spec.ts';
import { expect, test } from './fixtures.ts';
import { arc, stroke } from './helpers/draw.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

test.describe.configure({ mode: 'serial' });

const SEED_PARAMS = '93,322';
// Big enough for smooth curves and a model that reads digits well; a few seconds an epoch on the graph trainer.
const DATA = { trainSize: 20000, epochs: 5, batchSize: 32, validationSplit: 0.1, seed: 7 };
const THREE: [number, number][] = [...arc(140, 100, 48, -150, 90), ...arc(140, 196, 48, -90, 150).slice(1)];

test('Design: the seed template', async ({ page, saveScreenshot }) => {
  await page.click('[data-screen="design"]');
  await expect(page.getByTestId('design-name')).toContainText('Keras CNN example');
  await expect(page.getByTestId('total-params')).toHaveText(SEED_PARAMS);
  // a selected layer shows its form beside the list
  await page.getByTestId('layer-row').nth(2).locator('.row-main').click();
  await expect(page.getByLabel('Kernel size')).toBeVisible();
  await saveScreenshot('docs-design');
});

test('Train: a finished seed run with its curves and result', async ({ page, saveScreenshot }) => {
  await page.click('[data-screen="train"]');
  await page.getByTestId('train-model').selectOption('template:seed');
  await expect(page.getByTestId('train-param-count')).toContainText(SEED_PARAMS);
  for (const [name, value] of Object.entries(DATA)) await page.getByTestId(`hp-${name}`).fill(String(value));
  await page.getByTestId('run-name').fill('seed cnn, adam');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('result-test-accuracy')).toHaveText(/^\d{1,3}\.\d{2}%$/, { timeout: 280_000 });
  await expect(page.getByTestId('epoch-chart')).toHaveAttribute('data-points', String(DATA.epochs));
  await saveScreenshot('docs-train');
});

test('Compare: the seed run against an SGD run with a narrower Dense layer', async ({ page, saveScreenshot }) => {
  const spec: ModelSpec = await templateSpec(page, 'seed');
  const narrower: ModelSpec = {
    ...spec,
    layers: spec.layers.map((layer): LayerSpec =>
      layer.type === 'Dense' && layer.activation !== 'softmax' ? { ...layer, units: 32 } : layer,
    ),
  };
  const hyperparameters = { ...DATA, optimizer: 'sgd' as const, learningRate: 0.05, momentum: 0.9 };
  await trainRun(page, { name: 'narrow dense, sgd', spec: narrower, hyperparameters, dataset: 'mnist' });

  await page.click('[data-screen="runs"]');
  const runRows = page.locator('tbody tr[data-run-id]');
  await expect(runRows).toHaveCount(2);
  for (const row of await runRows.all()) await row.getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Compare (2)' }).click();
  await expect(
    page
      .getByRole('img', { name: /Validation accuracy of 2 runs/ })
      .locator('canvas')
      .first(),
  ).toBeVisible();
  await expect(page.getByTestId('settings-table').locator('tbody tr[data-key="optimizer"]')).toBeVisible();
  await saveScreenshot('docs-compare');
});

test('Draw: a drawn 3 read by both runs side by side', async ({ page, saveScreenshot }) => {
  await page.click('[data-screen="draw"]');
  await page.getByRole('button', { name: 'Compare models' }).click();
  await expect(page.locator('fieldset input[type="checkbox"]:checked')).toHaveCount(2);
  await stroke(page, THREE);
  const cards = page.getByTestId('prediction-card');
  await expect(cards).toHaveCount(2);
  // models that read a 3 as a 3: a screenshot of a wrong guess would sell the app short
  for (const card of await cards.all()) await expect(card.getByTestId('top-class')).toHaveText('3');
  await expect(page.getByTestId('agreement')).toBeVisible();
  await saveScreenshot('docs-draw');
});
