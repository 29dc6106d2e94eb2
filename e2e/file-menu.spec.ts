// The File menu and drag and drop against the real app: the menu's design commands do what the Design
// screen's buttons do (unsaved-work prompt included), Open Spec File… reads a spec from disk through main's
// dialog and the engine's bounded reader, Export Run… writes the CLI's export plus model.py and says where, and
// files dropped on the window (real drags through Chromium's DevTools protocol, paths from preload) open in
// Design or import as an IDX dataset. Native dialogs are stood in for in main (dialog.showOpenDialog).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ElectronApplication, Page } from '@playwright/test';
import { encodeIdxUbyte } from '#engine/data/idx.ts';
import type { ModelSpec } from '#shared/model/spec.ts';
import { expect, test } from './fixtures.ts';
import { templateSpec, trainRun } from './helpers/runs.ts';

const files = fs.mkdtempSync(path.join(os.tmpdir(), 'layerlab-e2e-files-'));
test.afterAll(() => fs.rmSync(files, { recursive: true, force: true }));

function writeFile(name: string, content: string | Buffer): string {
  const file = path.join(files, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

const spec = (name: string, layers: unknown[]) => JSON.stringify({ name, inputShape: [28, 28, 1], layers }, null, 2);
const CONV_NET = [
  { type: 'Conv2D', filters: 8, kernelSize: 3, activation: 'relu' },
  { type: 'Flatten' },
  { type: 'Dense', units: 10, activation: 'softmax' },
];

/** A folder of small 28×28 IDX files (train 20 images, test 10), as the engine imports them. */
function writeIdxFolder(name: string): string {
  const dir = path.join(files, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [prefix, count] of [
    ['train', 20],
    ['t10k', 10],
  ] as const) {
    const pixels = Uint8Array.from({ length: count * 784 }, (_, i) => (i * 37) % 256);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 10);
    fs.writeFileSync(path.join(dir, `${prefix}-images-idx3-ubyte`), encodeIdxUbyte([count, 28, 28], pixels));
    fs.writeFileSync(path.join(dir, `${prefix}-labels-idx1-ubyte`), encodeIdxUbyte([count], labels));
  }
  return dir;
}

/** Clicks File › item (or another menu's item) in main, as the user's click would. */
async function clickMenu(app: ElectronApplication, item: string, menu = 'File'): Promise<void> {
  await app.evaluate(
    ({ Menu }, [menu, item]) => {
      const top = Menu.getApplicationMenu()?.items.find((i) => i.label.replace('&', '') === menu);
      const entry = top?.submenu?.items.find((i) => i.label === item);
      if (!entry) throw new Error(`no menu item ${menu} > ${item}`);
      entry.click();
    },
    [menu, item],
  );
}

/**
 * From now on main's open dialog answers with the next of `answers` (a path, or null for Cancel) and records
 * the options it was shown with in globalThis.openDialogs.
 */
async function answerOpenDialogs(app: ElectronApplication, answers: (string | null)[]): Promise<void> {
  await app.evaluate(({ dialog }, answers) => {
    const shown: unknown[] = ((globalThis as { openDialogs?: unknown[] }).openDialogs = []);
    dialog.showOpenDialog = (async (...args: unknown[]) => {
      shown.push(args.at(-1));
      const answer = answers.shift() ?? null;
      return answer === null ? { canceled: true, filePaths: [] } : { canceled: false, filePaths: [answer] };
    }) as typeof dialog.showOpenDialog;
  }, answers);
}

const openDialogs = (app: ElectronApplication) =>
  app.evaluate(() => (globalThis as { openDialogs?: Electron.OpenDialogOptions[] }).openDialogs ?? []);

type DragStep = 'dragEnter' | 'dragOver' | 'drop' | 'dragCancel';
/** How long Chromium may take to answer one drag event before the drag is cancelled and the event sent again. */
const DRAG_EVENT_MS = 15_000;

/**
 * A real drag of files from the desktop: Chromium builds the drag data (File paths, folder entries) itself. Now
 * and then, on a loaded machine, Chromium never answers a drag event (the test then hung until its 5-minute
 * timeout): such an event is given up after 15 s, the drag cancelled, and the steps sent again once.
 */
async function drag(page: Page, paths: string[], steps: DragStep[], again = true): Promise<void> {
  const cdp = await page.context().newCDPSession(page);
  const data = { items: [], files: paths, dragOperationsMask: 1 };
  const send = async (type: DragStep) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Chromium did not answer the drag event ${type} in 15 s`)),
        DRAG_EVENT_MS,
      );
    });
    try {
      await Promise.race([cdp.send('Input.dispatchDragEvent', { type, x: 640, y: 400, data }), late]);
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    for (const type of steps) await send(type);
  } catch (err) {
    if (!again) throw err;
    await send('dragCancel').catch(() => {});
    await cdp.detach().catch(() => {});
    return drag(page, paths, steps.includes('dragEnter') ? steps : ['dragEnter', 'dragOver', ...steps], false);
  }
  await cdp.detach().catch(() => {});
}

const drop = (page: Page, paths: string[]) => drag(page, paths, ['dragEnter', 'dragOver', 'drop']);

const current = (page: Page, screen: string) =>
  expect(page.locator(`[data-screen="${screen}"]`)).toHaveAttribute('aria-current', 'page');
const notice = (page: Page) => page.getByTestId('file-notice');

/** An edit, so the design has unsaved changes. */
async function editDesign(page: Page) {
  await page.getByRole('button', { name: 'Add Dropout' }).click();
  await expect(page.getByTestId('unsaved')).toHaveText('● Unsaved changes');
}

test('the File menu has the design, spec file, dataset and run commands, with their shortcuts', async ({ app }) => {
  const items = await app.evaluate(({ Menu }) =>
    Menu.getApplicationMenu()!
      .items.find((i) => i.label.replace('&', '') === 'File')!
      .submenu!.items.map((i) =>
        i.type === 'separator' ? '—' : i.role ? `role:${i.role}` : `${i.label} [${i.accelerator ?? ''}]`,
      ),
  );
  expect(items).toEqual([
    'New Design [CmdOrCtrl+N]',
    'Open Design… [CmdOrCtrl+O]',
    'Open Spec File… [Shift+CmdOrCtrl+O]',
    '—',
    'Save Design [CmdOrCtrl+S]',
    'Save Design As… [Shift+CmdOrCtrl+S]',
    '—',
    'Import IDX Dataset… [CmdOrCtrl+I]',
    'Export Run… [CmdOrCtrl+E]',
    'Export Run for TensorBoard… []',
    '—',
    process.platform === 'darwin' ? 'role:close' : 'role:quit',
  ]);
});

test('New, Open…, Save and Save as… from the File menu do what the Design buttons do, from any screen', async ({
  app,
  page,
}) => {
  await expect(page.getByTestId('design-name')).toBeVisible();
  await page.click('[data-screen="runs"]');
  await clickMenu(app, 'New Design');
  await current(page, 'design');
  await expect(page.getByTestId('design-name')).toHaveText('Untitled design');
  await expect(page.getByTestId('layer-row')).toHaveCount(2);

  // Over unsaved changes New asks first, as the button does.
  await editDesign(page);
  await page.click('[data-screen="train"]');
  await clickMenu(app, 'New Design');
  await current(page, 'design');
  const confirm = page.getByTestId('confirm-new');
  await expect(confirm).toBeVisible();
  await confirm.getByRole('button', { name: 'Keep editing' }).click();
  await expect(page.getByTestId('layer-row')).toHaveCount(3);

  await clickMenu(app, 'Open Design…');
  const openDialog = page.getByRole('dialog', { name: 'Open a design' });
  await expect(openDialog).toBeVisible();
  await openDialog.getByRole('button', { name: 'Close' }).click();
  await expect(openDialog).toBeHidden();

  // Save on a design that was never saved asks for a name, as the button does.
  await page.click('[data-screen="runs"]');
  await clickMenu(app, 'Save Design');
  await current(page, 'design');
  const saveDialog = page.getByRole('dialog', { name: 'Save design as' });
  await expect(saveDialog).toBeVisible();
  await saveDialog.getByLabel('Name').fill('from the menu');
  await saveDialog.getByRole('button', { name: 'Save' }).click();
  await expect(saveDialog).toBeHidden();
  await expect(page.getByTestId('design-name')).toHaveText('from the menu');

  // Saved under its name, Save stores it again at once; Save as… asks, offering the name.
  await editDesign(page);
  await clickMenu(app, 'Save Design');
  await expect(page.getByRole('status').filter({ hasText: 'Saved “from the menu”' })).toBeVisible();
  await expect(page.getByTestId('unsaved')).toHaveCount(0);
  await clickMenu(app, 'Save Design As…');
  await expect(saveDialog).toBeVisible();
  await expect(saveDialog.getByLabel('Name')).toHaveValue('from the menu');
  await saveDialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(saveDialog).toBeHidden();
});

test('File › Open Spec File… opens a spec from disk, asking before it replaces unsaved changes; a bad file says why', async ({
  app,
  page,
}) => {
  const good = writeFile('from-disk.json', '\uFEFF' + spec('from disk', CONV_NET)); // a BOM, as Windows editors write
  const typo = writeFile('typo.json', spec('typo', [{ type: 'Conv2D', filter: 8, kernelSize: 3 }]));
  const big = writeFile('big.json', ' '.repeat(1024 * 1024 + 10));
  await answerOpenDialogs(app, [null, good, typo, big]);

  await clickMenu(app, 'New Design');
  await current(page, 'design');
  await editDesign(page);

  await clickMenu(app, 'Open Spec File…'); // cancelled: nothing happens
  await expect.poll(async () => (await openDialogs(app)).length).toBe(1);
  const [options] = await openDialogs(app);
  expect(options).toMatchObject({ title: 'Open spec file', properties: ['openFile'] });
  expect(options.filters?.[0]).toEqual({ name: 'Spec JSON', extensions: ['json'] });
  await expect(notice(page)).toHaveCount(0);

  await clickMenu(app, 'Open Spec File…');
  const confirm = page.getByTestId('confirm-open-file');
  await expect(confirm).toContainText('Discard them and open from-disk.json?');
  await confirm.getByRole('button', { name: 'Discard and open' }).click();
  await expect(page.getByTestId('design-name')).toHaveText('New design from “from-disk”');
  await expect(page.getByTestId('layer-row')).toHaveCount(3);
  await expect(page.getByTestId('layer-row').first()).toContainText('8 filters 3×3 relu');
  await expect(notice(page)).toHaveAttribute('data-topic', 'spec-opened');
  await expect(notice(page)).toContainText(`Opened from-disk.json`);

  for (const [file, reason] of [
    [typo, "is not a Layerlab spec: layer 1 Conv2D: unknown field 'filter'"],
    [big, 'is 1.0 MB, more than the 1 MB allowed'],
  ]) {
    await clickMenu(app, 'Open Spec File…');
    await expect(notice(page)).toHaveAttribute('data-topic', 'spec-refused');
    await expect(notice(page)).toContainText('Could not open the spec file');
    await expect(page.getByTestId('file-notice-text')).toContainText(`${file}: ${reason}`);
    await expect(page.getByTestId('file-notice-text')).toContainText('The design you are editing is unchanged.');
    await expect(page.getByTestId('design-name')).toHaveText('New design from “from-disk”');
  }
});

test('a spec JSON dropped on the window opens in Design; other files are refused with the reason', async ({
  page,
  saveScreenshot,
}) => {
  const dropped = writeFile('dropped-net.json', spec('dropped', CONV_NET.slice(1)));
  const broken = writeFile('broken.json', '{"name": "half",');
  const picture = writeFile('digit.png', Buffer.from([0x89, 0x50, 0x4e, 0x47]));

  if (await notice(page).count()) await notice(page).getByRole('button', { name: 'Dismiss' }).click();
  await page.click('[data-screen="runs"]');
  await editDesignElsewhere(page);
  // While files are dragged over the window, the overlay says what a drop does.
  await drag(page, [dropped], ['dragEnter', 'dragOver']);
  const overlay = page.getByTestId('drop-overlay');
  await expect(overlay).toBeVisible();
  await expect(overlay).toContainText('Drop a spec JSON to open it in Design, or an IDX folder to import it');
  await saveScreenshot('drop-overlay');
  await drag(page, [dropped], ['drop']);
  await expect(overlay).toBeHidden();
  await current(page, 'design');
  // Unsaved work first.
  const confirm = page.getByTestId('confirm-open-file');
  await expect(confirm).toContainText('open dropped-net.json?');
  await confirm.getByRole('button', { name: 'Discard and open' }).click();
  await expect(page.getByTestId('design-name')).toHaveText('New design from “dropped-net”');
  await expect(page.getByTestId('layer-row')).toHaveCount(2);

  // A drag that leaves the window again changes nothing (Chromium's dragCancel tells the page nothing: the
  // dragleave it sends when a drag leaves the window is made here).
  await drag(page, [dropped], ['dragEnter', 'dragOver']);
  await expect(overlay).toBeVisible();
  await page.evaluate(() => {
    const transfer = new DataTransfer();
    transfer.items.add(new File(['{}'], 'dropped-net.json', { type: 'application/json' }));
    document
      .querySelector('main')!
      .dispatchEvent(new DragEvent('dragleave', { bubbles: true, dataTransfer: transfer }));
  });
  // And Chromium's own drag ends, so the next drag starts from none.
  await drag(page, [dropped], ['dragCancel']);
  await expect(overlay).toBeHidden();
  await expect(page.getByTestId('design-name')).toHaveText('New design from “dropped-net”');

  await drop(page, [broken]);
  await expect(notice(page)).toHaveAttribute('data-topic', 'spec-refused');
  await expect(notice(page)).toContainText('Could not open broken.json');
  await expect(page.getByTestId('file-notice-text')).toContainText(`${broken}: is not valid JSON`);
  await expect(page.getByTestId('design-name')).toHaveText('New design from “dropped-net”');

  await drop(page, [picture]);
  await expect(notice(page)).toHaveAttribute('data-topic', 'drop-refused');
  await expect(page.getByTestId('file-notice-text')).toContainText(
    '“digit.png” is not a spec JSON file (.json) or a folder of IDX files.',
  );

  await drop(page, [dropped, broken]);
  await expect(page.getByTestId('file-notice-text')).toContainText('2 items were dropped');
  await expect(page.getByTestId('design-name')).toHaveText('New design from “dropped-net”');
});

/** Unsaved changes made on Design, then back to the screen that was showing. */
async function editDesignElsewhere(page: Page) {
  const screen = await page.locator('[data-screen][aria-current="page"]').getAttribute('data-screen');
  await page.click('[data-screen="design"]');
  await editDesign(page);
  await page.click(`[data-screen="${screen}"]`);
}

test('a folder dropped on the window is imported as an IDX dataset on Train; the engine names what is wrong', async ({
  app,
  page,
}) => {
  const idx = writeIdxFolder('dropped-digits');
  const empty = path.join(files, 'empty-folder');
  fs.mkdirSync(empty, { recursive: true });

  await page.click('[data-screen="runs"]');
  await drop(page, [idx]);
  await current(page, 'train');
  await expect(page.getByRole('status').filter({ hasText: 'Imported dropped-digits (10 classes).' })).toBeVisible();
  await expect(page.getByTestId('train-dataset')).toHaveValue(`idx:${idx}`);

  await drop(page, [empty]);
  await expect(page.getByRole('alert').filter({ hasText: `${empty}: has no training images file` })).toBeVisible();
  await expect(page.getByTestId('train-dataset')).toHaveValue(`idx:${idx}`);

  // File › Import IDX Dataset… from another screen: Train opens and its picker asks for the folder.
  const other = writeIdxFolder('menu-digits');
  await answerOpenDialogs(app, [other]);
  await page.click('[data-screen="design"]');
  await clickMenu(app, 'Import IDX Dataset…');
  await current(page, 'train');
  await expect(page.getByRole('status').filter({ hasText: 'Imported menu-digits (10 classes).' })).toBeVisible();
  await expect(page.getByTestId('train-dataset')).toHaveValue(`idx:${other}`);
});

test('File › Export Run… writes the run on screen as the CLI does, plus model.py, and says where', async ({
  app,
  page,
  saveScreenshot,
}) => {
  // Not on a screen that shows a run: Runs opens to pick one.
  await page.click('[data-screen="design"]');
  await clickMenu(app, 'Export Run…');
  await current(page, 'runs');
  await expect(notice(page)).toHaveAttribute('data-topic', 'export-pick');

  const mlp: ModelSpec = await templateSpec(page, 'mlp');
  const runId = await trainRun(page, {
    name: 'exported run',
    spec: mlp,
    // Augmented, so the built app's augmentation worker (out/main/augment-worker.cjs) trains it.
    hyperparameters: { trainSize: 300, epochs: 1, batchSize: 32, validationSplit: 0.1, augmentShift: 1 },
    dataset: 'mnist',
  });
  await page.click('[data-screen="design"]');
  await page.click('[data-screen="runs"]');
  const detail = page.getByRole('region', { name: 'Run details' });
  await expect(detail).toContainText(`Run #${runId}`);

  const out = path.join(files, 'export', 'run');
  await answerOpenDialogs(app, [null, out]);
  await app.evaluate(({ shell }) => {
    const shown: string[] = ((globalThis as { shownItems?: string[] }).shownItems = []);
    shell.showItemInFolder = (item: string) => void shown.push(item);
  });

  await clickMenu(app, 'Export Run…'); // the folder dialog cancelled: nothing is written or said
  // Before the dialog main asks the engine about the run; a refusal shows as a notice, so the poll reports it.
  await expect
    .poll(async () => ((await openDialogs(app)).length === 1 ? 'dialog' : await notice(page).allInnerTexts()), {
      timeout: 30_000,
    })
    .toBe('dialog');
  expect((await openDialogs(app))[0]).toMatchObject({
    // The dialog names the weights it exports (the run's default: here its last epoch, also its best).
    title: `Export run #${runId} “exported run” with the weights after epoch 1 (last and best val loss)`,
    buttonLabel: 'Export here',
  });
  await expect(notice(page)).toHaveCount(0);

  await detail.getByTestId('run-export').click();
  await expect(notice(page)).toHaveAttribute('data-topic', 'export-done');
  await expect(notice(page)).toContainText(`Exported run #${runId}`);
  const written = ['model.json', 'weights.bin', 'spec.json', 'run.json', 'metrics.json', 'evaluation.json', 'model.py'];
  await expect(page.getByTestId('file-notice-text')).toHaveText(
    `Wrote ${written.join(', ')} to ${out}, with the last weights (after epoch 1)`,
  );
  for (const file of written) expect(fs.existsSync(path.join(out, file)), file).toBe(true);
  const code = fs.readFileSync(path.join(out, 'model.py'), 'utf8');
  expect(code).toContain(`# Run #${runId} “exported run”, exported from Layerlab`);
  for (const layer of mlp.layers) expect(code).toContain(`    layers.${layer.type}(`);
  const exportedSpec = JSON.parse(fs.readFileSync(path.join(out, 'spec.json'), 'utf8')) as ModelSpec;
  expect(exportedSpec.layers.map((l) => l.type)).toEqual(mlp.layers.map((l) => l.type));
  await saveScreenshot('export-done');

  await notice(page).getByRole('button', { name: 'Show in folder' }).click();
  await expect
    .poll(() => app.evaluate(() => (globalThis as { shownItems?: string[] }).shownItems))
    .toEqual([path.join(out, 'model.json')]);
  // Main shows only folders it exported to.
  const refused = await page.evaluate(() => window.layerlab.invoke('runs:showExport', { dir: '/etc' }));
  expect(refused).toEqual({
    ok: false,
    error: { message: 'runs:showExport: dir: not a folder this session exported a run to', field: 'dir' },
  });
  // The same run for TensorBoard: its own folder of event files in the log folder chosen.
  const logdir = path.join(files, 'export', 'tensorboard');
  await answerOpenDialogs(app, [logdir]);
  await clickMenu(app, 'Export Run for TensorBoard…');
  await expect(notice(page)).toContainText(`Exported run #${runId} for TensorBoard`);
  await expect(page.getByTestId('file-notice-text')).toContainText(`tensorboard --logdir "${logdir}"`);
  const runFolder = fs.readdirSync(logdir).find((name) => name.startsWith(`run-${runId}-`));
  expect(runFolder).toBeDefined();
  for (const split of ['train', 'validation', 'test']) {
    const events = fs.readdirSync(path.join(logdir, runFolder!, split));
    expect(
      events.some((name) => name.startsWith('events.out.tfevents.')),
      split,
    ).toBe(true);
  }
  expect(fs.existsSync(path.join(logdir, runFolder!, 'hparams.json'))).toBe(true);
});
