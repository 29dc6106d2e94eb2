// Reading the engine's tensors as the view draws them. Layer outputs come channel-last (height × width ×
// channels, as TensorFlow holds them) and Conv2D kernels as kernelHeight × kernelWidth × inChannels × filters;
// the view wants one 2-D plane per channel or filter, a few numbers per plane, and long vectors cut to a number
// of bars a chart can show.

export interface PlaneStats {
  min: number;
  max: number;
  mean: number;
}

/** Channel `c` of a height × width × channels output, as a row-major height × width plane. */
export function channelPlane(
  values: ArrayLike<number>,
  height: number,
  width: number,
  channels: number,
  c: number,
): Float32Array {
  const plane = new Float32Array(height * width);
  for (let i = 0; i < height * width; i++) plane[i] = values[i * channels + c];
  return plane;
}

/** Every channel's own min, max and mean. */
export function channelStats(values: ArrayLike<number>, height: number, width: number, channels: number): PlaneStats[] {
  const stats = Array.from({ length: channels }, () => ({ min: Infinity, max: -Infinity, mean: 0 }));
  const pixels = height * width;
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < channels; c++) {
      const v = values[i * channels + c];
      const s = stats[c];
      if (v < s.min) s.min = v;
      if (v > s.max) s.max = v;
      s.mean += v;
    }
  }
  for (const s of stats) {
    s.mean = pixels ? s.mean / pixels : 0;
    if (!pixels) s.min = s.max = 0;
  }
  return stats;
}

export function planeStats(values: ArrayLike<number>): PlaneStats {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return values.length ? { min, max, mean: sum / values.length } : { min: 0, max: 0, mean: 0 };
}

export interface KernelShape {
  kernelHeight: number;
  kernelWidth: number;
  inChannels: number;
  filters: number;
}

/** The kh × kw weights filter `f` applies to input channel `c`. */
export function filterPlane(kernel: ArrayLike<number>, shape: KernelShape, f: number, c: number): Float32Array {
  const { kernelHeight, kernelWidth, inChannels, filters } = shape;
  const plane = new Float32Array(kernelHeight * kernelWidth);
  for (let p = 0; p < kernelHeight * kernelWidth; p++) plane[p] = kernel[(p * inChannels + c) * filters + f];
  return plane;
}

/** Filter `f`'s mean |weight| over all its input channels, per kernel position (a summary of a deep filter). */
export function filterMeanAbs(kernel: ArrayLike<number>, shape: KernelShape, f: number): Float32Array {
  const { kernelHeight, kernelWidth, inChannels, filters } = shape;
  const plane = new Float32Array(kernelHeight * kernelWidth);
  for (let p = 0; p < kernelHeight * kernelWidth; p++) {
    let sum = 0;
    for (let c = 0; c < inChannels; c++) sum += Math.abs(kernel[(p * inChannels + c) * filters + f]);
    plane[p] = sum / inChannels;
  }
  return plane;
}

/** The mean |value| of a whole tensor. */
export function meanAbs(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.abs(values[i]);
  return values.length ? sum / values.length : 0;
}

export function maxAbs(values: ArrayLike<number>): number {
  let top = 0;
  for (let i = 0; i < values.length; i++) top = Math.max(top, Math.abs(values[i]));
  return top;
}

export interface Bars {
  /** One value per bar: the bin's value of largest magnitude (its sign kept). */
  values: number[];
  /** Units per bar (1: every unit is a bar). */
  binSize: number;
  /** The first unit of each bar. */
  starts: number[];
}

/**
 * A vector of units as at most `maxBars` bars. Longer vectors are cut into equal runs of consecutive units and
 * each bar shows its run's strongest unit, so a unit that fires is never averaged away.
 */
export function binVector(values: ArrayLike<number>, maxBars: number): Bars {
  const n = values.length;
  const binSize = Math.max(1, Math.ceil(n / Math.max(1, maxBars)));
  const out: number[] = [];
  const starts: number[] = [];
  for (let start = 0; start < n; start += binSize) {
    let best = values[start];
    for (let i = start + 1; i < Math.min(n, start + binSize); i++)
      if (Math.abs(values[i]) > Math.abs(best)) best = values[i];
    out.push(best);
    starts.push(start);
  }
  return { values: out, binSize, starts };
}

/** Whether two outputs hold the same numbers (a Dropout at inference, a Flatten). */
export function sameValues(a: ArrayLike<number>, b: ArrayLike<number>, tolerance = 1e-6): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (d > tolerance * Math.max(1, Math.abs(a[i]))) return false;
  }
  return true;
}
