// A drawing as the Draw pad records it and the engine reads it: strokes of points in the pad's logical pixels.
// The renderer paints these for the user; the engine builds the model's input from the same vectors
// (engine/evaluate/stroke-raster.ts), with a pen in proportion to the drawing's size.

export interface StrokePoint {
  x: number;
  y: number;
  /** Line width at this point, in logical pixels: BASE_WIDTH, or thinner or thicker with a pen's pressure. */
  width: number;
}

export type Stroke = StrokePoint[];

/** The pad's brush width for mice and fingers; a point's pressure is its width relative to this. */
export const BASE_WIDTH = 18;

/** How much harder (above 1) or lighter (below 1) than a mouse the point was drawn. */
export function pressureOf(point: StrokePoint): number {
  return point.width / BASE_WIDTH;
}

// What a drawing may hold when it crosses IPC. A digit takes a few strokes of a few hundred points; the limits
// leave room for a long scribble while bounding what one request costs to check and rasterise.
/** Strokes in one drawing. */
export const MAX_STROKES = 256;
/** Points in all strokes together. */
export const MAX_DRAWING_POINTS = 20_000;
/** Coordinates may leave the 280 px pad (a stroke keeps the pointer past its edge) but stay on any screen. */
export const MAX_COORDINATE = 10_000;
/** Widest point: a full-pressure pen draws 1.45 × BASE_WIDTH; more is not a pen. */
export const MAX_POINT_WIDTH = 4 * BASE_WIDTH;
