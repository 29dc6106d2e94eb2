// The arithmetic of inspection done on the values read back from the backend: each layer's summary, the two
// saliency maps (gradient × input, Grad-CAM) from the gradients the model inspector computed, the bilinear
// upsampling Grad-CAM needs and the strongest pixels. Plain loops over a few thousand values at most, the same
// on every backend.

export interface ValueSummary {
  min: number;
  max: number;
  mean: number;
}

export function summarize(values: Float32Array): ValueSummary {
  if (values.length === 0) return { min: 0, max: 0, mean: 0 };
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / values.length };
}

/** Divides by the largest |value| so the strongest is ±1; an all-zero map stays zero. */
function scaleToUnit(map: Float32Array): Float32Array {
  let peak = 0;
  for (const v of map) peak = Math.max(peak, Math.abs(v));
  if (peak > 0) for (let i = 0; i < map.length; i++) map[i] /= peak;
  return map;
}

/**
 * Gradient × input, per pixel (summed over the input's channels), scaled so the strongest pixel is ±1. Signed:
 * positive where the ink raised the class's score, negative where it lowered it.
 */
export function gradientTimesInput(
  gradient: Float32Array,
  input: Float32Array,
  [height, width, channels]: readonly number[],
): Float32Array {
  const map = new Float32Array(height * width);
  for (let p = 0; p < height * width; p++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += gradient[p * channels + c] * input[p * channels + c];
    map[p] = sum;
  }
  return scaleToUnit(map);
}

/**
 * Grad-CAM (Selvaraju et al. 2017) from a Conv2D layer's output A (height × width × K, channel-last) and the
 * gradient of the class score with respect to it: each channel weighs w_k = the spatial mean of its gradient,
 * the map is ReLU(Σ_k w_k A_k), upsampled bilinearly to the input's size and scaled to 0..1.
 */
export function gradCam(
  activation: Float32Array,
  gradient: Float32Array,
  [height, width, channels]: readonly number[],
  [outHeight, outWidth]: readonly number[],
): Float32Array {
  const cells = height * width;
  const weights = new Float64Array(channels);
  for (let p = 0; p < cells; p++) for (let k = 0; k < channels; k++) weights[k] += gradient[p * channels + k];
  for (let k = 0; k < channels; k++) weights[k] /= cells;
  const cam = new Float32Array(cells);
  for (let p = 0; p < cells; p++) {
    let sum = 0;
    for (let k = 0; k < channels; k++) sum += weights[k] * activation[p * channels + k];
    cam[p] = Math.max(0, sum);
  }
  return scaleToUnit(resizeBilinear(cam, height, width, outHeight, outWidth));
}

/**
 * Bilinear resampling of a one-channel map with half-pixel centres (TensorFlow's resize_bilinear with
 * half_pixel_centers, OpenCV's resize): each output pixel's centre is mapped into the source and its four
 * neighbours blended, edges clamped. Upsampling a map keeps its constant regions and its maximum.
 */
export function resizeBilinear(
  map: Float32Array,
  height: number,
  width: number,
  outHeight: number,
  outWidth: number,
): Float32Array {
  const out = new Float32Array(outHeight * outWidth);
  const source = (i: number, size: number, outSize: number) => {
    const at = Math.min(Math.max(((i + 0.5) * size) / outSize - 0.5, 0), size - 1);
    const low = Math.floor(at);
    return { low, high: Math.min(low + 1, size - 1), frac: at - low };
  };
  const columns = Array.from({ length: outWidth }, (_, x) => source(x, width, outWidth));
  for (let y = 0; y < outHeight; y++) {
    const row = source(y, height, outHeight);
    for (let x = 0; x < outWidth; x++) {
      const col = columns[x];
      const top = map[row.low * width + col.low] * (1 - col.frac) + map[row.low * width + col.high] * col.frac;
      const bottom = map[row.high * width + col.low] * (1 - col.frac) + map[row.high * width + col.high] * col.frac;
      out[y * outWidth + x] = top * (1 - row.frac) + bottom * row.frac;
    }
  }
  return out;
}

export const TOP_PIXELS = 20;

/** The `count` pixels of largest |value| (zeros left out), strongest first; ties in reading order. */
export function topPixels(
  map: Float32Array,
  width: number,
  count = TOP_PIXELS,
): { x: number; y: number; value: number }[] {
  const order: number[] = [];
  for (let i = 0; i < map.length; i++) if (map[i] !== 0) order.push(i);
  order.sort((a, b) => Math.abs(map[b]) - Math.abs(map[a]) || a - b);
  return order.slice(0, count).map((i) => ({ x: i % width, y: Math.floor(i / width), value: map[i] }));
}
