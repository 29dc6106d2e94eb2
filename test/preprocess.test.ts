import { describe, expect, it } from 'vitest';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import {
  centreOfMass,
  ImageInputError,
  inkFromRgba,
  preprocessCanvas,
  preprocessInk,
  type RgbaImage,
} from '#engine/evaluate/preprocess.ts';
import { PEN_RATIO } from '#engine/evaluate/stroke-raster.ts';
import { paintMnist } from './helpers/mnist-canvas.ts';

/** A canvas with a filled rectangle and an extra blob, in the given colours. */
function canvas(
  width: number,
  height: number,
  ink: [number, number, number, number],
  background: [number, number, number, number],
  shapes: { x: number; y: number; w: number; h: number }[],
): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(background, i * 4);
  for (const s of shapes)
    for (let y = s.y; y < s.y + s.h; y++) for (let x = s.x; x < s.x + s.w; x++) data.set(ink, (y * width + x) * 4);
  return { width, height, data };
}

const BLACK: [number, number, number, number] = [0, 0, 0, 255];
const WHITE: [number, number, number, number] = [255, 255, 255, 255];
const CLEAR: [number, number, number, number] = [0, 0, 0, 0];

function box(pixels: Float32Array) {
  let minX = 28,
    minY = 28,
    maxX = -1,
    maxY = -1;
  pixels.forEach((v, i) => {
    if (v > 0.05) {
      const x = i % 28,
        y = Math.floor(i / 28);
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  });
  return { w: maxX - minX + 1, h: maxY - minY + 1 };
}

describe('MNIST-faithful canvas preprocessing', () => {
  it('centres an off-centre digit by centre of mass and scales its longer side to 20 px', () => {
    // A tall "1"-like stroke with a foot, drawn small in the top-left corner of a 280x280 canvas.
    const image = canvas(280, 280, BLACK, WHITE, [
      { x: 20, y: 10, w: 12, h: 60 },
      { x: 10, y: 62, w: 40, h: 8 },
    ]);
    const { pixels, box: found } = preprocessCanvas(image);
    expect(found).toEqual({ x: 10, y: 10, width: 40, height: 60 });
    const com = centreOfMass(pixels);
    expect(Math.abs(com.x - 13.5)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(com.y - 13.5)).toBeLessThanOrEqual(0.5);
    const b = box(pixels);
    expect(Math.max(b.w, b.h)).toBe(20);
    expect(b.w).toBe(Math.round((40 * 20) / 60)); // aspect ratio kept
  });

  it('gives the same 28x28 input wherever and however big the digit is drawn', () => {
    const small = preprocessCanvas(canvas(280, 280, BLACK, WHITE, [{ x: 200, y: 190, w: 10, h: 40 }])).pixels;
    const large = preprocessCanvas(canvas(280, 280, BLACK, WHITE, [{ x: 30, y: 20, w: 50, h: 200 }])).pixels;
    const diff = small.reduce((sum, v, i) => sum + Math.abs(v - large[i]), 0);
    expect(diff).toBeLessThan(1);
  });

  it('handles light ink on dark, dark ink on light, and transparent canvases alike', () => {
    const shapes = [{ x: 40, y: 30, w: 30, h: 90 }];
    const a = preprocessCanvas(canvas(200, 200, BLACK, WHITE, shapes)).pixels;
    const b = preprocessCanvas(canvas(200, 200, WHITE, BLACK, shapes)).pixels;
    const c = preprocessCanvas(canvas(200, 200, BLACK, CLEAR, shapes)).pixels;
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
    expect(Math.max(...a)).toBeCloseTo(1, 5);
  });

  it('returns an empty input for a blank canvas', () => {
    const result = preprocessCanvas(canvas(50, 50, BLACK, WHITE, []));
    expect(result.box).toBeNull();
    expect(result.pixels.every((v) => v === 0)).toBe(true);
  });

  it('gives a finite, centred input for ink touching every edge and corner, at any size', () => {
    // Every placement that touches the border, at sizes whose scale to 20 px is not a round number: the area
    // resampler once read one row or column past such a box (floating-point loop bounds) and sent a blank.
    const failures: string[] = [];
    let tried = 0;
    for (const side of [280, 140, 97]) {
      for (const w of [1, 3, 7, 13, 29, 41, 57, 83, 96]) {
        for (const h of [2, 9, 23, 37, 61, 77, 97]) {
          if (w > side || h > side || w * h * 2 > side * side) continue; // the paper must stay the border's majority
          const xs = [0, Math.floor((side - w) / 2), side - w];
          const ys = [0, Math.floor((side - h) / 2), side - h];
          for (const x of xs) {
            for (const y of ys) {
              if (x !== 0 && y !== 0 && x !== side - w && y !== side - h) continue; // touches no edge
              tried++;
              const { pixels, box: found } = preprocessCanvas(canvas(side, side, BLACK, WHITE, [{ x, y, w, h }]));
              const com = centreOfMass(pixels);
              const peak = Math.max(...pixels);
              const ok = found !== null && pixels.every(Number.isFinite) && peak === 1 && Math.abs(com.x - 13.5) <= 1.5;
              if (!ok || Math.abs(com.y - 13.5) > 1.5) failures.push(`${side}px canvas, ${w}x${h} box at ${x},${y}`);
            }
          }
        }
      }
    }
    expect(tried).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  });

  it('scales faint or thin ink so its strongest pixel is 1', () => {
    const faint = canvas(100, 100, [180, 180, 180, 255], WHITE, [{ x: 40, y: 20, w: 4, h: 60 }]);
    const strong = canvas(100, 100, BLACK, WHITE, [{ x: 40, y: 20, w: 4, h: 60 }]);
    const a = preprocessCanvas(faint).pixels;
    expect(Math.max(...a)).toBe(1);
    const b = preprocessCanvas(strong).pixels;
    expect(a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0)).toBeLessThan(1e-3);
  });

  it('refuses to send a non-finite input rather than predict from it', () => {
    const ink = new Float32Array(40 * 40);
    for (let y = 5; y < 35; y++) ink[y * 40 + 20] = 1;
    ink[20 * 40 + 20] = Number.NaN;
    expect(() => preprocessInk(ink, 40, 40)).toThrow(ImageInputError);
    expect(() => preprocessInk(ink, 40, 40)).toThrow(/non-finite/);
    ink[20 * 40 + 20] = Number.POSITIVE_INFINITY;
    expect(() => preprocessInk(ink, 40, 40)).toThrow(/unusable input|non-finite/);
  });

  it('rejects malformed image data with a clear message', () => {
    expect(() => inkFromRgba({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(ImageInputError);
    expect(() => inkFromRgba({ width: 2, height: 2, data: new Uint8Array(15) })).toThrow(
      /2\*2\*4 = 16 bytes|= 16 bytes/,
    );
    expect(() => inkFromRgba({ width: 0, height: 2, data: new Uint8Array(0) })).toThrow(
      /width and height must be whole numbers/,
    );
  });
});

type Point = [number, number];

/** Points along an elliptical arc, clockwise on screen from `from` to `to` degrees (0° points right). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 24): Point[] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)];
  });
}

/** Digits as strokes in a 200 px frame (x 0..200, y 0..200), as someone might write them. */
const DIGITS: Record<string, Point[][]> = {
  '0': [arc(100, 100, 62, 96, -90, 270, 40)],
  '1': [
    [
      [106, 0],
      [100, 200],
    ],
  ],
  '2': [[...arc(100, 50, 55, 50, 200, 380, 16), [45, 200], [160, 200]]],
  '4': [
    [
      [120, 0],
      [40, 140],
      [160, 140],
    ],
    [
      [125, 70],
      [125, 200],
    ],
  ],
  '7': [
    [
      [40, 5],
      [160, 5],
      [80, 200],
    ],
  ],
  '8': [arc(100, 50, 45, 48, 90, 450, 24), arc(100, 148, 55, 52, -90, 270, 24)],
};

/**
 * The digit drawn with a round, antialiased pen `pen` frame pixels wide, the frame scaled by `scale` and put at
 * (left, top) on a side × side canvas, in `ink` on `background` (RGBA); on a transparent canvas, only alpha.
 */
function drawDigit(
  name: string,
  { pen, scale = 1, left = 40, top = 40, side = 280, ink = BLACK, background = WHITE } = {} as {
    pen: number;
    scale?: number;
    left?: number;
    top?: number;
    side?: number;
    ink?: [number, number, number, number];
    background?: [number, number, number, number];
  },
): RgbaImage {
  const coverage = new Float32Array(side * side);
  const r = (pen * scale) / 2;
  for (const stroke of DIGITS[name]) {
    const points = stroke.map(([x, y]) => [left + x * scale, top + y * scale]);
    for (let s = 1; s < points.length; s++) {
      const [ax, ay] = points[s - 1];
      const [bx, by] = points[s];
      const dx = bx - ax,
        dy = by - ay,
        lengthSquared = dx * dx + dy * dy;
      for (
        let y = Math.max(0, Math.floor(Math.min(ay, by) - r - 1));
        y <= Math.min(side - 1, Math.max(ay, by) + r + 1);
        y++
      )
        for (
          let x = Math.max(0, Math.floor(Math.min(ax, bx) - r - 1));
          x <= Math.min(side - 1, Math.max(ax, bx) + r + 1);
          x++
        ) {
          const cx = x + 0.5 - ax,
            cy = y + 0.5 - ay;
          const t = lengthSquared > 0 ? Math.min(Math.max((cx * dx + cy * dy) / lengthSquared, 0), 1) : 0;
          const v = Math.min(Math.max(r + 0.5 - Math.hypot(cx - t * dx, cy - t * dy), 0), 1);
          if (v > coverage[y * side + x]) coverage[y * side + x] = v;
        }
    }
  }
  const data = new Uint8ClampedArray(side * side * 4);
  for (let i = 0; i < side * side; i++)
    for (let c = 0; c < 4; c++) data[i * 4 + c] = Math.round(background[c] + (ink[c] - background[c]) * coverage[i]);
  return { width: side, height: side, data };
}

/** The image path without stroke-width normalisation, as it was. */
const unnormalised = (image: RgbaImage) => preprocessInk(inkFromRgba(image), image.width, image.height).pixels;
const meanDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;

describe('stroke width in the image path', () => {
  /** MNIST's pen for a 200 px digit, as the Draw pad's stroke path draws it. */
  const MNIST_PEN = PEN_RATIO * 200;

  it('reads a digit written with a thin pen nearly as the same digit written with an MNIST pen', () => {
    const lines: string[] = [];
    for (const name of Object.keys(DIGITS)) {
      const reference = preprocessCanvas(drawDigit(name, { pen: MNIST_PEN })).pixels;
      for (const pen of [2, 5]) {
        const thin = drawDigit(name, { pen });
        const before = meanDifference(unnormalised(thin), reference);
        const after = meanDifference(preprocessCanvas(thin).pixels, reference);
        lines.push(`${name} pen ${pen}: ${before.toFixed(4)} → ${after.toFixed(4)}`);
        expect({ name, pen, after: after < 0.04 }).toEqual({ name, pen, after: true });
        expect({ name, pen, better: after < before / 2 }).toEqual({ name, pen, better: true });
      }
    }
    console.info(`mean |input − MNIST-pen input|, thin pen without → with normalisation:\n  ${lines.join('\n  ')}`);
  });

  it('treats a thin pen alike on light, dark and transparent canvases, and at any size', () => {
    for (const name of ['2', '8']) {
      const a = preprocessCanvas(drawDigit(name, { pen: 3 })).pixels;
      const b = preprocessCanvas(drawDigit(name, { pen: 3, ink: WHITE, background: BLACK })).pixels;
      const c = preprocessCanvas(drawDigit(name, { pen: 3, background: CLEAR })).pixels;
      expect(Array.from(b)).toEqual(Array.from(a));
      expect(Array.from(c)).toEqual(Array.from(a));
      // The same 3 px pen relative to a digit a third the size is a 1 px pen, near the canvas's corner.
      const small = preprocessCanvas(drawDigit(name, { pen: 3, scale: 1 / 3, left: 200, top: 12 })).pixels;
      expect(meanDifference(small, a)).toBeLessThan(0.04);
    }
  });

  it('leaves a digit written with an MNIST pen exactly as it was', () => {
    for (const name of Object.keys(DIGITS))
      for (const pen of [0.7 * MNIST_PEN, MNIST_PEN, 1.6 * MNIST_PEN]) {
        const image = drawDigit(name, { pen });
        expect(preprocessCanvas(image).pixels).toEqual(unnormalised(image));
      }
  });

  it("keeps MNIST's own digits, painted on a canvas, all but unchanged", () => {
    const test = loadDataset(resolveDatasetSource('mnist')).test;
    const COUNT = 1000;
    const lines: string[] = [];
    const results: { changed: number; total: number }[] = [];
    for (const scale of [3, 10]) {
      let changed = 0,
        total = 0,
        largest = 0;
      for (let k = 0; k < COUNT; k++) {
        const image = paintMnist(test.images.subarray(k * 784, (k + 1) * 784), scale);
        const difference = meanDifference(preprocessCanvas(image).pixels, unnormalised(image));
        if (difference > 0) changed++;
        total += difference;
        largest = Math.max(largest, difference);
      }
      lines.push(
        `${scale}×: ${changed} of ${COUNT} changed, mean difference ${(total / COUNT).toFixed(5)} ` +
          `(largest ${largest.toFixed(3)})`,
      );
      results.push({ changed, total });
    }
    console.info(`MNIST test digits 0–${COUNT - 1} painted black on white: ${lines.join('; ')}`);
    for (const r of results) {
      expect(r.changed / COUNT).toBeLessThan(0.06);
      expect(r.total / COUNT).toBeLessThan(0.003);
    }
  });
});
