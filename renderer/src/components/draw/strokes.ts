// Drawing kept as strokes (lists of points in logical canvas pixels) rather than pixels, so undo is "drop the
// last stroke and repaint", a change of ink colours or device pixel ratio repaints exactly, and the engine builds
// the model's input from the same vectors with a pen in proportion to the drawing (engine/evaluate/stroke-raster.ts).
import { BASE_WIDTH, type Stroke, type StrokePoint } from '#shared/drawing.ts';

export type InkMode = 'dark-on-light' | 'light-on-dark';

/** Logical size of the square drawing surface. */
export const PAD_SIZE = 280;
/**
 * A pointer move shorter than this (logical pixels) adds no point: a pen's coalesced events on a high-density
 * screen come a fraction of a pixel apart, and would only fill the drawing's point budget (MAX_DRAWING_POINTS).
 */
export const MIN_POINT_SPACING = 1;

export function inkColours(mode: InkMode): { ink: string; paper: string } {
  // Literal colours on purpose: paper and ink, not UI chrome, so they ignore the theme. The model reads the
  // strokes, not these pixels, so either mode gives it the same input.
  return mode === 'dark-on-light' ? { ink: '#000000', paper: '#ffffff' } : { ink: '#ffffff', paper: '#000000' };
}

/** Pens draw thinner or thicker with pressure; mice and fingers report no meaningful pressure. */
export function widthFor(event: PointerEvent): number {
  if (event.pointerType === 'pen' && event.pressure > 0) return BASE_WIDTH * (0.35 + 1.1 * Math.min(event.pressure, 1));
  return BASE_WIDTH;
}

/** Whether `point` is far enough from the stroke's last point to be kept. */
export function extendsStroke(stroke: Stroke, point: StrokePoint): boolean {
  const last = stroke.at(-1);
  return !last || Math.hypot(point.x - last.x, point.y - last.y) >= MIN_POINT_SPACING;
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
