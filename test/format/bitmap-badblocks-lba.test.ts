import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBadBlockLog, serializeBadBlockLog } from '../../core/format/badblocks';
import { bitmapBits, countSetBits, getBit, parseBitmap, serializeBitmap, setBit } from '../../core/format/bitmap';
import { fillLbaPattern, lbaPatternBytes, lbaRecord } from '../../core/format/lba-pattern';
import { parseSuperblock1 } from '../../core/format/superblock';
import { type GoldenCase, goldenCaseNames, mdadmFields, openGoldenCase, readGoldenInfo } from '../helpers/golden';

let bitmapCase: GoldenCase;
beforeAll(() => {
  bitmapCase = openGoldenCase('r5-ls-4d-bitmap');
});
afterAll(() => bitmapCase.cleanup());

describe('internal bitmap', () => {
  it('parses the kernel-written bitmap to the facts mdadm --examine-bitmap printed', () => {
    bitmapCase.images.forEach((image, i) => {
      const raw = new Uint8Array(fs.readFileSync(image));
      const sb = parseSuperblock1(raw.subarray(4096, 8192));
      const start = (Number(sb.superOffset) + sb.bitmapOffset) * 512;
      const bitmap = parseBitmap(raw.subarray(start, start + 4096));
      const facts = mdadmFields(bitmapCase.info.boot1.examine_bitmap![`disk${i}.img`]);
      expect(String(bitmap.super.version)).toBe(facts.get('Version'));
      expect(String(bitmap.super.events)).toBe(facts.get('Events'));
      expect(String(bitmap.super.eventsCleared)).toBe(facts.get('Events Cleared'));
      expect(`${bitmap.super.chunksize / (1 << 20)} MB`).toBe(facts.get('Chunksize'));
      expect(`${bitmap.super.daemonSleepSeconds}s flush period`).toBe(facts.get('Daemon'));
      expect(facts.get('Sync Size')!.startsWith(`${bitmap.super.syncSize / 2n} `)).toBe(true);
      const bits = bitmapBits(bitmap.super);
      expect(`${bits} bits (chunks), ${countSetBits(bitmap.bits, bits)} dirty (0.0%)`).toBe(facts.get('Bitmap'));
      expect(Buffer.from(serializeBitmap(bitmap))).toEqual(Buffer.from(raw.subarray(start, start + 4096)));
    });
  });

  it('stores bit k at byte k/8, least significant bit first', () => {
    const bits = new Uint8Array(4);
    setBit(bits, 0, true);
    setBit(bits, 9, true);
    setBit(bits, 31, true);
    expect([...bits]).toEqual([0x01, 0x02, 0x00, 0x80]);
    setBit(bits, 9, false);
    expect(getBit(bits, 9)).toBe(false);
    expect(countSetBits(bits, 32)).toBe(2);
  });
});

describe('bad-block log', () => {
  it('round-trips entries, splitting ranges longer than 512 sectors', () => {
    const log = serializeBadBlockLog([
      { startSector: 5000, lengthSectors: 8 },
      { startSector: 2048, lengthSectors: 700 },
    ]);
    expect(parseBadBlockLog(log)).toEqual([
      { startSector: 2048, lengthSectors: 512 },
      { startSector: 2560, lengthSectors: 188 },
      { startSector: 5000, lengthSectors: 8 },
    ]);
    expect(new DataView(log.buffer).getBigUint64(0, true)).toBe((2048n << 10n) | 512n);
  });

  it('reads the unwritten (zero) log of a fresh golden member as empty', () => {
    const raw = fs.readFileSync(bitmapCase.images[0]);
    expect(parseBadBlockLog(new Uint8Array(raw.subarray(24 * 512, 32 * 512)))).toEqual([]);
  });

  it('scales entries by bblog_shift', () => {
    expect(parseBadBlockLog(serializeBadBlockLog([{ startSector: 64, lengthSectors: 16 }], 8, 3), 3)).toEqual([{ startSector: 64, lengthSectors: 16 }]);
  });
});

describe('lba data pattern', () => {
  it('matches the README example record', () => {
    expect(lbaRecord('r5ls3a', 5)).toBe('r5ls3a:s=000000000005:mdlab....\n');
  });

  it('reproduces data_sha256 of every golden case', () => {
    for (const name of goldenCaseNames()) {
      const info = readGoldenInfo(name);
      const sha = createHash('sha256').update(lbaPatternBytes(info.tag, 0, info.data_bytes)).digest('hex');
      expect(sha, name).toBe(info.data_sha256);
    }
  });

  it('fills any sector range the same as the whole', () => {
    const whole = lbaPatternBytes('abcdef', 0, 64 * 512);
    const part = new Uint8Array(10 * 512);
    fillLbaPattern(part, 'abcdef', 17);
    expect(Buffer.from(part)).toEqual(Buffer.from(whole.subarray(17 * 512, 27 * 512)));
  });
});
