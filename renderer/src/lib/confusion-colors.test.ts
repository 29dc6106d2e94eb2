import { describe, expect, it } from 'vitest';
import { CONFUSION_STEPS, confusionColors, confusionStep, confusionTextColor } from './confusion-colors.ts';

describe('confusion colour scale', () => {
  it('has as many colours in both themes', () => {
    expect(confusionColors(false)).toHaveLength(CONFUSION_STEPS);
    expect(confusionColors(true)).toHaveLength(CONFUSION_STEPS);
    expect(confusionColors(true)).not.toEqual(confusionColors(false));
  });

  it('maps a fraction of the top to the nearest step, clamped to the scale', () => {
    expect([confusionStep(0), confusionStep(0.5), confusionStep(1)]).toEqual([0, 4, 7]);
    expect([confusionStep(-1), confusionStep(2)]).toEqual([0, 7]);
  });

  it('writes white on the deep colours and dark on the pale ones, the other way round in the dark theme', () => {
    expect([confusionTextColor(0, false), confusionTextColor(7, false)]).toEqual(['#111111', '#ffffff']);
    expect([confusionTextColor(0, true), confusionTextColor(7, true)]).toEqual(['#ffffff', '#111111']);
  });
});
