import { describe, expect, it } from 'vitest';
import { BASE_WIDTH, type Stroke } from '#shared/drawing.ts';
import { drawSegment, extendsStroke, inkColours, MIN_POINT_SPACING, PAD_SIZE, paint, widthFor } from './strokes.ts';

/** A 2D context that records what is drawn, as "call(args)" lines and the style in effect at each fill/stroke. */
function recordingContext() {
  const log: string[] = [];
  const ctx = {
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    lineCap: 'butt',
    lineJoin: 'miter',
    beginPath: () => log.push('beginPath()'),
    arc: (x: number, y: number, r: number) => log.push(`arc(${x},${y},${r})`),
    moveTo: (x: number, y: number) => log.push(`moveTo(${x},${y})`),
    lineTo: (x: number, y: number) => log.push(`lineTo(${x},${y})`),
    fill: () => log.push(`fill ${ctx.fillStyle}`),
    stroke: () => log.push(`stroke ${ctx.strokeStyle} width ${ctx.lineWidth}`),
    fillRect: (x: number, y: number, w: number, h: number) =>
      log.push(`fillRect(${x},${y},${w},${h}) ${ctx.fillStyle}`),
  };
  return { ctx, log, asCanvas: ctx as unknown as CanvasRenderingContext2D };
}

const point = (x: number, y: number, width = BASE_WIDTH) => ({ x, y, width });
const pointer = (pointerType: string, pressure: number) => ({ pointerType, pressure }) as PointerEvent;

describe('inkColours', () => {
  it('is black on white or white on black, whatever the theme', () => {
    expect(inkColours('dark-on-light')).toEqual({ ink: '#000000', paper: '#ffffff' });
    expect(inkColours('light-on-dark')).toEqual({ ink: '#ffffff', paper: '#000000' });
  });
});

describe('widthFor', () => {
  it('uses the base width for mice and touch, whatever pressure they report', () => {
    expect(widthFor(pointer('mouse', 0.5))).toBe(BASE_WIDTH);
    expect(widthFor(pointer('touch', 1))).toBe(BASE_WIDTH);
  });

  it("varies a pen's width with its pressure, capped at full pressure", () => {
    expect(widthFor(pointer('pen', 0.5))).toBeCloseTo(BASE_WIDTH * 0.9, 10);
    expect(widthFor(pointer('pen', 1))).toBeCloseTo(BASE_WIDTH * 1.45, 10);
    expect(widthFor(pointer('pen', 3))).toBeCloseTo(BASE_WIDTH * 1.45, 10);
    expect(widthFor(pointer('pen', 0.1))).toBeLessThan(widthFor(pointer('pen', 0.9)));
  });

  it('treats a pen without pressure (hovering, or not reporting it) as a mouse', () => {
    expect(widthFor(pointer('pen', 0))).toBe(BASE_WIDTH);
  });
});

describe('extendsStroke', () => {
  it('keeps the first point, and each one at least MIN_POINT_SPACING from the last', () => {
    expect(extendsStroke([], point(5, 5))).toBe(true);
    expect(extendsStroke([point(5, 5)], point(5 + MIN_POINT_SPACING, 5))).toBe(true);
    expect(extendsStroke([point(0, 0), point(5, 5)], point(5.5, 5.4))).toBe(false);
    expect(extendsStroke([point(5, 5)], point(5, 5, BASE_WIDTH * 1.4))).toBe(false);
  });
});

describe('drawSegment', () => {
  it('draws a line at the mean of its end widths', () => {
    const { log, asCanvas } = recordingContext();
    drawSegment(asCanvas, point(1, 2, 10), point(3, 4, 20));
    expect(log).toEqual(['beginPath()', 'moveTo(1,2)', 'lineTo(3,4)', 'stroke  width 15']);
  });
});

describe('paint', () => {
  it('fills the pad with paper, then draws each stroke in ink with round ends', () => {
    const { ctx, log, asCanvas } = recordingContext();
    const strokes: Stroke[] = [[point(10, 10, 18)], [point(0, 0, 10), point(5, 5, 10), point(9, 0, 14)]];
    paint(asCanvas, strokes, 'dark-on-light');
    expect(log).toEqual([
      `fillRect(0,0,${PAD_SIZE},${PAD_SIZE}) #ffffff`,
      // A single-point stroke (a tap) is a dot of the stroke's width.
      'beginPath()',
      'arc(10,10,9)',
      'fill #000000',
      'beginPath()',
      'moveTo(0,0)',
      'lineTo(5,5)',
      'stroke #000000 width 10',
      'beginPath()',
      'moveTo(5,5)',
      'lineTo(9,0)',
      'stroke #000000 width 12',
    ]);
    expect([ctx.lineCap, ctx.lineJoin]).toEqual(['round', 'round']);
  });

  it('paints light ink on dark paper in that mode', () => {
    const { log, asCanvas } = recordingContext();
    paint(asCanvas, [[point(1, 1)]], 'light-on-dark');
    expect(log[0]).toBe(`fillRect(0,0,${PAD_SIZE},${PAD_SIZE}) #000000`);
    expect(log.at(-1)).toBe('fill #ffffff');
  });

  it('leaves a blank pad when there are no strokes (or an empty one)', () => {
    const { log, asCanvas } = recordingContext();
    paint(asCanvas, [[]], 'dark-on-light');
    expect(log).toEqual([`fillRect(0,0,${PAD_SIZE},${PAD_SIZE}) #ffffff`]);
  });
});
