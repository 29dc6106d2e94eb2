// MNIST-faithful preprocessing for hand-drawn digits. MNIST's digits were size-normalised to fit a 20x20 box
// (keeping the aspect ratio) and then placed in 28x28 so that their centre of mass sits at the centre.
// A canvas drawing must go through the same steps, or recognition depends on where and how big it is drawn.
// An image's strokes are also brought up to MNIST's width for their size when clearly thinner (stroke-width.ts).
import { normaliseStrokeWidth } from './stroke-width.ts';

export interface RgbaImage {
  width: number;
  height: number;
  /** width * height * 4 bytes, as canvas ImageData holds them. */
  data: Uint8Array | Uint8ClampedArray | number[];
}

export interface PreprocessResult {
  /** 28 * 28 ink intensities in [0, 1], white ink on black like MNIST. */
  pixels: Float32Array;
  /** Ink bounding box in the source image, or null for a blank image. */
  box: { x: number; y: number; width: number; height: number } | null;
}

export const MNIST_SIZE = 28;
const BOX = 20;
const INK_THRESHOLD = 0.05;

export class ImageInputError extends Error {
  override name = 'ImageInputError';
}

/**
 * Ink per pixel in [0, 1]. Transparent pixels are background; the background colour is read from the border
 * so dark ink on white and light ink on black both work.
 */
export function inkFromRgba(image: RgbaImage): Float32Array {
  const { width, height, data } = image;
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > 4096 ||
    height > 4096
  ) {
    throw new ImageInputError(`image width and height must be whole numbers from 1 to 4096, got ${width}x${height}`);
  }
  if (data.length !== width * height * 4) {
    throw new ImageInputError(
      `image data must hold width*height*4 = ${width * height * 4} bytes (RGBA), got ${data.length}`,
    );
  }
  const gray = new Float32Array(width * height);
  let transparent = 0;
  for (let i = 0; i < gray.length; i++) {
    if (data[i * 4 + 3] === 0) transparent++;
    gray[i] = (0.299 * data[i * 4] + 0.587 * data[i * 4 + 1] + 0.114 * data[i * 4 + 2]) / 255;
  }
  if (transparent > 0) {
    // A transparent canvas: what was drawn is whatever has alpha.
    for (let i = 0; i < gray.length; i++) gray[i] = data[i * 4 + 3] / 255;
    return gray;
  }
  const border: number[] = [];
  for (let x = 0; x < width; x++) border.push(gray[x], gray[(height - 1) * width + x]);
  for (let y = 0; y < height; y++) border.push(gray[y * width], gray[y * width + width - 1]);
  border.sort((a, b) => a - b);
  const background = border[border.length >> 1];
  const scale = background > 0.5 ? background : 1 - background;
  for (let i = 0; i < gray.length; i++) {
    const ink = background > 0.5 ? background - gray[i] : gray[i] - background;
    gray[i] = scale > 0 ? Math.min(Math.max(ink / scale, 0), 1) : 0;
  }
  return gray;
}

function inkBox(ink: Float32Array, width: number, height: number) {
  let minX = width,
    minY = height,
    maxX = -1,
    maxY = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] > INK_THRESHOLD) {
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        if (y > maxY) maxY = y;
      }
    }
  }
  return maxX < 0 ? null : { x: minX, y: minY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

/**
 * Area-averaging resample of a crop: each target pixel averages the source area it covers (antialiased). The
 * covered span is clamped to the crop: `(o + 1) * step` can land a rounding error past its last row or column,
 * and reading one past an ink box that touches the image's bottom or right edge read outside the image (NaN).
 */
function resampleArea(
  src: Float32Array,
  srcWidth: number,
  box: { x: number; y: number; width: number; height: number },
  outW: number,
  outH: number,
): Float32Array {
  const out = new Float32Array(outW * outH);
  const sx = box.width / outW;
  const sy = box.height / outH;
  for (let oy = 0; oy < outH; oy++) {
    const y0 = oy * sy,
      y1 = Math.min((oy + 1) * sy, box.height);
    const yEnd = Math.min(Math.ceil(y1), box.height);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = ox * sx,
        x1 = Math.min((ox + 1) * sx, box.width);
      const xEnd = Math.min(Math.ceil(x1), box.width);
      let sum = 0;
      let area = 0;
      for (let y = Math.floor(y0); y < yEnd; y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < xEnd; x++) {
          const wx = Math.min(x + 1, x1) - Math.max(x, x0);
          sum += wx * wy * src[(box.y + y) * srcWidth + box.x + x];
          area += wx * wy;
        }
      }
      out[oy * outW + ox] = area > 0 ? sum / area : 0;
    }
  }
  return out;
}

/**
 * Crops to the ink, scales the longer side to 20 px, scales the ink so its strongest pixel is 1 (a faint or thin
 * stroke reads like MNIST's full-strength ink), and centres the result by centre of mass in 28x28. Throws an
 * ImageInputError rather than give the model an empty or non-finite input for a drawing that has ink.
 */
export function preprocessInk(ink: Float32Array, width: number, height: number): PreprocessResult {
  const pixels = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  const box = inkBox(ink, width, height);
  if (!box) return { pixels, box: null };
  const scale = BOX / Math.max(box.width, box.height);
  const w = Math.max(1, Math.round(box.width * scale));
  const h = Math.max(1, Math.round(box.height * scale));
  const digit = resampleArea(ink, width, box, w, h);
  let strongest = 0;
  for (const v of digit) if (v > strongest) strongest = v;
  if (!(strongest > 0) || !Number.isFinite(strongest)) {
    throw new ImageInputError(
      `the drawing's ${box.width}×${box.height} ink gave an unusable input (peak ${strongest})`,
    );
  }
  let mass = 0,
    cx = 0,
    cy = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = (digit[y * w + x] = Math.min(digit[y * w + x] / strongest, 1));
      if (!Number.isFinite(v)) throw new ImageInputError(`the drawing's ink holds a non-finite value (${v})`);
      mass += v;
      cx += v * x;
      cy += v * y;
    }
  }
  // Offset that puts the centre of mass at the image centre, clamped so the digit stays inside.
  const centre = (MNIST_SIZE - 1) / 2;
  const left = Math.min(Math.max(Math.round(centre - cx / mass), 0), MNIST_SIZE - w);
  const top = Math.min(Math.max(Math.round(centre - cy / mass), 0), MNIST_SIZE - h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) pixels[(top + y) * MNIST_SIZE + left + x] = digit[y * w + x];
  }
  return { pixels, box };
}

/**
 * An image's model input: its ink (inkFromRgba), with strokes clearly thinner than MNIST's for the drawing's size
 * thickened at the image's own resolution (normaliseStrokeWidth; any other image is left as it is), through
 * preprocessInk. The box is the ink's after thickening.
 */
export function preprocessCanvas(image: RgbaImage): PreprocessResult {
  const ink = inkFromRgba(image);
  normaliseStrokeWidth(ink, image.width, image.height, INK_THRESHOLD);
  return preprocessInk(ink, image.width, image.height);
}

/** Centre of mass of a 28x28 image, for tests and the UI's "what the model sees" view. */
export function centreOfMass(pixels: Float32Array, size = MNIST_SIZE): { x: number; y: number } {
  let mass = 0,
    x = 0,
    y = 0;
  for (let i = 0; i < pixels.length; i++) {
    mass += pixels[i];
    x += pixels[i] * (i % size);
    y += pixels[i] * Math.floor(i / size);
  }
  return { x: x / mass, y: y / mass };
}
