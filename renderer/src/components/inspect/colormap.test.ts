import { describe, expect, it } from 'vitest';
import {
  colorOf,
  colorStep,
  colorTable,
  divergingRgb,
  formatValue,
  gradientCss,
  hexRgb,
  rgbHex,
  scaleForRange,
  sequentialRgb,
} from './colormap.ts';

describe('inside-view colour scales', () => {
  it('runs the sequential scale from black (silent) to pale yellow (strongest), clamped', () => {
    expect(rgbHex(sequentialRgb(0))).toBe('#000004');
    expect(rgbHex(sequentialRgb(1))).toBe('#fcffa4');
    expect(sequentialRgb(-3)).toEqual(sequentialRgb(0));
    expect(sequentialRgb(7)).toEqual(sequentialRgb(1));
    expect(sequentialRgb(Number.NaN)).toEqual(sequentialRgb(0));
    // Brighter as the value grows.
    const lum = (t: number) => sequentialRgb(t).reduce((a, b) => a + b, 0);
    for (let i = 0; i < 10; i++) expect(lum((i + 1) / 10)).toBeGreaterThan(lum(i / 10));
  });

  it('runs the diverging scale blue → neutral → red, the neutral following the theme', () => {
    const [nr, ng, nb] = divergingRgb(0, false);
    expect(Math.min(nr, ng, nb)).toBeGreaterThan(230);
    expect(Math.max(...divergingRgb(0, true))).toBeLessThan(40);
    for (const dark of [false, true]) {
      const [r1, , b1] = divergingRgb(1, dark);
      const [r2, , b2] = divergingRgb(-1, dark);
      expect(r1).toBeGreaterThan(b1);
      expect(b2).toBeGreaterThan(r2);
      expect(divergingRgb(5, dark)).toEqual(divergingRgb(1, dark));
    }
  });

  it('picks sequential from 0 for non-negative values and a symmetric diverging scale for signed ones', () => {
    expect(scaleForRange(0, 3.2)).toEqual({ kind: 'sequential', max: 3.2, flat: false });
    expect(scaleForRange(0.5, 2)).toEqual({ kind: 'sequential', max: 2, flat: false });
    expect(scaleForRange(-0.4, 0.1)).toEqual({ kind: 'diverging', max: 0.4, flat: false });
    expect(scaleForRange(-0.1, 0.3)).toEqual({ kind: 'diverging', max: 0.3, flat: false });
    expect(scaleForRange(0, 2, 'diverging')).toEqual({ kind: 'diverging', max: 2, flat: false });
    // All zero: a scale that still divides, marked flat.
    expect(scaleForRange(0, 0)).toEqual({ kind: 'sequential', max: 1, flat: true });
  });

  it('colours a value by its scale', () => {
    const seq = scaleForRange(0, 4);
    expect(colorOf(seq, 4, false)).toEqual(sequentialRgb(1));
    expect(colorOf(seq, 2, true)).toEqual(sequentialRgb(0.5));
    const div = scaleForRange(-2, 1);
    expect(colorOf(div, -2, false)).toEqual(divergingRgb(-1, false));
    expect(colorOf(div, 1, true)).toEqual(divergingRgb(0.5, true));
  });

  it('writes legends as CSS gradients and values with three significant digits', () => {
    expect(gradientCss('sequential', false, 2)).toBe('linear-gradient(to right, #000004, #bc3754, #fcffa4)');
    expect(gradientCss('diverging', false, 2)).toMatch(/^linear-gradient\(to right, #2166ac, #f7f7f7, #b2182b\)$/);
    expect(hexRgb('#0a0b0c')).toEqual([10, 11, 12]);
    expect([formatValue(0), formatValue(3.14159), formatValue(-0.012345), formatValue(1234.5)]).toEqual([
      '0',
      '3.14',
      '-0.0123',
      '1230',
    ]);
    expect(formatValue(0.00001234)).toBe('1.2e-5');
  });
});

describe('colour tables', () => {
  it('looks colours up in 256 steps, matching the scale at its ends and middle', () => {
    const seq = colorTable('sequential', false);
    expect(seq).toHaveLength(768);
    expect(Array.from(seq.slice(0, 3))).toEqual(sequentialRgb(0));
    expect(Array.from(seq.slice(765))).toEqual(sequentialRgb(1));
    const div = scaleForRange(-2, 2);
    expect(colorStep(div, -2)).toBe(0);
    expect(colorStep(div, 0)).toBe(128);
    expect(colorStep(div, 9)).toBe(255);
    expect(colorStep(scaleForRange(0, 4), 2)).toBe(128);
    expect(colorStep(scaleForRange(0, 4), -1)).toBe(0);
    expect(colorTable('diverging', true)).toBe(colorTable('diverging', true));
  });
});
