// Remembers the main window's size, position and maximized state in <userData>/window-state.json.
import fs from 'node:fs';
import path from 'node:path';
import { screen, type BrowserWindow, type Rectangle } from 'electron';

export interface WindowState {
  x?: number;
  y?: number;
  /** The window's outer size when saved; the page's size for the default (see `contentSize`). */
  width: number;
  height: number;
  maximized: boolean;
  /** True for the default size, which is the page's; saved sizes are the window's own bounds. */
  contentSize?: boolean;
}

export const DEFAULT_SIZE = { width: 1280, height: 800 };
export const MIN_SIZE = { width: 960, height: 600 };
/** How much of the window's top edge must lie on a display for a saved position to be reused. */
const VISIBLE = { width: 120, height: 40 };

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
  return fitToDisplays(state);
}

function intersection(a: Rectangle, b: Rectangle): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** Drops a position that would put the window (its title bar) off every display, and shrinks it to fit one. */
export function fitToDisplays(state: WindowState, displays = screen.getAllDisplays()): WindowState {
  const out = { ...state };
  if (out.x !== undefined && out.y !== undefined) {
    const titleBar = { x: out.x, y: out.y, width: out.width, height: VISIBLE.height };
    const onScreen = displays.some((d) => {
      const i = intersection(titleBar, d.workArea);
      return i.width >= Math.min(VISIBLE.width, out.width) && i.height >= VISIBLE.height / 2;
    });
    if (!onScreen) {
      delete out.x;
      delete out.y;
    }
  }
  const area = displays.length ? displays.reduce((a, d) => (d.workArea.width * d.workArea.height > a.width * a.height ? d.workArea : a), displays[0].workArea) : null;
  if (area && area.width > 0 && area.height > 0) {
    out.width = Math.min(out.width, Math.max(area.width, MIN_SIZE.width));
    out.height = Math.min(out.height, Math.max(area.height, MIN_SIZE.height));
  }
  return out;
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
