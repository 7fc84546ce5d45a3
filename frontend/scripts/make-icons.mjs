// Draws Parley's icons (two speech bubbles on an indigo rounded square) as SVG and PNG,
// with no dependency: a tiny rasterizer with 4x4 supersampling and a PNG encoder on node:zlib.
// Run: npm run icons   (writes public/favicon.svg and public/icons/*)
import { writeFileSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const ACCENT = [79, 70, 229];
const WHITE = [255, 255, 255];

const svg = (rounded) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">
  <rect width="64" height="64" rx="${rounded ? 16 : 0}" fill="#4f46e5"/>
  <path d="M14 18h26a5 5 0 0 1 5 5v12a5 5 0 0 1-5 5H26l-8 7v-7h-4a5 5 0 0 1-5-5V23a5 5 0 0 1 5-5Z" fill="#fff"/>
  <path d="M48 26h2a5 5 0 0 1 5 5v10a5 5 0 0 1-5 5h-2v6l-7-6H30a5 5 0 0 1-4.6-3H40a8 8 0 0 0 8-8V26Z" fill="#fff" fill-opacity=".6"/>
</svg>
`;

function inRoundRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function inTriangle(x, y, [ax, ay], [bx, by], [cx, cy]) {
  const s = (px, py, qx, qy, rx, ry) => (px - rx) * (qy - ry) - (qx - rx) * (py - ry);
  const d1 = s(x, y, ax, ay, bx, by);
  const d2 = s(x, y, bx, by, cx, cy);
  const d3 = s(x, y, cx, cy, ax, ay);
  const neg = d1 < 0 || d2 < 0 || d3 < 0;
  const pos = d1 > 0 || d2 > 0 || d3 > 0;
  return !(neg && pos);
}

// The shapes in the 64x64 design space; `inset` shrinks the art for maskable icons (safe zone).
function sample(x, y, { rounded, inset }) {
  const k = 64 / (64 - 2 * inset);
  const u = (x - inset) * k;
  const v = (y - inset) * k;
  const bg = rounded ? inRoundRect(x, y, 0, 0, 64, 64, 16) : true;
  if (!bg) return null;
  const front = inRoundRect(u, v, 9, 18, 45, 40, 5) || inTriangle(u, v, [18, 39], [26, 39], [18, 47]);
  if (front) return [...WHITE, 255];
  const back = inRoundRect(u, v, 30, 26, 55, 46, 5) || inTriangle(u, v, [41, 45], [48, 45], [48, 52]);
  if (back) return [Math.round(ACCENT[0] * 0.4 + 255 * 0.6), Math.round(ACCENT[1] * 0.4 + 255 * 0.6), Math.round(ACCENT[2] * 0.4 + 255 * 0.6), 255];
  return [...ACCENT, 255];
}

function render(size, opts) {
  const ss = 4;
  const px = Buffer.alloc(size * size * 4);
  for (let j = 0; j < size; j++) {
    for (let i = 0; i < size; i++) {
      const acc = [0, 0, 0, 0];
      for (let b = 0; b < ss; b++) {
        for (let a = 0; a < ss; a++) {
          const c = sample(((i + (a + 0.5) / ss) / size) * 64, ((j + (b + 0.5) / ss) / size) * 64, opts);
          if (!c) continue;
          acc[0] += c[0] * c[3];
          acc[1] += c[1] * c[3];
          acc[2] += c[2] * c[3];
          acc[3] += c[3];
        }
      }
      const o = (j * size + i) * 4;
      const alpha = acc[3] / (ss * ss);
      px[o] = acc[3] ? Math.round(acc[0] / acc[3]) : 0;
      px[o + 1] = acc[3] ? Math.round(acc[1] / acc[3]) : 0;
      px[o + 2] = acc[3] ? Math.round(acc[2] / acc[3]) : 0;
      px[o + 3] = Math.round(alpha);
    }
  }
  return px;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0;
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../public/', import.meta.url);
mkdirSync(new URL('icons/', out), { recursive: true });
writeFileSync(new URL('favicon.svg', out), svg(true));
writeFileSync(new URL('icons/icon.svg', out), svg(true));
writeFileSync(new URL('icons/icon-192.png', out), png(192, render(192, { rounded: true, inset: 0 })));
writeFileSync(new URL('icons/icon-512.png', out), png(512, render(512, { rounded: true, inset: 0 })));
writeFileSync(new URL('icons/icon-maskable-512.png', out), png(512, render(512, { rounded: false, inset: 10 })));
writeFileSync(new URL('icons/apple-touch-icon.png', out), png(180, render(180, { rounded: false, inset: 4 })));
console.log('icons written to public/');
