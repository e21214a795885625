import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultyDevice, completionTimeMs } from '../../core/faults/faulty-device';
import { FaultError, FaultSpecSchema, parseFaultSpec } from '../../core/faults/spec';
import { DeviceError, FileBlockDevice, MemBlockDevice } from '../../core/format/blockdev';
import { VirtualClock, diffOffsets, errorOf, fileBytes, pattern, patternedImage, tempDir } from './helpers';

const MiB = 1024 * 1024;
let dir: string;
let clock: VirtualClock;
let image: FileBlockDevice;
let dev: FaultyDevice;
let original: Uint8Array;

beforeEach(() => {
  dir = tempDir('faults');
  clock = new VirtualClock();
  image = patternedImage(dir, 'disk0.img', 64 * MiB, MiB);
  dev = new FaultyDevice(image, { clock: clock.read, reopen: () => FileBlockDevice.open(image.path) });
  original = fileBytes(image, 0, MiB);
});
afterEach(() => {
  dev.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function readSector(sector: number): Uint8Array {
  const b = new Uint8Array(512);
  dev.read(b, sector * 512);
  return b;
}

function failsToRead(sector: number): boolean {
  try {
    readSector(sector);
    return false;
  } catch (err) {
    expect(err).toBeInstanceOf(DeviceError);
    return true;
  }
}

describe('FaultyDevice without faults', () => {
  it('passes reads and writes through to the image unchanged', () => {
    const got = new Uint8Array(MiB);
    dev.readv([got.subarray(0, 4096), got.subarray(4096)], 0);
    expect(diffOffsets(got, original)).toEqual([]);
    dev.writev([pattern(4096, 9), pattern(512, 10)], 8192);
    expect(fileBytes(image, 8192, 4608)).toEqual(new Uint8Array([...pattern(4096, 9), ...pattern(512, 10)]));
    expect(dev.counters).toEqual({ reads: 1, writes: 1, flushes: 0, failed: 0 });
    expect(dev.lastIoCostMs).toBe(0);
    expect(dev.name).toBe('disk0.img');
    expect(dev.sizeBytes).toBe(64 * MiB);
  });
});

describe('whole-device failure and unplug', () => {
  it('fails every read, write and flush with EIO and writes nothing while failed', () => {
    const id = dev.inject({ kind: 'fail' });
    expect(errorOf(() => readSector(0)).code).toBe('EIO');
    expect(errorOf(() => dev.write(pattern(512, 3), 0)).code).toBe('EIO');
    expect(errorOf(() => dev.flush()).code).toBe('EIO');
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
    expect(dev.faults()[0].hits).toBe(3);
    expect(dev.counters.failed).toBe(3);
    dev.clear(id);
    expect(readSector(0)).toEqual(original.subarray(0, 512));
  });

  it('closes the image when unplugged and reopens it when plugged back in', () => {
    const id = dev.inject({ kind: 'unplug' });
    expect(errorOf(() => image.read(new Uint8Array(512), 0)).code).toBe('CLOSED');
    expect(errorOf(() => readSector(0)).message).toMatch(/unplugged/);
    expect(errorOf(() => dev.write(pattern(512, 3), 0)).code).toBe('EIO');
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
    dev.clear(id);
    expect(dev.isUnplugged).toBe(false);
    expect(dev.inner).not.toBe(image);
    expect(readSector(1)).toEqual(original.subarray(512, 1024));
  });

  it('refuses to plug back a member it cannot reopen', () => {
    const mem = new FaultyDevice(new MemBlockDevice('mem0', MiB), { clock: clock.read });
    mem.inject({ kind: 'fail' });
    const id = mem.inject({ kind: 'unplug' });
    expect(() => mem.clear(id)).toThrow(FaultError);
    expect(() => mem.clearAll()).toThrow(FaultError);
    expect(mem.faults().map((f) => f.spec.kind)).toEqual(['fail', 'unplug']);
  });
});

describe('read-error ranges (dm-dust)', () => {
  it('fails reads of exactly the listed sectors, naming the first bad one', () => {
    dev.inject({ kind: 'read-error', range: { startSector: 100, lengthSectors: 8 } });
    const failed: number[] = [];
    for (let s = 90; s < 120; s++) if (failsToRead(s)) failed.push(s);
    expect(failed).toEqual([100, 101, 102, 103, 104, 105, 106, 107]);
    const err = errorOf(() => dev.read(new Uint8Array(64 * 512), 64 * 512));
    expect(err.offsetBytes).toBe(100 * 512);
    expect(dev.faults()[0].hits).toBe(9);
  });

  it('lets writes through and forgets the sectors a write covered, as dm-dust does', () => {
    dev.inject({ kind: 'read-error', range: { startSector: 100, lengthSectors: 8 } });
    dev.write(pattern(1024, 4), 102 * 512);
    expect(fileBytes(image, 102 * 512, 1024)).toEqual(pattern(1024, 4));
    const failed: number[] = [];
    for (let s = 98; s < 110; s++) if (failsToRead(s)) failed.push(s);
    expect(failed).toEqual([100, 101, 104, 105, 106, 107]);
    expect(dev.faults()[0].badSectors).toEqual([
      { startSector: 100, lengthSectors: 2 },
      { startSector: 104, lengthSectors: 4 },
    ]);
  });

  it('keeps the list when told the drive does not remap on write', () => {
    dev.inject({ kind: 'read-error', range: { startSector: 5, lengthSectors: 1 }, clearOnWrite: false });
    dev.write(pattern(512, 4), 5 * 512);
    expect(failsToRead(5)).toBe(true);
  });
});

describe('write-error ranges', () => {
  it('fails writes touching the range without changing the image, and leaves reads and other writes alone', () => {
    dev.inject({ kind: 'write-error', range: { startSector: 16, lengthSectors: 8 } });
    const err = errorOf(() => dev.write(pattern(8192, 5), 8 * 512));
    expect(err.code).toBe('EIO');
    expect(err.offsetBytes).toBe(16 * 512);
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
    expect(readSector(16)).toEqual(original.subarray(16 * 512, 17 * 512));
    dev.write(pattern(4096, 6), 24 * 512);
    expect(fileBytes(image, 24 * 512, 4096)).toEqual(pattern(4096, 6));
    dev.write(pattern(512, 6), 15 * 512);
    expect(dev.faults()[0].hits).toBe(1);
  });
});

describe('flakey periods (dm-flakey)', () => {
  it('follows the up/down cycle measured from the moment it is applied', () => {
    clock.nowMs = 1000;
    dev.inject({ kind: 'flakey', upMs: 5000, downMs: 2000, features: { errorReads: true } });
    const timeline: [number, boolean][] = [];
    for (const t of [1000, 5999, 6000, 7999, 8000, 12999, 13000, 14999, 15000]) {
      clock.nowMs = t;
      timeline.push([t, failsToRead(0)]);
    }
    expect(timeline).toEqual([
      [1000, false],
      [5999, false],
      [6000, true],
      [7999, true],
      [8000, false],
      [12999, false],
      [13000, true],
      [14999, true],
      [15000, false],
    ]);
  });

  it('with error_reads fails reads only while down and handles writes correctly', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000, features: { errorReads: true } });
    expect(failsToRead(3)).toBe(true);
    dev.write(pattern(512, 8), 3 * 512);
    expect(fileBytes(image, 3 * 512, 512)).toEqual(pattern(512, 8));
  });

  it('with drop_writes reports success for writes that never reach the image, and reads correctly', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000, features: { dropWrites: true } });
    dev.write(pattern(65536, 7), 0);
    dev.flush();
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
    expect(readSector(0)).toEqual(original.subarray(0, 512));
    expect(dev.faults()[0].hits).toBe(2);
    expect(dev.counters.failed).toBe(0);
  });

  it('with error_writes fails writes and flushes, and reads correctly', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000, features: { errorWrites: true } });
    expect(errorOf(() => dev.write(pattern(512, 7), 0)).code).toBe('EIO');
    expect(errorOf(() => dev.flush()).code).toBe('EIO');
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
    expect(readSector(7)).toEqual(original.subarray(7 * 512, 8 * 512));
  });

  it('with no features fails every I/O while down', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000 });
    expect(failsToRead(0)).toBe(true);
    expect(errorOf(() => dev.write(pattern(512, 7), 0)).code).toBe('EIO');
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
  });

  it('with corrupt_bio_byte on reads changes exactly the nth byte returned and nothing stored', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000, features: { corruptBioByte: { nthByte: 700, direction: 'read', value: 0x5a } } });
    const got = new Uint8Array(1024);
    dev.readv([got.subarray(0, 512), got.subarray(512)], 4096);
    const want = original.slice(4096, 5120);
    expect(diffOffsets(got, want)).toEqual(want[699] === 0x5a ? [] : [699]);
    expect(got[699]).toBe(0x5a);
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([]);
    dev.read(got.subarray(0, 512), 0); // bio shorter than nth byte: untouched
    expect(got.subarray(0, 512)).toEqual(original.subarray(0, 512));
  });

  it('with corrupt_bio_byte on writes stores exactly one changed byte and leaves the caller’s buffer intact', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000, features: { corruptBioByte: { nthByte: 1, direction: 'write', value: 0xff } } });
    const data = pattern(4096, 11);
    data[0] = 0;
    const copy = data.slice();
    dev.write(data, 8192);
    expect(data).toEqual(copy);
    const stored = fileBytes(image, 8192, 4096);
    expect(diffOffsets(stored, copy)).toEqual([0]);
    expect(stored[0]).toBe(0xff);
  });

  it('restricted to a sector range, leaves I/O elsewhere alone', () => {
    dev.inject({ kind: 'flakey', upMs: 0, downMs: 1000, range: { startSector: 64, lengthSectors: 64 } });
    expect(failsToRead(63)).toBe(false);
    expect(failsToRead(64)).toBe(true);
    expect(failsToRead(127)).toBe(true);
    expect(failsToRead(128)).toBe(false);
  });

  it('refuses the feature combinations dm-flakey refuses', () => {
    expect(() => parseFaultSpec({ kind: 'flakey', upMs: 1, downMs: 1, features: { dropWrites: true, errorWrites: true } })).toThrow(/drop_writes conflicts/);
    expect(() =>
      parseFaultSpec({ kind: 'flakey', upMs: 1, downMs: 1, features: { dropWrites: true, corruptBioByte: { nthByte: 1, direction: 'write', value: 0 } } }),
    ).toThrow(/incompatible/);
  });
});

describe('latency and a slow disk, in logical time', () => {
  it('reports dm-delay latency per direction without touching the data', () => {
    clock.nowMs = 500;
    dev.inject({ kind: 'delay', readMs: 20, writeMs: 35, flushMs: 5 });
    readSector(0);
    expect([dev.lastIoCostMs, dev.lastIoCompleteAtMs]).toEqual([20, 520]);
    dev.write(pattern(512, 1), 0);
    expect(dev.lastIoCostMs).toBe(35);
    dev.flush();
    expect(dev.lastIoCostMs).toBe(5);
    expect(fileBytes(image, 0, 512)).toEqual(pattern(512, 1));
  });

  it('serialises transfers at the bandwidth cap, latency overlapping them', () => {
    dev.inject({ kind: 'slow', bandwidthKibPerSec: 1024 });
    dev.read(new Uint8Array(MiB), 0);
    expect(dev.lastIoCostMs).toBe(1000);
    dev.read(new Uint8Array(MiB / 2), 0); // queued behind the first
    expect(dev.lastIoCompleteAtMs).toBe(1500);
    clock.nowMs = 3000; // the disk is idle again
    dev.inject({ kind: 'delay', readMs: 10, writeMs: 10 });
    dev.read(new Uint8Array(MiB / 4), 0);
    expect(dev.lastIoCompleteAtMs).toBe(3260);
    expect(dev.faults().map((f) => f.hits)).toEqual([3, 1]);
  });

  it('tells the engine when to complete an I/O, for plain members too', () => {
    const plain = new MemBlockDevice('plain', MiB);
    plain.read(new Uint8Array(512), 0);
    expect(completionTimeMs(plain, 40)).toBe(40);
    clock.nowMs = 40;
    dev.inject({ kind: 'delay', readMs: 15, writeMs: 0 });
    readSector(0);
    expect(completionTimeMs(dev, 40)).toBe(55);
    dev.write(pattern(512, 1), 0);
    expect(completionTimeMs(dev, 40)).toBe(40);
  });

  it('reports zero cost again once the timing faults are cleared', () => {
    const id = dev.inject({ kind: 'delay', readMs: 20, writeMs: 20 });
    readSector(0);
    dev.clear(id);
    readSector(0);
    expect(dev.lastIoCostMs).toBe(0);
  });
});

describe('bit rot', () => {
  it('flips exactly the chosen bits in the image and nothing else', () => {
    const flips = [
      { offsetBytes: 0, bit: 0 },
      { offsetBytes: 4097, bit: 7 },
      { offsetBytes: 4097, bit: 3 },
      { offsetBytes: 2 * MiB, bit: 5 }, // in a hole of the sparse image
    ];
    dev.inject({ kind: 'bitrot', placement: { by: 'chosen', flips } });
    const after = fileBytes(image, 0, 2 * MiB + 1);
    const before = new Uint8Array(2 * MiB + 1);
    before.set(original);
    expect(diffOffsets(after, before)).toEqual([0, 4097, 2 * MiB]);
    expect(after[0] ^ before[0]).toBe(0b1);
    expect(after[4097] ^ before[4097]).toBe(0b1000_1000);
    expect(after[2 * MiB]).toBe(0b10_0000);
    expect(dev.faults()[0]).toMatchObject({ state: 'done', hits: 4 });
  });

  it('places seeded bit rot inside its range, the same way for the same seed, differently for another', () => {
    const spec = (seed: number) => ({ kind: 'bitrot' as const, placement: { by: 'seeded' as const, seed, count: 16, range: { startSector: 8, lengthSectors: 16 } } });
    const a = new FaultyDevice(new MemBlockDevice('a', MiB), { clock: clock.read });
    const b = new FaultyDevice(new MemBlockDevice('b', MiB), { clock: clock.read });
    const c = new FaultyDevice(new MemBlockDevice('c', MiB), { clock: clock.read });
    a.inject(spec(1234));
    b.inject(spec(1234));
    c.inject(spec(4321));
    const fa = a.faults()[0].flips!;
    expect(fa).toHaveLength(16);
    expect(b.faults()[0].flips).toEqual(fa);
    expect(c.faults()[0].flips).not.toEqual(fa);
    expect(new Set(fa.map((f) => f.offsetBytes * 8 + f.bit)).size).toBe(16);
    const got = new Uint8Array(MiB);
    a.read(got, 0);
    let setBits = 0;
    for (let i = 0; i < MiB; i++) {
      if (got[i] === 0) continue;
      expect(i).toBeGreaterThanOrEqual(8 * 512);
      expect(i).toBeLessThan(24 * 512);
      for (let v = got[i]; v; v &= v - 1) setBits++;
    }
    expect(setBits).toBe(16);
  });

  it('reaches an unplugged member’s image, reopening it for the moment', () => {
    dev.inject({ kind: 'unplug' });
    dev.inject({ kind: 'bitrot', placement: { by: 'chosen', flips: [{ offsetBytes: 3, bit: 6 }] } });
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([3]);
    expect(dev.isUnplugged).toBe(true);
    const mem = new FaultyDevice(new MemBlockDevice('mem0', MiB), { clock: clock.read });
    mem.inject({ kind: 'unplug' });
    expect(() => mem.inject({ kind: 'bitrot', placement: { by: 'chosen', flips: [{ offsetBytes: 3, bit: 6 }] } })).toThrow(FaultError);
  });

  it('goes beneath the other faults: it reaches the image even while the member fails every I/O', () => {
    dev.inject({ kind: 'fail' });
    dev.inject({ kind: 'bitrot', placement: { by: 'chosen', flips: [{ offsetBytes: 10, bit: 1 }] } });
    expect(diffOffsets(fileBytes(image, 0, MiB), original)).toEqual([10]);
  });
});

describe('describe() and FaultSpec', () => {
  it('lists each fault with the dm target it imitates, its state and its hits', () => {
    dev.inject({ kind: 'read-error', range: { startSector: 0, lengthSectors: 8 } });
    dev.inject({ kind: 'flakey', upMs: 5000, downMs: 1000, features: { dropWrites: true } });
    failsToRead(0);
    expect(dev.describe()).toEqual([
      '#1 reads of sectors 0–7 fail (dm-dust, cleared by a write); 8 bad sector(s) left; hit 1',
      '#2 flakey: up 5 s, down 1 s; while down drop_writes (dm-flakey); up now; hit 0',
    ]);
  });

  it('round-trips every kind through JSON with defaults filled in', () => {
    const inputs = [
      { kind: 'fail' },
      { kind: 'unplug' },
      { kind: 'read-error', range: { startSector: 1, lengthSectors: 2 } },
      { kind: 'write-error', range: { startSector: 1, lengthSectors: 2 } },
      { kind: 'flakey', upMs: 1, downMs: 2 },
      { kind: 'delay', readMs: 1, writeMs: 2 },
      { kind: 'slow', bandwidthKibPerSec: 100 },
      { kind: 'bitrot', placement: { by: 'seeded', seed: 1, count: 1 } },
    ];
    for (const input of inputs) {
      const spec = parseFaultSpec(input);
      expect(FaultSpecSchema.parse(JSON.parse(JSON.stringify(spec)))).toEqual(spec);
    }
    expect(() => parseFaultSpec({ kind: 'read-error', range: { startSector: -1, lengthSectors: 2 } })).toThrow();
  });
});

describe('multi-TiB sparse members', () => {
  it('places faults and bit rot anywhere on a 2 TiB image without allocating it', () => {
    const TiB = 1024 ** 4;
    const big = FileBlockDevice.create(`${dir}/big.img`, 2 * TiB);
    const faulty = new FaultyDevice(big, { clock: clock.read });
    const lastSector = 2 * TiB / 512 - 1;
    faulty.inject({ kind: 'read-error', range: { startSector: lastSector, lengthSectors: 1 } });
    expect(errorOf(() => faulty.read(new Uint8Array(4096), 2 * TiB - 4096)).offsetBytes).toBe(2 * TiB - 512);
    faulty.inject({ kind: 'bitrot', placement: { by: 'seeded', seed: 3, count: 8, range: null } });
    const flips = faulty.faults()[1].flips!;
    expect(Math.max(...flips.map((f) => f.offsetBytes))).toBeGreaterThan(TiB / 4); // spread over the whole member
    for (const f of flips) {
      const b = new Uint8Array(1);
      big.read(b, f.offsetBytes);
      expect(b[0]).toBe(1 << f.bit);
    }
    faulty.close();
    expect(fs.statSync(`${dir}/big.img`).blocks * 512).toBeLessThan(1024 * 1024);
  });
});
