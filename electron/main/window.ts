// The main window: isolated, sandboxed renderer with the preload API, remembered bounds, OS light/dark, and
// a question before it closes or reloads over unsaved design changes.
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, nativeTheme } from 'electron';
import { ICON_PATH, PRELOAD_PATH, rendererEntry } from './paths.ts';
import { MIN_SIZE, readWindowState, trackWindowState } from './window-state.ts';

const BACKGROUND = { light: '#f7f7f8', dark: '#16171a' };
const LEAVE = 0;
/**
 * Chromium writes localStorage to disk about 5 s after a change. The renderer keeps the unsaved design there,
 * so a crash of this process would lose the last seconds of edits; flushing this often bounds the loss.
 */
const STORAGE_FLUSH_MS = 1000;

/** Windows being closed by closeAllWindows, each with what to do when the user chooses to stay. */
const onStay = new WeakMap<BrowserWindow, () => void>();

export function windowStateFile(): string {
  return path.join(app.getPath('userData'), 'window-state.json');
}

export function createMainWindow(): BrowserWindow {
  const stateFile = windowStateFile();
  const state = readWindowState(stateFile);
  const win = new BrowserWindow({
    title: 'Layerlab',
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    // the default size is the page's (1280x800 whatever the menu bar takes); a remembered size is the window's
    useContentSize: state.contentSize === true,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    backgroundColor: nativeTheme.shouldUseDarkColors ? BACKGROUND.dark : BACKGROUND.light,
    icon: fs.existsSync(ICON_PATH) ? ICON_PATH : undefined,
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  });
  if (state.maximized) win.maximize();
  trackWindowState(win, stateFile);

  // The page sets its own title from <title>; keep the window's title the app's name.
  win.on('page-title-updated', (event) => event.preventDefault());
  win.once('ready-to-show', () => win.show());

  // The page holds unsaved design changes (its beforeunload handler said so): ask. Synchronously, as
  // Electron needs the answer before the event returns. The page has kept them as a draft already.
  win.webContents.on('will-prevent-unload', (event) => {
    const choice = dialog.showMessageBoxSync(win, {
      type: 'question',
      buttons: ['Leave', 'Stay'],
      defaultId: LEAVE,
      cancelId: 1,
      title: 'Unsaved design',
      message: 'The design has unsaved changes.',
      detail:
        'Nothing is lost if you leave: they are kept as a draft, which the Design screen restores when Layerlab opens again. Stay to save them as a design now.',
    });
    if (choice === LEAVE) event.preventDefault();
    else onStay.get(win)?.();
  });
  const flushStorage = setInterval(() => {
    if (!win.isDestroyed()) win.webContents.session.flushStorageData();
  }, STORAGE_FLUSH_MS);
  win.on('closed', () => clearInterval(flushStorage));

  // Follow the OS theme for the frame behind the page too (the page itself uses prefers-color-scheme).
  const onTheme = () => {
    if (!win.isDestroyed())
      win.setBackgroundColor(nativeTheme.shouldUseDarkColors ? BACKGROUND.dark : BACKGROUND.light);
  };
  nativeTheme.on('updated', onTheme);
  win.on('closed', () => nativeTheme.off('updated', onTheme));

  const entry = rendererEntry();
  const load = entry.kind === 'url' ? win.loadURL(entry.url) : win.loadFile(entry.file);
  load.catch((err: Error) => console.error(`layerlab: could not load the renderer: ${err.message}`));
  return win;
}

/**
 * Closes every window as its close button does, so a page with unsaved work asks first. Resolves true once
 * all are closed, false when the user chose to stay in one (a quit then stops there, the engine still running).
 */
export function closeAllWindows(): Promise<boolean> {
  const open = BrowserWindow.getAllWindows().filter((win) => !win.isDestroyed());
  const closing = open.map(
    (win) =>
      new Promise<boolean>((resolve) => {
        const closed = () => {
          onStay.delete(win);
          resolve(true);
        };
        win.once('closed', closed);
        onStay.set(win, () => {
          win.off('closed', closed);
          onStay.delete(win);
          resolve(false);
        });
        win.close();
      }),
  );
  return Promise.all(closing).then((results) => results.every(Boolean));
}
