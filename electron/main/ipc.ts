// One ipcMain.handle per contract channel: check the sender, validate the payload, answer or forward.
// Every handler resolves to an Envelope; nothing throws across IPC.
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, shell, type IpcMainInvokeEvent } from 'electron';
import {
  parseRequest,
  requestSchemas,
  type AppInfo,
  type Channel,
  type Envelope,
  type RunDetail,
  type RunExport,
} from '#shared/contract.ts';
import type { EngineHost } from './engine-host.ts';
import { isAppUrl } from './paths.ts';
import { defaultWeightsOf, describeWeights, type WeightsChoice } from '#shared/weights.ts';

export interface IpcContext {
  engine: EngineHost;
  dbPath: string;
  dataDir: string;
}

function fail(message: string, field?: string): Envelope<never> {
  return field === undefined ? { ok: false, error: { message } } : { ok: false, error: { message, field } };
}

/** Only the app's own page, in its top frame, of one of the app's windows, may call in. */
function checkSender(event: IpcMainInvokeEvent): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the calling frame is gone';
  if (frame.parent) return 'calls are accepted from the main frame only';
  if (!isAppUrl(frame.url)) return `calls are not accepted from ${frame.url || 'this page'}`;
  if (!BrowserWindow.fromWebContents(event.sender)) return 'calls are accepted from app windows only';
  return null;
}

/** Validates a payload as the engine does; a bad one becomes "<channel>: <field>: <reason>" with the field named. */
export function validate(
  channel: Channel,
  payload: unknown,
): { ok: true; value: unknown } | { ok: false; envelope: Envelope<never> } {
  const parsed = parseRequest(channel, payload);
  return parsed.ok
    ? { ok: true, value: parsed.value }
    : { ok: false, envelope: fail(parsed.error.message, parsed.error.field) };
}

/** The folder or file the user picks, or null when they close the dialog. */
async function pick(event: IpcMainInvokeEvent, options: Electron.OpenDialogOptions): Promise<string | null> {
  const parent = BrowserWindow.fromWebContents(event.sender);
  const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
  return picked.canceled || picked.filePaths.length === 0 ? null : picked.filePaths[0];
}

/** Folders runs:export wrote this session: the only ones runs:showExport opens. */
const exportedDirs = new Set<string>();

/** Asks for a folder to export the run to (after checking that it has weights to export), then exports it. */
async function exportRun(
  ctx: IpcContext,
  event: IpcMainInvokeEvent,
  request: { runId: number; dir?: string; format: 'model' | 'tensorboard'; weights?: WeightsChoice },
): Promise<Envelope<unknown>> {
  let dir = request.dir;
  const tensorboard = request.format === 'tensorboard';
  if (!dir) {
    const detail = (await ctx.engine.request('runs:get', { runId: request.runId })) as Envelope<RunDetail>;
    // Before the dialog: a run that cannot be exported says so at once (the same words as the engine's).
    if (!detail.ok) return detail;
    const { run } = detail.value;
    // The TensorBoard export writes the stored metrics only, so it needs no weights.
    if (run.epochsCompleted === 0 && !tensorboard)
      return fail(`run ${run.id} has no saved weights yet (it has not finished an epoch)`);
    const which = request.weights ?? defaultWeightsOf(run);
    const picked = await pick(event, {
      title: `Export run #${run.id} “${run.name}”${tensorboard ? ' for TensorBoard' : ` with the weights ${describeWeights(run, which)}`}`,
      buttonLabel: 'Export here',
      message: tensorboard
        ? 'Choose a TensorBoard log folder: the run gets its own run-<id>-<name> folder of event files in it'
        : 'Choose a folder for the model (model.json, weights.bin), spec.json, run.json, metrics.json, evaluation.json and model.py (Keras); files of those names are replaced',
      properties: ['openDirectory', 'createDirectory', 'promptToCreate'],
    });
    if (!picked) return { ok: true, value: null };
    dir = picked;
  }
  const exported = (await ctx.engine.request('runs:export', {
    runId: request.runId,
    dir,
    format: request.format,
    weights: request.weights,
  })) as Envelope<RunExport>;
  if (exported.ok) exportedDirs.add(exported.value.dir);
  return exported;
}

async function handle(
  ctx: IpcContext,
  channel: Channel,
  event: IpcMainInvokeEvent,
  payload: unknown,
): Promise<Envelope<unknown>> {
  const refused = checkSender(event);
  if (refused) return fail(`${channel}: refused: ${refused}`);
  const parsed = validate(channel, payload);
  if (!parsed.ok) return parsed.envelope;
  const request = parsed.value;

  switch (channel) {
    case 'app:info': {
      await ctx.engine.whenReady(10_000);
      const info: AppInfo = {
        version: app.getVersion(),
        platform: `${process.platform}-${process.arch}`,
        dbPath: ctx.dbPath,
        dataDir: ctx.dataDir,
        engineRuntime: ctx.engine.runtime,
      };
      return { ok: true, value: info };
    }
    case 'engine:status':
      return { ok: true, value: ctx.engine.status };
    case 'engine:restart':
      return { ok: true, value: ctx.engine.restart() };
    case 'datasets:import': {
      const r = request as { dir?: string; name?: string };
      if (r.dir) return ctx.engine.request(channel, r);
      const dir = await pick(event, {
        title: 'Import IDX dataset',
        buttonLabel: 'Import',
        message: 'Choose a folder with the four IDX files (train/test images and labels, plain or .gz)',
        properties: ['openDirectory'],
      });
      if (!dir) return { ok: true, value: null };
      return ctx.engine.request(channel, { ...r, dir });
    }
    case 'spec:readFile': {
      // A dropped file comes with its path (checked by the schema: a string of sane length); the menu asks.
      const r = request as { file?: string };
      if (r.file) return ctx.engine.request(channel, r);
      const file = await pick(event, {
        title: 'Open spec file',
        buttonLabel: 'Open',
        message: 'Choose a Layerlab spec (JSON, at most 1 MB) to open in Design',
        filters: [
          { name: 'Spec JSON', extensions: ['json'] },
          { name: 'All files', extensions: ['*'] },
        ],
        properties: ['openFile'],
      });
      if (!file) return { ok: true, value: null };
      return ctx.engine.request(channel, { file });
    }
    case 'runs:export':
      return exportRun(
        ctx,
        event,
        request as { runId: number; dir?: string; format: 'model' | 'tensorboard'; weights?: WeightsChoice },
      );
    case 'runs:showExport': {
      const { dir } = request as { dir: string };
      if (!exportedDirs.has(dir))
        return fail('runs:showExport: dir: not a folder this session exported a run to', 'dir');
      // The folder, opened with its model selected (a TensorBoard export has none: the folder itself).
      const model = path.join(dir, 'model.json');
      if (fs.existsSync(model)) shell.showItemInFolder(model);
      else void shell.openPath(dir);
      return { ok: true, value: true };
    }
    default:
      return ctx.engine.request(channel, request);
  }
}

export function registerIpc(ctx: IpcContext): void {
  for (const channel of Object.keys(requestSchemas) as Channel[]) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      try {
        return await handle(ctx, channel, event, payload);
      } catch (err) {
        console.error(`layerlab: ${channel} failed in main:`, err);
        return fail(`${channel}: ${err instanceof Error ? err.message : String(err)}`);
      }
    });
  }
}
