import { describe, expect, it } from 'vitest';
import {
  centreOfMass,
  ImageInputError,
  inkFromRgba,
  preprocessCanvas,
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
