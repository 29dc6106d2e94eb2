// The augmentation kernel (electron/engine/train/augment.ts): off is a byte-exact copy, amounts are reproducible
// per (seed, step, position), each transform does what it says (measured on synthetic images and real MNIST
// digits), the fast kernel matches a naive reference, and bad settings are refused by name. No timings.
import { describe, expect, it } from 'vitest';
import { loadDataset, resolveDatasetSource } from '#engine/data/datasets.ts';
import type { ImageSet } from '#engine/data/idx.ts';
import { seededRandom } from '#engine/data/random.ts';
import {
  AUGMENTATION_RULES,
  Augmenter,
  IDENTITY_PARAMS,
  NO_AUGMENTATION,
  augmentationEnabled,
  type AugmentationParams,
  type AugmentationSettings,
} from '#engine/train/augment.ts';

const MNIST = { height: 28, width: 28, channels: 1 };
const SIZE = 28 * 28;
const ALL_ON: AugmentationSettings = { rotation: 15, scale: 0.15, shift: 3, thickness: 0.5, elastic: 3 };

const mnist = () => loadDataset(resolveDatasetSource('mnist')).train;
const settings = (s: Partial<AugmentationSettings>): AugmentationSettings => ({ ...NO_AUGMENTATION, ...s });
const params = (p: Partial<AugmentationParams>): AugmentationParams => ({ ...IDENTITY_PARAMS, ...p });
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

function imageSet(images: Uint8Array[], height = 28, width = 28, channels = 1): ImageSet {
  const all = new Uint8Array(images.length * height * width * channels);
  images.forEach((image, i) => all.set(image, i * image.length));
  return { images: all, labels: new Uint8Array(images.length), count: images.length, height, width, channels };
}

/** A W×H one-channel image drawn by f(x, y) (values clamped to 0..255). */
function draw(f: (x: number, y: number) => number, W = 28, H = 28): Uint8Array {
  const image = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) image[y * W + x] = Math.max(0, Math.min(255, f(x, y)));
  return image;
}

/** Ink mass, centre of mass, second central moments. */
function moments(image: ArrayLike<number>, W = 28) {
  let mass = 0,
    sx = 0,
    sy = 0;
  for (let i = 0; i < image.length; i++) {
    mass += image[i];
    sx += image[i] * (i % W);
    sy += image[i] * Math.floor(i / W);
  }
  const cx = sx / mass,
    cy = sy / mass;
  let xx = 0,
    yy = 0,
    xy = 0;
  for (let i = 0; i < image.length; i++) {
    const dx = (i % W) - cx,
      dy = Math.floor(i / W) - cy;
    xx += image[i] * dx * dx;
    yy += image[i] * dy * dy;
    xy += image[i] * dx * dy;
  }
  return { mass, cx, cy, xx: xx / mass, yy: yy / mass, xy: xy / mass };
}

/** The principal axis' angle in degrees, counter-clockwise as displayed (y points down). */
function axisAngle(image: ArrayLike<number>, W = 28): number {
  const m = moments(image, W);
  return (-0.5 * Math.atan2(2 * m.xy, m.xx - m.yy) * 180) / Math.PI;
}

function mass(image: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < image.length; i++) sum += image[i];
  return sum;
}

/** The transform written out naively (no elastic): inverse-map every pixel, bilinear taps 0 outside, 3×3 morphology. */
function reference(image: Uint8Array, W: number, H: number, C: number, p: AugmentationParams): Uint8Array {
  const t = (p.rotation * Math.PI) / 180;
  const [c, s] = [Math.cos(t) / p.zoom, Math.sin(t) / p.zoom];
  const [cx, cy] = [(W - 1) / 2, (H - 1) / 2];
  const at = (x: number, y: number, ch: number) =>
    x >= 0 && y >= 0 && x < W && y < H ? image[(y * W + x) * C + ch] : 0;
  const g = new Float64Array(W * H * C);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const [ux, uy] = [x - cx - p.shiftX, y - cy - p.shiftY];
      const [sx, sy] = [cx + c * ux - s * uy, cy + s * ux + c * uy];
      const [x0, y0] = [Math.floor(sx), Math.floor(sy)];
      const [wx, wy] = [sx - x0, sy - y0];
      for (let ch = 0; ch < C; ch++) {
        const top = at(x0, y0, ch) * (1 - wx) + at(x0 + 1, y0, ch) * wx;
        const bottom = at(x0, y0 + 1, ch) * (1 - wx) + at(x0 + 1, y0 + 1, ch) * wx;
        g[(y * W + x) * C + ch] = top * (1 - wy) + bottom * wy;
      }
    }
  const out = new Uint8Array(W * H * C);
  const w = Math.abs(p.thickness);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++)
      for (let ch = 0; ch < C; ch++) {
        const v = g[(y * W + x) * C + ch];
        let m = v;
        if (w > 0) {
          const near: number[] = [];
          for (let dy = -1; dy <= 1; dy++)
            for (let dx = -1; dx <= 1; dx++) {
              const [nx, ny] = [x + dx, y + dy];
              near.push(nx >= 0 && ny >= 0 && nx < W && ny < H ? g[(ny * W + nx) * C + ch] : 0);
            }
          m = p.thickness > 0 ? Math.max(...near) : Math.min(...near);
        }
        out[(y * W + x) * C + ch] = Math.round(v + w * (m - v));
      }
  return out;
}

function augmentOne(a: Augmenter, image: Uint8Array, p: AugmentationParams): Uint8Array {
  const out = new Uint8Array(a.imageSize);
  a.apply(image, p, out);
  return out;
}

const bar = draw((x, y) => (Math.abs(x - 13.5) <= 8 && Math.abs(y - 13.5) <= 1.5 ? 255 : 0));
const blob = draw((x, y) => 255 - 30 * Math.hypot(x - 13.5, y - 13.5));
const ring = draw((x, y) => 255 - 200 * Math.abs(Math.hypot(x - 13.5, y - 13.5) - 7));

describe('augmentation off', () => {
  it('leaves every image byte-identical', () => {
    const set = mnist();
    const rows = range(64).map((i) => i * 97);
    const out = new Uint8Array(rows.length * SIZE);
    new Augmenter(NO_AUGMENTATION, MNIST, 42).augmentBatch(set, rows, 3, out);
    rows.forEach((row, i) =>
      expect(out.subarray(i * SIZE, (i + 1) * SIZE)).toEqual(set.images.subarray(row * SIZE, (row + 1) * SIZE)),
    );
    expect(augmentationEnabled(NO_AUGMENTATION)).toBe(false);
    for (const name of Object.keys(NO_AUGMENTATION) as (keyof AugmentationSettings)[])
      expect(augmentationEnabled(settings({ [name]: AUGMENTATION_RULES[name].max }))).toBe(true);
  });

  it('identity amounts copy the image exactly, whatever the settings', () => {
    const set = mnist();
    const a = new Augmenter(ALL_ON, MNIST, 1);
    const image = set.images.slice(0, SIZE);
    expect(augmentOne(a, image, IDENTITY_PARAMS)).toEqual(image);
    // A whole-pixel shift is exact too: the bilinear taps land on pixel centres.
    const shifted = augmentOne(a, image, params({ shiftX: 2, shiftY: -1 }));
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++) {
        const from = x - 2 >= 0 && y + 1 < 28 ? image[(y + 1) * 28 + x - 2] : 0;
        expect(shifted[y * 28 + x]).toBe(from);
      }
  });
});

describe('reproducibility', () => {
  const set = mnist();
  const rows = range(32).map((i) => 1000 + i * 31);
  const run = (seed: number, step: number, batch = rows) => {
    const out = new Uint8Array(batch.length * SIZE);
    new Augmenter(ALL_ON, MNIST, seed).augmentBatch(set, batch, step, out);
    return out;
  };

  it('the same seed and step give the same bytes; another step or seed gives others', () => {
    const a = run(7, 5);
    expect(run(7, 5)).toEqual(a);
    expect(run(7, 6)).not.toEqual(a);
    expect(run(8, 5)).not.toEqual(a);
  });

  it('image i depends only on (seed, step, i) and its own pixels, not on what ran before or beside it', () => {
    const augmenter = new Augmenter(ALL_ON, MNIST, 7);
    const first = new Uint8Array(rows.length * SIZE);
    augmenter.augmentBatch(set, rows, 5, first);
    // Other steps and other batches in between, then a batch sharing only position 3's row.
    const scratch = new Uint8Array(rows.length * SIZE);
    for (let step = 0; step < 4; step++) augmenter.augmentBatch(set, rows.slice().reverse(), step, scratch);
    const other = range(8).map((i) => (i === 3 ? rows[3] : 50_000 + i));
    const again = new Uint8Array(other.length * SIZE);
    augmenter.augmentBatch(set, other, 5, again);
    expect(again.subarray(3 * SIZE, 4 * SIZE)).toEqual(first.subarray(3 * SIZE, 4 * SIZE));
    // drawParameters + apply reproduce the batch's image.
    const p = augmenter.drawParameters(5, 3);
    const one = augmentOne(augmenter, set.images.slice(rows[3] * SIZE, (rows[3] + 1) * SIZE), p);
    expect(one).toEqual(first.subarray(3 * SIZE, 4 * SIZE));
  });

  it('turning one setting on leaves the amounts the others draw unchanged', () => {
    const shiftOnly = new Augmenter(settings({ shift: 3 }), MNIST, 9).drawParameters(2, 4);
    const all = new Augmenter(ALL_ON, MNIST, 9).drawParameters(2, 4);
    expect(all.shiftX).toBe(shiftOnly.shiftX);
    expect(all.shiftY).toBe(shiftOnly.shiftY);
  });
});

describe('the kernel matches a naive reference', () => {
  it('for rotation, zoom, shift and morphology, at any size and channel count', () => {
    const random = seededRandom(123);
    const shapes = [
      [28, 28, 1],
      [17, 23, 1],
      [17, 23, 3],
      [5, 4, 2],
      [2, 3, 1],
      [1, 1, 1],
    ];
    let compared = 0,
      offByOne = 0;
    for (const [H, W, C] of shapes) {
      const a = new Augmenter(ALL_ON, { height: H, width: W, channels: C }, 3);
      for (let n = 0; n < 40; n++) {
        // Noise over the whole image (ink on the border), or a sparse patch, or a blank image.
        const kind = n % 3;
        const image = new Uint8Array(H * W * C).map((_, i) =>
          kind === 0 ? Math.floor(random() * 256) : kind === 1 && i % 7 === 0 ? 255 : 0,
        );
        const p = params({
          rotation: (random() * 2 - 1) * 45,
          zoom: 0.5 + random(),
          shiftX: (random() * 2 - 1) * 4,
          shiftY: (random() * 2 - 1) * 4,
          thickness: n % 4 === 0 ? 0 : random() * 2 - 1,
        });
        const got = augmentOne(a, image, p);
        const want = reference(image, W, H, C, p);
        for (let i = 0; i < got.length; i++) {
          const diff = Math.abs(got[i] - want[i]);
          expect(diff, `${H}x${W}x${C} #${n} at ${i}`).toBeLessThanOrEqual(1); // float32 vs float64 at .5
          offByOne += diff;
          compared++;
        }
      }
    }
    expect(offByOne / compared).toBeLessThan(0.01);
  });

  it('sampling only around the ink (the kernel clips rows to the ink box) changes nothing, elastic included', () => {
    // Without morphology the transform is linear, so digit + corner dots (whose ink box is the whole frame: no
    // clipping) must give the digit's own result wherever the dots' own result is 0.
    const set = mnist();
    const a = new Augmenter(settings({ ...ALL_ON, elastic: 8 }), MNIST, 6);
    const dots = draw((x, y) => ((x === 0 && y === 0) || (x === 27 && y === 27) ? 255 : 0));
    for (let n = 0; n < 60; n++) {
      const digit = set.images.slice(n * 977 * SIZE, (n * 977 + 1) * SIZE);
      const withDots = digit.map((v, i) => Math.max(v, dots[i]));
      const p = { ...a.drawParameters(9, n), thickness: 0 };
      const [alone, framed, dotsOnly] = [augmentOne(a, digit, p), augmentOne(a, withDots, p), augmentOne(a, dots, p)];
      for (let i = 0; i < SIZE; i++)
        if (dotsOnly[i] === 0) expect(Math.abs(alone[i] - framed[i]), `#${n} at ${i}`).toBeLessThanOrEqual(1);
    }
  });

  it('samples every channel alike', () => {
    const channels = [bar, blob, ring];
    const rgb = new Uint8Array(SIZE * 3).map((_, i) => channels[i % 3][Math.floor(i / 3)]);
    const color = new Augmenter(ALL_ON, { ...MNIST, channels: 3 }, 5);
    const gray = new Augmenter(ALL_ON, MNIST, 5);
    for (const thickness of [0, 0.7, -0.7]) {
      const p = params({
        rotation: 20,
        zoom: 1.1,
        shiftX: 1.5,
        shiftY: -0.5,
        thickness,
        elastic: 2.5,
        field: 4,
        fieldX: 3,
        fieldY: 9,
        fieldFlags: 5,
      });
      const out = augmentOne(color, rgb, p);
      channels.forEach((channel, c) => {
        const alone = augmentOne(gray, channel, p);
        expect(out.filter((_, i) => i % 3 === c)).toEqual(alone);
      });
    }
  });
});

describe('each transform', () => {
  it('rotation turns the principal axis by the angle drawn, within the bound', () => {
    const a = new Augmenter(settings({ rotation: 30 }), MNIST, 1);
    expect(axisAngle(bar)).toBeCloseTo(0, 5);
    expect(axisAngle(augmentOne(a, bar, params({ rotation: 30 })))).toBeCloseTo(30, 0);
    expect(axisAngle(augmentOne(a, bar, params({ rotation: -12 })))).toBeCloseTo(-12, 0);
    const set = imageSet(range(40).map(() => bar));
    const out = new Uint8Array(40 * SIZE);
    a.augmentBatch(set, range(40), 11, out);
    const angles = range(40).map((i) => a.drawParameters(11, i).rotation);
    angles.forEach((angle, i) => {
      expect(Math.abs(angle)).toBeLessThanOrEqual(30);
      expect(Math.abs(axisAngle(out.subarray(i * SIZE, (i + 1) * SIZE)) - angle)).toBeLessThan(1);
    });
    expect(Math.min(...angles)).toBeLessThan(-10);
    expect(Math.max(...angles)).toBeGreaterThan(10);
  });

  it('shift moves the centre of mass by the amount drawn, within the bound', () => {
    const a = new Augmenter(settings({ shift: 4 }), MNIST, 2);
    const before = moments(blob);
    const set = imageSet(range(40).map(() => blob));
    const out = new Uint8Array(40 * SIZE);
    a.augmentBatch(set, range(40), 0, out);
    const shifts = range(40).map((i) => a.drawParameters(0, i));
    shifts.forEach((p, i) => {
      expect(Math.max(Math.abs(p.shiftX), Math.abs(p.shiftY))).toBeLessThanOrEqual(4);
      const after = moments(out.subarray(i * SIZE, (i + 1) * SIZE));
      expect(after.cx - before.cx).toBeCloseTo(p.shiftX, 1);
      expect(after.cy - before.cy).toBeCloseTo(p.shiftY, 1);
    });
    expect(Math.max(...shifts.map((p) => Math.abs(p.shiftX)))).toBeGreaterThan(2);
  });

  it('scale changes the ink extent by the zoom drawn, within [1 − s, 1 + s]', () => {
    const a = new Augmenter(settings({ scale: 0.3 }), MNIST, 3);
    const radius = (image: ArrayLike<number>) => {
      const m = moments(image);
      return Math.sqrt(m.xx + m.yy);
    };
    const width = (image: ArrayLike<number>) => {
      const cols = range(28).filter((x) => range(28).some((y) => image[y * 28 + x] > 127));
      return cols[cols.length - 1] - cols[0] + 1;
    };
    const set = imageSet(range(40).map(() => ring));
    const out = new Uint8Array(40 * SIZE);
    a.augmentBatch(set, range(40), 4, out);
    const zooms = range(40).map((i) => a.drawParameters(4, i).zoom);
    zooms.forEach((zoom, i) => {
      expect(zoom).toBeGreaterThanOrEqual(0.7);
      expect(zoom).toBeLessThanOrEqual(1.3);
      const image = out.subarray(i * SIZE, (i + 1) * SIZE);
      expect(radius(image) / radius(ring)).toBeCloseTo(zoom, 1);
      expect(Math.abs(width(image) - zoom * width(ring))).toBeLessThanOrEqual(2);
    });
    expect(Math.min(...zooms)).toBeLessThan(0.85);
    expect(Math.max(...zooms)).toBeGreaterThan(1.15);
  });

  it('thickness thickens or thins by up to one pixel, mildly at small strengths', () => {
    const a = new Augmenter(settings({ thickness: 1 }), MNIST, 4);
    const dot = draw((x, y) => (x === 10 && y === 12 ? 255 : 0));
    const dilated = augmentOne(a, dot, params({ thickness: 1 }));
    expect(dilated).toEqual(draw((x, y) => (Math.abs(x - 10) <= 1 && Math.abs(y - 12) <= 1 ? 255 : 0)));
    expect(augmentOne(a, dilated, params({ thickness: -1 }))).toEqual(dot);
    expect(mass(augmentOne(a, dot, params({ thickness: 0.25 })))).toBe(255 + 8 * 64); // 0.25 × 255 rounds to 64
    // A full-frame image erodes at the border only (outside the image is background).
    const white = new Uint8Array(SIZE).fill(255);
    const eroded = augmentOne(a, white, params({ thickness: -1 }));
    expect(mass(eroded)).toBe(26 * 26 * 255);

    const set = mnist();
    const rows = range(200).map((i) => i * 301);
    const out = new Uint8Array(rows.length * SIZE);
    a.augmentBatch(set, rows, 8, out);
    let thicker = 0,
      thinner = 0;
    rows.forEach((row, i) => {
      const p = a.drawParameters(8, i);
      const before = mass(set.images.subarray(row * SIZE, (row + 1) * SIZE));
      const after = mass(out.subarray(i * SIZE, (i + 1) * SIZE));
      expect(Math.abs(p.thickness)).toBeLessThanOrEqual(1);
      if (p.thickness > 0.05) expect(after, `image ${i}, thickness ${p.thickness}`).toBeGreaterThan(before);
      if (p.thickness < -0.05) expect(after, `image ${i}, thickness ${p.thickness}`).toBeLessThan(before);
      if (p.thickness > 0) thicker++;
      else thinner++;
    });
    expect(thicker).toBeGreaterThan(70);
    expect(thinner).toBeGreaterThan(70);
    // Small strengths are mild: a 0.1 blend moves the mass by well under a tenth of a full dilation's change.
    const digit = set.images.slice(0, SIZE);
    const full = mass(augmentOne(a, digit, params({ thickness: 1 }))) - mass(digit);
    const mild = mass(augmentOne(a, digit, params({ thickness: 0.1 }))) - mass(digit);
    expect(mild).toBeGreaterThan(0);
    expect(Math.abs(mild - 0.1 * full)).toBeLessThan(0.01 * full);
  });

  it('elastic moves pixels smoothly by at most alpha and keeps the ink', () => {
    const alpha = 3;
    const a = new Augmenter(settings({ elastic: alpha }), MNIST, 5);
    // On a linear ramp bilinear sampling is exact, so each output value says where it was sampled from.
    const rampX = draw((x) => 20 + 8 * x),
      rampY = draw((_, y) => 20 + 8 * y);
    const margin = Math.ceil(alpha) + 1;
    let largest = 0;
    for (let i = 0; i < 30; i++) {
      const p = a.drawParameters(1, i);
      expect(Math.abs(p.elastic)).toBe(alpha);
      const [ox, oy] = [augmentOne(a, rampX, p), augmentOne(a, rampY, p)];
      let prev: [number, number] | null = null;
      for (let y = margin; y < 28 - margin; y++)
        for (let x = margin; x < 28 - margin; x++) {
          const dx = (ox[y * 28 + x] - 20) / 8 - x,
            dy = (oy[y * 28 + x] - 20) / 8 - y;
          const length = Math.hypot(dx, dy);
          expect(length).toBeLessThanOrEqual(alpha + 0.1); // values are rounded: 1/16 px per axis
          largest = Math.max(largest, length);
          if (prev && x > margin) expect(Math.hypot(dx - prev[0], dy - prev[1])).toBeLessThan(0.4 * alpha); // smooth
          prev = [dx, dy];
        }
    }
    expect(largest).toBeGreaterThan(0.6 * alpha);

    const set = mnist();
    const rows = range(200).map((i) => 7 + i * 293);
    const out = new Uint8Array(rows.length * SIZE);
    a.augmentBatch(set, rows, 2, out);
    // Stretching and squeezing change an image's ink (by the field's Jacobian), but not on average.
    const ratios = rows.map(
      (row, i) =>
        mass(out.subarray(i * SIZE, (i + 1) * SIZE)) / mass(set.images.subarray(row * SIZE, (row + 1) * SIZE)),
    );
    ratios.forEach((ratio, i) => {
      expect(ratio, `image ${i}`).toBeGreaterThan(0.6);
      expect(ratio, `image ${i}`).toBeLessThan(1.7);
    });
    expect(ratios.reduce((x, y) => x + y) / ratios.length).toBeCloseTo(1, 1);
    // Different images get different fields.
    const sameDigit = new Uint8Array(2 * SIZE);
    a.augmentBatch(imageSet([rampX, rampX]), [0, 1], 0, sameDigit);
    expect(sameDigit.subarray(0, SIZE)).not.toEqual(sameDigit.subarray(SIZE));
  });
});

describe('real MNIST digits with everything on', () => {
  it('stay within 0–255, keep most of their ink and still look like themselves', () => {
    const set = mnist();
    const a = new Augmenter(ALL_ON, MNIST, 42);
    const rows = range(300).map((i) => i * 199);
    const out = new Uint8Array(rows.length * SIZE);
    a.augmentBatch(set, rows, 17, out);
    const ratios = rows.map((row, i) => {
      const original = set.images.subarray(row * SIZE, (row + 1) * SIZE);
      const image = out.subarray(i * SIZE, (i + 1) * SIZE);
      const ratio = mass(image) / mass(original);
      // Zooming out, thinning and squeezing can together take a thin digit's ink down to about a third.
      expect(ratio, `image ${i}`).toBeGreaterThan(0.25);
      expect(ratio, `image ${i}`).toBeLessThan(2.5);
      expect(Math.max(...image), `image ${i}`).toBeGreaterThan(127); // strokes stay strokes
      const [m0, m1] = [moments(original), moments(image)];
      expect(Math.hypot(m1.cx - m0.cx, m1.cy - m0.cy), `image ${i}`).toBeLessThan(3 * Math.SQRT2 + 2.5);
      return ratio;
    });
    ratios.sort((x, y) => x - y);
    expect(ratios[Math.floor(ratios.length / 2)]).toBeCloseTo(1, 1);
    expect(ratios.filter((r) => r >= 0.6).length / ratios.length).toBeGreaterThan(0.85);
    // No byte wraps past 255: a white frame zoomed in and thickened stays white inside.
    const white = new Uint8Array(SIZE).fill(255);
    const zoomed = augmentOne(a, white, params({ zoom: 1.2, rotation: 7, thickness: 1, elastic: 3, field: 1 }));
    expect(zoomed.every((v) => v === 255)).toBe(true);
  });
});

describe('validation', () => {
  it('refuses out-of-range settings, naming the field and the reason', () => {
    const make = (s: Partial<AugmentationSettings>) => () => new Augmenter(settings(s), MNIST, 1);
    expect(make({ rotation: 46 })).toThrow(
      /augmentation rotation \(max degrees\) must be at least 0 and at most 45, got 46/,
    );
    expect(make({ rotation: -1 })).toThrow(/rotation .* at least 0 .* got -1/);
    expect(make({ scale: 0.6 })).toThrow(/augmentation scale .* at most 0.5, got 0.6/);
    expect(make({ shift: 9 })).toThrow(/augmentation shift .* at most 8, got 9/);
    expect(make({ thickness: 1.5 })).toThrow(/augmentation thickness .* at most 1, got 1.5/);
    expect(make({ elastic: 8.5 })).toThrow(/augmentation elastic .* at most 8, got 8.5/);
    expect(make({ elastic: Number.NaN })).toThrow(/augmentation elastic .* must be a number, got null/);
    expect(make({ scale: '0.1' as unknown as number })).toThrow(/augmentation scale .* must be a number, got "0.1"/);
    expect(make({ rotation: 50, shift: -2 })).toThrow(/rotation.*; augmentation shift/);
    expect(() => new Augmenter(NO_AUGMENTATION, { height: 0, width: 28, channels: 1 }, 1)).toThrow(
      /image height must be a whole number of at least 1, got 0/,
    );
    expect(() => new Augmenter(NO_AUGMENTATION, { height: 28, width: 28, channels: 1.5 }, 1)).toThrow(/image channels/);
    expect(() => new Augmenter(NO_AUGMENTATION, MNIST, -1)).toThrow(/augmentation seed must be a whole number/);
    expect(() => new Augmenter(NO_AUGMENTATION, MNIST, Number.POSITIVE_INFINITY)).toThrow(/augmentation seed/);
    // Every maximum itself is allowed.
    const maxima = Object.fromEntries(Object.entries(AUGMENTATION_RULES).map(([k, r]) => [k, r.max]));
    expect(() => new Augmenter(maxima as unknown as AugmentationSettings, MNIST, 0)).not.toThrow();
  });

  it('refuses a batch that does not fit the augmenter', () => {
    const set = mnist();
    const a = new Augmenter(ALL_ON, MNIST, 1);
    expect(() => a.augmentBatch(set, [0, 1], 0, new Uint8Array(SIZE))).toThrow(
      /output buffer holds 784 bytes, 2 images need 1568/,
    );
    expect(() => a.augmentBatch(set, [60000], 0, new Uint8Array(SIZE))).toThrow(/row 60000 is outside the image set/);
    expect(() => a.augmentBatch(set, [0], -1, new Uint8Array(SIZE))).toThrow(/step must be a whole number/);
    const small = imageSet([new Uint8Array(100)], 10, 10);
    expect(() => a.augmentBatch(small, [0], 0, new Uint8Array(SIZE))).toThrow(
      /image set is 10x10x1 but the augmenter was made for 28x28x1/,
    );
    expect(() => a.apply(new Uint8Array(SIZE), params({ zoom: 0 }), new Uint8Array(SIZE))).toThrow(/zoom must be > 0/);
    expect(() => a.apply(new Uint8Array(SIZE), params({ field: 99 }), new Uint8Array(SIZE))).toThrow(/field must be/);
  });
});
