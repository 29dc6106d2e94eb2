// Fitting a remembered window onto the displays there are now. Pure (no Electron import) so it runs under
// Node in the unit tests; window-state.ts passes it screen.getAllDisplays().

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

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** What fitting needs of Electron's Display: the part of the screen windows may use. */
export interface DisplayArea {
  workArea: Rect;
}

export const MIN_SIZE = { width: 960, height: 600 };
/** How much of the window's top edge must lie on a display for a saved position to be reused. */
const VISIBLE = { width: 120, height: 40 };

function intersection(a: Rect, b: Rect): { width: number; height: number } {
  return {
    width: Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x),
    height: Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y),
  };
}

/** Drops a position that would put the window (its title bar) off every display, and shrinks it to fit one. */
export function fitToDisplays(state: WindowState, displays: readonly DisplayArea[]): WindowState {
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
  const area = displays.length
    ? displays.reduce(
        (a, d) => (d.workArea.width * d.workArea.height > a.width * a.height ? d.workArea : a),
        displays[0].workArea,
      )
    : null;
  if (area && area.width > 0 && area.height > 0) {
    out.width = Math.min(out.width, Math.max(area.width, MIN_SIZE.width));
    out.height = Math.min(out.height, Math.max(area.height, MIN_SIZE.height));
  }
  return out;
}
