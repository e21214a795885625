import { describe, expect, it } from 'vitest';
import { DeviceError, type BlockDevice } from '../../../core/format/blockdev';
import { mapArraySector, type Geometry } from '../../../core/format/layout';
import { MdIoError } from '../../../core/engine/types';
import {
  makeArray,
  pattern,
  readArray,
  readMember,
  runSync,
  runUntilIdle,
  sha256,
  submit,
  TestRdev,
  writeArray,
  writeMember,
  type TestArray,
} from './harness';
import { MemBlockDevice } from '../../../core/format/blockdev';

function geometryOf(t: TestArray): Geometry {
  const m = t.mddev;
  return { level: m.level, raidDisks: m.raidDisks, algorithm: m.layout, chunkSectors: m.chunkSectors };
}

/** Every array sector must sit on the member and sector raid5_compute_sector names. */
function expectLayout(t: TestArray, reference: Uint8Array): void {
  const g = geometryOf(t);
  for (let sector = 0; sector < reference.length / 512; sector += 8) {
    const loc = mapArraySector(g, sector);
    const onMember = readMember(t, loc.disk, loc.devSector, 8);
    expect(sha256(onMember), `array sector ${sector} on disk ${loc.disk}`).toBe(sha256(reference.subarray(sector * 512, (sector + 8) * 512)));
  }
}

/** Spec §3.1: P is the XOR of the data blocks, so every row of 4 KiB blocks XORs to zero. */
function inconsistentStripes(t: TestArray): number {
  let bad = 0;
  for (let s = 0; s < t.mddev.devSectors; s += 8) {
    const acc = new Uint8Array(4096);
    for (let i = 0; i < t.mddev.raidDisks; i++) {
      const block = readMember(t, i, s, 8);
      for (let b = 0; b < 4096; b++) acc[b] ^= block[b];
    }
    if (acc.some((x) => x !== 0)) bad++;
  }
  return bad;
}

function arrayBytes(t: TestArray): number {
  return t.pers.arraySectors * 512;
}

/** Small seeded generator for offsets and lengths. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    return x / 0x80000000;
  };
}

const LAYOUTS: { level: 4 | 5; layout: number }[] = [
  { level: 5, layout: 0 },
  { level: 5, layout: 1 },
  { level: 5, layout: 2 },
  { level: 5, layout: 3 },
  { level: 5, layout: 4 },
  { level: 5, layout: 5 },
  { level: 4, layout: 0 },
];

describe('raid5 personality over real block devices', () => {
  for (const { level, layout } of LAYOUTS) {
    for (const disks of [3, 5]) {
      it(`raid${level} layout ${layout}, ${disks} disks: writes of any size and alignment land where raid5_compute_sector says, with XOR parity`, () => {
        const t = makeArray({ level, layout, disks, chunkSectors: 16, devSectors: 16 * 24 });
        const reference = new Uint8Array(arrayBytes(t));
        const random = rng(level * 100 + layout * 10 + disks);
        for (let k = 0; k < 40; k++) {
          const sector = Math.floor(random() * (reference.length / 512 - 1));
          const sectors = 1 + Math.floor(random() * Math.min(200, reference.length / 512 - sector - 1));
          const data = pattern(sectors * 512, k + 1);
          writeArray(t.pers, sector, data);
          reference.set(data, sector * 512);
        }
        expectLayout(t, reference);
        expect(inconsistentStripes(t)).toBe(0);
        expect(sha256(readArray(t.pers, 0, reference.length / 512))).toBe(sha256(reference));
        expect(t.mddev.writesInFlight).toBe(0);
      });
    }
  }

  it('keeps sparse image files sparse and parity right when members are files', async () => {
    const { tempDir } = await import('./harness');
    const fs = await import('node:fs');
    const path = await import('node:path');
    const dir = tempDir();
    try {
      const t = makeArray({ dir, devSectors: 128 * 1024 });
      const data = pattern(64 * 1024, 7);
      writeArray(t.pers, 10_000, data);
      expect(sha256(readArray(t.pers, 10_000, 128))).toBe(sha256(data));
      for (let i = 0; i < 4; i++) {
        const st = fs.statSync(path.join(dir, `disk${i}.img`));
        expect(st.blocks * 512).toBeLessThan(1024 * 1024);
      }
      const g = geometryOf(t);
      const loc = mapArraySector(g, 10_000);
      expect(sha256(readMember(t, loc.disk, loc.devSector, 8))).toBe(sha256(data.subarray(0, 4096)));
      for (const dev of t.devs) dev.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('chooses read-modify-write for a small write and reconstruct-write for a full stripe', () => {
    const t = makeArray({ disks: 5, trace: ['handle_stripe'] });
    writeArray(t.pers, 0, pattern(arrayBytes(t), 3));
    const before = t.mddev.rdevs.map((r) => r.readBytes);
    t.mddev.trace.events.length = 0;
    writeArray(t.pers, 8, pattern(4096, 4));
    const actions = t.mddev.trace.events.map((e) => e.action).join('; ');
    expect(actions).toContain('read for read-modify-write');
    expect(actions).toContain('read-modify-write parity');
    // Two blocks read (old data and old parity) instead of the three other data blocks.
    const readsAfterSmall = t.mddev.rdevs.reduce((sum, r, i) => sum + r.readBytes - before[i], 0);
    expect(readsAfterSmall).toBe(2 * 4096);

    t.mddev.trace.events.length = 0;
    const readBefore = t.mddev.rdevs.reduce((sum, r) => sum + r.readBytes, 0);
    const rowSectors = 4 * t.mddev.chunkSectors;
    writeArray(t.pers, rowSectors, pattern(rowSectors * 512, 5));
    expect(t.mddev.rdevs.reduce((sum, r) => sum + r.readBytes, 0)).toBe(readBefore);
    expect(t.mddev.trace.events.map((e) => e.action).join('; ')).toContain('reconstruct-write parity');
    expect(inconsistentStripes(t)).toBe(0);
  });

  it("fails each member in turn and the array's sha256 never changes", () => {
    const t = makeArray({ disks: 4 });
    const content = pattern(arrayBytes(t), 11);
    writeArray(t.pers, 0, content);
    for (const rdev of t.mddev.rdevs) {
      t.mddev.mdError(rdev, 'test');
      expect(t.pers.degraded()).toBe(1);
      expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
      // The member comes back unchanged: nothing was written while it was out.
      rdev.flags.delete('Faulty');
      rdev.flags.add('In_sync');
      expect(t.pers.degraded()).toBe(0);
    }
  });

  it('writes to a degraded array read back right, from parity where the member is missing', () => {
    const t = makeArray({ disks: 4 });
    const content = pattern(arrayBytes(t), 12);
    writeArray(t.pers, 0, content);
    t.mddev.mdError(t.mddev.rdevs[1], 'test');
    const random = rng(5);
    for (let k = 0; k < 30; k++) {
      const sector = Math.floor(random() * (content.length / 512 - 64));
      const data = pattern((1 + Math.floor(random() * 63)) * 512, 100 + k);
      writeArray(t.pers, sector, data);
      content.set(data, sector * 512);
    }
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
  });

  it('a second failure fails the array: lost blocks read as MdIoError, surviving blocks still read, writes refused', () => {
    const t = makeArray({ disks: 4 });
    const content = pattern(arrayBytes(t), 13);
    writeArray(t.pers, 0, content);
    t.mddev.mdError(t.mddev.rdevs[0], 'test');
    t.mddev.mdError(t.mddev.rdevs[2], 'test');
    expect(t.pers.degraded()).toBe(2);
    const g = geometryOf(t);
    let lost = 0;
    let served = 0;
    for (let sector = 0; sector < content.length / 512; sector += 64) {
      const loc = mapArraySector(g, sector);
      const read = submit(t.pers, 'read', sector, new Uint8Array(4096));
      runUntilIdle(t.pers);
      expect(read.done).toBe(true);
      if (loc.disk === 0 || loc.disk === 2) {
        expect(read.error).toBeInstanceOf(MdIoError);
        lost++;
      } else {
        expect(read.error).toBeNull();
        served++;
      }
    }
    expect(lost).toBeGreaterThan(0);
    expect(served).toBeGreaterThan(0);
    const write = submit(t.pers, 'write', 8, pattern(4096, 1));
    runUntilIdle(t.pers);
    expect(write.error).toBeInstanceOf(MdIoError);
    expect(t.mddev.writesInFlight).toBe(0);
  });

  it('check counts 8 sectors per inconsistent stripe and writes nothing; repair rewrites parity', () => {
    const t = makeArray({ disks: 4 });
    writeArray(t.pers, 0, pattern(arrayBytes(t), 14));
    runSync(t.pers, 'check', t.mddev.devSectors);
    expect(t.mddev.mismatches).toBe(0);
    expect(t.mddev.syncedSectors).toBe(t.mddev.devSectors);
    // Corrupt three blocks behind md's back: two on one member, one on another.
    writeMember(t, 1, 64, pattern(4096, 90));
    writeMember(t, 1, 72, pattern(4096, 91));
    writeMember(t, 3, 800, pattern(4096, 92));
    const written = t.mddev.rdevs.map((r) => r.writtenBytes);
    runSync(t.pers, 'check', t.mddev.devSectors);
    expect(t.mddev.mismatches).toBe(24);
    expect(t.mddev.rdevs.map((r) => r.writtenBytes)).toEqual(written);
    expect(inconsistentStripes(t)).toBe(3);
    t.mddev.mismatches = 0;
    runSync(t.pers, 'repair', t.mddev.devSectors);
    expect(t.mddev.mismatches).toBe(24);
    expect(inconsistentStripes(t)).toBe(0);
    t.mddev.mismatches = 0;
    runSync(t.pers, 'check', t.mddev.devSectors);
    expect(t.mddev.mismatches).toBe(0);
  });

  it('resync over members full of old bytes makes every stripe consistent, keeping the data blocks', () => {
    const t = makeArray({ disks: 3, devSectors: 128 * 8 });
    for (let i = 0; i < 3; i++) writeMember(t, i, 0, pattern(128 * 8 * 512, 200 + i));
    const data0 = readMember(t, 0, 0, 128);
    runSync(t.pers, 'resync', t.mddev.devSectors);
    expect(inconsistentStripes(t)).toBe(0);
    expect(t.mddev.mismatches).toBe(t.mddev.devSectors);
    // Left-symmetric, 3 disks: the first chunk of disk 0 is data (D0), so resync left it alone.
    expect(sha256(readMember(t, 0, 0, 128))).toBe(sha256(data0));
  });

  it('a SYNC on a degraded array skips the whole range at once, recovery does not', () => {
    const t = makeArray({ disks: 4 });
    t.mddev.mdError(t.mddev.rdevs[3], 'test');
    expect(t.pers.syncRequest(0, 'resync')).toBe(t.mddev.devSectors);
    expect(t.pers.syncRequest(64, 'check')).toBe(t.mddev.devSectors - 64);
    expect(t.pers.syncRequest(0, 'recover')).toBe(8);
    runUntilIdle(t.pers);
  });

  it('recovery onto a spare rebuilds the lost member byte for byte, with writes arriving mid-recovery', () => {
    const t = makeArray({ disks: 4 });
    const content = pattern(arrayBytes(t), 15);
    writeArray(t.pers, 0, content);
    const failed = t.mddev.rdevs[2];
    t.mddev.mdError(failed, 'test');
    expect(t.pers.hotRemoveDisk(failed)).toBe(true);
    failed.raidDisk = -1;
    const spareDev = new MemBlockDevice('spare.img', t.devs[2].sizeBytes);
    const spare = new TestRdev(spareDev, 4, t.dataOffsetSectors);
    spare.flags.clear();
    spare.raidDisk = -1;
    spare.recoveryOffsetSectors = 0;
    t.mddev.rdevs.push(spare);
    expect(t.pers.hotAddDisk(spare)).toBe(true);
    expect(spare.raidDisk).toBe(2);
    expect(t.pers.degraded()).toBe(1);
    // A recovering member is not removable while recovery is possible.
    expect(t.pers.hotRemoveDisk(spare)).toBe(false);
    runSync(t.pers, 'recover', t.mddev.devSectors / 2);
    const update = pattern(200 * 512, 16);
    writeArray(t.pers, 1000, update);
    content.set(update, 1000 * 512);
    runSync(t.pers, 'recover', t.mddev.devSectors, t.mddev.devSectors / 2);
    spare.recoveryOffsetSectors = Number.POSITIVE_INFINITY;
    expect(t.pers.spareActive()).toBe(1);
    expect(t.pers.degraded()).toBe(0);
    expect(inconsistentStripes({ ...t, devs: [t.devs[0], t.devs[1], spareDev, t.devs[3]] })).toBe(0);
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
    expect(t.mddev.mismatches).toBe(0);
  });

  it('reads adjacent stripes with one readv per member per run', () => {
    const calls: number[] = [0, 0, 0, 0];
    const t = makeArray({
      disks: 4,
      devSectors: 128 * 16,
      wrap: (dev, index) => countingDevice(dev, () => calls[index]++),
    });
    t.pers.setStripeCacheSize(256);
    runSync(t.pers, 'check', t.mddev.devSectors);
    // 256 stripes fit the cache: each member is read in a handful of large readv calls, not 256.
    for (const c of calls) expect(c).toBeLessThanOrEqual(4);
    for (const r of t.mddev.rdevs) expect(r.readBytes).toBe(t.mddev.devSectors * 512);
  });

  it('a write bigger than the stripe cache completes and the cache never outgrows stripe_cache_size', () => {
    const t = makeArray({ disks: 4, devSectors: 128 * 64 });
    t.pers.setStripeCacheSize(17);
    const content = pattern(arrayBytes(t), 17);
    const w = submit(t.pers, 'write', 0, content);
    let maxActive = 0;
    while (!t.pers.idle()) {
      t.pers.daemon();
      maxActive = Math.max(maxActive, t.pers.status().stripeCacheActive);
    }
    expect(w.done && w.error === null).toBe(true);
    expect(maxActive).toBeLessThanOrEqual(17);
    expect(sha256(readArray(t.pers, 0, content.length / 512))).toBe(sha256(content));
    expect(inconsistentStripes(t)).toBe(0);
    expect(() => t.pers.setStripeCacheSize(16)).toThrow(RangeError);
    expect(() => t.pers.setStripeCacheSize(32769)).toThrow(RangeError);
  });

  it('calls md_check_recovery first on every raid5d pass and marks writes with md_write_start/end', () => {
    const t = makeArray();
    const w = submit(t.pers, 'write', 0, pattern(8192, 1));
    expect(t.mddev.writesInFlight).toBe(1);
    const passes = runUntilIdle(t.pers);
    expect(w.done).toBe(true);
    expect(t.mddev.checkRecoveryCalls).toBe(passes);
    expect(t.mddev.writesInFlight).toBe(0);
  });
});

/** A member wrapper that reports each readv (one merged request). */
function countingDevice(dev: BlockDevice, onReadv: () => void): BlockDevice {
  return {
    name: dev.name,
    sizeBytes: dev.sizeBytes,
    readv: (b, o) => {
      onReadv();
      dev.readv(b, o);
    },
    writev: (b, o) => dev.writev(b, o),
    read: (b, o) => dev.read(b, o),
    write: (b, o) => dev.write(b, o),
    flush: () => dev.flush(),
    close: () => dev.close(),
  };
}

export { DeviceError };

describe('raid5 on huge sparse members', () => {
  it('16 × 4 TiB members: writes, degraded reads and a check near the end, memory bounded by the stripe cache', () => {
    const devSectors = 4 * 1024 * 1024 * 1024 * 2; // 4 TiB in sectors
    const t = makeArray({ disks: 16, chunkSectors: 1024, devSectors, dataOffsetSectors: 264_192 });
    const arrayEnd = t.pers.arraySectors;
    expect(arrayEnd).toBe(devSectors * 15);
    const data = pattern(2 * 1024 * 1024, 51);
    const at = arrayEnd - data.length / 512 - 4096;
    writeArray(t.pers, at, data);
    t.mddev.mdError(t.mddev.rdevs[mapArraySector(geometryOf(t), at).disk], 'test');
    expect(sha256(readArray(t.pers, at, data.length / 512))).toBe(sha256(data));
    t.mddev.rdevs.forEach((r) => {
      r.flags.delete('Faulty');
      r.flags.add('In_sync');
    });
    // The personality counts degraded slots when md tells it members changed (mddev->degraded), so ask it to recount.
    expect(t.pers.degraded()).toBe(0);
    const from = devSectors - 4096 * 8;
    runSync(t.pers, 'check', devSectors, from);
    expect(t.mddev.syncedSectors).toBe(devSectors - from);
    expect(t.mddev.mismatches).toBe(0);
    expect(t.pers.status().stripeCacheActive).toBe(0);
    // Sparse: only what was written is held in memory (MemBlockDevice pages of 64 KiB).
    const held = t.devs.reduce((n, d) => n + (d as MemBlockDevice).allocatedBytes, 0);
    expect(held).toBeLessThan(8 * 1024 * 1024);
  });
});
