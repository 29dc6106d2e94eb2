import { describe, expect, it } from 'vitest';
import { gridLayout, imageHeight, resamplePlane, stackedLayout, tileAt, tileOrigin } from './grid-layout.ts';

describe('grid layout of a layer’s maps', () => {
  it('zooms as far as fits the width and the height budget, with balanced rows', () => {
    // 32 maps of 26×26 in 580 px: ×2 gives 10 a row → 4 rows of 8, 54 px each: 222 px tall.
    const layout = gridLayout(32, 26, 26, { maxWidth: 580, maxHeight: 240 });
    expect(layout).toMatchObject({ scale: 2, tileWidth: 52, tileHeight: 52, cols: 8, rows: 4 });
    expect(layout.width).toBe(8 * 52 + 7 * 2);
    expect(layout.height).toBe(4 * 52 + 3 * 2);
    expect(layout.width).toBeLessThanOrEqual(580);
    expect(layout.height).toBeLessThanOrEqual(240);
  });

  it('zooms tiny maps to at least the minimum tile and never past the maximum', () => {
    expect(gridLayout(64, 3, 3, { maxWidth: 700, maxHeight: 10, minTile: 24 }).tileWidth).toBe(24);
    expect(gridLayout(2, 3, 3, { maxWidth: 700, maxHeight: 400, maxTile: 96 }).tileWidth).toBe(96);
    expect(gridLayout(1, 28, 28, { maxWidth: 700, maxHeight: 400, maxTile: 96 }).scale).toBe(3);
  });

  it('keeps the smallest zoom when no zoom meets the height budget', () => {
    const layout = gridLayout(256, 26, 26, { maxWidth: 300, maxHeight: 50, minTile: 24 });
    expect(layout.scale).toBe(1);
    expect(layout.cols).toBe(10); // 10 × 26 + 9 gaps of 2 = 278 ≤ 300 < 306
    expect(layout.rows).toBe(26);
  });

  it('shrinks a map wider than the space', () => {
    const layout = gridLayout(4, 200, 100, { maxWidth: 100, maxHeight: 400 });
    expect(layout.scale).toBe(0.5);
    expect([layout.tileWidth, layout.tileHeight, layout.cols]).toEqual([100, 50, 1]);
  });

  it('places tiles and finds the tile under a point, not over gaps or past the last', () => {
    const layout = gridLayout(5, 10, 10, { maxWidth: 64, maxHeight: 1000, maxTile: 20, minTile: 20, gap: 2 });
    expect([layout.cols, layout.rows, layout.tileWidth]).toEqual([3, 2, 20]);
    expect(tileOrigin(layout, 4)).toEqual({ x: 22, y: 22 });
    expect(tileAt(layout, 23, 23)).toBe(4);
    expect(tileAt(layout, 21, 5)).toBeNull(); // the gap
    expect(tileAt(layout, 45, 30)).toBeNull(); // the 6th tile does not exist
    expect(tileAt(layout, -1, 0)).toBeNull();
    expect(tileAt(layout, 0, 0)).toBe(0);
  });
});

describe('resampling a plane', () => {
  it('averages boxes when shrinking, keeping the mean', () => {
    const plane = [1, 3, 5, 7, 2, 4, 6, 8, 0, 0, 0, 0, 0, 0, 0, 4];
    expect(Array.from(resamplePlane(plane, 4, 4, 2, 2))).toEqual([2.5, 6.5, 0, 1]);
  });

  it('weighs partly covered pixels in proportion', () => {
    const out = resamplePlane([0, 3, 6], 1, 3, 1, 2);
    expect(Array.from(out)).toEqual([1, 5]);
  });

  it('repeats pixels when growing', () => {
    expect(Array.from(resamplePlane([1, 2], 1, 2, 1, 4))).toEqual([1, 1, 2, 2]);
  });
});

describe('stacked tiles', () => {
  it('draws a small filter as wide as the map under it, the two one above the other', () => {
    const layout = stackedLayout(
      8,
      [
        { width: 3, height: 3 },
        { width: 26, height: 26 },
      ],
      { maxWidth: 640, maxHeight: 400 },
    );
    expect(layout.tileWidth).toBe(78); // ×3 of 26: 8 tiles in a row
    expect(layout.tileHeight).toBe(78 + 2 + 78);
    expect(layout.rows).toBe(1);
    expect(layout.height).toBe(158);
    expect(imageHeight({ width: 3, height: 3 }, 78)).toBe(78);
  });

  it('equals the plain layout for one picture', () => {
    const options = { maxWidth: 500, maxHeight: 200 };
    expect(stackedLayout(10, [{ width: 13, height: 13 }], options)).toEqual(gridLayout(10, 13, 13, options));
  });
});
