import { describe, expect, it } from 'vitest';
import { ctimeText, humanSize, parseSizeBytes } from '../../core/util/units';
import { parseUuid, uuidText } from '../../core/util/uuid';
import { isZero, xorBlocks, xorInto } from '../../core/util/xor';
import { XorArena } from '../../core/util/xor-simd';

describe('mdadm number formats', () => {
  it.each([
    [7340032, ' (7.00 MiB 7.34 MB)'],
    [14680064, ' (14.00 MiB 14.68 MB)'],
    [65011712, ' (62.00 MiB 65.01 MB)'],
    [1099511627776 - 1048576, ' (1024.00 GiB 1099.51 GB)'],
    [3 * 1099511627776, ' (3.00 TiB 3.30 TB)'],
    [4096 * 1024, ''],
  ])('prints %d bytes as "%s"', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });

  it('parses sizes the way mdadm options take them', () => {
    expect(parseSizeBytes('64')).toBe(65536);
    expect(parseSizeBytes('64K')).toBe(65536);
    expect(parseSizeBytes('1G')).toBe(1 << 30);
    expect(parseSizeBytes('1t')).toBe(1024 ** 4);
    expect(parseSizeBytes('12x')).toBeNull();
  });

  it('formats times like ctime(3), day padded with a space', () => {
    process.env.TZ = 'UTC';
    expect(ctimeText(Date.UTC(2026, 10, 3, 7, 5, 9) / 1000)).toBe('Tue Nov  3 07:05:09 2026');
  });

  it('prints and parses md UUIDs', () => {
    const bytes = parseUuid('f051490d:fa21d28c:f886f514:fee3cb67')!;
    expect(uuidText(bytes)).toBe('f051490d:fa21d28c:f886f514:fee3cb67');
    expect(parseUuid('nope')).toBeNull();
  });
});

describe('xor', () => {
  it('xors aligned and unaligned blocks alike and detects zero', () => {
    const a = new Uint8Array(4099).map((_, i) => i * 7);
    const b = new Uint8Array(4099).map((_, i) => i * 13 + 1);
    const expected = a.map((x, i) => x ^ b[i]);
    const out = new Uint8Array(4099);
    xorBlocks(out, [a, b]);
    expect(out).toEqual(expected);
    const aligned = new Uint8Array(4096).map((_, i) => i);
    const copy = aligned.slice();
    xorInto(aligned, copy);
    expect(isZero(aligned)).toBe(true);
    expect(isZero(a.subarray(1, 9))).toBe(false);
  });
});

describe('SIMD xor arena', () => {
  it('xors views of any length, including a tail that is not a multiple of 16, like the word loop', () => {
    const arena = new XorArena(4 * 70016);
    const [a, b, c] = [arena.allocate(70001), arena.allocate(70001), arena.allocate(70001)];
    a.forEach((_, i) => (a[i] = (i * 7) & 0xff));
    b.forEach((_, i) => (b[i] = (i * 13 + 5) & 0xff));
    const d = arena.allocate(70001);
    arena.xorBlocks(d, [a, b, c]);
    const expected = new Uint8Array(70001);
    xorBlocks(expected, [a.slice(), b.slice(), c.slice()]);
    expect(Buffer.from(d).equals(Buffer.from(expected))).toBe(true);
    arena.xor2(d, d, a);
    expect(d[70000]).toBe(b[70000] ^ c[70000]);
  });

  it('refuses operands that are not in the arena', () => {
    const arena = new XorArena(1024);
    const inside = arena.allocate(16);
    expect(() => arena.xor2(inside, inside, new Uint8Array(16))).toThrow(/arena/);
  });
});
