// Remembers the main window's size, position and maximized state in <userData>/window-state.json.
import fs from 'node:fs';
import path from 'node:path';
import { screen, type BrowserWindow } from 'electron';
import { fitToDisplays, MIN_SIZE, type WindowState } from './window-fit.ts';

export { MIN_SIZE, type WindowState };

export const DEFAULT_SIZE = { width: 1280, height: 800 };

function isFiniteInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function readWindowState(file: string): WindowState {
  const fallback: WindowState = { ...DEFAULT_SIZE, maximized: false, contentSize: true };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return fallback;
  }
  if (!raw || typeof raw !== 'object') return fallback;
  const r = raw as Record<string, unknown>;
  const state: WindowState = {
    width: isFiniteInt(r.width) ? Math.max(MIN_SIZE.width, Math.round(r.width)) : DEFAULT_SIZE.width,
    height: isFiniteInt(r.height) ? Math.max(MIN_SIZE.height, Math.round(r.height)) : DEFAULT_SIZE.height,
    maximized: r.maximized === true,
  };
  if (isFiniteInt(r.x) && isFiniteInt(r.y)) {
    state.x = Math.round(r.x);
    state.y = Math.round(r.y);
  }
  return fitToDisplays(state, screen.getAllDisplays());
}

function writeAtomically(file: string, state: WindowState): void {
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(state, null, 2));
    fs.renameSync(tmp, file);
  } catch (err) {
    console.warn(`layerlab: could not save the window state: ${(err as Error).message}`);
  }
}

/** Saves the window's normal (unmaximized) bounds and maximized flag on changes (debounced) and on close. */
export function trackWindowState(win: BrowserWindow, file: string): void {
  let timer: NodeJS.Timeout | null = null;
  const snapshot = (): WindowState => {
    const bounds = win.getNormalBounds();
    return { x: bounds.x, y: bounds.y, width: bounds.width, height: bounds.height, maximized: win.isMaximized() };
  };
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (!win.isDestroyed() && !win.isFullScreen() && !win.isMinimized()) writeAtomically(file, snapshot());
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('maximize', later);
  win.on('unmaximize', later);
  win.on('close', save);
  win.on('closed', () => {
    if (timer) clearTimeout(timer);
  });
}
