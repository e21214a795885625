/**
 * The fault layer on arrays the real kernel made: md's own formats read through a FaultyDevice exactly as
 * through the image, and each fault shows up where md would notice it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../core/faults/faulty-device';
import { DeviceError, FileBlockDevice } from '../../core/format/blockdev';
import { readSuperblock } from '../../core/format/superblock';
import { toSafeNumber } from '../../core/util/assert';
import { xorBlocks } from '../../core/util/xor';
import { type GoldenCase, openGoldenCase } from '../helpers/golden';
import { VirtualClock } from './helpers';

const PAGE = 4096;
let golden: GoldenCase;
let devs: FaultyDevice[];

beforeAll(() => {
  golden = openGoldenCase('r5-ls-3d-64k');
  const clock = new VirtualClock();
  devs = golden.images.map((p) => new FaultyDevice(FileBlockDevice.open(p), { clock: clock.read }));
});
afterAll(() => {
  for (const d of devs) d.close();
  golden.cleanup();
});

/** Member byte offsets of 4 KiB blocks whose row does not XOR to zero: what md's `check` counts. */
function inconsistentBlocks(): number[] {
  const { sb } = readSuperblock(devs[0]);
  const startBytes = toSafeNumber(sb.dataOffset, 'data_offset') * 512;
  const endBytes = startBytes + toSafeNumber(sb.size, 'size') * 512;
  const rows = devs.map(() => new Uint8Array(PAGE));
  const sum = new Uint8Array(PAGE);
  const bad: number[] = [];
  for (let offset = startBytes; offset < endBytes; offset += PAGE) {
    devs.forEach((d, i) => d.read(rows[i], offset));
    xorBlocks(sum, rows);
    if (sum.some((b) => b !== 0)) bad.push(offset);
  }
  return bad;
}

describe('faults on a kernel-made RAID5', () => {
  it('reads every member’s superblock through the fault layer as the kernel wrote it', () => {
    for (const d of devs) {
      const r = readSuperblock(d);
      expect(r.checksumOk).toBe(true);
      expect(r.version).toBe('1.2');
    }
    expect(inconsistentBlocks()).toEqual([]);
  });

  it('turns a bad sector under the superblock into an EIO for the reader', () => {
    const id = devs[1].inject({ kind: 'read-error', range: { startSector: 8, lengthSectors: 1 } });
    try {
      const err = (() => {
        try {
          readSuperblock(devs[1]);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).offsetBytes).toBe(8 * 512);
    } finally {
      devs[1].clear(id);
    }
  });

  it('makes the superblock checksum fail when corrupt_bio_byte hits a read of it', () => {
    // The 201st byte of the slot is the low byte of `events` (offset 200): a change only sb_csum catches.
    const id = devs[2].inject({ kind: 'flakey', upMs: 0, downMs: 1, features: { corruptBioByte: { nthByte: 201, direction: 'read', value: 0xee } } });
    try {
      const r = readSuperblock(devs[2]);
      expect(r.checksumOk).toBe(false);
      expect(r.sb.events & 0xffn).toBe(0xeen);
    } finally {
      devs[2].clear(id);
    }
    expect(readSuperblock(devs[2]).checksumOk).toBe(true);
  });

  it('breaks the parity of exactly the rows where bit rot lands, as md’s check would find', () => {
    const { sb } = readSuperblock(devs[0]);
    const dataStartSector = toSafeNumber(sb.dataOffset, 'data_offset');
    devs[1].inject({
      kind: 'bitrot',
      placement: { by: 'seeded', seed: 77, count: 3, range: { startSector: dataStartSector, lengthSectors: toSafeNumber(sb.size, 'size') } },
    });
    const flips = devs[1].faults()[0].flips!;
    const rotBlocks = [...new Set(flips.map((f) => f.offsetBytes - (f.offsetBytes % PAGE)))].sort((a, b) => a - b);
    expect(inconsistentBlocks()).toEqual(rotBlocks);
  });
});
