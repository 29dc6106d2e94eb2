// Electron main: windows, menus, dialogs and IPC routing. Everything else happens in the engine process.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { app, BrowserWindow, dialog, Menu, shell } from 'electron';
import { ENGINE_STATUS, MENU_COMMAND, TRAINING_EVENT } from '#shared/channels.ts';
import type { EngineStatus } from '#shared/contract.ts';
import type { MenuCommand } from '#shared/screens.ts';
import { DEFAULT_AUTO_RESTARTS, parseAutoRestarts } from './engine-exit.ts';
import { EngineHost } from './engine-host.ts';
import { adoptLegacyDatabase } from './legacy-database.ts';
import { logUncaughtErrors, RotatingLog, teeConsole } from './logs.ts';
import { EventCoalescer } from '#shared/event-coalescer.ts';
import { registerIpc } from './ipc.ts';
import { buildMenu } from './menu.ts';
import { devServerUrl, ENGINE_ENTRY } from './paths.ts';
import { databasePath } from '#shared/paths.ts';
import { hardenSession, installNavigationGuards } from './security.ts';
import { closeAllWindows, createMainWindow } from './window.ts';

// Tests (and anyone who wants a separate profile) can move the app's own state: window state, Chromium caches and
// the logs. The database is LAYERLAB_DB's business (below), as it is the CLI's.
if (process.env.LAYERLAB_USER_DATA) {
  app.setPath('userData', path.resolve(process.env.LAYERLAB_USER_DATA));
  app.setAppLogsPath(path.join(app.getPath('userData'), 'logs'));
}
// Main's console output and uncaught errors, and the engine's output, also go to <logs>/layerlab.log (logs.ts).
const log = new RotatingLog({ dir: app.getPath('logs') });
teeConsole(console, log);
logUncaughtErrors(process, log);
// Every renderer is sandboxed (the window asks for it too). Not with --no-sandbox (root in CI containers):
// enableSandbox would then turn the sandbox back on for the GPU and network processes, which refuse to run as root.
if (!app.commandLine.hasSwitch('no-sandbox')) app.enableSandbox();
installNavigationGuards();

const isDev = !app.isPackaged && devServerUrl() !== null;
// The CLI's default too (electron/shared/paths.ts): LAYERLAB_DB, else the platform's per-user data folder, where
// the database an older version kept in userData moves on the first start (legacy-database.ts).
const sharedDbPath = path.resolve(databasePath(process.env, process.platform, os.homedir()));
const adopted = process.env.LAYERLAB_DB
  ? { dbPath: sharedDbPath, note: null }
  : adoptLegacyDatabase(path.join(app.getPath('userData'), 'layerlab.db'), sharedDbPath);
const dbPath = adopted.dbPath;
const dataDir = path.dirname(dbPath);
if (adopted.note) console.warn(`layerlab: ${adopted.note}`);
console.log(`layerlab ${app.getVersion()}: database ${dbPath}, log ${log.file}`);

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

/** LAYERLAB_ENGINE_AUTO_RESTARTS: automatic engine restarts in a row (0 leaves restarting to the user). */
function autoRestarts(): number {
  try {
    return parseAutoRestarts(process.env.LAYERLAB_ENGINE_AUTO_RESTARTS);
  } catch (err) {
    console.warn(`layerlab: ${(err as Error).message}; using ${DEFAULT_AUTO_RESTARTS}`);
    return DEFAULT_AUTO_RESTARTS;
  }
}

/**
 * Once the app has stopped restarting the engine on its own. The window's banner says the same and has the same
 * button; the dialog is for a user who is not looking at the window, so it does not block it (no parent).
 */
function showEngineDown(status: EngineStatus): void {
  const runs = status.interruptedRunIds.length
    ? `\n\nInterrupted: ${status.interruptedRunIds.map((id) => `run #${id}`).join(', ')}. Resume it from its last finished epoch once the engine is back.`
    : '';
  const options: Electron.MessageBoxOptions = {
    type: 'error',
    title: 'Layerlab engine stopped',
    message: 'The training engine stopped.',
    detail: `${status.cause ?? 'It stopped unexpectedly.'}${runs}\n\nYour runs and designs are saved. Restart the engine to go on working; if it keeps stopping, the details (${status.detail ?? 'no detail'}) are in the log file:\n${log.file}`,
    buttons: ['Restart engine', 'Close'],
    defaultId: 0,
    cancelId: 1,
  };
  void dialog.showMessageBox(options).then(({ response }) => {
    if (response === 0) engine.restart();
  });
}

const coalescer = new EventCoalescer((event) => broadcast(TRAINING_EVENT, event));
const engine = new EngineHost({
  entry: ENGINE_ENTRY,
  // The engine exits if this process dies (a utility process gets no disconnect event; see engine/parent-watch.ts).
  config: { dbPath, dataDir, parentPid: process.pid },
  nodeBinary: process.env.LAYERLAB_ENGINE_NODE || null,
  fallbackNodeBinary: () => findOnPath(process.platform === 'win32' ? 'node.exe' : 'node'),
  autoRestarts: autoRestarts(),
  output: (stream, line) => {
    process[stream].write(`${line}\n`);
    log.write('engine', line);
  },
  onEvent: (event) => coalescer.push(event),
  onStatus: (status) => {
    // The interrupted runs' 'finished' events go out first, so the screens see them before the new state.
    coalescer.flush();
    broadcast(ENGINE_STATUS, status);
    if (status.state === 'down') showEngineDown(status);
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
      `Log file: ${log.file}`,
    ].join('\n'),
    buttons: ['OK'],
  };
  void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
}

/** Help → Show Logs: the log file in the file manager (its folder, if nothing was written yet). */
function showLogs(): void {
  if (fs.existsSync(log.file)) shell.showItemInFolder(log.file);
  else openFolder(log.dir);
}

/** Opens a folder in the file manager, creating it first (a fresh install has no data folder before the engine's). */
function openFolder(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch {
    // openPath says what is wrong
  }
  void shell.openPath(dir).then((error) => {
    if (error) console.warn(`layerlab: cannot open ${dir}: ${error}`);
  });
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
    Menu.setApplicationMenu(
      buildMenu({ isDev, sendCommand, showAbout, showLogs, openDataFolder: () => openFolder(dataDir) }),
    );
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

  // Let the engine end training cleanly (it marks runs stopped/interrupted) before the app goes. The windows
  // close first: one with unsaved design changes asks, and "Stay" must find the engine still running.
  let engineStopped = false;
  let stopping: Promise<void> | null = null;
  app.on('before-quit', (event) => {
    if (engineStopped) return;
    event.preventDefault();
    if (stopping) return;
    stopping = closeAllWindows().then((closed) => {
      if (!closed) {
        stopping = null;
        return;
      }
      coalescer.flush();
      return engine.shutdown().finally(() => {
        engineStopped = true;
        app.quit();
      });
    });
  });
}
