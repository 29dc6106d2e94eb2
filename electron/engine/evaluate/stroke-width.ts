// Stroke-width normalisation for the image path. The model learnt MNIST's digits, whose strokes are about a sixth
// as wide as the digit is tall (as measured here); the Draw pad's stroke path redraws strokes with a pen in that
// proportion (stroke-raster.ts), but an image keeps the pen it was drawn with. A digit written with a pen thin for
// its size reaches the 20 px box as faint, broken, one-pixel lines the model misreads. Here the image's strokes
// are measured and, when clearly thinner than MNIST's, thickened at the source resolution before resampling.
// Strokes too thick are left alone: an erosion that thinned them (tried on the drawn-digits benchmark's images
// dilated by one and two MNIST pixels) helped only while it was allowed to erase strokes thinner than the rest,
// as a pen that thins or a light upstroke makes them; kept from erasing any, it gained a tenth of a point, within
// the noise. It can never reopen a loop the thick pen filled, and the model reads thick strokes well anyway.

export interface StrokeWidthEstimate {
  /**
   * Stroke width in source pixels, as full-strength ink: 2 × the ink's mass (its sum ÷ its peak) ÷ the perimeter
   * of the stroke mask (ink at or above `level`). A faint stroke is thinner by this measure than a solid one.
   */
  width: number;
  /** The stroke mask's own width in source pixels: 2 × its area ÷ its perimeter. */
  maskWidth: number;
  /** Longer side of the ink box (ink above the ink threshold), in source pixels. */
  side: number;
  /** width ÷ side: the pen the 20 px box sees, whatever the image's size. */
  relative: number;
  /** The ink box (ink above the ink threshold). */
  box: { x: number; y: number; width: number; height: number };
  /** The strongest ink value. */
  peak: number;
  /** Ink at or above this is stroke: STROKE_LEVEL × the peak, never below the ink threshold. */
  level: number;
}

/**
 * MNIST's relative stroke width as estimateStrokeWidth measures it: the median over the first 10,000 MNIST
 * training digits painted 10× (black on a white 280 px canvas, bilinear, as a canvas scales an image) and read by
 * inkFromRgba, the path every image takes: 0.1079. The digits' own statistic, measured the same way as any
 * image's, so the estimator's biases cancel (2M/P is a little less than the pen for a stroke with ends, more
 * edge is counted on a curve than on a straight stroke, the box includes the pen). Painted 1× (a 28 px image), 3×
 * or 20× the median is 0.107 to 0.109 (2×, measured on a twice-blurred copy, 0.109). Per class the medians run
 * from 0.095 (5s) to 0.127 (0s); the 2nd, 10th and 90th percentiles are 0.064, 0.077 and 0.152.
 * test/stroke-width.test.ts re-measures it.
 */
export const MNIST_RELATIVE_WIDTH = 0.108;

/**
 * Strokes are thickened only below this fraction of MNIST_RELATIVE_WIDTH (0.065): clearly thinner than MNIST's,
 * at about MNIST's 2nd percentile. 1.2 to 2.6% of MNIST's own digits measure below it, painted 1× to 20× (its
 * thinnest, which are thickened to its median); everything in the band above, the thin, typical and thick digits
 * MNIST holds, is left exactly as it is. Of the drawn-digits benchmark's digits 1 px thinner (0.060 in the
 * median) 0.6 catches 56%, and on 2000 of them they were read within a few tenths of a point as well as with 0.7,
 * which would also thicken 7 to 9% of MNIST's own. A straight bar a tenth as wide as it is long measures 0.087
 * to 0.091 (as the image or as a small copy of it), so is left alone.
 */
export const THIN_FRACTION = 0.6;

/**
 * Ink at or above this fraction of its peak is stroke, for measuring and thickening. Low, so that the faint parts
 * of a stroke (a thin pen's antialiased rim, the stretches where a pen thins or an eroded digit fades) count as
 * stroke and are redrawn at full strength with the rest, not left faint beside thickened strong parts: with half
 * the peak instead, the strokes-1-px-thinner images came out blotchy and read worse than not thickened at all.
 */
export const STROKE_LEVEL = 0.15;

/** Drawings smaller than this (the ink box's longer side, pixels) are measured scaled up to at least this size. */
const MEASURE_SIDE = 64;

type Box = StrokeWidthEstimate['box'];

/** The ink box (ink > threshold) and the peak, or null for a blank image. */
function inkBoxAndPeak(
  ink: Float32Array,
  width: number,
  height: number,
  threshold: number,
): { box: Box; peak: number } | null {
  let minX = width,
    minY = height,
    maxX = -1,
    maxY = -1,
    peak = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const v = ink[row + x];
      if (v > threshold) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
        if (v > peak) peak = v;
      }
    }
  }
  return maxX < 0 ? null : { box: { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 }, peak };
}

/**
 * Contour length in a 2×2 cell of the mask, by the cell's corners (top left 1, top right 2, bottom left 4, bottom
 * right 8): marching squares' contour through the midpoints of the cell's sides, which follows straight edges at
 * any angle within a few per cent (a pixel count of edges would make a diagonal √2 too long).
 */
const CELL_CONTOUR = (() => {
  const half = Math.SQRT1_2;
  const lengths = new Float64Array(16);
  for (let code = 1; code < 15; code++) {
    const corners = [1, 2, 4, 8].filter((bit) => code & bit).length;
    if (corners !== 2)
      lengths[code] = half; // a corner in or out: a diagonal across it
    else lengths[code] = code === 6 || code === 9 ? 2 * half : 1; // opposite corners: two diagonals; else straight
  }
  return lengths;
})();

/**
 * Area (pixels) and contour length of the mask ink ≥ level inside `box` (every such pixel lies in it), and the
 * ink's sum in the box: one pass over the box's cells, two rows of mask at a time.
 */
function maskAreaAndPerimeter(ink: Float32Array, width: number, box: Box, level: number) {
  const x0 = box.x,
    x1 = box.x + box.width,
    y1 = box.y + box.height;
  // Mask rows y - 1 and y, with a column of blank either side: the cells between them.
  let above = new Uint8Array(box.width + 2);
  let current = new Uint8Array(box.width + 2);
  const fill = (row: Uint8Array, y: number) => {
    if (y >= y1) return row.fill(0);
    const offset = y * width;
    for (let x = x0; x < x1; x++) row[x - x0 + 1] = ink[offset + x] >= level ? 1 : 0;
    return row;
  };
  let area = 0,
    perimeter = 0,
    mass = 0;
  for (let y = box.y; y <= y1; y++) {
    [above, current] = [current, above];
    fill(current, y);
    if (y < y1) for (let x = x0, offset = y * width; x < x1; x++) mass += ink[offset + x];
    for (let i = 0; i <= box.width; i++) {
      area += current[i];
      perimeter += CELL_CONTOUR[above[i] | (above[i + 1] << 1) | (current[i] << 2) | (current[i + 1] << 3)];
    }
  }
  return { area, perimeter, mass };
}

/**
 * The crop `box` grown by a pixel, `factor` times larger, sampled bilinearly between pixel centres (as a canvas
 * scales an image), with blank outside the image.
 */
function upsample(ink: Float32Array, width: number, height: number, box: Box, factor: number) {
  const cx = box.x - 1,
    cy = box.y - 1;
  const w = (box.width + 2) * factor,
    h = (box.height + 2) * factor;
  const out = new Float32Array(w * h);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : ink[y * width + x]);
  for (let y = 0; y < h; y++) {
    const fy = cy + (y + 0.5) / factor - 0.5;
    const iy = Math.floor(fy),
      ty = fy - iy;
    for (let x = 0; x < w; x++) {
      const fx = cx + (x + 0.5) / factor - 0.5;
      const ix = Math.floor(fx),
        tx = fx - ix;
      out[y * w + x] =
        (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) +
        ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
    }
  }
  return { ink: out, width: w, height: h };
}

/**
 * The ink's stroke width. The stroke mask (ink at or above STROKE_LEVEL × its peak) has perimeter P, and the ink
 * in the box has mass M (its sum ÷ its peak, so a faint pen measures like a dark one): width = 2M/P, the width of
 * full-strength ink that would hold that much ink along that much stroke. For a solid ring that is its width
 * exactly; for a solid stroke of length L, w·L/(L + w), the ends' share; a stroke that fades along its length or
 * across its rim measures thinner than its mask (what area resampling makes of it is as faint). A drawing smaller
 * than MEASURE_SIDE is measured scaled up (bilinear) to at least that size, where a pixel's staircase no longer
 * counts as edge: MNIST's own 28 px digits then measure as they do on a canvas 3× to 20× their size. One pass over
 * the ink box after one over the image. Null for a blank image or one whose ink is not finite.
 */
export function estimateStrokeWidth(
  ink: Float32Array,
  width: number,
  height: number,
  inkThreshold: number,
): StrokeWidthEstimate | null {
  const found = inkBoxAndPeak(ink, width, height, inkThreshold);
  if (!found || !Number.isFinite(found.peak)) return null;
  const { box, peak } = found;
  const level = Math.max(peak * STROKE_LEVEL, inkThreshold);
  const side = Math.max(box.width, box.height);
  // Measured on the ink itself, or on a copy `scale` times larger (unless scaling leaves no ink at all: a faint
  // speck, measured as it is).
  let measured = { ink, width, box, peak, level, scale: 1 };
  const factor = Math.ceil(MEASURE_SIDE / side);
  if (factor > 1) {
    const up = upsample(ink, width, height, box, factor);
    const upFound = inkBoxAndPeak(up.ink, up.width, up.height, inkThreshold);
    if (upFound) {
      const upLevel = Math.max(upFound.peak * STROKE_LEVEL, inkThreshold);
      measured = { ink: up.ink, width: up.width, box: upFound.box, peak: upFound.peak, level: upLevel, scale: factor };
    }
  }
  const { area, perimeter, mass } = maskAreaAndPerimeter(measured.ink, measured.width, measured.box, measured.level);
  const measuredWidth = (2 * mass) / measured.peak / perimeter;
  return {
    width: measuredWidth / measured.scale,
    maskWidth: (2 * area) / perimeter / measured.scale,
    side,
    relative: measuredWidth / Math.max(measured.box.width, measured.box.height),
    box,
    peak,
    level,
  };
}

/**
 * The radius to dilate by so that the strokes' relative width reaches `target`. Thickening redraws the mask at
 * full strength and grows it by r, so the strokes end up the mask's width w plus 2r, as solid ink, in an ink box
 * 2r larger: (w + 2r) / (side + 2r) = target. 0 when the mask is wide enough already (its faint parts are then
 * only redrawn at full strength).
 */
export function thickeningRadius(estimate: StrokeWidthEstimate, target = MNIST_RELATIVE_WIDTH): number {
  const missing = target * estimate.side - estimate.maskWidth;
  return missing > 0 ? missing / (2 * (1 - target)) : 0;
}

/** Squared distance transform of one line (Felzenszwalb & Huttenlocher): d[q] = min over p of (q − p)² + f[p]. */
function distance1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * (q - v[k]));
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * (q - v[k]));
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    d[q] = (q - v[k]) * (q - v[k]) + f[v[k]];
  }
}

/**
 * Grayscale dilation of the strokes by `radius` source pixels, antialiased, in place: the stroke mask (ink at or
 * above the estimate's level) grown by a pen of the ink's peak strength, each pixel getting the share of it the
 * grown pen covers (a one-pixel ramp centred radius + ½ from the mask's pixel centres, where its edge moves to),
 * and keeping its own ink where that is more: nothing is lost, and the mask's faint rims and stretches come out
 * at full strength. Exact Euclidean distances (Felzenszwalb & Huttenlocher, separably): O(pixels of the ink box
 * grown by the radius), whatever the radius, with one extra float per pixel of it.
 */
export function thickenStrokes(
  ink: Float32Array,
  width: number,
  height: number,
  estimate: StrokeWidthEstimate,
  radius: number,
): void {
  if (!(radius >= 0)) return;
  const reach = Math.ceil(radius + 1);
  const rx0 = Math.max(estimate.box.x - reach, 0),
    ry0 = Math.max(estimate.box.y - reach, 0),
    rx1 = Math.min(estimate.box.x + estimate.box.width + reach, width),
    ry1 = Math.min(estimate.box.y + estimate.box.height + reach, height);
  const w = rx1 - rx0,
    h = ry1 - ry0;
  const { level, peak } = estimate;
  // Distance to the nearest stroke pixel up or down the same column, sweeping down the rows and back up (a row
  // at a time, in memory order); capped, as only distances below radius + 1 matter.
  const cap = reach + 1;
  const column = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const source = (ry0 + y) * width + rx0,
      row = y * w;
    for (let x = 0; x < w; x++)
      column[row + x] = ink[source + x] >= level ? 0 : y > 0 ? Math.min(column[row - w + x] + 1, cap) : cap;
  }
  for (let y = h - 2; y >= 0; y--) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const below = column[row + w + x] + 1;
      if (below < column[row + x]) column[row + x] = below;
    }
  }
  // Along each row, the squared Euclidean distance to the nearest stroke pixel, and the grown pen's coverage.
  const line = new Float64Array(w);
  const squared = new Float64Array(w);
  const v = new Int32Array(w);
  const z = new Float64Array(w + 1);
  const outer = radius + 1;
  const outerSquared = outer * outer;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) line[x] = column[row + x] * column[row + x];
    distance1d(line, w, squared, v, z);
    const target = (ry0 + y) * width + rx0;
    for (let x = 0; x < w; x++) {
      const d2 = squared[x];
      if (d2 >= outerSquared) continue;
      const value = peak * Math.min(outer - Math.sqrt(d2), 1);
      if (value > ink[target + x]) ink[target + x] = value;
    }
  }
}

export interface StrokeWidthNormalisation {
  /** The ink's stroke width before, or null for a blank image. */
  estimate: StrokeWidthEstimate | null;
  /** Whether the strokes were thickened; false leaves the ink exactly as it was. */
  thickened: boolean;
  /** How far the stroke mask was grown, in source pixels. */
  radius: number;
}

/**
 * Thickens, in place, strokes clearly thinner than MNIST's for the ink's size (relative width below THIN_FRACTION
 * × MNIST_RELATIVE_WIDTH) until their relative width is MNIST's; leaves any other image exactly as it is.
 */
export function normaliseStrokeWidth(
  ink: Float32Array,
  width: number,
  height: number,
  inkThreshold: number,
): StrokeWidthNormalisation {
  const estimate = estimateStrokeWidth(ink, width, height, inkThreshold);
  if (!estimate || estimate.relative >= THIN_FRACTION * MNIST_RELATIVE_WIDTH)
    return { estimate, thickened: false, radius: 0 };
  const radius = thickeningRadius(estimate);
  thickenStrokes(ink, width, height, estimate, radius);
  return { estimate, thickened: true, radius };
}
