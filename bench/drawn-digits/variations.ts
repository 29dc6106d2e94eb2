// The drawn-digits benchmark's variations: each turns an MNIST test digit into what the Draw path gets from
// someone drawing it, at another size, place, pen width, angle or slant.
//   Stroke path: the digit's skeleton (./skeleton.ts) as pad strokes (280 px logical pad, points about 3 px
//   apart at whole pixels, as a mouse reports them), which preprocessStrokes rasterises with a pen in proportion
//   to the drawing; a point's width is the pressure that gives the digit's own pen width there (or one MNIST
//   pixel more or less), an even pen as a mouse draws, or the pad's brush BASE_WIDTH (pressure 1).
//   Image path: the digit upscaled onto a 280×280 canvas, black ink on white as the pad paints, which
//   preprocessCanvas crops, scales and centres: what `layerlab predict` does with a PNG.
// Random choices (positions, corners) come from a seed per variation and digit, so every figure is repeatable
// and the first N digits get the same drawings whatever --limit is.
import { deriveSeed, seededRandom } from '#engine/data/random.ts';
import { preprocessCanvas, type RgbaImage } from '#engine/evaluate/preprocess.ts';
import { MIN_DRAWING_SIZE, PEN_RATIO, preprocessStrokes } from '#engine/evaluate/stroke-raster.ts';
import { BASE_WIDTH, MAX_POINT_WIDTH, type Stroke } from '#shared/drawing.ts';
import { skeletonBox, type DigitSkeleton, type PenPoint, type Point } from './skeleton.ts';

export const PAD = 280;
const MNIST = 28;
/** The MNIST frame on the pad: 10 pad pixels per MNIST pixel, so MNIST's 20 px digits are 200 px tall. */
const MNIST_SCALE = PAD / MNIST;
/** Distance between the points of a stroke, in pad pixels (a mouse moved at a moderate pace). */
const POINT_SPACING = 3;

export interface TestDigit {
  /** Index in the MNIST test set. */
  index: number;
  label: number;
  /** 784 bytes, white ink on black. */
  pixels: Uint8Array;
  skeleton: DigitSkeleton;
}

export type DrawInput = { path: 'strokes'; strokes: Stroke[] } | { path: 'image'; image: RgbaImage };

export type VariationGroup = 'size and position' | 'stroke width' | 'rotation' | 'slant' | "pad's brush";

export interface Variation {
  /** Short id for the JSON line. */
  id: string;
  /** As the table shows it. */
  label: string;
  path: DrawInput['path'];
  group: VariationGroup;
  /** Accuracy the goals ask for (0..1), or null where there is none. */
  goal: number | null;
  draw(digit: TestDigit, random: () => number): DrawInput;
}

// ---- Stroke path ------------------------------------------------------------------------------------------------

/** An affine map from MNIST pixel coordinates to pad pixels, and the pad pixels one MNIST pixel of pen becomes. */
interface Placement {
  map(p: Point): Point;
  scale: number;
}

/**
 * Points every POINT_SPACING pad pixels along the mapped polyline, at whole pixels (a mouse's pointer events),
 * each with the pen width (MNIST pixels) interpolated from the corners'.
 */
function sampleStroke(corners: PenPoint[], map: (p: Point) => Point): PenPoint[] {
  const mapped = corners.map((c) => ({ ...map(c), width: c.width }));
  const at = (a: PenPoint, b: PenPoint, t: number) => ({
    x: Math.round(a.x + (b.x - a.x) * t),
    y: Math.round(a.y + (b.y - a.y) * t),
    width: a.width + (b.width - a.width) * t,
  });
  const points = [at(mapped[0], mapped[0], 0)];
  for (let i = 1; i < mapped.length; i++) {
    const a = mapped[i - 1];
    const b = mapped[i];
    const steps = Math.max(1, Math.round(Math.hypot(b.x - a.x, b.y - a.y) / POINT_SPACING));
    for (let k = 1; k <= steps; k++) points.push(at(a, b, k / steps));
  }
  return points;
}

/**
 * The pen a stroke variation draws with: the digit's own (its width at each point, as the writer's pen and
 * pressure made it), `add` MNIST pixels wider or narrower; an even pen as wide as the digit's median stroke (a
 * mouse's); or the pad's brush at a mouse's pressure (pressure 1, whatever the digit's own width).
 */
export type Pen = { kind: 'digit'; add: number } | { kind: 'even' } | { kind: 'brush' };
const DIGIT_PEN: Pen = { kind: 'digit', add: 0 };

/**
 * The skeleton drawn on the pad. A pen width in MNIST pixels becomes the pressure that makes preprocessStrokes
 * draw it that wide relative to the digit (its pen is PEN_RATIO × the drawing's size × pressure), and the
 * point's width is BASE_WIDTH × that pressure, as the pad records a pen's.
 */
export function drawSkeleton(skeleton: DigitSkeleton, placement: Placement, pen: Pen): Stroke[] {
  const lines = skeleton.strokes.map((corners) => sampleStroke(corners, placement.map));
  const { minX, minY, maxX, maxY } = skeletonBox(lines);
  const size = Math.max(maxX - minX, maxY - minY, MIN_DRAWING_SIZE);
  const pressureFor = (mnistWidth: number) => (mnistWidth * placement.scale) / (PEN_RATIO * size);
  const widthAt = (point: PenPoint) => {
    if (pen.kind === 'brush') return BASE_WIDTH;
    const mnistWidth = pen.kind === 'even' ? skeleton.strokeWidth : Math.max(point.width + pen.add, THINNEST_PEN);
    return Math.min(Math.max(BASE_WIDTH * pressureFor(mnistWidth), 0.05 * BASE_WIDTH), MAX_POINT_WIDTH);
  };
  return lines.map((points) => points.map((point) => ({ x: point.x, y: point.y, width: widthAt(point) })));
}

/** The MNIST frame on the whole pad, turned by `degrees` (clockwise on screen) and slanted by `shear` about its centre. */
function framePlacement(degrees = 0, shear = 0): Placement {
  const c = MNIST / 2;
  const cos = Math.cos((degrees * Math.PI) / 180);
  const sin = Math.sin((degrees * Math.PI) / 180);
  return {
    scale: MNIST_SCALE,
    map: ({ x, y }) => {
      // Slant first (positive leans the top right), then turn, about the frame's centre.
      const sx = x - c + shear * (c - y);
      const sy = y - c;
      return { x: PAD / 2 + MNIST_SCALE * (cos * sx - sin * sy), y: PAD / 2 + MNIST_SCALE * (sin * sx + cos * sy) };
    },
  };
}

/**
 * The skeleton at `scale` pad pixels per MNIST pixel, its box (pen included) at (left, top) on the pad, chosen by
 * `place` from the room the pad leaves for it.
 */
function boxPlacement(
  skeleton: DigitSkeleton,
  scale: number,
  place: (room: { width: number; height: number }) => { left: number; top: number },
): Placement {
  const { minX, minY, maxX, maxY } = skeletonBox(skeleton.strokes);
  const pen = Math.max(...skeleton.strokes.flat().map((p) => p.width)) * scale;
  const { left, top } = place({
    width: Math.max(PAD - (maxX - minX) * scale - pen, 0),
    height: Math.max(PAD - (maxY - minY) * scale - pen, 0),
  });
  return {
    scale,
    map: ({ x, y }) => ({ x: left + pen / 2 + (x - minX) * scale, y: top + pen / 2 + (y - minY) * scale }),
  };
}

const MARGIN = 4;
/** Anywhere it fits, MARGIN pixels from the edges. */
const anywhere =
  (random: () => number) =>
  ({ width, height }: { width: number; height: number }) => ({
    left: MARGIN + random() * Math.max(width - 2 * MARGIN, 0),
    top: MARGIN + random() * Math.max(height - 2 * MARGIN, 0),
  });
/** Half to all the way from the centre towards a random corner. */
const offCentre =
  (random: () => number) =>
  ({ width, height }: { width: number; height: number }) => {
    const towards = (room: number) => {
      const reach = Math.max(room / 2 - MARGIN, 0) * (0.5 + 0.5 * random());
      return room / 2 + (random() < 0.5 ? -reach : reach);
    };
    return { left: towards(width), top: towards(height) };
  };
/** In a random corner, 4 to 12 pixels from its edges. */
const inCorner =
  (random: () => number) =>
  ({ width, height }: { width: number; height: number }) => {
    const edge = (room: number) => {
      const gap = Math.min(MARGIN + 8 * random(), room / 2);
      return random() < 0.5 ? gap : room - gap;
    };
    return { left: edge(width), top: edge(height) };
  };

/** Pad pixels per MNIST pixel: small digits are about 60 px tall, corner ones 80 px, large ones 240 px. */
const SMALL_SCALE = 3;
const CORNER_SCALE = 4;
const LARGE_SCALE = 12;
/** The pen of the thinnest stroke drawn: half an MNIST pixel. */
const THINNEST_PEN = 0.5;

const strokes = (drawn: Stroke[]): DrawInput => ({ path: 'strokes', strokes: drawn });

const STROKE_VARIATIONS: Variation[] = [
  {
    id: 'strokes-mnist-size',
    label: 'strokes: as big as MNIST (200 px), centred',
    path: 'strokes',
    group: 'size and position',
    goal: 0.98,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(), DIGIT_PEN)),
  },
  {
    id: 'strokes-small',
    label: 'strokes: small (60 px), anywhere',
    path: 'strokes',
    group: 'size and position',
    goal: 0.98,
    draw: ({ skeleton }, random) =>
      strokes(drawSkeleton(skeleton, boxPlacement(skeleton, SMALL_SCALE, anywhere(random)), DIGIT_PEN)),
  },
  {
    id: 'strokes-large-off-centre',
    label: 'strokes: large (240 px), off-centre',
    path: 'strokes',
    group: 'size and position',
    goal: 0.98,
    draw: ({ skeleton }, random) =>
      strokes(drawSkeleton(skeleton, boxPlacement(skeleton, LARGE_SCALE, offCentre(random)), DIGIT_PEN)),
  },
  {
    id: 'strokes-corner',
    label: 'strokes: in a corner (80 px)',
    path: 'strokes',
    group: 'size and position',
    goal: 0.98,
    draw: ({ skeleton }, random) =>
      strokes(drawSkeleton(skeleton, boxPlacement(skeleton, CORNER_SCALE, inCorner(random)), DIGIT_PEN)),
  },
  {
    id: 'strokes-thicker',
    label: 'strokes: pen 1 px thicker',
    path: 'strokes',
    group: 'stroke width',
    goal: 0.97,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(), { kind: 'digit', add: 1 })),
  },
  {
    id: 'strokes-thinner',
    label: 'strokes: pen 1 px thinner',
    path: 'strokes',
    group: 'stroke width',
    goal: 0.97,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(), { kind: 'digit', add: -1 })),
  },
  {
    id: 'strokes-even-pen',
    label: "strokes: even pen (a mouse's), the digit's width",
    path: 'strokes',
    group: 'stroke width',
    goal: null,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(), { kind: 'even' })),
  },
  {
    id: 'strokes-rotated+15',
    label: 'strokes: rotated 15° clockwise',
    path: 'strokes',
    group: 'rotation',
    goal: 0.97,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(15), DIGIT_PEN)),
  },
  {
    id: 'strokes-rotated-15',
    label: 'strokes: rotated 15° anticlockwise',
    path: 'strokes',
    group: 'rotation',
    goal: 0.97,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(-15), DIGIT_PEN)),
  },
  {
    id: 'strokes-slant+0.3',
    label: 'strokes: slanted right (shear 0.3)',
    path: 'strokes',
    group: 'slant',
    goal: null,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(0, 0.3), DIGIT_PEN)),
  },
  {
    id: 'strokes-slant-0.3',
    label: 'strokes: slanted left (shear 0.3)',
    path: 'strokes',
    group: 'slant',
    goal: null,
    draw: ({ skeleton }) => strokes(drawSkeleton(skeleton, framePlacement(0, -0.3), DIGIT_PEN)),
  },
  {
    id: 'strokes-small-pad-brush',
    label: "strokes: small (60 px), the pad's brush",
    path: 'strokes',
    group: "pad's brush",
    goal: 0.97,
    draw: ({ skeleton }, random) =>
      strokes(drawSkeleton(skeleton, boxPlacement(skeleton, SMALL_SCALE, anywhere(random)), { kind: 'brush' })),
  },
];

// ---- Image path -------------------------------------------------------------------------------------------------

/**
 * Grayscale dilation (max) or erosion (min) with a 2×2 square: strokes one pixel wider or narrower across, as
 * the stroke path's pen one pixel wider or narrower (a 3×3 square would change them by two). The square's other
 * pixels are up and to the left, so the digit also moves by half a pixel, which preprocessing recentres.
 */
export function morph(pixels: Uint8Array, kind: 'dilate' | 'erode'): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const at = (x: number, y: number) => (x < 0 || y < 0 ? 0 : pixels[y * MNIST + x]);
  for (let y = 0; y < MNIST; y++) {
    for (let x = 0; x < MNIST; x++) {
      const values = [at(x, y), at(x - 1, y), at(x, y - 1), at(x - 1, y - 1)];
      out[y * MNIST + x] = kind === 'dilate' ? Math.max(...values) : Math.min(...values);
    }
  }
  return out;
}

/** Ink box (any ink at all) of a 28×28 image, in MNIST pixel coordinates; the whole frame for a blank one. */
function inkBox(pixels: Uint8Array) {
  let minX = MNIST,
    minY = MNIST,
    maxX = 0,
    maxY = 0;
  for (let y = 0; y < MNIST; y++) {
    for (let x = 0; x < MNIST; x++) {
      if (!pixels[y * MNIST + x]) continue;
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x + 1);
      maxY = Math.max(maxY, y + 1);
    }
  }
  return maxX > minX ? { minX, minY, maxX, maxY } : { minX: 0, minY: 0, maxX: MNIST, maxY: MNIST };
}

/** An affine map: (x, y) → (a·x + b·y + c, d·x + e·y + f). */
type Affine = readonly [a: number, b: number, c: number, d: number, e: number, f: number];

/** Scaled by `scale` and turned by `degrees` (clockwise on screen) about `from`, which lands on `to`. */
function similarity(scale: number, degrees: number, from: Point, to: Point): Affine {
  const cos = scale * Math.cos((degrees * Math.PI) / 180);
  const sin = scale * Math.sin((degrees * Math.PI) / 180);
  return [cos, -sin, to.x - cos * from.x + sin * from.y, sin, cos, to.y - sin * from.x - cos * from.y];
}

function invert([a, b, c, d, e, f]: Affine): Affine {
  const det = a * e - b * d;
  return [e / det, -b / det, (b * f - c * e) / det, -d / det, a / det, (c * d - a * f) / det];
}

/**
 * The 28×28 image painted in black onto a white PAD×PAD canvas through `toCanvas` (MNIST pixel coordinates →
 * canvas pixels), sampled bilinearly between pixel centres as a canvas scales an image.
 */
function paintImage(pixels: Uint8Array, toCanvas: Affine): RgbaImage {
  const data = new Uint8ClampedArray(PAD * PAD * 4).fill(255);
  // Only the canvas pixels the digit's ink can reach need sampling; the rest stays paper.
  const { minX, minY, maxX, maxY } = inkBox(pixels);
  const [a, b, c, d, e, f] = toCanvas;
  const corners = [
    [minX - 1, minY - 1],
    [maxX + 1, minY - 1],
    [minX - 1, maxY + 1],
    [maxX + 1, maxY + 1],
  ].map(([x, y]) => [a * x + b * y + c, d * x + e * y + f]);
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))));
  const x1 = Math.min(PAD - 1, Math.ceil(Math.max(...corners.map((p) => p[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))));
  const y1 = Math.min(PAD - 1, Math.ceil(Math.max(...corners.map((p) => p[1]))));
  const [ia, ib, ic, id, ie, iff] = invert(toCanvas);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= MNIST || y >= MNIST ? 0 : pixels[y * MNIST + x]);
  for (let cy = y0; cy <= y1; cy++) {
    for (let cx = x0; cx <= x1; cx++) {
      // The canvas pixel's centre in the image, relative to the image's pixel centres.
      const fx = ia * (cx + 0.5) + ib * (cy + 0.5) + ic - 0.5;
      const fy = id * (cx + 0.5) + ie * (cy + 0.5) + iff - 0.5;
      const ix = Math.floor(fx);
      const iy = Math.floor(fy);
      if (ix < -1 || iy < -1 || ix >= MNIST || iy >= MNIST) continue;
      const tx = fx - ix;
      const ty = fy - iy;
      const ink =
        (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) +
        ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
      if (ink <= 0) continue;
      const i = (cy * PAD + cx) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255 - ink;
    }
  }
  return { width: PAD, height: PAD, data };
}

/** The image at `scale` canvas pixels per MNIST pixel, its ink box at (left, top) as `place` chooses. */
function placeImage(
  pixels: Uint8Array,
  scale: number,
  place: (room: { width: number; height: number }) => { left: number; top: number },
): DrawInput {
  const { minX, minY, maxX, maxY } = inkBox(pixels);
  const { left, top } = place({
    width: Math.max(PAD - (maxX - minX) * scale, 0),
    height: Math.max(PAD - (maxY - minY) * scale, 0),
  });
  return { path: 'image', image: paintImage(pixels, similarity(scale, 0, { x: minX, y: minY }, { x: left, y: top })) };
}

/** The MNIST frame on the whole canvas (10×), turned by `degrees` (clockwise on screen) about its centre. */
const frameImage = (pixels: Uint8Array, degrees = 0): DrawInput => ({
  path: 'image',
  image: paintImage(
    pixels,
    similarity(MNIST_SCALE, degrees, { x: MNIST / 2, y: MNIST / 2 }, { x: PAD / 2, y: PAD / 2 }),
  ),
});

const IMAGE_VARIATIONS: Variation[] = [
  {
    id: 'image-mnist-size',
    label: 'image: as big as MNIST (200 px), centred',
    path: 'image',
    group: 'size and position',
    goal: 0.98,
    draw: ({ pixels }) => frameImage(pixels),
  },
  {
    id: 'image-small',
    label: 'image: small (60 px), anywhere',
    path: 'image',
    group: 'size and position',
    goal: 0.98,
    draw: ({ pixels }, random) => placeImage(pixels, SMALL_SCALE, anywhere(random)),
  },
  {
    id: 'image-corner',
    label: 'image: in a corner (80 px)',
    path: 'image',
    group: 'size and position',
    goal: 0.98,
    draw: ({ pixels }, random) => placeImage(pixels, CORNER_SCALE, inCorner(random)),
  },
  {
    id: 'image-thicker',
    label: 'image: strokes 1 px thicker (dilated)',
    path: 'image',
    group: 'stroke width',
    goal: 0.97,
    draw: ({ pixels }) => frameImage(morph(pixels, 'dilate')),
  },
  {
    id: 'image-thinner',
    label: 'image: strokes 1 px thinner (eroded)',
    path: 'image',
    group: 'stroke width',
    goal: 0.97,
    draw: ({ pixels }) => frameImage(morph(pixels, 'erode')),
  },
  {
    id: 'image-rotated+15',
    label: 'image: rotated 15° clockwise',
    path: 'image',
    group: 'rotation',
    goal: 0.97,
    draw: ({ pixels }) => frameImage(pixels, 15),
  },
  {
    id: 'image-rotated-15',
    label: 'image: rotated 15° anticlockwise',
    path: 'image',
    group: 'rotation',
    goal: 0.97,
    draw: ({ pixels }) => frameImage(pixels, -15),
  },
];

export const VARIATIONS: readonly Variation[] = [...STROKE_VARIATIONS, ...IMAGE_VARIATIONS];

/** A whole number from the variation's id (FNV-1a), so its random stream does not depend on the list's order. */
function idHash(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** The variation's drawing of the digit, from its own repeatable random stream. */
export function drawVariation(variation: Variation, digit: TestDigit, seed: number): DrawInput {
  return variation.draw(digit, seededRandom(deriveSeed(seed, idHash(variation.id), digit.index)));
}

/** The 28×28 model input the Draw path builds from the drawing (white ink on black, 0..1). */
export function modelInput(input: DrawInput): Float32Array {
  return input.path === 'strokes' ? preprocessStrokes(input.strokes).pixels : preprocessCanvas(input.image).pixels;
}
