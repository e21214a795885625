#!/usr/bin/env node
// Draws mdlab's icon (four member disks striped with chunks, one failed) from one list of shapes,
// as the renderer's favicon.svg and as the PNG set electron-builder packs. Pure Node, no image
// library: run `node build/make-icons.mjs` after changing a shape and commit the outputs.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const root = path.resolve(import.meta.dirname, '..');
const VIEW = 64; // shapes are in a 64-unit square

const BG = [0x1d, 0x3b, 0x7a];
const DISK = [0xe8, 0xee, 0xfa];
const FAILED = [0xe0, 0x4a, 0x3f];
const CHUNK = [0x6e, 0x9c, 0xff];
const PARITY = [0xf2, 0xb8, 0x3c];

/** [x, y, w, h, radius, colour]; later shapes paint over earlier ones. */
const shapes = [[0, 0, 64, 64, 12, BG]];
for (let disk = 0; disk < 4; disk++) {
  const x = 8 + disk * 12.5;
  shapes.push([x, 10, 10, 44, 2.5, disk === 2 ? FAILED : DISK]);
  for (let stripe = 0; stripe < 4; stripe++) {
    // Left-symmetric parity walks from the last disk to the first, one stripe at a time.
    const parity = 3 - stripe === disk;
    if (disk !== 2) shapes.push([x + 2, 14 + stripe * 10, 6, 6, 1, parity ? PARITY : CHUNK]);
  }
}

const hex = ([r, g, b]) => `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;

function svg() {
  const rects = shapes.map(([x, y, w, h, r, c]) => `  <rect x="${x}" y="${y}" width="${w}" height="${h}" rx="${r}" fill="${hex(c)}"/>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${VIEW} ${VIEW}">\n${rects.join('\n')}\n</svg>\n`;
}

function inside([x, y, w, h, r], px, py) {
  if (px < x || py < y || px > x + w || py > y + h) return false;
  const cx = Math.min(Math.max(px, x + r), x + w - r);
  const cy = Math.min(Math.max(py, y + r), y + h - r);
  return (px - cx) ** 2 + (py - cy) ** 2 <= r * r;
}

/** RGBA pixels with 4x4 supersampling for smooth edges. */
function rasterise(size) {
  const samples = 4;
  const pixels = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      const sum = [0, 0, 0, 0];
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const ux = ((px + (sx + 0.5) / samples) / size) * VIEW;
          const uy = ((py + (sy + 0.5) / samples) / size) * VIEW;
          let colour = null;
          for (const shape of shapes) if (inside(shape, ux, uy)) colour = shape[5];
          if (colour) {
            sum[0] += colour[0];
            sum[1] += colour[1];
            sum[2] += colour[2];
            sum[3] += 255;
          }
        }
      }
      const n = samples * samples;
      const covered = sum[3] / 255;
      const at = (py * size + px) * 4;
      for (let c = 0; c < 3; c++) pixels[at + c] = covered ? Math.round(sum[c] / covered) : 0;
      pixels[at + 3] = Math.round(sum[3] / n);
    }
  }
  return pixels;
}

function chunk(type, data) {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

function png(size) {
  const pixels = rasterise(size);
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) pixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

writeFileSync(path.join(root, 'renderer', 'public', 'favicon.svg'), svg());
mkdirSync(path.join(root, 'build', 'icons'), { recursive: true });
for (const size of [16, 32, 48, 64, 128, 256, 512]) {
  writeFileSync(path.join(root, 'build', 'icons', `${size}x${size}.png`), png(size));
}
writeFileSync(path.join(root, 'build', 'icon.png'), png(1024));
console.log('wrote renderer/public/favicon.svg, build/icons/*.png and build/icon.png');
