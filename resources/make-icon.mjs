// Draws resources/icon.png (512x512): three stacked feature maps on an indigo tile, the front one a 3x3 kernel.
// No dependencies: signed distance fields for anti-aliased shapes, zlib for the PNG.  Run: node resources/make-icon.mjs
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const SIZE = 512;
const px = new Float64Array(SIZE * SIZE * 4); // premultiplied RGBA, 0..1

/** Signed distance from (x, y) to a rounded rectangle centred at (cx, cy). */
function roundRect(x, y, cx, cy, hw, hh, r) {
  const qx = Math.abs(x - cx) - (hw - r);
  const qy = Math.abs(y - cy) - (hh - r);
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - r;
}

const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16) / 255);

function paint(sdf, color, alpha = 1) {
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const coverage = Math.min(1, Math.max(0, 0.5 - sdf(x + 0.5, y + 0.5)));
      if (coverage <= 0) continue;
      const [r, g, b] = typeof color === 'function' ? color(x, y) : color;
      const a = coverage * alpha;
      const i = (y * SIZE + x) * 4;
      px[i] = r * a + px[i] * (1 - a);
      px[i + 1] = g * a + px[i + 1] * (1 - a);
      px[i + 2] = b * a + px[i + 2] * (1 - a);
      px[i + 3] = a + px[i + 3] * (1 - a);
    }
  }
}

// the tile: a diagonal indigo-to-violet gradient
const top = hex('#4f46e5');
const bottom = hex('#9333ea');
paint(
  (x, y) => roundRect(x, y, 256, 256, 240, 240, 104),
  (x, y) => {
    const t = (x + y) / (2 * SIZE);
    return top.map((c, k) => c + (bottom[k] - c) * t);
  },
);

// three feature maps, back to front
const white = [1, 1, 1];
const maps = [
  { c: 310, alpha: 0.3 },
  { c: 256, alpha: 0.55 },
  { c: 202, alpha: 1 },
];
for (const m of maps) {
  paint((x, y) => roundRect(x, y, m.c + 0, m.c - 0, 112, 112, 26), [0.12, 0.08, 0.35], 0.18 * m.alpha); // soft edge
  paint((x, y) => roundRect(x, y, m.c, m.c, 104, 104, 22), white, m.alpha);
}

// the front map carries a 3x3 kernel
const ink = hex('#4338ca');
const cell = 48;
const gap = 12;
for (let row = 0; row < 3; row++) {
  for (let col = 0; col < 3; col++) {
    const cx = 202 + (col - 1) * (cell + gap);
    const cy = 202 + (row - 1) * (cell + gap);
    const strong = (row + col) % 2 === 0;
    paint((x, y) => roundRect(x, y, cx, cy, cell / 2, cell / 2, 9), ink, strong ? 0.95 : 0.35);
  }
}

// encode: 8-bit RGBA, straight alpha
const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    const i = (y * SIZE + x) * 4;
    const a = px[i + 3];
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    for (let k = 0; k < 3; k++) raw[o + k] = a > 0 ? Math.round(Math.min(1, px[i + k] / a) * 255) : 0;
    raw[o + 3] = Math.round(a * 255);
  }
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = path.join(import.meta.dirname, 'icon.png');
fs.writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
