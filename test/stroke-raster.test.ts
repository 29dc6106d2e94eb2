// The model input built from stroke vectors: the same digit drawn small or large, anywhere, gives nearly the same
// 28×28 image; pressure thins and thickens it; and its strokes are as wide, relative to the digit, as MNIST's.
import { describe, expect, it } from 'vitest';
import { builtinSources } from '#engine/data/datasets.ts';
import { readImageSet } from '#engine/data/idx.ts';
import { MNIST_SIZE } from '#engine/evaluate/preprocess.ts';
import {
  MIN_DRAWING_SIZE,
  PEN_RATIO,
  preprocessStrokes,
  rasterizeStrokes,
  StrokeInputError,
} from '#engine/evaluate/stroke-raster.ts';
import { BASE_WIDTH, MAX_DRAWING_POINTS, MAX_STROKES, type Stroke } from '#shared/drawing.ts';

type Point = [number, number];

/**
 * Points every ~3 px along a polyline, on a grid of 1/grid pad pixels, as a pointer reports them (whole pixels
 * on a 1× screen, halves on a 2× one): a drawing made at another size or place is sampled afresh, not scaled.
 */
function stroke(corners: Point[], width = BASE_WIDTH, grid = 2): Stroke {
  const at = (x: number, y: number) => ({ x: Math.round(x * grid) / grid, y: Math.round(y * grid) / grid, width });
  const points: Stroke = [at(corners[0][0], corners[0][1])];
  for (let i = 1; i < corners.length; i++) {
    const [ax, ay] = corners[i - 1];
    const [bx, by] = corners[i];
    const steps = Math.max(1, Math.round(Math.hypot(bx - ax, by - ay) / 3));
    for (let k = 1; k <= steps; k++) points.push(at(ax + ((bx - ax) * k) / steps, ay + ((by - ay) * k) / steps));
  }
  return points;
}

/** Points along an elliptical arc, clockwise on screen from `from` to `to` degrees (0° points right). */
function arc(cx: number, cy: number, rx: number, ry: number, from: number, to: number, steps = 24): Point[] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((from + ((to - from) * i) / steps) * Math.PI) / 180;
    return [cx + rx * Math.cos(angle), cy + ry * Math.sin(angle)];
  });
}

/** The ten digits as someone might draw them on the 280 px pad, about 200 px tall. */
const DIGITS: Record<string, Point[][]> = {
  '0': [arc(140, 140, 62, 96, -90, 270, 40)],
  '1': [
    [
      [146, 40],
      [140, 240],
    ],
  ],
  '2': [[...arc(140, 90, 55, 50, 200, 380, 16), [85, 240], [200, 240]]],
  '3': [[...arc(135, 90, 50, 48, 210, 450, 16), ...arc(135, 188, 55, 52, 270, 510, 16)]],
  '4': [
    [
      [160, 40],
      [80, 180],
      [200, 180],
    ],
    [
      [165, 110],
      [165, 240],
    ],
  ],
  '5': [[[195, 45], [100, 45], [92, 125], ...arc(140, 175, 58, 62, 220, 500, 20)]],
  '6': [[[185, 50], ...arc(140, 180, 60, 58, 200, 540, 28)]],
  '7': [
    [
      [80, 45],
      [200, 45],
      [120, 240],
    ],
  ],
  '8': [arc(140, 90, 45, 48, 90, 450, 24), arc(140, 188, 55, 52, -90, 270, 24)],
  '9': [[...arc(140, 95, 55, 52, 0, 360, 28), [195, 95], [175, 240]]],
};

/** A digit drawn at `scale` (about the pad's corner), moved by dx, dy, its points on a 1/grid pixel grid. */
const digit = (name: string, { width = BASE_WIDTH, scale = 1, dx = 0, dy = 0, grid = 2 } = {}) =>
  DIGITS[name].map((corners) =>
    stroke(
      corners.map(([x, y]) => [x * scale + dx, y * scale + dy]),
      width,
      grid,
    ),
  );

/** The drawing's points scaled about the pad's corner and moved: the same geometry exactly. */
const transformed = (strokes: Stroke[], scale: number, dx: number, dy: number) =>
  strokes.map((s) => s.map((p) => ({ x: p.x * scale + dx, y: p.y * scale + dy, width: p.width })));

const meanAbsoluteDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
const mass = (pixels: Float32Array) => pixels.reduce((sum, v) => sum + v, 0);
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

/** `image` moved by whole pixels, dx to the right and dy down, filling with blank. */
function shifted(image: Float32Array, dx: number, dy: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let y = 0; y < MNIST_SIZE; y++)
    for (let x = 0; x < MNIST_SIZE; x++) {
      const [sx, sy] = [x - dx, y - dy];
      if (sx >= 0 && sy >= 0 && sx < MNIST_SIZE && sy < MNIST_SIZE)
        out[y * MNIST_SIZE + x] = image[sy * MNIST_SIZE + sx];
    }
  return out;
}

/**
 * The difference left once b is moved by at most one pixel each way. preprocessInk places the digit at whole
 * pixels; a symmetric stroke of odd width has its centre of mass half-way between two, so a sub-pixel difference
 * in the drawing can move the whole digit by one pixel, which says nothing about its shape.
 */
function alignedDifference(a: Float32Array, b: Float32Array): number {
  let best = Infinity;
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) best = Math.min(best, meanAbsoluteDifference(a, shifted(b, dx, dy)));
  return best;
}

describe('the same digit drawn small or large, anywhere on the pad', () => {
  it('rasterises the same geometry at any scale and place to the same input, exactly', () => {
    for (const name of Object.keys(DIGITS)) {
      const large = preprocessStrokes(digit(name)).pixels;
      const small = preprocessStrokes(transformed(digit(name), 0.25, 37.3, 81.7)).pixels;
      expect(meanAbsoluteDifference(large, small)).toBeLessThan(1e-6);
    }
  });

  // Redrawn, the small digit's points round to the pointer's grid four times as coarsely relative to its size,
  // which preprocessInk's whole-pixel sizes can turn into a pixel's difference in width. The images hold 0..1;
  // 0.02 on average is a faint rim, well below what changes a prediction.
  it.each([
    { grid: 2, tolerance: 0.02, screen: 'half pixels (a 2× screen)' },
    { grid: 1, tolerance: 0.03, screen: 'whole pixels (a 1× screen)' },
  ])('gives nearly the same 28×28 input, its points at $screen', ({ grid, tolerance }) => {
    const lines: string[] = [];
    for (const name of Object.keys(DIGITS)) {
      const large = preprocessStrokes(digit(name, { grid })).pixels;
      const quarter = preprocessStrokes(digit(name, { scale: 0.25, dx: 37.3, dy: 81.7, grid })).pixels;
      const moved = preprocessStrokes(digit(name, { dx: -23.4, dy: 11.9, grid })).pixels;
      const [small, elsewhere] = [quarter, moved].map((image) => ({
        raw: meanAbsoluteDifference(large, image),
        aligned: alignedDifference(large, image),
      }));
      lines.push(
        `${name}: ×0.25 vs ×1 ${small.raw.toFixed(4)} (aligned ${small.aligned.toFixed(4)}), ` +
          `moved ${elsewhere.raw.toFixed(4)} (aligned ${elsewhere.aligned.toFixed(4)})`,
      );
      expect({ name, aligned: small.aligned < tolerance }).toEqual({ name, aligned: true });
      expect({ name, aligned: elsewhere.aligned < tolerance }).toEqual({ name, aligned: true });
    }
    console.info(`mean absolute difference, points on a 1/${grid} px grid:\n  ${lines.join('\n  ')}`);
  });

  it('differs far more with a fixed brush, as the pad paints (the problem this solves)', () => {
    // A fixed brush is, relative to a drawing a quarter the size, a pen pressed four times as hard.
    const large = preprocessStrokes(digit('8')).pixels;
    const fixedBrush = preprocessStrokes(digit('8', { width: BASE_WIDTH * 4, scale: 0.25 })).pixels;
    const difference = meanAbsoluteDifference(large, fixedBrush);
    console.info(`digit 8 at ×0.25 with the pad's fixed brush differs by ${difference.toFixed(4)}`);
    expect(difference).toBeGreaterThan(0.1);
  });
});

describe('pressure', () => {
  it('thins the input for a light pen and thickens it for a firm one', () => {
    const [light, mouse, firm] = [0.5, 1, 1.45].map((pressure) =>
      mass(preprocessStrokes(digit('0', { width: BASE_WIDTH * pressure })).pixels),
    );
    expect(light).toBeLessThan(mouse * 0.75);
    expect(firm).toBeGreaterThan(mouse * 1.2);
  });

  it('varies the width along a stroke', () => {
    const tapering = [
      { x: 100, y: 40, width: BASE_WIDTH * 1.4 },
      { x: 100, y: 240, width: BASE_WIDTH * 0.4 },
    ];
    const { ink, width, height } = rasterizeStrokes([tapering]);
    const rowInk = (y: number) => ink.slice(y * width, (y + 1) * width).reduce((sum, v) => sum + v, 0);
    expect(rowInk(Math.round(height * 0.2))).toBeGreaterThan(rowInk(Math.round(height * 0.8)) * 2);
  });
});

describe('edge cases', () => {
  it('gives a blank input (box null) for no strokes, or strokes without points', () => {
    for (const strokes of [[], [[]], [[], []]]) {
      const { pixels, box } = preprocessStrokes(strokes);
      expect(box).toBeNull();
      expect(pixels.length).toBe(MNIST_SIZE * MNIST_SIZE);
      expect(pixels.every((v) => v === 0)).toBe(true);
    }
  });

  it('takes the maximum where strokes overlap, so ink never exceeds 1', () => {
    const eight = digit('8');
    const once = rasterizeStrokes(eight);
    const thrice = rasterizeStrokes([...eight, ...eight, ...eight]);
    expect(Math.max(...thrice.ink)).toBeLessThanOrEqual(1);
    expect(thrice.ink).toEqual(once.ink);
    expect(Math.max(...preprocessStrokes([...eight, ...eight]).pixels)).toBeLessThanOrEqual(1);
  });

  it('draws a tap as a round dot, and a tiny scribble no thinner than a drawing of MIN_DRAWING_SIZE', () => {
    const dot = rasterizeStrokes([[{ x: 50, y: 60, width: BASE_WIDTH }]]);
    expect(dot.width).toBe(dot.height);
    const { pixels, box } = preprocessStrokes([[{ x: 50, y: 60, width: BASE_WIDTH }]]);
    expect(box).not.toBeNull();
    expect(mass(pixels)).toBeGreaterThan(200); // a disc filling the 20 px box
    // A 3 px jitter is drawn with the pen of a MIN_DRAWING_SIZE drawing: a short dash, not a 3 px long line.
    const jitter = rasterizeStrokes([
      stroke([
        [50, 60],
        [53, 60],
      ]),
    ]);
    const inkedColumns = new Set(
      [...jitter.ink.keys()].filter((i) => jitter.ink[i] > 0.5).map((i) => i % jitter.width),
    );
    const inkedRows = new Set(
      [...jitter.ink.keys()].filter((i) => jitter.ink[i] > 0.5).map((i) => Math.floor(i / jitter.width)),
    );
    const pen = PEN_RATIO * MIN_DRAWING_SIZE;
    expect(inkedColumns.size / inkedRows.size).toBeCloseTo((3 + pen) / pen, 0);
  });

  it('refuses what the IPC schema would, naming the field', () => {
    const bad = (point: Partial<Stroke[number]>) => () =>
      rasterizeStrokes([
        [
          { x: 1, y: 1, width: BASE_WIDTH },
          { x: 1, y: 1, width: BASE_WIDTH, ...point },
        ],
      ]);
    expect(bad({ x: NaN })).toThrow(
      new StrokeInputError('strokes.0.1.x: must be a number from -10000 to 10000, got NaN'),
    );
    expect(bad({ y: Infinity })).toThrow(/^strokes\.0\.1\.y: must be a number/);
    expect(bad({ width: 0 })).toThrow(/^strokes\.0\.1\.width: must be a number above 0/);
    expect(() => rasterizeStrokes(Array.from({ length: MAX_STROKES + 1 }, () => []))).toThrow(StrokeInputError);
    const long = Array.from({ length: MAX_DRAWING_POINTS + 1 }, () => ({ x: 0, y: 0, width: BASE_WIDTH }));
    expect(() => rasterizeStrokes([long])).toThrow(/^strokes: at most 20000 points in all/);
  });
});

/**
 * Stroke width relative to the digit's longer side in a 28×28 image: ink mass ÷ skeleton length (Zhang-Suen
 * thinning of the image upsampled 4× and thresholded at half intensity) ÷ the longer side of the ink box.
 */
function relativeStrokeWidth(pixels: ArrayLike<number>): number {
  const size = MNIST_SIZE;
  let minX = size,
    minY = size,
    maxX = -1,
    maxY = -1,
    total = 0;
  for (let i = 0; i < size * size; i++) {
    total += pixels[i];
    if (pixels[i] > 0.2) {
      const x = i % size,
        y = Math.floor(i / size);
      [minX, maxX, minY, maxY] = [Math.min(minX, x), Math.max(maxX, x), Math.min(minY, y), Math.max(maxY, y)];
    }
  }
  const UP = 4,
    n = size * UP;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= size || y >= size ? 0 : pixels[y * size + x]);
  const image = new Uint8Array(n * n);
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const sx = (x + 0.5) / UP - 0.5,
        sy = (y + 0.5) / UP - 0.5;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy),
        fx = sx - x0,
        fy = sy - y0;
      const value =
        at(x0, y0) * (1 - fx) * (1 - fy) +
        at(x0 + 1, y0) * fx * (1 - fy) +
        at(x0, y0 + 1) * (1 - fx) * fy +
        at(x0 + 1, y0 + 1) * fx * fy;
      image[y * n + x] = value >= 0.5 ? 1 : 0;
    }
  }
  const skeletonLength = zhangSuenThinning(image, n).reduce((sum, v) => sum + v, 0) / UP;
  return total / skeletonLength / Math.max(maxX - minX + 1, maxY - minY + 1);
}

/** Zhang & Suen (1984): peels boundary pixels off in two alternating sub-passes until a 1-pixel skeleton is left. */
function zhangSuenThinning(image: Uint8Array, n: number): Uint8Array {
  const a = image.slice();
  const removed: number[] = [];
  for (let changed = true; changed;) {
    changed = false;
    for (const pass of [0, 1]) {
      removed.length = 0;
      for (let y = 1; y < n - 1; y++) {
        for (let x = 1; x < n - 1; x++) {
          const i = y * n + x;
          if (!a[i]) continue;
          // Neighbours clockwise from the top: p2 (above), p3, p4 (right), …, p9 (top left).
          const p2 = a[i - n],
            p3 = a[i - n + 1],
            p4 = a[i + 1],
            p5 = a[i + n + 1],
            p6 = a[i + n],
            p7 = a[i + n - 1],
            p8 = a[i - 1],
            p9 = a[i - n - 1];
          const neighbours = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
          if (neighbours < 2 || neighbours > 6) continue;
          const transitions =
            +(!p2 && p3) +
            +(!p3 && p4) +
            +(!p4 && p5) +
            +(!p5 && p6) +
            +(!p6 && p7) +
            +(!p7 && p8) +
            +(!p8 && p9) +
            +(!p9 && p2);
          if (transitions !== 1) continue;
          if (pass === 0 ? p2 * p4 * p6 || p4 * p6 * p8 : p2 * p4 * p8 || p2 * p6 * p8) continue;
          removed.push(i);
        }
      }
      for (const i of removed) a[i] = 0;
      if (removed.length) changed = true;
    }
  }
  return a;
}

describe('pen width calibrated on MNIST', () => {
  it("draws strokes as wide, relative to the digit, as MNIST's training digits (within 10%)", () => {
    const mnist = builtinSources().find((source) => source.id === 'mnist')!;
    const set = readImageSet(mnist.files.trainImages, mnist.files.trainLabels, 10);
    const COUNT = 2000;
    const byClass: number[][] = Array.from({ length: 10 }, () => []);
    const pixels = new Float32Array(MNIST_SIZE * MNIST_SIZE);
    for (let k = 0; k < COUNT; k++) {
      for (let i = 0; i < pixels.length; i++) pixels[i] = set.images[k * pixels.length + i] / 255;
      byClass[set.labels[k]].push(relativeStrokeWidth(pixels));
    }
    const ratios = Object.keys(DIGITS).map((name) => {
      const input = preprocessStrokes(digit(name)).pixels;
      const peak = Math.max(...input);
      return relativeStrokeWidth(input.map((v) => v / peak)) / median(byClass[Number(name)]);
    });
    const geometricMean = Math.exp(ratios.reduce((sum, r) => sum + Math.log(r), 0) / ratios.length);
    console.info(
      `relative stroke width, drawn ÷ MNIST per class: ${ratios.map((r) => r.toFixed(2)).join(' ')}; ` +
        `geometric mean ${geometricMean.toFixed(3)} at PEN_RATIO ${PEN_RATIO}`,
    );
    expect(geometricMean).toBeGreaterThan(0.9);
    expect(geometricMean).toBeLessThan(1.1);
  });
});

describe('cost', () => {
  it('rasterises a typical digit in well under a frame (printed, not asserted)', () => {
    const eight = digit('8');
    const points = eight.reduce((sum, s) => sum + s.length, 0);
    /** Median time of one call, in ms, once the JIT has warmed up. */
    const timed = (work: () => void) => {
      for (let i = 0; i < 30; i++) work();
      const times = Array.from({ length: 50 }, () => {
        const started = performance.now();
        work();
        return performance.now() - started;
      });
      return median(times);
    };
    const rasterMs = timed(() => rasterizeStrokes(eight));
    const totalMs = timed(() => preprocessStrokes(eight));
    const { width, height } = rasterizeStrokes(eight);
    console.info(
      `an 8 of ${points} points: rasterised (${width}×${height}) in ${rasterMs.toFixed(2)} ms, ` +
        `to 28×28 in ${totalMs.toFixed(2)} ms (medians)`,
    );
    expect(totalMs).toBeGreaterThan(0);
  });
});
