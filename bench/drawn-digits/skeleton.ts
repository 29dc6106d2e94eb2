// A 28×28 MNIST digit as the pen strokes that could have drawn it: its skeleton (Zhang–Suen thinning of the
// image upsampled 4× and thresholded at half intensity) traced into polylines along the centre line, each point
// with the pen width there (twice its distance to the ink's half-intensity edge: a medial-axis reconstruction,
// so a round pen of those widths along the lines covers the digit's ink again, blobs and filled loops included),
// and the digit's overall stroke width (the median of those). The drawn-digits benchmark draws these strokes on
// the Draw pad at other sizes, places, pen widths and angles.

export interface Point {
  x: number;
  y: number;
}

/** A point of a stroke, with the pen's width there, in MNIST pixels. */
export interface PenPoint extends Point {
  width: number;
}

export interface DigitSkeleton {
  /**
   * Polylines along the digit's centre line, in MNIST pixel coordinates (pixel i spans [i, i + 1], so the
   * 28×28 frame is [0, 28]²), simplified to the corners (and changes of width) that matter.
   */
  strokes: PenPoint[][];
  /** The digit's stroke width in MNIST pixels: the median of its skeleton's pen widths. */
  strokeWidth: number;
}

const SIZE = 28;
/** Upsampling before thinning: strokes of MNIST's 2–3 px become 8–12 px, which thin to a clean one-pixel line. */
const UP = 4;
const THRESHOLD = 0.5;
/** Ramer–Douglas–Peucker tolerance in MNIST pixels: one upsampled pixel, which smooths the skeleton's stairs. */
const SIMPLIFY_TOLERANCE = 1 / UP;
/** Branches from a junction to an end shorter than this many stroke widths are thinning noise, not strokes. */
const SPUR_WIDTHS = 1;

/** The 28×28 image upsampled UP× (bilinear between pixel centres, ink 0 outside) and thresholded. */
function upsampleBinary(ink: Float32Array): { bits: Uint8Array; width: number } {
  // One blank pixel of border all round, so the thinning never looks outside the array.
  const side = SIZE * UP;
  const width = side + 2;
  const bits = new Uint8Array(width * width);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= SIZE || y >= SIZE ? 0 : ink[y * SIZE + x]);
  for (let v = 0; v < side; v++) {
    const fy = (v + 0.5) / UP - 0.5;
    const y0 = Math.floor(fy);
    const ty = fy - y0;
    for (let u = 0; u < side; u++) {
      const fx = (u + 0.5) / UP - 0.5;
      const x0 = Math.floor(fx);
      const tx = fx - x0;
      const value =
        (1 - ty) * ((1 - tx) * at(x0, y0) + tx * at(x0 + 1, y0)) +
        ty * ((1 - tx) * at(x0, y0 + 1) + tx * at(x0 + 1, y0 + 1));
      if (value >= THRESHOLD) bits[(v + 1) * width + u + 1] = 1;
    }
  }
  return { bits, width };
}

/** 1 where the neighbours, clockwise, go from background to ink. */
const rise = (from: number, to: number) => (from === 0 && to === 1 ? 1 : 0);

/** Zhang & Suen (1984) thinning, in place: a one-pixel-wide, 8-connected skeleton. */
function thin(bits: Uint8Array, width: number): void {
  // Only ink pixels can go, and none lies on the blank border: the candidates are the ink still left.
  let ink: number[] = [];
  for (let i = 0; i < bits.length; i++) if (bits[i]) ink.push(i);
  const remove: number[] = [];
  for (let changed = true; changed; ink = ink.filter((i) => bits[i])) {
    changed = false;
    for (let pass = 0; pass < 2; pass++) {
      remove.length = 0;
      for (const i of ink) {
        if (!bits[i]) continue;
        // P2..P9 clockwise from north.
        const p2 = bits[i - width],
          p3 = bits[i - width + 1],
          p4 = bits[i + 1],
          p5 = bits[i + width + 1],
          p6 = bits[i + width],
          p7 = bits[i + width - 1],
          p8 = bits[i - 1],
          p9 = bits[i - width - 1];
        const b = p2 + p3 + p4 + p5 + p6 + p7 + p8 + p9;
        if (b < 2 || b > 6) continue;
        const a =
          rise(p2, p3) +
          rise(p3, p4) +
          rise(p4, p5) +
          rise(p5, p6) +
          rise(p6, p7) +
          rise(p7, p8) +
          rise(p8, p9) +
          rise(p9, p2);
        if (a !== 1) continue;
        if (pass === 0 ? p2 * p4 * p6 || p4 * p6 * p8 : p2 * p4 * p8 || p2 * p6 * p8) continue;
        remove.push(i);
      }
      for (const i of remove) bits[i] = 0;
      if (remove.length) changed = true;
    }
  }
}

/**
 * The skeleton's pixel graph: 8-connected neighbours, without a diagonal link where an orthogonal pair joins the
 * same two pixels (a staircase is then a path, not a chain of triangles that looks like junctions).
 */
function neighbourLists(bits: Uint8Array, width: number): Map<number, number[]> {
  const graph = new Map<number, number[]>();
  for (let i = 0; i < bits.length; i++) {
    if (!bits[i]) continue;
    const list: number[] = [];
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        if (!dx && !dy) continue;
        const j = i + dy * width + dx;
        if (!bits[j]) continue;
        if (dx && dy && (bits[i + dx] || bits[i + dy * width])) continue;
        list.push(j);
      }
    }
    graph.set(i, list);
  }
  return graph;
}

/** Every edge of the graph walked once: paths between ends and junctions, then closed loops, then lone dots. */
function tracePaths(graph: Map<number, number[]>): number[][] {
  const paths: number[][] = [];
  const walked = new Set<number>();
  const key = (a: number, b: number) => (a < b ? a * 1e6 + b : b * 1e6 + a);
  const walk = (from: number, to: number, stopAt: (pixel: number) => boolean) => {
    const path = [from];
    walked.add(key(from, to));
    let previous = from;
    let current = to;
    for (;;) {
      path.push(current);
      if (stopAt(current)) break;
      const next = graph.get(current)!.find((n) => n !== previous && !walked.has(key(current, n)));
      if (next === undefined) break;
      walked.add(key(current, next));
      previous = current;
      current = next;
    }
    return path;
  };
  const isNode = (pixel: number) => graph.get(pixel)!.length !== 2;
  for (const [pixel, neighbours] of graph) {
    if (!isNode(pixel)) continue;
    if (neighbours.length === 0) paths.push([pixel]);
    for (const n of neighbours) if (!walked.has(key(pixel, n))) paths.push(walk(pixel, n, isNode));
  }
  // What is left is loops of degree-2 pixels only (an 0 drawn in one stroke): walked back to the start.
  for (const [pixel, neighbours] of graph) {
    for (const n of neighbours) {
      if (!walked.has(key(pixel, n))) paths.push(walk(pixel, n, (p) => p === pixel));
    }
  }
  return paths;
}

function polylineLength(points: Point[]): number {
  let length = 0;
  for (let i = 1; i < points.length; i++)
    length += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
  return length;
}

/**
 * How far `p` is from the segment a–b, its width counted too: a point whose pen edge strays from the edge of the
 * pen interpolated along the segment matters as much as one off the line.
 */
function deviation(p: PenPoint, a: PenPoint, b: PenPoint): number {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const lengthSquared = dx * dx + dy * dy;
  const t = lengthSquared > 0 ? Math.min(Math.max(((p.x - a.x) * dx + (p.y - a.y) * dy) / lengthSquared, 0), 1) : 0;
  const off = Math.hypot(p.x - a.x - t * dx, p.y - a.y - t * dy);
  return Math.max(off, Math.abs(p.width - (a.width + t * (b.width - a.width))) / 2);
}

/** Ramer–Douglas–Peucker: the fewest points within `tolerance` of the stroke, edges included. Keeps both ends. */
export function simplify(points: PenPoint[], tolerance: number): PenPoint[] {
  if (points.length <= 2) return points.slice();
  const keep = new Uint8Array(points.length);
  keep[0] = keep[points.length - 1] = 1;
  const stack: [number, number][] = [[0, points.length - 1]];
  while (stack.length) {
    const [from, to] = stack.pop()!;
    let farthest = -1;
    let distance = tolerance;
    for (let i = from + 1; i < to; i++) {
      const d = deviation(points[i], points[from], points[to]);
      if (d > distance) {
        distance = d;
        farthest = i;
      }
    }
    if (farthest >= 0) {
      keep[farthest] = 1;
      stack.push([from, farthest], [farthest, to]);
    }
  }
  return points.filter((_, i) => keep[i]);
}

/**
 * Squared distance from pixel `i` to the nearest background pixel, searched ring by ring outwards (a pixel of
 * ring r is at least r away, so the search ends once r² reaches the best found). The blank border keeps every
 * ring it needs inside the array.
 */
function squaredDistanceToBackground(shape: Uint8Array, width: number, i: number): number {
  const x0 = i % width;
  const y0 = (i - x0) / width;
  let best = Infinity;
  for (let r = 1; r * r < best; r++) {
    for (let dy = -r; dy <= r; dy++) {
      const row = (y0 + dy) * width + x0;
      const step = dy === -r || dy === r ? 1 : 2 * r;
      for (let dx = -r; dx <= r; dx += step) {
        if (!shape[row + dx]) best = Math.min(best, dx * dx + dy * dy);
      }
    }
  }
  return best;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[sorted.length >> 1] : 0;
}

/**
 * pixels: 784 values, bytes 0..255 or floats 0..1, white ink on black (MNIST's own). A point's pen width is
 * twice its distance to the nearest background pixel of the upsampled, thresholded image (which measures bars of
 * 1.5–4 px exactly along the axes and within a quarter pixel at any angle); each free end is carried out along
 * the stroke to where its pen ends at the ink's tip, since thinning stops short of a tip by about half the
 * stroke's width.
 */
export function digitSkeleton(pixels: ArrayLike<number>): DigitSkeleton {
  if (pixels.length !== SIZE * SIZE) throw new Error(`a digit has ${SIZE * SIZE} pixels, got ${pixels.length}`);
  let peak = 0;
  for (let i = 0; i < pixels.length; i++) peak = Math.max(peak, pixels[i]);
  const unit = peak > 1 ? 255 : 1;
  const ink = Float32Array.from(pixels, (v) => v / unit);

  const { bits, width } = upsampleBinary(ink);
  const shape = bits.slice();
  thin(bits, width);
  const graph = neighbourLists(bits, width);
  const pens = new Map<number, number>();
  for (const pixel of graph.keys())
    pens.set(pixel, (2 * Math.sqrt(squaredDistanceToBackground(shape, width, pixel))) / UP);
  const penAt = (pixel: number) => pens.get(pixel)!;
  const toPoint = (pixel: number): PenPoint => ({
    x: ((pixel % width) - 1 + 0.5) / UP,
    y: (Math.floor(pixel / width) - 1 + 0.5) / UP,
    width: penAt(pixel),
  });
  const traced = tracePaths(graph).map((path) => ({ pixels: path, points: smoothWidths(path.map(toPoint)) }));
  const strokeWidth = median([...pens.values()]);

  // Spurs: short branches from a junction out to an end, where thinning met a corner of the stroke.
  const degree = (pixel: number) => graph.get(pixel)!.length;
  const isSpur = (path: { pixels: number[]; points: Point[] }) => {
    const first = degree(path.pixels[0]);
    const last = degree(path.pixels[path.pixels.length - 1]);
    const endToJunction = (first === 1 && last >= 3) || (first >= 3 && last === 1);
    return endToJunction && polylineLength(path.points) < SPUR_WIDTHS * strokeWidth;
  };
  const kept = traced.filter((path) => !isSpur(path));

  const inside = (p: Point) => {
    const u = Math.floor(p.x * UP) + 1;
    const v = Math.floor(p.y * UP) + 1;
    return u >= 0 && v >= 0 && u < width && v < width && shape[v * width + u] === 1;
  };
  /** The end `points[0]` moved out along the stroke to where its pen's edge meets the ink's tip. */
  const extendEnd = (points: PenPoint[]): PenPoint => {
    const end = points[0];
    // The stroke's direction and width over its last pen width or so.
    let back = points[points.length - 1];
    let pen = end.width;
    for (let i = 1, run = 0; i < points.length; i++) {
      run += Math.hypot(points[i].x - points[i - 1].x, points[i].y - points[i - 1].y);
      pen = Math.max(pen, points[i].width);
      if (run >= strokeWidth) {
        back = points[i];
        break;
      }
    }
    pen = Math.min(pen, 2 * strokeWidth);
    const dx = end.x - back.x;
    const dy = end.y - back.y;
    const norm = Math.hypot(dx, dy);
    if (norm === 0) return end;
    const step = 0.25 / UP;
    let exit = 0;
    while (exit < 2 * pen && inside({ x: end.x + (dx / norm) * exit, y: end.y + (dy / norm) * exit })) exit += step;
    const reach = Math.min(Math.max(exit - pen / 2, 0), pen);
    return { x: end.x + (dx / norm) * reach, y: end.y + (dy / norm) * reach, width: pen };
  };
  const strokes = kept.map(({ pixels: path, points }) => {
    const line = points.slice();
    if (line.length > 1 && degree(path[0]) === 1) line[0] = extendEnd(points);
    if (line.length > 1 && degree(path[path.length - 1]) === 1)
      line[line.length - 1] = extendEnd([...points].reverse());
    return simplify(line, SIMPLIFY_TOLERANCE);
  });
  return { strokes, strokeWidth };
}

/** Widths averaged over 5 neighbouring points: distances to the edge step by a quarter pixel. Ends keep theirs. */
function smoothWidths(points: PenPoint[]): PenPoint[] {
  return points.map((p, i) => {
    if (i === 0 || i === points.length - 1) return p;
    let sum = 0;
    let n = 0;
    for (let j = Math.max(0, i - 2); j <= Math.min(points.length - 1, i + 2); j++, n++) sum += points[j].width;
    return { ...p, width: sum / n };
  });
}

/** The skeleton's bounding box in MNIST pixels. */
export function skeletonBox(strokes: Point[][]): { minX: number; minY: number; maxX: number; maxY: number } {
  let minX = Infinity,
    minY = Infinity,
    maxX = -Infinity,
    maxY = -Infinity;
  for (const stroke of strokes) {
    for (const { x, y } of stroke) {
      minX = Math.min(minX, x);
      minY = Math.min(minY, y);
      maxX = Math.max(maxX, x);
      maxY = Math.max(maxY, y);
    }
  }
  return { minX, minY, maxX, maxY };
}
