// Where each small picture of a layer's grid goes (one per channel or per filter) on one canvas: the largest
// whole-pixel zoom whose grid fits the width available and a height budget, with rows balanced so the last one
// is not left nearly empty. A map bigger than the width itself is shrunk (box-averaged) instead.
import type { ColorScale } from './colormap.ts';

export interface GridOptions {
  /** Width the canvas may take, in CSS pixels. */
  maxWidth: number;
  /** Height the grid should stay under when a smaller zoom allows it. */
  maxHeight: number;
  /** Space between tiles. */
  gap?: number;
  /** A tile is zoomed up to this size (its longer side, in pixels). */
  maxTile?: number;
  /** …and at least to this size when the width allows (tiny maps such as 3×3 stay readable). */
  minTile?: number;
}

export interface GridLayout {
  count: number;
  cols: number;
  rows: number;
  /** Displayed pixels per map pixel: a whole number, or below 1 for a map shrunk to fit. */
  scale: number;
  /** A tile's displayed size. */
  tileWidth: number;
  tileHeight: number;
  gap: number;
  /** The whole grid's displayed size. */
  width: number;
  height: number;
}

function arrange(count: number, tileWidth: number, tileHeight: number, gap: number, maxWidth: number) {
  const fit = Math.max(1, Math.floor((maxWidth + gap) / (tileWidth + gap)));
  const rows = Math.ceil(count / Math.min(fit, count));
  // Balanced: as few columns as keep the same number of rows.
  const cols = Math.max(1, Math.ceil(count / rows));
  return {
    cols,
    rows,
    width: cols * tileWidth + (cols - 1) * gap,
    height: rows * tileHeight + (rows - 1) * gap,
  };
}

export function gridLayout(count: number, mapWidth: number, mapHeight: number, options: GridOptions): GridLayout {
  const gap = options.gap ?? 2;
  const maxTile = options.maxTile ?? 96;
  const minTile = options.minTile ?? 24;
  const maxWidth = Math.max(1, options.maxWidth);
  const n = Math.max(1, count);
  const longer = Math.max(1, mapWidth, mapHeight);
  const make = (scale: number): GridLayout => {
    const tileWidth = Math.max(1, Math.round(mapWidth * scale));
    const tileHeight = Math.max(1, Math.round(mapHeight * scale));
    return { count, scale, tileWidth, tileHeight, gap, ...arrange(n, tileWidth, tileHeight, gap, maxWidth) };
  };
  if (mapWidth > maxWidth) return make(maxWidth / mapWidth);
  const largest = Math.max(1, Math.min(Math.floor(maxTile / longer), Math.floor(maxWidth / mapWidth)));
  const smallest = Math.min(largest, Math.max(1, Math.ceil(minTile / longer)));
  for (let scale = largest; scale > smallest; scale--) {
    const layout = make(scale);
    if (layout.height <= options.maxHeight) return layout;
  }
  return make(smallest);
}

/** The top-left corner of tile `i`. */
export function tileOrigin(layout: GridLayout, i: number): { x: number; y: number } {
  const col = i % layout.cols;
  const row = Math.floor(i / layout.cols);
  return { x: col * (layout.tileWidth + layout.gap), y: row * (layout.tileHeight + layout.gap) };
}

/** The tile under a point of the grid (CSS pixels from its top-left), or null over a gap or past the end. */
export function tileAt(layout: GridLayout, x: number, y: number): number | null {
  if (x < 0 || y < 0) return null;
  const col = Math.floor(x / (layout.tileWidth + layout.gap));
  const row = Math.floor(y / (layout.tileHeight + layout.gap));
  if (col >= layout.cols || x - col * (layout.tileWidth + layout.gap) >= layout.tileWidth) return null;
  if (y - row * (layout.tileHeight + layout.gap) >= layout.tileHeight) return null;
  const i = row * layout.cols + col;
  return i < layout.count ? i : null;
}

/**
 * Resamples a height × width plane (row-major) to outHeight × outWidth: each output pixel the mean of the input
 * pixels its box covers (partly covered pixels in proportion), so shrinking keeps the total and no spike is lost
 * between samples; growing repeats pixels (nearest).
 */
export function resamplePlane(
  plane: ArrayLike<number>,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth);
  const sy = height / outHeight;
  const sx = width / outWidth;
  for (let oy = 0; oy < outHeight; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < outWidth; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        if (wy <= 0) continue;
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          if (wx <= 0) continue;
          sum += plane[y * width + x] * wx * wy;
          area += wx * wy;
        }
      }
      out[oy * outWidth + ox] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

/** One picture of a grid tile: a plane of values and the colour scale it is drawn in. */
export interface TileImage {
  plane: ArrayLike<number>;
  width: number;
  height: number;
  scale: ColorScale;
}

/** A tile of a grid: one picture, or several stacked (a filter over the map it makes), and what it shows. */
export interface GridTile {
  images: TileImage[];
  /** Read out on hover or keyboard focus, e.g. "map 5 of 32: max 2.3". */
  label: string;
}

/** Height of image `image` drawn `tileWidth` wide (nearest whole pixel). */
export function imageHeight(image: { width: number; height: number }, tileWidth: number): number {
  return Math.max(1, Math.round((image.height * tileWidth) / image.width));
}

/** Space between the pictures stacked in one tile. */
export const STACK_GAP = 2;

/**
 * The layout of tiles that each stack the same pictures (all tiles alike): as gridLayout for the widest picture,
 * every picture drawn as wide as the tile, one under another.
 */
export function stackedLayout(
  count: number,
  images: { width: number; height: number }[],
  options: GridOptions,
): GridLayout {
  const ref = Math.max(1, ...images.map((image) => image.width));
  const refHeight = images.reduce((sum, image) => sum + (image.height * ref) / image.width, 0);
  // maxTile and minTile bound the tile's width, not the stack's height.
  const tall = Math.max(1, refHeight / ref);
  const base = gridLayout(count, ref, Math.max(1, Math.round(refHeight)), {
    ...options,
    maxTile: (options.maxTile ?? 96) * tall,
    minTile: (options.minTile ?? 24) * tall,
  });
  if (images.length <= 1) return base;
  const tileHeight =
    images.reduce((sum, image) => sum + imageHeight(image, base.tileWidth), 0) + STACK_GAP * (images.length - 1);
  return { ...base, tileHeight, height: base.rows * tileHeight + (base.rows - 1) * base.gap };
}
