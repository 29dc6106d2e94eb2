// Seeded image augmentation for training batches: writes augmented uint8 copies of a batch's rows into a
// reusable buffer, one geometric resampling per image followed by the stroke morphology. Every setting is a
// maximum and 0 turns it off; each image draws its own amounts uniformly:
//
//   rotation   0–45 degrees: the image turns about its centre by an angle in [-r, r] (positive = counter-clockwise
//              as displayed).
//   scale      0–0.5: the image is zoomed about its centre by a factor in [1 − s, 1 + s] (> 1 enlarges the ink).
//   shift      0–8 pixels: the image moves by dx, dy, each in [-shift, shift] (sub-pixel amounts included).
//   elastic    0–8 pixels: Simard et al. 2003's elastic distortion. A field of random displacements (uniform in
//              [-1, 1] per pixel and axis) smoothed by a Gaussian of sigma 4 px, normalised so its largest
//              displacement is 1 px, times alpha: no pixel moves by more than alpha, and the typical (rms) move is
//              about alpha / 2. (Simard's alpha 34, on fields smoothed but not normalised, moves pixels of a 28×28
//              image by about 4 px at most and 2 px rms: alpha 4 here.)
//   thickness  0–1: strokes thicken or thin by up to about one pixel. Half the images (at random) blend towards
//              their 3×3 grayscale dilation (max over the 3×3 neighbourhood), half towards their 3×3 erosion
//              (min; outside the image counts as 0), by a weight uniform in [0, t]. A blend is linear in the
//              weight, so a small strength is a mild change, and weight 1 is the full dilation/erosion: every
//              stroke edge moves out/in by one pixel. MNIST strokes are 2–4 px wide, so that is strong: a full
//              erosion leaves a median digit 14% of its ink, a full dilation doubles it; 0.2–0.5 is the useful range.
//
// Geometry. Rotation, zoom, shift and the elastic displacement compose into one inverse mapping from an output
// pixel q to the source point it samples: p = c + A (q + alpha·d(q) − c − t), A = R(−θ)/zoom, c the centre, t the
// shift, d the unit elastic field. The source is sampled bilinearly, 0 outside the image, once per output pixel;
// then the morphology, then rounding to uint8. Any size and channel count (channels are sampled alike). Only the
// output pixels whose source point can reach the source's ink box are sampled (the rest are 0, as sampling them
// would give), and the morphology skips the rows that stay blank: MNIST digits fill about half of the frame.
//
// Why a bank of elastic fields. Smoothing a fresh random field per image (two 25-tap Gaussian passes over two
// components) costs several times the rest of the augmentation, too slow for 60,000 images an epoch in JS. So
// each Augmenter builds, once and from its seed, a bank of up to 32 unit fields, smoothed on the torus (with
// wrap-around) so any cyclic offset of one is as smooth as the field itself. Each image picks a field, a cyclic
// offset, a flip per axis, whether to swap the x and y components and a sign: thousands of distinct fields from
// a 200 KB bank, each with the statistics of a freshly smoothed one.
//
// Randomness. Step `step`'s images draw from one seeded stream (seededRandom(deriveSeed(seed, tag, step))),
// DRAWS_PER_IMAGE values each, in order, whatever the settings: image i of a step gets the same amounts whatever
// ran before, whatever the batch's other rows, and turning one setting on or off does not change another's.
// No allocation per image: scratch buffers belong to the Augmenter (so one Augmenter is not re-entrant).
import { HYPERPARAMETER_RULES, rangeProblem, type NumberRule } from '#shared/hyperparameters.ts';
import type { ImageSet } from '../data/idx.ts';
import { deriveSeed, seededRandom } from '../data/random.ts';

export interface AugmentationSettings {
  /** Max rotation in degrees, 0–45. */
  rotation: number;
  /** Max zoom change, 0–0.5: factor in [1 − s, 1 + s]. */
  scale: number;
  /** Max shift in pixels along each axis, 0–8. */
  shift: number;
  /** Max blend towards the 3×3 dilation or erosion, 0–1. */
  thickness: number;
  /** Elastic distortion: largest displacement in pixels, 0–8. */
  elastic: number;
}

export const NO_AUGMENTATION: Readonly<AugmentationSettings> = Object.freeze({
  rotation: 0,
  scale: 0,
  shift: 0,
  thickness: 0,
  elastic: 0,
});

/** The allowed range of each setting: the hyperparameters' own (augmentRotation, …). */
export const AUGMENTATION_RULES = {
  rotation: HYPERPARAMETER_RULES.augmentRotation,
  scale: HYPERPARAMETER_RULES.augmentScale,
  shift: HYPERPARAMETER_RULES.augmentShift,
  thickness: HYPERPARAMETER_RULES.augmentThickness,
  elastic: HYPERPARAMETER_RULES.augmentElastic,
} as const satisfies Record<keyof AugmentationSettings, NumberRule>;

const SETTING_NAMES = Object.keys(AUGMENTATION_RULES) as (keyof AugmentationSettings)[];

const SETTING_UNITS: Record<keyof AugmentationSettings, string> = {
  rotation: 'max degrees',
  scale: 'max zoom change',
  shift: 'max pixels',
  thickness: 'max blend weight',
  elastic: 'max displacement in pixels',
};

export function augmentationEnabled(s: AugmentationSettings): boolean {
  return s.rotation > 0 || s.scale > 0 || s.shift > 0 || s.thickness > 0 || s.elastic > 0;
}

/** Why each setting is unusable ("augmentation rotation (max degrees) must be at least 0 and at most 45, got 60"). */
export function augmentationProblems(s: AugmentationSettings): string[] {
  if (s === null || typeof s !== 'object') return ['augmentation settings must be an object'];
  const problems: string[] = [];
  for (const name of SETTING_NAMES) {
    const problem = rangeProblem(s[name], AUGMENTATION_RULES[name]);
    if (problem) problems.push(`augmentation ${name} (${SETTING_UNITS[name]}) ${problem}`);
  }
  return problems;
}

/** The amounts one image is augmented by (what augmentBatch draws; Augmenter.apply takes them explicitly). */
export interface AugmentationParams {
  /** Degrees, positive = counter-clockwise as displayed. */
  rotation: number;
  /** Zoom factor about the centre (> 0; 1 = none). */
  zoom: number;
  /** Pixels, positive = right. */
  shiftX: number;
  /** Pixels, positive = down. */
  shiftY: number;
  /** −1…1: > 0 blends towards the 3×3 dilation by this weight, < 0 towards the erosion; 0 = none. */
  thickness: number;
  /** Elastic displacement scale in pixels (the sign flips the field); 0 = none. */
  elastic: number;
  /** Which bank field (0 ≤ field < elasticBankSize). */
  field: number;
  /** Cyclic offset of the field, in pixels (0 ≤ fieldX < width, 0 ≤ fieldY < height). */
  fieldX: number;
  fieldY: number;
  /** Bits: 1 flips the field left-right, 2 top-bottom, 4 swaps its x and y components. */
  fieldFlags: number;
}

export const IDENTITY_PARAMS: Readonly<AugmentationParams> = Object.freeze({
  rotation: 0,
  zoom: 1,
  shiftX: 0,
  shiftY: 0,
  thickness: 0,
  elastic: 0,
  field: 0,
  fieldX: 0,
  fieldY: 0,
  fieldFlags: 0,
});

/** Values each image takes from its step's stream, used or not (so settings do not shift each other's draws). */
export const DRAWS_PER_IMAGE = 10;
/** Gaussian sigma (pixels) of the elastic fields, as Simard et al. use for MNIST. */
export const ELASTIC_SIGMA = 4;
const ELASTIC_RADIUS = Math.ceil(3 * ELASTIC_SIGMA);
const MAX_BANK_FIELDS = 32;
const MAX_BANK_BYTES = 32 * 1024 * 1024;
/** Tags that keep the Augmenter's streams apart from the seed's other uses (random.ts takes 1 and 2). */
const BATCH_TAG = 0x61756701;
const BANK_TAG = 0x61756702;

export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

export class Augmenter {
  readonly settings: Readonly<AugmentationSettings>;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Bytes per image: height × width × channels. */
  readonly imageSize: number;
  /** Fields in the elastic bank (built on first use). */
  readonly elasticBankSize: number;
  private readonly seed: number;
  private readonly enabled: boolean;
  /** The resampled image, before morphology and rounding. */
  private readonly geo: Float32Array;
  /** The horizontal pass of the morphology for several channels. */
  private readonly tmp: Float32Array;
  /** Bank column of each output column, for the current image. */
  private readonly colIndex: Int32Array;
  /** Bank offset of each output row's field row, for the current image. */
  private readonly rowIndex: Int32Array;
  /** The current image's mapping: a00 a01 a10 a11 bx by, the elastic terms alpha·A (e00 e01 e10 e11), margin. */
  private readonly mapping = new Float64Array(11);
  /** The current source image's ink box: first and last column, first and last row holding a non-zero value. */
  private readonly box = new Int32Array(4);
  /** Rows [span[0], span[1]) of geo may be non-zero; the others are 0. */
  private readonly span = new Int32Array(2);
  /** augmentBatch's per-image amounts, reused. */
  private readonly params: AugmentationParams = { ...IDENTITY_PARAMS };
  private bankX: Float32Array | null = null;
  private bankY: Float32Array | null = null;

  constructor(settings: AugmentationSettings, shape: ImageShape, seed: number) {
    const problems = augmentationProblems(settings);
    for (const name of ['height', 'width', 'channels'] as const) {
      const value = shape?.[name];
      if (!Number.isSafeInteger(value) || value < 1)
        problems.push(`image ${name} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
    }
    if (!Number.isSafeInteger(seed) || seed < 0 || seed > 2 ** 32 - 1)
      problems.push(`augmentation seed must be a whole number from 0 to 4294967295, got ${JSON.stringify(seed)}`);
    if (problems.length) throw new RangeError(problems.join('; '));
    this.settings = Object.freeze(
      Object.fromEntries(SETTING_NAMES.map((n) => [n, settings[n]])),
    ) as Readonly<AugmentationSettings>;
    this.height = shape.height;
    this.width = shape.width;
    this.channels = shape.channels;
    this.imageSize = this.height * this.width * this.channels;
    if (this.imageSize > 2 ** 28) throw new RangeError(`images of ${this.imageSize} values are too large to augment`);
    const pixels = this.height * this.width;
    this.elasticBankSize = Math.max(1, Math.min(MAX_BANK_FIELDS, Math.floor(MAX_BANK_BYTES / (8 * pixels))));
    this.seed = seed;
    this.enabled = augmentationEnabled(settings);
    this.geo = new Float32Array(this.imageSize);
    this.tmp = new Float32Array(this.imageSize);
    this.colIndex = new Int32Array(this.width);
    this.rowIndex = new Int32Array(this.height);
  }

  /** Writes augmented copies of set's `rows` into `out` (row i of the batch at offset i*imageSize); deterministic for (seed, step, i). */
  augmentBatch(set: ImageSet, rows: ArrayLike<number>, step: number, out: Uint8Array): void {
    if (set.height !== this.height || set.width !== this.width || set.channels !== this.channels) {
      throw new RangeError(
        `the image set is ${set.height}x${set.width}x${set.channels} but the augmenter was made for ${this.height}x${this.width}x${this.channels}`,
      );
    }
    if (!Number.isSafeInteger(step) || step < 0)
      throw new RangeError(`augmentation step must be a whole number ≥ 0, got ${step}`);
    const size = this.imageSize;
    if (out.length < rows.length * size) {
      throw new RangeError(
        `the output buffer holds ${out.length} bytes, ${rows.length} images need ${rows.length * size}`,
      );
    }
    const images = set.images;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!Number.isInteger(row) || row < 0 || row >= set.count)
        throw new RangeError(`row ${row} is outside the image set (${set.count} images)`);
    }
    if (!this.enabled) {
      for (let i = 0; i < rows.length; i++) out.set(images.subarray(rows[i] * size, rows[i] * size + size), i * size);
      return;
    }
    const random = seededRandom(deriveSeed(this.seed, BATCH_TAG, step));
    const p = this.params;
    for (let i = 0; i < rows.length; i++) {
      this.draw(random, p);
      this.applyAt(images, rows[i] * size, p, out, i * size);
    }
  }

  /** The amounts augmentBatch uses for image `index` of step `step` (allocates: for tests and inspection). */
  drawParameters(step: number, index: number): AugmentationParams {
    const random = seededRandom(deriveSeed(this.seed, BATCH_TAG, step));
    for (let i = 0; i < index * DRAWS_PER_IMAGE; i++) random();
    const p = { ...IDENTITY_PARAMS };
    this.draw(random, p);
    return p;
  }

  /** Augments one image (at `imageOffset` of `image`) by explicit amounts into `out` at `outOffset`. */
  apply(image: Uint8Array, params: AugmentationParams, out: Uint8Array, imageOffset = 0, outOffset = 0): void {
    const size = this.imageSize;
    const fits = (offset: number, array: Uint8Array) =>
      Number.isSafeInteger(offset) && offset >= 0 && offset + size <= array.length;
    if (!fits(imageOffset, image) || !fits(outOffset, out)) {
      throw new RangeError(`apply needs ${size} bytes at offset ${imageOffset} of the image and ${outOffset} of out`);
    }
    const problem = this.paramsProblem(params);
    if (problem) throw new RangeError(`augmentation params: ${problem}`);
    this.applyAt(image, imageOffset, params, out, outOffset);
  }

  private paramsProblem(p: AugmentationParams): string | null {
    for (const key of Object.keys(IDENTITY_PARAMS) as (keyof AugmentationParams)[]) {
      if (typeof p[key] !== 'number' || !Number.isFinite(p[key])) return `${key} must be a finite number`;
    }
    if (p.zoom <= 0) return `zoom must be > 0, got ${p.zoom}`;
    if (Math.abs(p.thickness) > 1) return `thickness must be in [-1, 1], got ${p.thickness}`;
    const index = (v: number, n: number) => Number.isInteger(v) && v >= 0 && v < n;
    if (!index(p.field, this.elasticBankSize)) return `field must be a whole number below ${this.elasticBankSize}`;
    if (!index(p.fieldX, this.width)) return `fieldX must be a whole number below ${this.width}`;
    if (!index(p.fieldY, this.height)) return `fieldY must be a whole number below ${this.height}`;
    if (!index(p.fieldFlags, 8)) return `fieldFlags must be a whole number below 8`;
    return null;
  }

  /** Draws one image's amounts: always DRAWS_PER_IMAGE values, in a fixed order. */
  private draw(random: () => number, p: AugmentationParams): void {
    const s = this.settings;
    const u0 = random(),
      u1 = random(),
      u2 = random(),
      u3 = random(),
      u4 = random(),
      u5 = random(),
      u6 = random(),
      u7 = random(),
      u8 = random(),
      u9 = random();
    p.rotation = (2 * u0 - 1) * s.rotation;
    p.zoom = 1 + (2 * u1 - 1) * s.scale;
    p.shiftX = (2 * u2 - 1) * s.shift;
    p.shiftY = (2 * u3 - 1) * s.shift;
    p.thickness = (u4 < 0.5 ? 1 : -1) * u5 * s.thickness;
    const flags = Math.floor(u9 * 16);
    p.elastic = flags & 8 ? -s.elastic : s.elastic;
    p.field = Math.floor(u6 * this.elasticBankSize);
    p.fieldX = Math.floor(u7 * this.width);
    p.fieldY = Math.floor(u8 * this.height);
    p.fieldFlags = flags & 7;
  }

  private applyAt(src: Uint8Array, so: number, p: AugmentationParams, out: Uint8Array, oo: number): void {
    const W = this.width,
      H = this.height,
      C = this.channels,
      size = this.imageSize;
    const geometric = p.rotation !== 0 || p.zoom !== 1 || p.shiftX !== 0 || p.shiftY !== 0 || p.elastic !== 0;
    if (!geometric && p.thickness === 0) {
      out.set(src.subarray(so, so + size), oo);
      return;
    }
    const box = this.box;
    if (!inkBox(src, so, W, H, C, box)) {
      // Every transform maps background to background.
      out.fill(0, oo, oo + size);
      return;
    }
    const g = this.geo,
      span = this.span;
    if (geometric) this.resample(src, so, p);
    else {
      for (let i = 0; i < size; i++) g[i] = src[so + i];
      span[0] = box[2];
      span[1] = box[3] + 1;
    }
    // Rows of geo outside span are 0. Values are blends of bytes with weights in [0, 1], so in [0, 255]:
    // rounding is all that is left.
    if (p.thickness === 0) {
      const rs = W * C;
      out.fill(0, oo, oo + span[0] * rs);
      for (let i = span[0] * rs; i < span[1] * rs; i++) out[oo + i] = (g[i] + 0.5) | 0;
      out.fill(0, oo + span[1] * rs, oo + size);
    } else if (C === 1) morphGray(g, W, H, p.thickness > 0, Math.abs(p.thickness), out, oo, span[0], span[1]);
    else morphChannels(g, this.tmp, W, H, C, p.thickness > 0, Math.abs(p.thickness), out, oo);
  }

  /** One bilinear resampling of the source through the composed inverse mapping, into `geo` (and its row span). */
  private resample(src: Uint8Array, so: number, p: AugmentationParams): void {
    const W = this.width,
      H = this.height;
    const m = this.mapping;
    const theta = (p.rotation * Math.PI) / 180;
    const cos = Math.cos(theta) / p.zoom,
      sin = Math.sin(theta) / p.zoom;
    // Counter-clockwise on screen (y down) is x' = x cosθ + y sinθ, y' = −x sinθ + y cosθ; A is its inverse over zoom.
    const a00 = cos,
      a01 = -sin,
      a10 = sin,
      a11 = cos;
    const cx = (W - 1) / 2,
      cy = (H - 1) / 2;
    const ux = cx + p.shiftX,
      uy = cy + p.shiftY;
    m[0] = a00;
    m[1] = a01;
    m[2] = a10;
    m[3] = a11;
    m[4] = cx - (a00 * ux + a01 * uy);
    m[5] = cy - (a10 * ux + a11 * uy);
    // The displacement alpha·d (|d| ≤ 1) is added to q before A, so it moves the source point by alpha·A·d, at
    // most |alpha| / zoom: the margin by which the ink box is widened when clipping rows.
    m[6] = p.elastic * a00;
    m[7] = p.elastic * a01;
    m[8] = p.elastic * a10;
    m[9] = p.elastic * a11;
    m[10] = p.elastic === 0 ? 0 : (Math.abs(p.elastic) / p.zoom) * (1 + 1e-5) + 1e-5;
    let fx = this.geo,
      fy = this.geo;
    if (p.elastic !== 0) {
      this.buildElasticBank();
      const swap = (p.fieldFlags & 4) !== 0;
      fx = swap ? this.bankY! : this.bankX!;
      fy = swap ? this.bankX! : this.bankY!;
      const flipX = (p.fieldFlags & 1) !== 0,
        flipY = (p.fieldFlags & 2) !== 0;
      const cols = this.colIndex,
        rows = this.rowIndex;
      for (let x = 0; x < W; x++) cols[x] = ((flipX ? W - 1 - x : x) + p.fieldX) % W;
      for (let y = 0; y < H; y++) rows[y] = p.field * W * H + (((flipY ? H - 1 - y : y) + p.fieldY) % H) * W;
    }
    resampleInto(
      src,
      so,
      this.geo,
      W,
      H,
      this.channels,
      m,
      this.box,
      p.elastic !== 0,
      fx,
      fy,
      this.rowIndex,
      this.colIndex,
      this.span,
    );
  }

  /** The bank of unit elastic fields: Gaussian-smoothed noise on the torus, largest displacement 1 px. */
  private buildElasticBank(): void {
    if (this.bankX) return;
    const W = this.width,
      H = this.height,
      N = W * H,
      K = this.elasticBankSize;
    const bankX = new Float32Array(K * N),
      bankY = new Float32Array(K * N);
    const kernel = new Float64Array(ELASTIC_RADIUS + 1);
    for (let d = 0; d <= ELASTIC_RADIUS; d++) kernel[d] = Math.exp(-(d * d) / (2 * ELASTIC_SIGMA * ELASTIC_SIGMA));
    const noise = new Float64Array(N),
      rows = new Float64Array(N);
    const wrap = (v: number, n: number) => ((v % n) + n) % n;
    for (let k = 0; k < K; k++) {
      for (const [component, bank] of [bankX, bankY].entries()) {
        const random = seededRandom(deriveSeed(this.seed, BANK_TAG, k, component));
        for (let i = 0; i < N; i++) noise[i] = 2 * random() - 1;
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            let sum = 0;
            for (let d = -ELASTIC_RADIUS; d <= ELASTIC_RADIUS; d++)
              sum += kernel[Math.abs(d)] * noise[y * W + wrap(x + d, W)];
            rows[y * W + x] = sum;
          }
        }
        for (let y = 0; y < H; y++) {
          for (let x = 0; x < W; x++) {
            let sum = 0;
            for (let d = -ELASTIC_RADIUS; d <= ELASTIC_RADIUS; d++)
              sum += kernel[Math.abs(d)] * rows[wrap(y + d, H) * W + x];
            bank[k * N + y * W + x] = sum;
          }
        }
      }
      let longest = 0;
      for (let i = k * N; i < (k + 1) * N; i++) longest = Math.max(longest, Math.hypot(bankX[i], bankY[i]));
      if (longest > 0) {
        for (let i = k * N; i < (k + 1) * N; i++) {
          bankX[i] /= longest;
          bankY[i] /= longest;
        }
      }
    }
    this.bankX = bankX;
    this.bankY = bankY;
  }
}

// The kernels: plain functions of typed arrays and numbers (V8 optimises these better than methods reading the
// same arrays from `this`), with the per-pixel work inline.

/** rowBlank(src, from, n): no non-zero byte in src[from, from + n). */
function rowBlank(src: Uint8Array, from: number, n: number): boolean {
  let any = 0;
  for (let i = from; i < from + n; i++) any |= src[i];
  return any === 0;
}

/**
 * The ink box of the image at so: box = first column, last column, first row, last row holding a non-zero value
 * (in any channel). False, box untouched, for a blank image.
 */
function inkBox(src: Uint8Array, so: number, W: number, H: number, C: number, box: Int32Array): boolean {
  const rs = W * C;
  let top = 0;
  while (top < H && rowBlank(src, so + top * rs, rs)) top++;
  if (top === H) return false;
  let bottom = H - 1;
  while (rowBlank(src, so + bottom * rs, rs)) bottom--;
  let left = W,
    right = -1;
  for (let y = top; y <= bottom; y++) {
    const r = so + y * rs;
    for (let i = 0; i < left * C; i++) {
      if (src[r + i] !== 0) {
        left = (i / C) | 0;
        break;
      }
    }
    for (let i = rs - 1; i >= (right + 1) * C; i--) {
      if (src[r + i] !== 0) {
        right = (i / C) | 0;
        break;
      }
    }
  }
  box[0] = left;
  box[1] = right;
  box[2] = top;
  box[3] = bottom;
  return true;
}

/**
 * g[q] = src (the image at so) sampled bilinearly at p = A·q + b + alpha·A·d(q), 0 outside the image. m holds
 * a00 a01 a10 a11 bx by, alpha·A (e00 e01 e10 e11) and the largest |alpha·A·d|; d(q) is (fx, fy) at
 * rows[y] + cols[x] when `elastic`. Pixel (x, y) sits at coordinates (x, y); channels are interleaved and
 * sampled alike. Only the columns of each row whose source point can reach the ink box (`box`, see inkBox) are
 * sampled, the rest are set to 0, which is what sampling them would give: a point at or beyond one pixel outside
 * the box has all four taps outside it. span receives the rows where anything was sampled.
 */
function resampleInto(
  src: Uint8Array,
  so: number,
  g: Float32Array,
  W: number,
  H: number,
  C: number,
  m: Float64Array,
  box: Int32Array,
  elastic: boolean,
  fx: Float32Array,
  fy: Float32Array,
  rows: Int32Array,
  cols: Int32Array,
  span: Int32Array,
) {
  const a00 = m[0],
    a01 = m[1],
    a10 = m[2],
    a11 = m[3],
    bx = m[4],
    by = m[5],
    e00 = m[6],
    e01 = m[7],
    e10 = m[8],
    e11 = m[9],
    margin = m[10];
  // Source points that can see ink: loX < sx < hiX and loY < sy < hiY (the elastic term moves them by ≤ margin).
  const loX = box[0] - 1 - margin,
    hiX = box[1] + 1 + margin,
    loY = box[2] - 1 - margin,
    hiY = box[3] + 1 + margin;
  const rs = W * C;
  const gray = C === 1;
  let first = H,
    last = -1;
  for (let y = 0; y < H; y++) {
    const rowX = a01 * y + bx,
      rowY = a11 * y + by;
    const r = y * rs;
    // Along the row the affine source point is (rowX + a00·x, rowY + a10·x): clip x to the interval inside the
    // widened box, rounded outwards (an extra column sampled costs time, not correctness).
    let xs = 0,
      xe = W;
    if (a00 > 1e-9 || a00 < -1e-9) {
      const u = (loX - rowX) / a00,
        v = (hiX - rowX) / a00;
      xs = Math.max(xs, Math.floor(u < v ? u : v));
      xe = Math.min(xe, Math.ceil(u < v ? v : u) + 1);
    } else if (rowX <= loX - 1e-3 || rowX >= hiX + 1e-3) xe = 0;
    if (a10 > 1e-9 || a10 < -1e-9) {
      const u = (loY - rowY) / a10,
        v = (hiY - rowY) / a10;
      xs = Math.max(xs, Math.floor(u < v ? u : v));
      xe = Math.min(xe, Math.ceil(u < v ? v : u) + 1);
    } else if (rowY <= loY - 1e-3 || rowY >= hiY + 1e-3) xe = 0;
    if (xe <= xs) {
      for (let o = r; o < r + rs; o++) g[o] = 0;
      continue;
    }
    if (y < first) first = y;
    last = y;
    for (let o = r; o < r + xs * C; o++) g[o] = 0;
    for (let o = r + xe * C; o < r + rs; o++) g[o] = 0;
    const fieldRow = elastic ? rows[y] : 0;
    for (let x = xs, o = r + xs * C; x < xe; x++, o += C) {
      let sx = rowX + a00 * x,
        sy = rowY + a10 * x;
      if (elastic) {
        const k = fieldRow + cols[x];
        const dx = fx[k],
          dy = fy[k];
        sx += e00 * dx + e01 * dy;
        sy += e10 * dx + e11 * dy;
      }
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      if (gray && x0 >= 0 && y0 >= 0 && x0 < W - 1 && y0 < H - 1) {
        // The common case, inline: one channel, all four taps inside.
        const wx = sx - x0,
          wy = sy - y0;
        const i = so + y0 * W + x0;
        const tl = src[i],
          tr = src[i + 1],
          bl = src[i + W],
          br = src[i + W + 1];
        const top = tl + (tr - tl) * wx;
        g[o] = top + (bl + (br - bl) * wx - top) * wy;
      } else if (x0 >= -1 && y0 >= -1 && x0 < W && y0 < H) {
        sampleChannels(src, so, g, o, W, H, C, x0, y0, sx - x0, sy - y0);
      } else {
        // Wholly outside (or not a number): background.
        for (let c = 0; c < C; c++) g[o + c] = 0;
      }
    }
  }
  span[0] = last < 0 ? 0 : first;
  span[1] = last + 1;
}

/** g[o + c] = the bilinear blend of the taps around (x0 + wx, y0 + wy) for every channel; taps outside are 0. */
function sampleChannels(
  src: Uint8Array,
  so: number,
  g: Float32Array,
  o: number,
  W: number,
  H: number,
  C: number,
  x0: number,
  y0: number,
  wx: number,
  wy: number,
) {
  const rs = W * C;
  const inL = x0 >= 0,
    inR = x0 + 1 < W,
    inT = y0 >= 0,
    inB = y0 + 1 < H;
  const i = so + y0 * rs + x0 * C;
  for (let c = 0; c < C; c++) {
    const tl = inT && inL ? src[i + c] : 0,
      tr = inT && inR ? src[i + c + C] : 0,
      bl = inB && inL ? src[i + c + rs] : 0,
      br = inB && inR ? src[i + c + rs + C] : 0;
    const top = tl + (tr - tl) * wx;
    g[o + c] = top + (bl + (br - bl) * wx - top) * wy;
  }
}

// Morphology. Outside the image counts as 0. Values are ≥ 0, so for the dilation a missing neighbour changes
// nothing, while the erosion takes the first and last rows and columns to 0. Math.max and Math.min compile to
// branch-free instructions (a data-dependent branch here mispredicts; the choice between them, `dilate`, is
// the same for the whole image, so its branch is always predicted). One channel: a single pass keeping the
// last three column extremes; several: separable passes through t.

/** The max of a, b, c when dilating, else their min. */
function extreme(dilate: boolean, a: number, b: number, c: number): number {
  return dilate ? Math.max(a, b, c) : Math.min(a, b, c);
}

/**
 * out = g + w·(m − g), rounded, one channel, m = dilate3x3(g) when `dilate`, else erode3x3(g); g is 0 outside
 * rows [y0, y1).
 */
function morphGray(
  g: Float32Array,
  W: number,
  H: number,
  dilate: boolean,
  w: number,
  out: Uint8Array,
  oo: number,
  y0: number,
  y1: number,
) {
  // The dilation reaches one row beyond the rows that may be non-zero; the erosion leaves them 0.
  const from = dilate ? Math.max(0, y0 - 1) : y0,
    to = dilate ? Math.min(H, y1 + 1) : y1;
  const keep = 1 - w;
  for (let i = 0; i < from * W; i++) out[oo + i] = 0;
  for (let y = from; y < to; y++) {
    const r = y * W;
    if (!dilate && (y === 0 || y === H - 1)) {
      // The erosion of the first and last rows takes in the outside: 0.
      for (let j = r; j < r + W; j++) out[oo + j] = (g[j] * keep + 0.5) | 0;
      continue;
    }
    // A missing neighbour row (dilation only) is stood in for by the row itself, which leaves the max unchanged.
    const up = y > 0 ? -W : 0,
      down = y < H - 1 ? W : 0;
    // prev = 0 at the first column and next = 0 at the last: the outside.
    let prev = 0,
      v = g[r],
      cur = extreme(dilate, g[r + up], v, g[r + down]);
    for (let x = 0; x < W; x++) {
      const j = r + x;
      let vn = 0,
        next = 0;
      if (x + 1 < W) {
        vn = g[j + 1];
        next = extreme(dilate, g[j + 1 + up], vn, g[j + 1 + down]);
      }
      const m = extreme(dilate, prev, cur, next);
      out[oo + j] = (v + w * (m - v) + 0.5) | 0;
      prev = cur;
      cur = next;
      v = vn;
    }
  }
  for (let i = to * W; i < H * W; i++) out[oo + i] = 0;
}

/**
 * out = g + w·(m − g), rounded, any channel count, m = dilate3x3(g) when `dilate`, else erode3x3(g) (rows into
 * t, then columns).
 */
function morphChannels(
  g: Float32Array,
  t: Float32Array,
  W: number,
  H: number,
  C: number,
  dilate: boolean,
  w: number,
  out: Uint8Array,
  oo: number,
) {
  const rs = W * C,
    n = H * rs,
    last = n - rs;
  for (let r = 0; r < n; r += rs) {
    // The first and last columns take in the outside (0); with W = 1 the one column is both.
    const second = r + C,
      end = r + rs - C;
    for (let j = r; j < second; j++) t[j] = extreme(dilate, 0, g[j], W > 1 ? g[j + C] : 0);
    for (let j = second; j < end; j++) t[j] = extreme(dilate, g[j - C], g[j], g[j + C]);
    for (let j = Math.max(end, second); j < r + rs; j++) t[j] = extreme(dilate, g[j - C], g[j], 0);
  }
  for (let j = rs; j < last; j++) {
    const v = g[j];
    out[oo + j] = (v + w * (extreme(dilate, t[j - rs], t[j], t[j + rs]) - v) + 0.5) | 0;
  }
  // The first and last rows, which take in the outside (0): the erosion there is 0.
  const keep = 1 - w;
  for (let edge = 0; edge < 2; edge++) {
    for (let j = edge ? Math.max(last, rs) : 0, to = edge ? n : Math.min(rs, n); j < to; j++) {
      const v = g[j];
      if (!dilate) out[oo + j] = (v * keep + 0.5) | 0;
      else out[oo + j] = (v + w * (Math.max(j >= rs ? t[j - rs] : 0, t[j], j < last ? t[j + rs] : 0) - v) + 0.5) | 0;
    }
  }
}
