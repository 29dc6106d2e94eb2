import type { RgbaImage } from '#engine/evaluate/preprocess.ts';

/** A 28×28 MNIST digit (white on black bytes) painted black on white at `scale`×, bilinear between pixel centres. */
export function paintMnist(pixels: ArrayLike<number>, scale: number): RgbaImage {
  const side = 28 * scale;
  const data = new Uint8ClampedArray(side * side * 4).fill(255);
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= 28 || y >= 28 ? 0 : pixels[y * 28 + x]);
  for (let cy = 0; cy < side; cy++)
    for (let cx = 0; cx < side; cx++) {
      const fx = (cx + 0.5) / scale - 0.5,
        fy = (cy + 0.5) / scale - 0.5;
      const ix = Math.floor(fx),
        iy = Math.floor(fy),
        tx = fx - ix,
        ty = fy - iy;
      const ink =
        (1 - ty) * ((1 - tx) * at(ix, iy) + tx * at(ix + 1, iy)) +
        ty * ((1 - tx) * at(ix, iy + 1) + tx * at(ix + 1, iy + 1));
      const i = (cy * side + cx) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255 - ink;
    }
  return { width: side, height: side, data };
}
