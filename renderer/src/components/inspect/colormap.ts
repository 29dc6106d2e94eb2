// The colour scales of the inside-the-model view. Activations that are never negative (after relu, pooling,
// softmax) use a sequential scale anchored at 0: black for "silent", through purple and orange to pale yellow for
// "fires strongly", like glowing ink on the black MNIST paper (inferno). Signed values (weights, changes,
// gradient × input, tanh or linear outputs) use a diverging scale symmetric around 0: blue below, red above, so
// the same colour always means the same sign and size on both sides. Its middle follows the theme (pale in the
// light theme, near-black in the dark one) so "nothing" never stands out from the page.
export type Rgb = [number, number, number];

const INFERNO = [
  '#000004',
  '#160b39',
  '#420a68',
  '#6a176e',
  '#932667',
  '#bc3754',
  '#dd513a',
  '#f37819',
  '#fca50a',
  '#f6d746',
  '#fcffa4',
].map(hexRgb);

/** From -1 (blue) through 0 to +1 (red). */
const DIVERGING_LIGHT = [
  '#2166ac',
  '#4393c3',
  '#92c5de',
  '#d1e5f0',
  '#f7f7f7',
  '#fddbc7',
  '#f4a582',
  '#d6604d',
  '#b2182b',
].map(hexRgb);
const DIVERGING_DARK = [
  '#6cb4ff',
  '#3d86d6',
  '#275d96',
  '#1a3556',
  '#141619',
  '#4f211c',
  '#93392b',
  '#d35a3e',
  '#ff8a65',
].map(hexRgb);

export function hexRgb(hex: string): Rgb {
  const n = Number.parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

export function rgbHex([r, g, b]: Rgb): string {
  return `#${((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1)}`;
}

const clamp = (v: number, lo: number, hi: number) => (v < lo ? lo : v > hi ? hi : v);

function interpolate(stops: Rgb[], t: number): Rgb {
  const x = clamp(Number.isFinite(t) ? t : 0, 0, 1) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [stops[i], stops[i + 1]];
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}

/** t in 0..1 (clamped): black → purple → orange → pale yellow. */
export function sequentialRgb(t: number): Rgb {
  return interpolate(INFERNO, t);
}

/** t in -1..1 (clamped): blue → the theme's neutral → red. */
export function divergingRgb(t: number, dark: boolean): Rgb {
  return interpolate(dark ? DIVERGING_DARK : DIVERGING_LIGHT, (clamp(Number.isFinite(t) ? t : 0, -1, 1) + 1) / 2);
}

/** How values map to colours: sequential 0 … max, or diverging −max … 0 … +max. */
export interface ColorScale {
  kind: 'sequential' | 'diverging';
  /** The value drawn in the scale's end colour (its magnitude, for diverging); never 0. */
  max: number;
  /** Every value is 0 (max is then 1, so the picture is uniformly "nothing"). */
  flat: boolean;
}

/** The scale for values in [min, max]: sequential from 0 when none is negative, else diverging around 0. */
export function scaleForRange(min: number, max: number, kind?: ColorScale['kind']): ColorScale {
  const signed = kind ? kind === 'diverging' : min < 0;
  const top = signed ? Math.max(Math.abs(min), Math.abs(max)) : Math.max(max, 0);
  const flat = !(top > 0) || !Number.isFinite(top);
  return { kind: signed ? 'diverging' : 'sequential', max: flat ? 1 : top, flat };
}

/** The colour of one value on a scale. */
export function colorOf(scale: ColorScale, value: number, dark: boolean): Rgb {
  return scale.kind === 'sequential' ? sequentialRgb(value / scale.max) : divergingRgb(value / scale.max, dark);
}

/** A CSS linear-gradient (left to right) of a scale's colours, for its legend. */
export function gradientCss(kind: ColorScale['kind'], dark: boolean, steps = 12): string {
  const colours = Array.from({ length: steps + 1 }, (_, i) => {
    const t = i / steps;
    return rgbHex(kind === 'sequential' ? sequentialRgb(t) : divergingRgb(t * 2 - 1, dark));
  });
  return `linear-gradient(to right, ${colours.join(', ')})`;
}

/** A value as the legends and tooltips write it: three significant digits, no exponent for everyday sizes. */
export function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e4 || abs < 1e-3) return value.toExponential(1).replace('e+', 'e');
  return Number(value.toPrecision(3)).toString();
}

const LUT_SIZE = 256;
const luts = new Map<string, Uint8ClampedArray>();

/** The scale's colours at 256 steps (RGB bytes), from its low end to its high end: fast per-pixel lookup. */
export function colorTable(kind: ColorScale['kind'], dark: boolean): Uint8ClampedArray {
  const key = `${kind}:${dark}`;
  let lut = luts.get(key);
  if (!lut) {
    lut = new Uint8ClampedArray(LUT_SIZE * 3);
    for (let i = 0; i < LUT_SIZE; i++) {
      const t = i / (LUT_SIZE - 1);
      lut.set(kind === 'sequential' ? sequentialRgb(t) : divergingRgb(t * 2 - 1, dark), i * 3);
    }
    luts.set(key, lut);
  }
  return lut;
}

/** The step of colorTable a value falls on. */
export function colorStep(scale: ColorScale, value: number): number {
  const t = scale.kind === 'sequential' ? value / scale.max : (value / scale.max + 1) / 2;
  const step = Math.round((Number.isFinite(t) ? t : 0) * (LUT_SIZE - 1));
  return step < 0 ? 0 : step > LUT_SIZE - 1 ? LUT_SIZE - 1 : step;
}
