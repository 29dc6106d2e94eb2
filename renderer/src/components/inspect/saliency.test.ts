import { describe, expect, it } from 'vitest';
import { NEGATIVE, POSITIVE, mapSignature, saliencyPixel, saliencyRgba } from './saliency.ts';

describe('saliency overlay', () => {
  it('colours gradient × input red for evidence for the class, blue against, opaque as it is strong', () => {
    expect(saliencyPixel('gradient-input', 1)).toEqual([...POSITIVE, 255]);
    expect(saliencyPixel('gradient-input', -1)).toEqual([...NEGATIVE, 255]);
    expect(saliencyPixel('gradient-input', 0)[3]).toBe(0);
    expect(saliencyPixel('gradient-input', 0.25)[3]).toBe(128);
    expect(saliencyPixel('gradient-input', -4)).toEqual([...NEGATIVE, 255]);
    expect(saliencyPixel('gradient-input', Number.NaN)[3]).toBe(0);
  });

  it('runs Grad-CAM from clear to opaque yellow', () => {
    expect(saliencyPixel('grad-cam', 0)[3]).toBe(0);
    expect(saliencyPixel('grad-cam', 1)[3]).toBe(255);
    const [r, g, b] = saliencyPixel('grad-cam', 1);
    expect(r).toBeGreaterThan(200);
    expect(g).toBeGreaterThan(200);
    expect(b).toBeLessThan(200);
    expect(saliencyPixel('grad-cam', -1)[3]).toBe(0);
  });

  it('builds the RGBA bytes of a whole map', () => {
    const rgba = saliencyRgba('gradient-input', [1, -1]);
    expect(Array.from(rgba)).toEqual([...POSITIVE, 255, ...NEGATIVE, 255]);
  });

  it('tells maps apart', () => {
    expect(mapSignature([0.1, 0.2])).toBe(mapSignature(Float32Array.of(0.1, 0.2)));
    expect(mapSignature([0.1, 0.2])).not.toBe(mapSignature([0.2, 0.1]));
  });
});
