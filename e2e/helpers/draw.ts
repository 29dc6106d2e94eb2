// Drawing on the Draw screen's sketch pad with the mouse, in pad coordinates (0..280 each way).
import type { Page } from '@playwright/test';

export async function stroke(page: Page, points: [number, number][]) {
  const box = (await page.getByTestId('draw-canvas').boundingBox())!;
  await page.mouse.move(box.x + points[0][0], box.y + points[0][1]);
  await page.mouse.down();
  for (const [x, y] of points.slice(1)) await page.mouse.move(box.x + x, box.y + y, { steps: 3 });
  await page.mouse.up();
}

/** Points along a circular arc, clockwise on screen from `fromDeg` to `toDeg` (0° points right, 90° down). */
export function arc(
  cx: number,
  cy: number,
  radius: number,
  fromDeg: number,
  toDeg: number,
  steps = 16,
): [number, number][] {
  return Array.from({ length: steps + 1 }, (_, i) => {
    const angle = ((fromDeg + ((toDeg - fromDeg) * i) / steps) * Math.PI) / 180;
    return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)];
  });
}
