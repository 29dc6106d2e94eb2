// Drawing kept as strokes (lists of points in logical canvas pixels) rather than pixels, so undo is "drop the
// last stroke and repaint" and a change of ink colours or device pixel ratio repaints exactly.

export interface StrokePoint {
  x: number;
  y: number;
  /** Line width at this point, in logical pixels (pens vary it with pressure). */
  width: number;
}

export type Stroke = StrokePoint[];

export type InkMode = 'dark-on-light' | 'light-on-dark';

/** Logical size of the square drawing surface. */
export const PAD_SIZE = 280;
/** About what MNIST's pen width is relative to a digit filling most of the pad. */
export const BASE_WIDTH = 18;
/**
 * Side of the image sent to the engine. The engine crops to the ink and scales it to 20 px, so half the pad's
 * resolution loses nothing the model can see, while a quarter of the bytes keeps each live prediction cheap
 * (and independent of the screen's pixel ratio).
 */
export const CAPTURE_SIZE = 140;

export function inkColours(mode: InkMode): { ink: string; paper: string } {
  // Literal colours on purpose: this is the image the model sees, not UI chrome, so it ignores the theme.
  return mode === 'dark-on-light' ? { ink: '#000000', paper: '#ffffff' } : { ink: '#ffffff', paper: '#000000' };
}

/** Pens draw thinner or thicker with pressure; mice and fingers report no meaningful pressure. */
export function widthFor(event: PointerEvent): number {
  if (event.pointerType === 'pen' && event.pressure > 0) return BASE_WIDTH * (0.35 + 1.1 * Math.min(event.pressure, 1));
  return BASE_WIDTH;
}

export function drawDot(ctx: CanvasRenderingContext2D, point: StrokePoint): void {
  ctx.beginPath();
  ctx.arc(point.x, point.y, point.width / 2, 0, Math.PI * 2);
  ctx.fill();
}

export function drawSegment(ctx: CanvasRenderingContext2D, from: StrokePoint, to: StrokePoint): void {
  ctx.lineWidth = (from.width + to.width) / 2;
  ctx.beginPath();
  ctx.moveTo(from.x, from.y);
  ctx.lineTo(to.x, to.y);
  ctx.stroke();
}

/** Sets up the context for ink: round caps and joins so segments join into one smooth line. */
export function prepareInk(ctx: CanvasRenderingContext2D, mode: InkMode): void {
  const { ink } = inkColours(mode);
  ctx.strokeStyle = ink;
  ctx.fillStyle = ink;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
}

/** Repaints everything: paper, then every stroke. */
export function paint(ctx: CanvasRenderingContext2D, strokes: Stroke[], mode: InkMode): void {
  ctx.fillStyle = inkColours(mode).paper;
  ctx.fillRect(0, 0, PAD_SIZE, PAD_SIZE);
  prepareInk(ctx, mode);
  for (const stroke of strokes) {
    if (stroke.length === 1) drawDot(ctx, stroke[0]);
    for (let i = 1; i < stroke.length; i++) drawSegment(ctx, stroke[i - 1], stroke[i]);
  }
}

/** The pad's pixels at CAPTURE_SIZE, as canvas RGBA: what predict:image takes. */
export function capture(
  canvas: HTMLCanvasElement,
  scratch: HTMLCanvasElement,
): { width: number; height: number; data: Uint8ClampedArray<ArrayBuffer> } | null {
  scratch.width = CAPTURE_SIZE;
  scratch.height = CAPTURE_SIZE;
  const ctx = scratch.getContext('2d', { willReadFrequently: true });
  if (!ctx) return null;
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(canvas, 0, 0, CAPTURE_SIZE, CAPTURE_SIZE);
  const image = ctx.getImageData(0, 0, CAPTURE_SIZE, CAPTURE_SIZE);
  return { width: image.width, height: image.height, data: image.data };
}
