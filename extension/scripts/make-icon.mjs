// Draws the extension's 128x128 icon (extension/icon.png): nested rounded frames, a context inside a
// context, with a thread running through them. No image library: pixels are computed and written as a PNG
// with node:zlib. Run: node extension/scripts/make-icon.mjs
import { writeFileSync } from "node:fs";
import { deflateSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const size = 128;
const samples = 4; // supersampling per axis, for smooth edges

/** Signed distance to a rounded box centred at (cx, cy). */
function roundedBox(x, y, cx, cy, half, radius) {
  const qx = Math.abs(x - cx) - half + radius;
  const qy = Math.abs(y - cy) - half + radius;
  return Math.hypot(Math.max(qx, 0), Math.max(qy, 0)) + Math.min(Math.max(qx, qy), 0) - radius;
}

/** Distance to the thread: a sine wave across the icon. */
function thread(x, y) {
  const wave = 64 + 18 * Math.sin(((x - 8) / 112) * Math.PI * 2);
  return Math.abs(y - wave) / Math.sqrt(1 + (18 * 2 * Math.PI / 112) ** 2);
}

function colour(x, y) {
  if (roundedBox(x, y, 64, 64, 64, 22) > 0) return [0, 0, 0, 0];
  const t = y / size;
  let c = [20 + 20 * t, 50 + 30 * t, 96 + 40 * t]; // deep blue, lighter downwards
  for (const [half, w] of [[48, 5], [30, 5]]) {
    if (Math.abs(roundedBox(x, y, 64, 64, half, half / 3)) < w / 2) c = [214, 230, 255];
  }
  if (x > 8 && x < 120 && thread(x, y) < 4.5) c = [255, 196, 64];
  return [...c, 255];
}

const raw = Buffer.alloc((size * 4 + 1) * size);
for (let py = 0; py < size; py++) {
  raw[py * (size * 4 + 1)] = 0; // filter: none
  for (let px = 0; px < size; px++) {
    const acc = [0, 0, 0, 0];
    for (let sy = 0; sy < samples; sy++) {
      for (let sx = 0; sx < samples; sx++) {
        const c = colour(px + (sx + 0.5) / samples, py + (sy + 0.5) / samples);
        for (let i = 0; i < 3; i++) acc[i] += c[i] * c[3];
        acc[3] += c[3];
      }
    }
    const o = py * (size * 4 + 1) + 1 + px * 4;
    const a = acc[3] / (samples * samples);
    for (let i = 0; i < 3; i++) raw[o + i] = acc[3] ? Math.round(acc[i] / acc[3]) : 0;
    raw[o + 3] = Math.round(a);
  }
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
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
const header = Buffer.alloc(13);
header.writeUInt32BE(size, 0);
header.writeUInt32BE(size, 4);
header[8] = 8; // bit depth
header[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk("IHDR", header),
  chunk("IDAT", deflateSync(raw, { level: 9 })),
  chunk("IEND", Buffer.alloc(0)),
]);
const out = join(dirname(fileURLToPath(import.meta.url)), "..", "icon.png");
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
