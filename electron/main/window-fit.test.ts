import { describe, expect, it } from 'vitest';
import { fitToDisplays, MIN_SIZE, type DisplayArea, type WindowState } from './window-fit.ts';

const display = (x: number, y: number, width: number, height: number): DisplayArea => ({
  workArea: { x, y, width, height },
});
const laptop = display(0, 0, 1920, 1080);
const saved = (x: number | undefined, y: number | undefined, width = 1280, height = 800): WindowState =>
  x === undefined || y === undefined ? { width, height, maximized: false } : { x, y, width, height, maximized: false };

describe('fitToDisplays', () => {
  it('keeps a window that lies wholly on a display as it is', () => {
    expect(fitToDisplays(saved(100, 50), [laptop])).toEqual(saved(100, 50));
  });

  it('keeps the maximized and contentSize flags', () => {
    const state: WindowState = { width: 1280, height: 800, maximized: true, contentSize: true };
    expect(fitToDisplays(state, [laptop])).toEqual(state);
  });

  it('does not modify the state it is given', () => {
    const state = saved(5000, 5000, 3000, 2000);
    fitToDisplays(state, [laptop]);
    expect(state).toEqual(saved(5000, 5000, 3000, 2000));
  });

  it('drops a position off every display (a monitor since unplugged)', () => {
    const fitted = fitToDisplays(saved(2500, 100), [laptop]);
    expect(fitted).toEqual(saved(undefined, undefined));
    expect('x' in fitted || 'y' in fitted).toBe(false);
  });

  it('drops a position above the display, where the title bar cannot be grabbed', () => {
    expect(fitToDisplays(saved(100, -500), [laptop]).x).toBeUndefined();
  });

  it('keeps a partly visible window while enough of its title bar is on screen', () => {
    // 120 px of the top edge and 20 px of its height on the display are enough.
    expect(fitToDisplays(saved(1920 - 120, 100), [laptop])).toMatchObject({ x: 1800, y: 100 });
    expect(fitToDisplays(saved(100, 1080 - 20), [laptop])).toMatchObject({ x: 100, y: 1060 });
    expect(fitToDisplays(saved(-1280 + 120, 100), [laptop])).toMatchObject({ x: -1160, y: 100 });
  });

  it('drops the position when less than that is visible', () => {
    expect(fitToDisplays(saved(1920 - 119, 100), [laptop]).x).toBeUndefined();
    expect(fitToDisplays(saved(100, 1080 - 19), [laptop]).y).toBeUndefined();
  });

  it('shrinks a window larger than the largest display to that display', () => {
    expect(fitToDisplays(saved(0, 0, 2560, 1440), [laptop])).toEqual(saved(0, 0, 1920, 1080));
  });

  it('never shrinks below the minimum size, even on a smaller display', () => {
    const small = display(0, 0, 800, 500);
    expect(fitToDisplays(saved(0, 0, 1280, 800), [small])).toEqual(saved(0, 0, MIN_SIZE.width, MIN_SIZE.height));
  });

  it('keeps the size when there are no displays (or only empty ones) to measure', () => {
    expect(fitToDisplays(saved(undefined, undefined, 3000, 2000), [])).toEqual(saved(undefined, undefined, 3000, 2000));
    expect(fitToDisplays(saved(undefined, undefined, 3000, 2000), [display(0, 0, 0, 0)])).toEqual(
      saved(undefined, undefined, 3000, 2000),
    );
  });

  it('drops any position when there are no displays', () => {
    expect(fitToDisplays(saved(10, 10), [])).toEqual(saved(undefined, undefined));
  });

  describe('with several displays', () => {
    const external = display(1920, -200, 2560, 1440);
    const displays = [laptop, external];

    it('keeps a position on the second display', () => {
      expect(fitToDisplays(saved(2200, 0), displays)).toMatchObject({ x: 2200, y: 0 });
    });

    it('keeps a window straddling two displays', () => {
      expect(fitToDisplays(saved(1900, 300), displays)).toMatchObject({ x: 1900, y: 300 });
    });

    it('drops a position in the gap above the shorter display', () => {
      // Right of the laptop's area is the external one; above both (y < -200) there is nothing.
      expect(fitToDisplays(saved(500, -300), displays).x).toBeUndefined();
      // The laptop's area ends at y = 0 at the top, but the external one reaches up to -200.
      expect(fitToDisplays(saved(2000, -150), displays)).toMatchObject({ x: 2000, y: -150 });
    });

    it('bounds the size by the largest display, whichever it is listed as', () => {
      const huge = saved(undefined, undefined, 4000, 3000);
      expect(fitToDisplays(huge, [laptop, external])).toEqual(saved(undefined, undefined, 2560, 1440));
      expect(fitToDisplays(huge, [external, laptop])).toEqual(saved(undefined, undefined, 2560, 1440));
    });
  });
});
