// The image path's stroke-width estimator and thickening: widths of strokes drawn at known widths, sizes and
// angles; the MNIST calibration re-measured; thickening that reaches the target and keeps every stroke pixel;
// and the edge cases (blank, dots, ink at the border, faint ink).
import { describe, expect, it } from 'vitest';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import { inkFromRgba } from '#engine/evaluate/preprocess.ts';
import {
  estimateStrokeWidth,
  MNIST_RELATIVE_WIDTH,
  normaliseStrokeWidth,
  THIN_FRACTION,
  thickenStrokes,
  thickeningRadius,
} from '#engine/evaluate/stroke-width.ts';
import { paintMnist } from './helpers/mnist-canvas.ts';

const INK_THRESHOLD = 0.05; // preprocess.ts's
type Point = [number, number];

/**
 * Ink of a polyline drawn with a round pen `pen` pixels wide, antialiased (a one-pixel ramp across the edge), on
 * a side × side raster; `strength` is the ink at full coverage.
 */
function drawLine(side: number, corners: Point[], pen: number, strength = 1): Float32Array {
  const ink = new Float32Array(side * side);
  const r = pen / 2;
  for (let s = 1; s < corners.length; s++) {
    const [ax, ay] = corners[s - 1];
    const [bx, by] = corners[s];
    const dx = bx - ax,
      dy = by - ay,
      lengthSquared = dx * dx + dy * dy;
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1)),
      x1 = Math.min(side - 1, Math.ceil(Math.max(ax, bx) + r + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - r - 1)),
      y1 = Math.min(side - 1, Math.ceil(Math.max(ay, by) + r + 1));
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const cx = x + 0.5 - ax,
          cy = y + 0.5 - ay;
        const t = lengthSquared > 0 ? Math.min(Math.max((cx * dx + cy * dy) / lengthSquared, 0), 1) : 0;
        const d = Math.hypot(cx - t * dx, cy - t * dy);
        const v = strength * Math.min(Math.max(r + 0.5 - d, 0), 1);
        if (v > ink[y * side + x]) ink[y * side + x] = v;
      }
  }
  return ink;
}

/** A ring of radius `radius` (to the middle of its stroke), `pen` wide, centred on the raster. */
function drawRing(side: number, radius: number, pen: number): Float32Array {
  const ink = new Float32Array(side * side);
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const d = Math.abs(Math.hypot(x + 0.5 - side / 2, y + 0.5 - side / 2) - radius);
      ink[y * side + x] = Math.min(Math.max(pen / 2 + 0.5 - d, 0), 1);
    }
  return ink;
}

const estimate = (ink: Float32Array, side: number) => estimateStrokeWidth(ink, side, side, INK_THRESHOLD)!;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

describe('the stroke-width estimator', () => {
  // A straight stroke of length L (between its caps' centres) and width w: ink mass w·L + a cap, half perimeter
  // L + w... width 2A/P = w·L/(L + w) for square ends, a little more for round ones; closed rings have no ends.
  it.each([100, 280, 1000])('measures straight strokes at any angle within 8%, on a %i px raster', (side) => {
    const lines: string[] = [];
    for (const fraction of [0.03, 0.1]) {
      const pen = Math.max(fraction * side, 3);
      const length = 0.8 * side;
      for (const degrees of [0, 10, 22.5, 30, 45, 60, 75, 90, 120, 160]) {
        const a = (degrees * Math.PI) / 180;
        const [dx, dy] = [(Math.cos(a) * length) / 2, (Math.sin(a) * length) / 2];
        const c = side / 2;
        const e = estimate(
          drawLine(
            side,
            [
              [c - dx, c - dy],
              [c + dx, c + dy],
            ],
            pen,
          ),
          side,
        );
        const expected = (pen * length) / (length + pen);
        lines.push(`${degrees}°: ${(e.width / expected).toFixed(3)}`);
        expect({ side, pen, degrees, ratio: Math.abs(e.width / expected - 1) < 0.08 }).toEqual({
          side,
          pen,
          degrees,
          ratio: true,
        });
      }
    }
    console.info(`${side} px, measured ÷ expected width: ${lines.join(', ')}`);
  });

  it('measures a ring at its own width within 8%, at any size', () => {
    for (const side of [60, 280, 1000])
      for (const fraction of [0.02, 0.06, 0.15]) {
        const pen = Math.max(fraction * side, 2.5);
        const e = estimate(drawRing(side, side * 0.35, pen), side);
        expect({ side, pen, ratio: Math.abs(e.width / pen - 1) < 0.08 }).toEqual({ side, pen, ratio: true });
      }
  });

  it('measures a "1", one long thin stroke, by its width and not its length', () => {
    // 200 px tall, 3 px wide: a hairline "1", far below MNIST's width; 28 px wide: one of MNIST's.
    for (const pen of [3, 28]) {
      const e = estimate(
        drawLine(
          280,
          [
            [140, 40],
            [136, 240],
          ],
          pen,
        ),
        280,
      );
      // The ends' share: w·L/(L + w), L = 200.
      expect(e.width / ((pen * 200) / (200 + pen))).toBeGreaterThan(0.95);
      expect(e.width / ((pen * 200) / (200 + pen))).toBeLessThan(1.05);
      expect(e.side).toBeCloseTo(200 + pen, -1);
    }
    const hairline = estimate(
      drawLine(
        280,
        [
          [140, 40],
          [136, 240],
        ],
        3,
      ),
      280,
    );
    expect(hairline.relative).toBeLessThan(0.2 * MNIST_RELATIVE_WIDTH);
  });

  it('measures the same drawing alike at any size, small ones scaled up to be measured', () => {
    // A "7" with a pen a tenth of its size, drawn 24 to 1200 px tall.
    const relative = [24, 40, 63, 64, 100, 280, 1200].map((size) => {
      const side = Math.ceil(size * 1.3);
      const at = (x: number, y: number): Point => [side * 0.15 + x * size, side * 0.15 + y * size];
      return estimate(drawLine(side, [at(0, 0), at(0.7, 0), at(0.25, 1)], 0.1 * size), side).relative;
    });
    console.info(`a 7 drawn 24 to 1200 px tall, relative width: ${relative.map((r) => r.toFixed(4)).join(' ')}`);
    const mid = median(relative);
    for (const r of relative) expect(Math.abs(r / mid - 1)).toBeLessThan(0.12);
  });

  it('measures a faint pen like a dark one, and a dot as far from thin', () => {
    const corners: Point[] = [
      [60, 60],
      [200, 220],
    ];
    const dark = estimate(drawLine(280, corners, 6), 280);
    const faint = estimate(drawLine(280, corners, 6, 0.3), 280);
    expect(faint.width).toBeCloseTo(dark.width, 2);
    expect(faint.peak).toBeCloseTo(0.3, 5);
    // A round dot: 2A/P is its radius, half the box.
    const dot = estimate(
      drawLine(
        280,
        [
          [140, 140],
          [140, 140],
        ],
        40,
      ),
      280,
    );
    expect(dot.relative).toBeGreaterThan(0.4);
    const speck = estimate(
      drawLine(
        28,
        [
          [14, 14],
          [14, 14],
        ],
        1,
      ),
      28,
    );
    expect(speck.relative).toBeGreaterThan(0.3);
  });

  it('is null for a blank image', () => {
    expect(estimateStrokeWidth(new Float32Array(100), 10, 10, INK_THRESHOLD)).toBeNull();
    expect(estimateStrokeWidth(new Float32Array(100).fill(0.04), 10, 10, INK_THRESHOLD)).toBeNull();
  });
});

describe('calibrated on MNIST', () => {
  it("MNIST_RELATIVE_WIDTH is MNIST's median through the image path, at any canvas scale (within 3%)", () => {
    const train = loadDataset(resolveDatasetSource('mnist')).train;
    const COUNT = 1500;
    const lines: string[] = [];
    for (const scale of [1, 3, 10]) {
      const relative: number[] = [];
      for (let k = 0; k < COUNT; k++) {
        const image = paintMnist(train.images.subarray(k * 784, (k + 1) * 784), scale);
        relative.push(estimateStrokeWidth(inkFromRgba(image), image.width, image.height, INK_THRESHOLD)!.relative);
      }
      const thin = relative.filter((r) => r < THIN_FRACTION * MNIST_RELATIVE_WIDTH).length / COUNT;
      lines.push(`${scale}×: median ${median(relative).toFixed(4)}, ${(thin * 100).toFixed(1)}% below the band`);
      expect(Math.abs(median(relative) / MNIST_RELATIVE_WIDTH - 1)).toBeLessThan(0.03);
      // The band leaves MNIST's own digits alone, bar its thinnest few.
      expect(thin).toBeLessThan(0.04);
    }
    console.info(`MNIST training digits 0–${COUNT - 1} painted: ${lines.join('; ')}`);
  });
});

describe('thickening', () => {
  const hairline7 = (): Float32Array =>
    drawLine(
      280,
      [
        [60, 40],
        [220, 40],
        [110, 240],
      ],
      3,
    );

  it("brings a thin pen's relative width to MNIST's, and keeps every pixel's ink", () => {
    const before = hairline7();
    const ink = before.slice();
    const { estimate: found, thickened, radius } = normaliseStrokeWidth(ink, 280, 280, INK_THRESHOLD);
    expect(thickened).toBe(true);
    expect(found!.relative).toBeLessThan(THIN_FRACTION * MNIST_RELATIVE_WIDTH);
    expect(radius).toBeGreaterThan(5);
    const after = estimate(ink, 280);
    console.info(
      `hairline 7: relative width ${found!.relative.toFixed(4)} → ${after.relative.toFixed(4)} ` +
        `(target ${MNIST_RELATIVE_WIDTH}), radius ${radius.toFixed(1)} px`,
    );
    expect(Math.abs(after.relative / MNIST_RELATIVE_WIDTH - 1)).toBeLessThan(0.1);
    expect(ink.every((v, i) => v >= before[i] && v <= 1)).toBe(true);
  });

  it('redraws the faint stretches of a thin stroke at full strength with the rest', () => {
    // A "7" whose bar is drawn firmly and whose downstroke fades to a quarter of the ink, 3 px wide.
    const ink = drawLine(
      280,
      [
        [60, 40],
        [220, 40],
      ],
      3,
    );
    const faint = drawLine(
      280,
      [
        [220, 40],
        [110, 240],
      ],
      3,
      0.25,
    );
    for (let i = 0; i < ink.length; i++) ink[i] = Math.max(ink[i], faint[i]);
    expect(normaliseStrokeWidth(ink, 280, 280, INK_THRESHOLD).thickened).toBe(true);
    // Half-way down the downstroke (x 165, y 140), the ink is now the bar's.
    const middle = Array.from({ length: 21 }, (_, k) => ink[140 * 280 + 155 + k]);
    expect(Math.max(...middle)).toBeCloseTo(1, 5);
  });

  it('draws the grown pen at the ink’s own strength, antialiased, and only within the radius', () => {
    const faint = drawLine(
      200,
      [
        [100, 20],
        [100, 180],
      ],
      2,
      0.4,
    );
    const found = estimate(faint, 200);
    const ink = faint.slice();
    thickenStrokes(ink, 200, 200, found, 5.5);
    const row = Array.from(ink.subarray(100 * 200, 101 * 200));
    expect(Math.max(...row)).toBeCloseTo(0.4, 5);
    // The 2 px line (pixels 99 and 100) grows by 5.5 px each side, its edges to 93.5 and 106.5: full strength
    // from pixel 94 to 105, half in the pixels the edges cross, then nothing.
    for (let x = 94; x <= 105; x++) expect(row[x]).toBeCloseTo(0.4, 5);
    expect(row[93]).toBeCloseTo(0.2, 5);
    expect(row[106]).toBeCloseTo(0.2, 5);
    expect(row[92]).toBe(0);
    expect(row[107]).toBe(0);
  });

  it('stays inside the image where the ink touches its edges', () => {
    const ink = drawLine(
      100,
      [
        [0, 0],
        [99.9, 99.9],
      ],
      1.5,
    );
    const found = estimate(ink, 100);
    thickenStrokes(ink, 100, 100, found, thickeningRadius(found));
    expect(ink.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)).toBe(true);
    expect(ink[0]).toBeGreaterThan(0.9);
    expect(ink[99 * 100 + 99]).toBeGreaterThan(0.9);
  });

  it('leaves strokes in the band (from THIN_FRACTION of MNIST’s width up) exactly as they are', () => {
    for (const pen of [0.08, 0.12, 0.2, 0.35].map((f) => f * 200)) {
      const ink = drawLine(
        280,
        [
          [60, 40],
          [220, 40],
          [110, 240],
        ],
        pen,
      );
      const copy = ink.slice();
      expect(normaliseStrokeWidth(ink, 280, 280, INK_THRESHOLD)).toMatchObject({ thickened: false, radius: 0 });
      expect(ink.every((v, i) => v === copy[i])).toBe(true);
    }
    const blank = new Float32Array(400);
    expect(normaliseStrokeWidth(blank, 20, 20, INK_THRESHOLD)).toEqual({ estimate: null, thickened: false, radius: 0 });
  });

  it('takes a few milliseconds at 280×280 and stays bounded at 4096×4096 (printed, not asserted)', () => {
    const timed = (work: () => void, runs: number) => {
      work();
      const times = Array.from({ length: runs }, () => {
        const started = performance.now();
        work();
        return performance.now() - started;
      });
      return median(times);
    };
    const thin = hairline7();
    const normal = drawLine(
      280,
      [
        [60, 40],
        [220, 40],
        [110, 240],
      ],
      26,
    );
    const thinMs = timed(() => normaliseStrokeWidth(thin.slice(), 280, 280, INK_THRESHOLD), 30);
    const normalMs = timed(() => normaliseStrokeWidth(normal.slice(), 280, 280, INK_THRESHOLD), 30);
    const big = drawLine(
      4096,
      [
        [400, 300],
        [3700, 300],
        [1500, 3800],
      ],
      12,
    );
    const bigMs = timed(() => normaliseStrokeWidth(big.slice(), 4096, 4096, INK_THRESHOLD), 2);
    const copyMs = timed(() => big.slice(), 2);
    console.info(
      `normaliseStrokeWidth: 280×280 thin 7 (thickened) ${thinMs.toFixed(2)} ms, MNIST-like 7 (measured only) ` +
        `${normalMs.toFixed(2)} ms; 4096×4096 thin 7 (thickened) ${(bigMs - copyMs).toFixed(0)} ms (medians)`,
    );
    expect(thinMs).toBeGreaterThan(0);
  });
});
