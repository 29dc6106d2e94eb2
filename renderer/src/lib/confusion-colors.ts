// The one colour scale of every confusion matrix (Evaluate's and Compare's), so the same blue means the same
// thing on both screens. Light theme: pale to deep blue; dark theme: deep to bright, so "more" always stands out
// from the background.
const LIGHT = ['#e3eef9', '#c6dbef', '#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
const DARK = ['#1b2f45', '#1f4468', '#245a8b', '#2c72ae', '#3f8fd0', '#63aae3', '#92c6f0', '#c6e2fa'];
// Index of the first step whose colour needs the opposite text colour.
const LIGHT_TEXT_FROM = { light: 4, dark: 5 };

/** The scale's colours, from least to most. */
export function confusionColors(dark: boolean): string[] {
  return dark ? DARK : LIGHT;
}

export const CONFUSION_STEPS = LIGHT.length;

/** The step nearest to `fraction` of the scale's top, as a continuous visualMap interpolates the colours. */
export function confusionStep(fraction: number): number {
  return Math.min(CONFUSION_STEPS - 1, Math.max(0, Math.round(fraction * (CONFUSION_STEPS - 1))));
}

/** A cell number readable on step `step` of the scale. */
export function confusionTextColor(step: number, dark: boolean): string {
  const lightText = dark ? step >= 0 && step < LIGHT_TEXT_FROM.dark : step >= LIGHT_TEXT_FROM.light;
  return lightText ? '#ffffff' : '#111111';
}
