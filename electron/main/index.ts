// Electron main: windows, menus, dialogs and IPC routing. Everything else happens in the engine process.
import fs from 'node:fs';
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu } from 'electron';
import { MENU_COMMAND, TRAINING_EVENT } from '#shared/channels.ts';
import type { MenuCommand } from '#shared/screens.ts';
import { EngineHost } from './engine-host.ts';
import { EventCoalescer } from '#shared/event-coalescer.ts';
import { registerIpc } from './ipc.ts';
import { buildMenu } from './menu.ts';
import { devServerUrl, ENGINE_ENTRY } from './paths.ts';
import { hardenSession, installNavigationGuards } from './security.ts';
import { createMainWindow } from './window.ts';

// Tests (and anyone who wants a separate profile) can move all of the app's state: window state, Chromium caches, the DB.
if (process.env.LAYERLAB_USER_DATA) app.setPath('userData', path.resolve(process.env.LAYERLAB_USER_DATA));
// Every renderer is sandboxed (the window asks for it too). Not with --no-sandbox (root in CI containers):
// enableSandbox would then turn the sandbox back on for the GPU and network processes, which refuse to run as root.
if (!app.commandLine.hasSwitch('no-sandbox')) app.enableSandbox();
installNavigationGuards();

const isDev = !app.isPackaged && devServerUrl() !== null;
const dbPath = path.resolve(process.env.LAYERLAB_DB || path.join(app.getPath('userData'), 'layerlab.db'));
const dataDir = path.dirname(dbPath);

function broadcast(channel: string, payload: unknown): void {
  for (const win of BrowserWindow.getAllWindows()) {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(channel, payload);
  }
}

function findOnPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && fs.existsSync(candidate)) return candidate;
  }
  return null;
}

const coalescer = new EventCoalescer((event) => broadcast(TRAINING_EVENT, event));
const engine = new EngineHost({
  entry: ENGINE_ENTRY,
  config: { dbPath, dataDir },
  nodeBinary: process.env.LAYERLAB_ENGINE_NODE || null,
  fallbackNodeBinary: () => findOnPath(process.platform === 'win32' ? 'node.exe' : 'node'),
  onEvent: (event) => coalescer.push(event),
  onCrash: (message, restarting) => {
    if (restarting) return;
    const win = BrowserWindow.getAllWindows()[0];
    const options = {
      type: 'error' as const,
      title: 'Layerlab engine stopped',
      message: 'The training engine stopped and could not be restarted.',
      detail: `${message}\n\nSave your work and restart Layerlab.`,
    };
    void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  },
});

function sendCommand(command: MenuCommand, win: BrowserWindow | null): void {
  const target = win ?? BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  if (target && !target.isDestroyed()) target.webContents.send(MENU_COMMAND, command);
}

function showAbout(win: BrowserWindow | null): void {
  const options: Electron.MessageBoxOptions = {
    type: 'info',
    title: 'About Layerlab',
    message: `Layerlab ${app.getVersion()}`,
    detail: [
      'Design, train and compare convolutional networks on MNIST.',
      '',
      `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}`,
      `Engine: ${engine.runtime}`,
      `Database: ${dbPath}`,
    ].join('\n'),
    buttons: ['OK'],
  };
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const win = BrowserWindow.getAllWindows()[0];
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  app.whenReady().then(() => {
    hardenSession();
    Menu.setApplicationMenu(buildMenu({ isDev, sendCommand, showAbout }));
    engine.start();
    registerIpc({ engine, dbPath, dataDir });
    createMainWindow();
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createMainWindow();
    });
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  // Let the engine end training cleanly (it marks runs stopped/interrupted) before the app goes.
  let engineStopped = false;
  let stopping: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    if (engineStopped) return;
    event.preventDefault();
    if (stopping) return;
    coalescer.flush();
    stopping = engine.shutdown().finally(() => {
      engineStopped = true;
      app.quit();
    });
  });
}
