// The main window: isolated, sandboxed renderer with the preload API, remembered bounds, OS light/dark.
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, nativeTheme } from 'electron';
import { ICON_PATH, PRELOAD_PATH, rendererEntry } from './paths.ts';
import { MIN_SIZE, readWindowState, trackWindowState } from './window-state.ts';

const BACKGROUND = { light: '#f7f7f8', dark: '#16171a' };

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

  // Follow the OS theme for the frame behind the page too (the page itself uses prefers-color-scheme).
  const onTheme = () => {
    if (!win.isDestroyed()) win.setBackgroundColor(nativeTheme.shouldUseDarkColors ? BACKGROUND.dark : BACKGROUND.light);
  };
  nativeTheme.on('updated', onTheme);
  win.on('closed', () => nativeTheme.off('updated', onTheme));

  const entry = rendererEntry();
  const load = entry.kind === 'url' ? win.loadURL(entry.url) : win.loadFile(entry.file);
  load.catch((err: Error) => console.error(`layerlab: could not load the renderer: ${err.message}`));
  return win;
}
