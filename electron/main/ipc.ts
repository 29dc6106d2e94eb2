// One ipcMain.handle per contract channel: check the sender, validate the payload, answer or forward.
// Every handler resolves to an Envelope; nothing throws across IPC.
import { app, BrowserWindow, dialog, ipcMain, type IpcMainInvokeEvent } from 'electron';
import { parseRequest, requestSchemas, type AppInfo, type Channel, type Envelope } from '#shared/contract.ts';
import type { EngineHost } from './engine-host.ts';
import { isAppUrl } from './paths.ts';

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
      const parent = BrowserWindow.fromWebContents(event.sender);
      const options: Electron.OpenDialogOptions = {
        title: 'Import IDX dataset',
        buttonLabel: 'Import',
        message: 'Choose a folder with the four IDX files (train/test images and labels, plain or .gz)',
        properties: ['openDirectory'],
      };
      const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
      if (picked.canceled || picked.filePaths.length === 0) return { ok: true, value: null };
      return ctx.engine.request(channel, { ...r, dir: picked.filePaths[0] });
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
