// The saliency overlay: the engine's 28×28 map as coloured, partly transparent pixels over the input.
// Gradient × input is signed (scaled to -1..1): red where a pixel's ink raises the class's score, blue where it
// lowers it; the stronger, the more opaque, so pixels that hardly matter leave the digit visible. Grad-CAM is
// 0..1 (which regions of the last convolution's maps support the class): from clear through orange to yellow.
import type { SaliencyMethod } from '#shared/contract.ts';
import { sequentialRgb, type Rgb } from './colormap.ts';

export const POSITIVE: Rgb = [239, 59, 44];
export const NEGATIVE: Rgb = [40, 120, 235];

export const METHOD_LABELS: Record<SaliencyMethod, string> = {
  'gradient-input': 'Gradient × input',
  'grad-cam': 'Grad-CAM',
};

/** A map value's overlay colour and opacity (0..255). */
export function saliencyPixel(method: SaliencyMethod, value: number): [number, number, number, number] {
  const v = Number.isFinite(value) ? value : 0;
  if (method === 'gradient-input') {
    const strength = Math.min(1, Math.abs(v));
    const [r, g, b] = v >= 0 ? POSITIVE : NEGATIVE;
    // A square root lifts faint pixels enough to be seen without hiding the strongest.
    return [r, g, b, Math.round(255 * Math.sqrt(strength))];
  }
  const t = Math.min(1, Math.max(0, v));
  const [r, g, b] = sequentialRgb(0.45 + 0.55 * t);
  return [r, g, b, Math.round(255 * Math.min(1, t * 1.15))];
}

/** The overlay of a whole map as RGBA bytes (width × height × 4). */
export function saliencyRgba(method: SaliencyMethod, map: ArrayLike<number>): Uint8ClampedArray {
  const out = new Uint8ClampedArray(map.length * 4);
  for (let i = 0; i < map.length; i++) out.set(saliencyPixel(method, map[i]), i * 4);
  return out;
}

/** A short checksum of a map, so tests and the DOM can tell two maps apart. */
export function mapSignature(map: ArrayLike<number>): string {
  let hash = 0;
  for (let i = 0; i < map.length; i++) hash = (hash * 31 + Math.round(map[i] * 1000)) | 0;
  return (hash >>> 0).toString(16);
}
