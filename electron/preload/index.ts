// Preload (sandboxed, CommonJS): exposes window.layerlab, the typed LayerlabApi, and nothing else.
// Only `electron` may be required here, so the channel list comes from channels.ts, not from zod schemas.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { Channel, EngineStatus, Envelope, LayerlabApi, TrainingEvent } from '#shared/contract.ts';
import { CHANNELS, ENGINE_STATUS, MENU_COMMAND, TRAINING_EVENT } from '#shared/channels.ts';
import type { MenuCommand } from '#shared/screens.ts';

const allowed = new Set<string>(CHANNELS);

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  if (typeof listener !== 'function') throw new TypeError('listener must be a function');
  // The IpcRendererEvent (with its sender) never reaches the page: only the payload does.
  const wrapped = (_event: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, wrapped);
  let subscribed = true;
  return () => {
    if (!subscribed) return;
    subscribed = false;
    ipcRenderer.removeListener(channel, wrapped);
  };
}

/** Electron 29 and later: webUtils.getPathForFile. Earlier (25, which the tests run on): the File's own path. */
function pathForFile(file: File): string {
  if (!(file instanceof File)) throw new TypeError('pathForFile takes a File');
  const utils = webUtils as typeof webUtils | undefined; // undefined before Electron 29
  if (typeof utils?.getPathForFile === 'function') return utils.getPathForFile(file);
  const legacy = (file as File & { path?: unknown }).path;
  return typeof legacy === 'string' ? legacy : '';
}

const api: LayerlabApi = {
  invoke(channel, request) {
    if (typeof channel !== 'string' || !allowed.has(channel)) {
      const error: Envelope<never> = { ok: false, error: { message: `unknown channel: ${String(channel)}` } };
      return Promise.resolve(error);
    }
    return ipcRenderer.invoke(channel satisfies Channel, request);
  },
  onTrainingEvent(listener) {
    return subscribe<TrainingEvent>(TRAINING_EVENT, listener);
  },
  onMenuCommand(listener) {
    return subscribe<MenuCommand>(MENU_COMMAND, listener);
  },
  onEngineStatus(listener) {
    return subscribe<EngineStatus>(ENGINE_STATUS, listener);
  },
  pathForFile,
};

contextBridge.exposeInMainWorld('layerlab', api);
