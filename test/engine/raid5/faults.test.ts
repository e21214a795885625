import { describe, expect, it } from 'vitest';
import { DeviceError, type BlockDevice } from '../../../core/format/blockdev';
import { mapArraySector } from '../../../core/format/layout';
import { BadBlocks } from '../../../core/engine/md/badblocks';
import type { WriteIntentBitmap } from '../../../core/engine/types';
import { makeArray, pattern, readArray, readMember, runUntilIdle, sha256, writeArray } from './harness';

/** A member whose reads of one byte range fail `failures` times (a sector going bad, then remapped). */
function flakyReads(dev: BlockDevice, badOffsetBytes: number, failures: { left: number }, log?: string[]): BlockDevice {
  const hits = (o: number, len: number) => o <= badOffsetBytes && badOffsetBytes < o + len;
  const total = (b: Uint8Array[]) => b.reduce((n, x) => n + x.byteLength, 0);
  return {
    name: dev.name,
    sizeBytes: dev.sizeBytes,
    readv(b, o) {
      if (hits(o, total(b)) && failures.left > 0) {
        failures.left--;
        throw new DeviceError('EIO', dev.name, o, 'input/output error');
      }
      dev.readv(b, o);
    },
    read(b, o) {
      this.readv([b], o);
    },
    writev(b, o) {
      log?.push(`write ${dev.name}`);
      dev.writev(b, o);
    },
    write(b, o) {
      this.writev([b], o);
    },
    flush: () => dev.flush(),
    close: () => dev.close(),
  };
}

describe('raid5 read and write errors (spec §4.10, §4.11)', () => {
  it('a block that fails to read is rebuilt from parity, written back, re-read, and counted as corrected', () => {
    const failures = { left: 0 };
    const data0 = 2048;
    const t = makeArray({ disks: 4, wrap: (dev, i) => (i === 1 ? flakyReads(dev, (data0 + 64) * 512, failures) : dev) });
    const content = pattern(t.pers.arraySectors * 512, 21);
    writeArray(t.pers, 0, content);
    // The merged read fails, the block-alone retry fails too: R5_ReadError.
    failures.left = 2;
    const writtenBefore = t.mddev.rdevs[1].writtenBytes;
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
    const rdev = t.mddev.rdevs[1];
    expect(rdev.flags.has('Faulty')).toBe(false);
    expect(rdev.correctedErrors).toBe(8);
    expect(rdev.writtenBytes - writtenBefore).toBe(4096);
    expect(t.mddev.errors).toEqual([]);
  });

  it('a merged read that fails once is retried block by block and nothing is rewritten', () => {
    const failures = { left: 1 };
    const t = makeArray({ disks: 4, wrap: (dev, i) => (i === 2 ? flakyReads(dev, (2048 + 200) * 512, failures) : dev) });
    const content = pattern(t.pers.arraySectors * 512, 22);
    writeArray(t.pers, 0, content);
    failures.left = 1;
    const written = t.mddev.rdevs[2].writtenBytes;
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
    expect(t.mddev.rdevs[2].correctedErrors).toBe(0);
    expect(t.mddev.rdevs[2].writtenBytes).toBe(written);
  });

  it('a block still unreadable after the rewrite fails a member without a bad-block log, and the data stays right', () => {
    const failures = { left: 0 };
    const t = makeArray({ disks: 4, wrap: (dev, i) => (i === 0 ? flakyReads(dev, (2048 + 8) * 512, failures) : dev) });
    t.mddev.rdevs[0].badblocks = new BadBlocks(true);
    const content = pattern(t.pers.arraySectors * 512, 23);
    writeArray(t.pers, 0, content);
    failures.left = 1000;
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
    expect(t.mddev.rdevs[0].flags.has('Faulty')).toBe(true);
    expect(t.mddev.errors.join()).toContain('read error NOT corrected');
    expect(t.pers.degraded()).toBe(1);
  });

  it('a read error on a degraded array cannot be corrected and fails a member without a bad-block log; the lost data reads as an error', () => {
    const failures = { left: 0 };
    const t = makeArray({ disks: 4, wrap: (dev, i) => (i === 0 ? flakyReads(dev, (2048 + 8) * 512, failures) : dev) });
    t.mddev.rdevs[0].badblocks = new BadBlocks(true);
    writeArray(t.pers, 0, pattern(t.pers.arraySectors * 512, 24));
    t.mddev.mdError(t.mddev.rdevs[3], 'test');
    failures.left = 1000;
    const g = { level: 5 as const, raidDisks: 4, algorithm: 2, chunkSectors: 128 };
    // Array sector on member 0 at member sector 8: row 0, so it is D0 at array sector 8.
    expect(mapArraySector(g, 8).disk).toBe(0);
    expect(() => readArray(t.pers, 8, 8)).toThrow(/cannot be read/);
    expect(t.mddev.errors.join()).toContain('read error not correctable');
  });

  it('a failed member write fails a member without a bad-block log but the write succeeds through parity', () => {
    let failWrites = false;
    const t = makeArray({
      disks: 4,
      wrap: (dev, i) =>
        i !== 2
          ? dev
          : {
              ...dev,
              name: dev.name,
              sizeBytes: dev.sizeBytes,
              readv: (b, o) => dev.readv(b, o),
              read: (b, o) => dev.read(b, o),
              writev: (b, o) => {
                if (failWrites) throw new DeviceError('EIO', dev.name, o, 'input/output error');
                dev.writev(b, o);
              },
              write: (b, o) => dev.write(b, o),
              flush: () => dev.flush(),
              close: () => dev.close(),
            },
    });
    t.mddev.rdevs[2].badblocks = new BadBlocks(true);
    const content = pattern(t.pers.arraySectors * 512, 25);
    writeArray(t.pers, 0, content);
    failWrites = true;
    const update = pattern(3 * 128 * 512, 26);
    writeArray(t.pers, 0, update);
    content.set(update, 0);
    expect(t.mddev.rdevs[2].flags.has('Faulty')).toBe(true);
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
  });
});

describe('raid5 and the write-intent bitmap', () => {
  it('sets and writes the bits before data or parity reaches a member, and ends every write it started', () => {
    const log: string[] = [];
    const t = makeArray({ disks: 4, wrap: (dev) => flakyReads(dev, -1, { left: 0 }, log) });
    let started = 0;
    let ended = 0;
    const degradedEnds: boolean[] = [];
    const bitmap: WriteIntentBitmap = {
      startWrite: (offset, sectors) => {
        started++;
        log.push(`startWrite ${offset}+${sectors}`);
      },
      endWrite: (_o, _s, success, degraded) => {
        ended++;
        expect(success).toBe(true);
        degradedEnds.push(degraded);
      },
      unplug: () => log.push('unplug'),
      startSync: () => ({ needSync: true, sectors: 8 }),
      endSync: () => undefined,
    };
    t.mddev.bitmap = bitmap;
    writeArray(t.pers, 0, pattern(3 * 128 * 512, 27));
    const firstWrite = log.findIndex((l) => l.startsWith('write'));
    expect(firstWrite).toBeGreaterThan(0);
    expect(log.slice(0, firstWrite)).toContain('unplug');
    expect(log.slice(0, firstWrite).filter((l) => l.startsWith('startWrite')).length).toBe(started);
    expect(started).toBe(3 * 16);
    expect(ended).toBe(started);
    expect(degradedEnds.every((d) => !d)).toBe(true);

    // Written while a member is missing: the bitmap is told the stripe was degraded, so the bit stays.
    t.mddev.mdError(t.mddev.rdevs[0], 'test');
    degradedEnds.length = 0;
    writeArray(t.pers, 0, pattern(3 * 128 * 512, 28));
    expect(degradedEnds.length).toBe(3 * 16);
    expect(degradedEnds.filter((d) => d).length).toBeGreaterThan(0);
    runUntilIdle(t.pers);
  });

  it('resync and recovery skip regions the bitmap calls clean; check ignores the bitmap', () => {
    const t = makeArray({ disks: 4, devSectors: 128 * 16 });
    const asked: number[] = [];
    t.mddev.bitmap = {
      startWrite: () => undefined,
      endWrite: () => undefined,
      unplug: () => undefined,
      startSync: (offset) => {
        asked.push(offset);
        // One dirty 64 KiB region at member sector 512; the rest clean in 64 KiB bitmap chunks.
        return { needSync: offset >= 512 && offset < 640, sectors: 128 - (offset % 128) };
      },
      endSync: () => undefined,
    };
    const reads = t.mddev.rdevs.map((r) => r.readBytes);
    let j = 0;
    while (j < t.mddev.devSectors) {
      const n = t.pers.syncRequest(j, 'resync');
      if (n === 0) t.pers.daemon();
      else j += n;
    }
    runUntilIdle(t.pers);
    expect(t.mddev.rdevs.map((r, i) => r.readBytes - reads[i])).toEqual([65536, 65536, 65536, 65536]);
    expect(t.mddev.syncedSectors).toBe(128);
    const before = asked.length;
    expect(t.pers.syncRequest(0, 'check')).toBe(8);
    expect(asked.length).toBe(before);
    runUntilIdle(t.pers);
    expect(readMember(t, 0, 0, 8).length).toBe(4096);
  });
});
