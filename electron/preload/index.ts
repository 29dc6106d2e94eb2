// Preload (sandboxed, CommonJS): exposes window.layerlab, the typed LayerlabApi, and nothing else.
// Only `electron` may be required here, so the channel list comes from channels.ts, not from zod schemas.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
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
};

contextBridge.exposeInMainWorld('layerlab', api);
