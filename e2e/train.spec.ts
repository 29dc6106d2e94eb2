// The Train screen against the real engine: field validation (client-side and the engine's own field
// errors), a small run trained to completion with live progress and charts, and a run stopped mid-way and
// resumed from its checkpoint. Runs are small (12,000 images in batches of 8, so that they last a few seconds on
// the graph trainer): the machines have two cores.
import type { Page } from '@playwright/test';
import { expect, test } from './fixtures.ts';

const SEED_PARAMS = '93,322';

async function openTrainScreen(page: Page) {
  await page.click('[data-screen="train"]');
  await expect(page.getByRole('heading', { name: 'Train', level: 1 })).toBeVisible();
  // The seed template, whatever the Design screen has open, so parameter counts and timings are known.
  await page.getByTestId('train-model').selectOption('template:seed');
  await expect(page.getByTestId('train-param-count')).toContainText(SEED_PARAMS);
}

async function setHyperparameters(page: Page, values: Record<string, string>) {
  for (const [name, value] of Object.entries(values)) await page.getByTestId(`hp-${name}`).fill(value);
}

const progressValue = async (page: Page) =>
  Number(await page.getByTestId('train-progress').getAttribute('aria-valuenow'));
const chartPoints = async (page: Page) => Number(await page.getByTestId('batch-chart').getAttribute('data-points'));
/** The "b / B" counter's b; 0 before the session's first batch. */
const batchShown = async (page: Page) =>
  Number(((await page.getByTestId('train-batch').textContent()) ?? '').split('/')[0].replace(/,/g, '')) || 0;
const epochShown = async (page: Page) => Number(await page.getByTestId('train-epoch').getAttribute('data-epoch'));

test('hyperparameters are checked next to their fields, momentum only for SGD and RMSprop', async ({
  page,
  saveScreenshot,
}) => {
  await openTrainScreen(page);
  await expect(page.getByTestId('hp-momentum')).toHaveCount(0); // Adam
  await page.locator('select[name="optimizer"]').selectOption('sgd');
  await expect(page.getByTestId('hp-momentum')).toBeVisible();

  await setHyperparameters(page, { learningRate: '0', momentum: '1', batchSize: '12.5', epochs: '0' });
  await expect(page.locator('#hp-error-learningRate')).toHaveText('must be greater than 0 and at most 10');
  await expect(page.locator('#hp-error-momentum')).toHaveText('must be at least 0 and less than 1');
  await expect(page.locator('#hp-error-batchSize')).toHaveText('must be a whole number');
  await expect(page.locator('#hp-error-epochs')).toHaveText('must be at least 1 and at most 1,000');
  await expect(page.getByTestId('hp-learningRate')).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-error')).toHaveText('Fix the highlighted fields first.');
  await expect(page.getByTestId('hp-learningRate')).toBeFocused();
  await saveScreenshot('train-validation');

  // A training subset larger than MNIST: caught here or by the engine, and shown at that field either way.
  await page.locator('select[name="optimizer"]').selectOption('adam');
  await setHyperparameters(page, { learningRate: '0.001', batchSize: '32', epochs: '1', trainSize: '70000' });
  await page.getByTestId('train-start').click();
  await expect(page.locator('#hp-error-trainSize')).toContainText(/60,?000/);
  await expect(page.getByTestId('hp-trainSize')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('train-result')).toHaveCount(0); // nothing started
  await page.getByTestId('hp-trainSize').fill('');
  await expect(page.locator('#hp-error-trainSize')).toHaveCount(0);
});

test('the memory check shows what a run will hold before Start, and holds Start back for one that cannot fit', async ({
  page,
  saveScreenshot,
}) => {
  await openTrainScreen(page);
  const memory = page.getByTestId('train-memory');
  await setHyperparameters(page, { batchSize: '32' });
  await expect(memory).toContainText(/Memory per training step: \d+ MB · a run may use [\d.]+ GB on/);
  await expect(page.getByTestId('train-memory-issue')).toHaveCount(0);
  await expect(page.getByTestId('train-start')).toBeEnabled();

  // WebAssembly has a 4 GB heap: the seed network at batch 8192 needs more, and the check says where.
  await page.getByTestId('run-backend').selectOption('wasm');
  await setHyperparameters(page, { batchSize: '8192' });
  await expect(memory).toContainText('on WebAssembly');
  await expect(page.getByTestId('train-memory-issue')).toContainText(
    /This run would not fit: layer \d+ \w+: .* lower the batch size/,
  );
  await expect(page.getByTestId('train-start')).toBeDisabled();
  await expect(page.locator('.start-row')).toContainText('so the run fits in memory');
  await saveScreenshot('train-memory-refused');

  await setHyperparameters(page, { batchSize: '64' });
  await expect(page.getByTestId('train-memory-issue')).toHaveCount(0);
  await expect(page.getByTestId('train-start')).toBeEnabled();
  await page.getByTestId('run-backend').selectOption('auto');
});

test('the seed + augmentation template fills the Augmentation section, and the plain seed turns it off', async ({
  page,
  saveScreenshot,
}) => {
  await openTrainScreen(page);
  const section = page.getByTestId('hp-augmentation');
  await expect(section.locator('summary')).toContainText('(off)');
  await page.getByTestId('train-model').selectOption('template:seed-augmented');
  await expect(page.getByTestId('train-param-count')).toContainText(SEED_PARAMS);
  await expect(section.locator('summary')).toContainText(
    'rotation, scale, shift, stroke thickness, elastic distortion',
  );
  await section.locator('summary').click();
  await expect(page.getByTestId('hp-augmentRotation')).toHaveValue('12');
  await expect(page.getByTestId('hp-augmentThickness')).toHaveValue('0.6');
  await page.getByTestId('hp-augmentRotation').fill('50');
  await expect(page.locator('#hp-error-augmentRotation')).toHaveText('must be at least 0 and at most 45');
  await page.getByTestId('hp-augmentRotation').fill('15');
  await section.scrollIntoViewIfNeeded();
  await saveScreenshot('train-augmentation');
  await page.getByTestId('train-model').selectOption('template:seed');
  await expect(section.locator('summary')).toContainText('(off)');
  await expect(page.getByTestId('hp-augmentRotation')).toHaveValue('0');
});

test('the Early stopping and Learning rate schedule sections show the chosen settings, checked next to them', async ({
  page,
}) => {
  await openTrainScreen(page);
  const early = page.getByTestId('hp-early-stopping');
  const schedule = page.getByTestId('hp-lr-schedule');
  await expect(early.locator('summary')).toContainText('(off)');
  await expect(schedule.locator('summary')).toContainText('(constant)');
  await schedule.locator('summary').click();
  await expect(page.getByTestId('hp-lrStepFactor')).toHaveCount(0);
  await page.getByTestId('hp-lrSchedule').selectOption('step');
  await expect(schedule.locator('summary')).toContainText('(step)');
  await page.getByTestId('hp-lrStepFactor').fill('1.5');
  await expect(page.locator('#hp-error-lrStepFactor')).toHaveText('must be greater than 0 and less than 1');
  await page.getByTestId('hp-lrStepFactor').fill('0.5');
  await expect(page.locator('#hp-error-lrStepFactor')).toHaveCount(0);
  await page.getByTestId('hp-lrSchedule').selectOption('constant');
  await expect(page.getByTestId('hp-lrStepEpochs')).toHaveCount(0);
  // Early stopping needs validation images.
  await early.locator('summary').click();
  await page.getByTestId('hp-earlyStopping').selectOption('val_loss');
  await expect(page.getByTestId('hp-earlyStoppingPatience')).toHaveValue('3');
  await setHyperparameters(page, { validationSplit: '0' });
  await expect(page.locator('#hp-error-earlyStopping')).toHaveText('needs a validation split above 0');
  await setHyperparameters(page, { validationSplit: '0.1' });
  await page.getByTestId('hp-earlyStopping').selectOption('off');
  await expect(page.getByTestId('hp-earlyStoppingPatience')).toHaveCount(0);
  await expect(page.getByTestId('train-start')).toBeEnabled();
});

test('a small run trains to completion with live progress, charts and a result card', async ({
  page,
  saveScreenshot,
}) => {
  await openTrainScreen(page);
  // Enough batches to be seen in progress: the graph trainer runs a tiny run in well under a second.
  await setHyperparameters(page, {
    trainSize: '12000',
    epochs: '2',
    batchSize: '8',
    validationSplit: '0.1',
    seed: '42',
  });
  await page.getByTestId('run-name').fill('e2e small run');
  await page.getByTestId('train-start').click();
  await expect(page.getByTestId('train-run-name')).toContainText('e2e small run', { timeout: 60_000 });

  // Progress and the batch chart grow while it trains.
  await expect.poll(() => chartPoints(page), { timeout: 120_000 }).toBeGreaterThan(0);
  const firstProgress = await progressValue(page);
  const firstPoints = await chartPoints(page);
  expect(firstProgress).toBeLessThan(100);
  await expect(page.getByTestId('train-backend')).toBeVisible(); // the backend that actually runs
  await expect.poll(() => progressValue(page), { timeout: 120_000 }).toBeGreaterThan(firstProgress);
  await expect.poll(() => chartPoints(page), { timeout: 120_000 }).toBeGreaterThan(firstPoints);
  // Both sides of the counter in one number format, and the live speed named as such.
  await expect(page.getByTestId('train-batch')).toHaveText(/^(\d{1,3}|1,\d{3}) \/ 1,350$/);
  await expect(page.getByTestId('train-speed-label')).toHaveText('Speed now');
  await saveScreenshot('train-running');

  // 10,800 training images (10% held out) in batches of 8: 1,350 batches an epoch, 2,700 in all.
  const accuracy = page.getByTestId('result-test-accuracy');
  await expect(accuracy).toBeVisible({ timeout: 180_000 });
  await expect(accuracy).toHaveText(/^\d{1,3}\.\d{2}%$/);
  await expect(page.getByTestId('train-result')).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('train-epoch')).toHaveText('2 / 2');
  await expect(page.getByTestId('train-progress')).toHaveAttribute('aria-valuenow', '100');
  await expect.poll(() => chartPoints(page)).toBe(2700);
  await expect(page.getByTestId('epoch-chart')).toHaveAttribute('data-points', '2');
  await expect(page.getByTestId('best-epoch')).toContainText('Best validation accuracy');
  // The card shows the record written at the end (all epochs), and the same average speed as the panel.
  await expect(page.getByTestId('result-epochs')).toHaveText('2 / 2');
  await expect(page.getByTestId('train-speed-label')).toHaveText('Average speed');
  await expect(page.getByTestId('result-speed')).toHaveText(/samples\/s$/);
  await expect(page.getByTestId('train-speed')).toHaveText(
    (await page.getByTestId('result-speed').textContent()) ?? '',
  );
  await saveScreenshot('train-complete');

  // Evaluate opens that run; coming back shows the same result again (restored from the store).
  await page.getByTestId('result-evaluate').click();
  await expect(page.locator('[data-screen="evaluate"]')).toHaveAttribute('aria-current', 'page');
  await page.click('[data-screen="train"]');
  await expect(page.getByTestId('result-test-accuracy')).toHaveText(/^\d{1,3}\.\d{2}%$/);
  await expect.poll(() => chartPoints(page)).toBe(2700);
});

test('a stopped run resumes from its checkpoint and completes', async ({ page, saveScreenshot }) => {
  await openTrainScreen(page);
  // 10,800 training images in batches of 8: 1,350 batches an epoch, so there is time to stop mid-run.
  await setHyperparameters(page, { trainSize: '12000', epochs: '4', batchSize: '8', validationSplit: '0.1' });
  await page.getByTestId('run-name').fill('e2e stop and resume');
  await page.getByTestId('train-start').click();
  // The screen still shows the previous test's run until this one is under way.
  await expect(page.getByTestId('train-run-name')).toContainText('e2e stop and resume', { timeout: 60_000 });

  // Stop during the second epoch, after the first checkpoint.
  await expect.poll(() => epochShown(page), { timeout: 180_000 }).toBeGreaterThanOrEqual(2);
  await page.getByTestId('train-stop').click();
  const result = page.getByTestId('train-result');
  await expect(result).toHaveAttribute('data-status', 'stopped', { timeout: 120_000 });
  await expect(page.getByTestId('train-phase')).toHaveText('Stopped');
  await expect(page.getByTestId('train-batch')).toHaveText('— / 1,350'); // the unfinished epoch is not kept
  const resumeButton = page.getByTestId('result-resume');
  const resumeLabel = (await resumeButton.textContent()) ?? '';
  const resumeEpoch = Number(/epoch (\d+)/.exec(resumeLabel)?.[1]);
  expect(resumeEpoch).toBeGreaterThanOrEqual(2);
  expect(resumeEpoch).toBeLessThanOrEqual(4);
  await expect(page.getByTestId('train-epoch')).toHaveText(`${resumeEpoch - 1} / 4`); // stored, not the live epoch
  // It is also listed among the resumable runs.
  await expect(page.getByTestId('resume-run')).toHaveCount(1);
  await saveScreenshot('train-stopped');

  await resumeButton.click();
  // The first batches of the resumed session count from the saved epoch, not from epoch 1, and the chart
  // keeps the batches of the epochs trained before the stop.
  await expect(page.getByTestId('train-phase')).toHaveText('Training', { timeout: 120_000 });
  await expect.poll(() => batchShown(page), { timeout: 120_000 }).toBeGreaterThan(0);
  const epochAfterResume = await epochShown(page);
  expect(epochAfterResume).toBeGreaterThanOrEqual(resumeEpoch);
  await expect(page.getByText(`Resumed from the checkpoint after epoch ${resumeEpoch - 1}.`)).toBeVisible();
  await expect.poll(() => chartPoints(page)).toBeGreaterThan((resumeEpoch - 1) * 1350);
  await saveScreenshot('train-resumed');

  await expect(page.getByTestId('result-test-accuracy')).toBeVisible({ timeout: 240_000 });
  await expect(result).toHaveAttribute('data-status', 'completed');
  await expect(page.getByTestId('train-epoch')).toHaveText('4 / 4');
  await expect(page.getByTestId('epoch-chart')).toHaveAttribute('data-points', '4');
  await expect.poll(() => chartPoints(page)).toBe(4 * 1350);
  await expect(page.getByTestId('resume-run')).toHaveCount(0);
  await saveScreenshot('train-resumed-complete');
});
