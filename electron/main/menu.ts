// The native menu. Commands that the page handles go to it as strings on MENU_COMMAND ('navigate:runs', ...).
import { app, BrowserWindow, Menu, type BaseWindow, type MenuItemConstructorOptions } from 'electron';
import { SCREENS, type MenuCommand } from '#shared/screens.ts';

export interface MenuOptions {
  isDev: boolean;
  /** Delivers a command to the page of the given window (or the app's main window). */
  sendCommand(command: MenuCommand, window: BrowserWindow | null): void;
  showAbout(window: BrowserWindow | null): void;
  /** Help → Show Logs: the log file in the file manager. */
  showLogs(): void;
  /** Help → Open Data Folder: the database's folder (checkpoints are in its runs/). */
  openDataFolder(): void;
}

export function buildMenu(options: MenuOptions): Menu {
  const isMac = process.platform === 'darwin';
  // Electron 25 passes a BrowserWindow here, newer versions a BaseWindow.
  const asWindow = (w: BaseWindow | BrowserWindow | undefined): BrowserWindow | null =>
    w instanceof BrowserWindow ? w : (BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0] ?? null);
  const command = (label: string, cmd: MenuCommand, accelerator?: string): MenuItemConstructorOptions => ({
    label,
    accelerator,
    click: (_item, window) => options.sendCommand(cmd, asWindow(window)),
  });

  const template: MenuItemConstructorOptions[] = [];
  if (isMac) {
    template.push({
      label: app.name,
      submenu: [
        { label: 'About Layerlab', click: (_item, window) => options.showAbout(asWindow(window)) },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: '&File',
      // The design commands do what the Design screen's buttons do (the page switches to it first).
      submenu: [
        command('New Design', 'design:new', 'CmdOrCtrl+N'),
        command('Open Design…', 'design:open', 'CmdOrCtrl+O'),
        command('Open Spec File…', 'design:openFile', 'Shift+CmdOrCtrl+O'),
        { type: 'separator' },
        command('Save Design', 'design:save', 'CmdOrCtrl+S'),
        command('Save Design As…', 'design:saveAs', 'Shift+CmdOrCtrl+S'),
        { type: 'separator' },
        command('Import IDX Dataset…', 'dataset:import', 'CmdOrCtrl+I'),
        command('Export Run…', 'run:export', 'CmdOrCtrl+E'),
        command('Export Run for TensorBoard…', 'run:exportTensorboard'),
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'delete' },
        { type: 'separator' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        ...SCREENS.map((s) => command(s.label, `navigate:${s.id}`, `CmdOrCtrl+${s.key}`)),
        { type: 'separator' },
        command('Toggle Dark Theme', 'theme:toggle'),
        { type: 'separator' },
        ...(options.isDev
          ? ([
              { role: 'reload' },
              { role: 'forceReload' },
              { role: 'toggleDevTools' },
              { type: 'separator' },
            ] satisfies MenuItemConstructorOptions[])
          : []),
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
  );
  if (isMac) template.push({ role: 'windowMenu' });
  template.push({
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Show Logs', click: () => options.showLogs() },
      { label: 'Open Data Folder', click: () => options.openDataFolder() },
      { type: 'separator' },
      { label: 'About Layerlab', click: (_item, window) => options.showAbout(asWindow(window)) },
    ],
  });
  return Menu.buildFromTemplate(template);
}
