import { describe, expect, it } from 'vitest';
import {
  centreOfMass,
  ImageInputError,
  inkFromRgba,
  preprocessCanvas,
  preprocessInk,
  type RgbaImage,
} from '#engine/evaluate/preprocess.ts';

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
