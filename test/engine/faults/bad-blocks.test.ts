/**
 * The bad-block log in the running engine (spec §1.10, §4.10-4.11): md records a block it could not
 * read or write instead of failing the member, keeps it on disk with the superblock, and rebuilds
 * reads of it from parity until a good write makes it readable again.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MdArray } from '../../../core/engine/array';
import { BadBlocks, MAX_BADBLOCKS } from '../../../core/engine/md/badblocks';
import { FaultyDevice } from '../../../core/faults/faulty-device';
import { FileBlockDevice } from '../../../core/format/blockdev';
import { parseBadBlockLog } from '../../../core/format/badblocks';
import { FEATURE } from '../../../core/format/superblock';
import { examineFacts, renderExamine } from '../../../core/md/examine';
import { closeMembers, openMember } from '../../../core/md/member';
import { createOptions, engineOptions, imagesIn, MiB, patternBytes, sha256, superblockOf, useTempDirs } from '../md/helpers';

const dir = useTempDirs();

/** An array whose members sit behind FaultyDevices, as the scenario runner and the lab host build them. */
function faultyArray(d: string): { array: MdArray; faulty: Map<string, FaultyDevice> } {
  const faulty = new Map<string, FaultyDevice>();
  const options = engineOptions();
  const openDevice = (imagePath: string): FaultyDevice => {
    const dev = new FaultyDevice(FileBlockDevice.open(imagePath), { clock: () => options.clock.nowMs() });
    faulty.set(path.basename(imagePath), dev);
    return dev;
  };
  const array = MdArray.create(d, createOptions({ assumeClean: true }), { ...options, openDevice });
  return { array, faulty };
}

/** Member 0 holds array bytes [0, 64 KiB) in the left-symmetric layout: its first chunk is D0. */
function member0(array: MdArray, faulty: Map<string, FaultyDevice>): { dev: FaultyDevice; dataOffsetSectors: number } {
  const rdev = array.member(0);
  return { dev: faulty.get(rdev.name)!, dataOffsetSectors: rdev.dataOffsetSectors };
}

describe('the bad-block list', () => {
  it('merges touching ranges, splits on clear, and refuses what one page of entries cannot hold', () => {
    const bb = new BadBlocks(false);
    expect(bb.set(100, 8, false)).toBe(true);
    expect(bb.set(108, 8, true)).toBe(true);
    expect(bb.entries()).toEqual([{ startSector: 100, lengthSectors: 16, acknowledged: false }]);
    expect(bb.clear(104, 4)).toBe(true);
    expect(bb.entries().map((r) => [r.startSector, r.lengthSectors])).toEqual([[100, 4], [108, 8]]);
    expect(bb.check(104, 4)).toBe(false);
    expect(bb.check(103, 2)).toBe(true);
    for (let i = 2; i < MAX_BADBLOCKS; i++) expect(bb.set(10_000 + i * 16, 8, true)).toBe(true);
    expect(bb.count).toBe(MAX_BADBLOCKS);
    expect(bb.set(1_000_000, 8, true)).toBe(false);
    expect(bb.count).toBe(MAX_BADBLOCKS);
    const again = BadBlocks.fromLog(bb.toLog(8, 0), 0);
    expect(again.entries().map((r) => [r.startSector, r.lengthSectors])).toEqual(bb.entries().map((r) => [r.startSector, r.lengthSectors]));
    expect(new BadBlocks(true).set(0, 8, true)).toBe(false);
  });
});

describe('md reacting to member errors with a bad-block log', () => {
  it('a block still unreadable after the rewrite is recorded as bad, kept on disk, and read from parity', () => {
    const d = dir('bb-not-corrected');
    const { array, faulty } = faultyArray(d);
    const data = patternBytes(MiB, 31);
    array.writeSync(0, data);
    const m0 = member0(array, faulty);
    const badSector = m0.dataOffsetSectors + 16;
    m0.dev.inject({ kind: 'read-error', range: { startSector: badSector, lengthSectors: 8 }, clearOnWrite: false });
    expect(sha256(array.readSync(0, MiB))).toBe(sha256(data));
    const snap = array.snapshot();
    expect(snap.members[0].state).toContain('in_sync');
    expect(snap.members[0].badBlocks).toEqual([{ startSector: badSector, lengthSectors: 8 }]);
    expect(snap.degraded).toBe(0);
    const logs = array.mddev.logs.join('\n');
    expect(logs).toContain(`read error NOT corrected!! (sector ${badSector} on ${m0.dev.name})`);
    expect(logs).toContain('recorded as a bad block');
    array.stop();

    const image0 = imagesIn(d)[0];
    const sb = superblockOf(image0);
    expect(sb.featureMap & FEATURE.BAD_BLOCKS).toBe(FEATURE.BAD_BLOCKS);
    const member = openMember(image0, { readOnly: true });
    try {
      const page = new Uint8Array(sb.bblogSize * 512);
      member.dev.read(page, (Number(sb.superOffset) + sb.bblogOffset) * 512);
      expect(parseBadBlockLog(page, sb.bblogShift)).toEqual([{ startSector: badSector, lengthSectors: 8 }]);
      expect(renderExamine(examineFacts(member))).toMatch(/Bad Block Log : 512 entries available at offset \d+ sectors - bad blocks present\./);
    } finally {
      closeMembers([member]);
    }

    // Reassembled without the fault: the recorded block is still not trusted, and the read is still right.
    const again = MdArray.assemble(imagesIn(d), engineOptions());
    expect(again.snapshot().members[0].badBlocks).toEqual([{ startSector: badSector, lengthSectors: 8 }]);
    expect(sha256(again.readSync(0, MiB))).toBe(sha256(data));
    again.stop();
  });

  it('a failed member write is recorded as a bad block (write_error), reads rebuild it, and a good write clears it', () => {
    const d = dir('bb-write');
    const { array, faulty } = faultyArray(d);
    const m0 = member0(array, faulty);
    const badSector = m0.dataOffsetSectors + 8;
    const faultId = m0.dev.inject({ kind: 'write-error', range: { startSector: badSector, lengthSectors: 8 } });
    const data = patternBytes(MiB, 32);
    array.writeSync(0, data);
    let snap = array.snapshot();
    expect(snap.members[0].state).toEqual(['in_sync', 'write_error', 'want_replacement']);
    // The failed request carried several stripes merged: every block in it is recorded, as each bio failed.
    expect(snap.members[0].badBlocks.length).toBe(1);
    const [recorded] = snap.members[0].badBlocks;
    expect(recorded.startSector).toBeLessThanOrEqual(badSector);
    expect(recorded.startSector + recorded.lengthSectors).toBeGreaterThanOrEqual(badSector + 8);
    expect(snap.degraded).toBe(0);
    expect(sha256(array.readSync(0, MiB))).toBe(sha256(data));

    m0.dev.clear(faultId);
    const update = patternBytes(MiB, 33);
    array.writeSync(0, update);
    snap = array.snapshot();
    expect(snap.members[0].badBlocks).toEqual([]);
    expect(sha256(array.readSync(0, MiB))).toBe(sha256(update));
    array.stop();
    expect(superblockOf(imagesIn(d)[0]).featureMap & FEATURE.BAD_BLOCKS).toBe(0);
  });

  it('a read error with nothing left to rebuild from is recorded, the member stays, and only that block reads as an error', () => {
    const d = dir('bb-not-correctable');
    const { array, faulty } = faultyArray(d);
    array.writeSync(0, patternBytes(MiB, 34));
    array.fail(3);
    const m0 = member0(array, faulty);
    const badSector = m0.dataOffsetSectors + 16;
    m0.dev.inject({ kind: 'read-error', range: { startSector: badSector, lengthSectors: 8 } });
    expect(() => array.readSync(16 * 512, 4096)).toThrow();
    const snap = array.snapshot();
    expect(snap.members[0].state).toContain('in_sync');
    expect(snap.members[0].badBlocks).toEqual([{ startSector: badSector, lengthSectors: 8 }]);
    expect(array.mddev.logs.join('\n')).toContain(`read error not correctable (sector ${badSector} on ${m0.dev.name})`);
    expect(array.readSync(24 * 512, 4096).length).toBe(4096);
    array.stop();
  });

  it('consecutive read errors beyond the stripe cache size fail the member', () => {
    const d = dir('bb-too-many');
    const { array, faulty } = faultyArray(d);
    const data = patternBytes(4 * MiB, 35);
    array.writeSync(0, data);
    array.set({ stripeCacheSize: 17 });
    const m0 = member0(array, faulty);
    m0.dev.inject({ kind: 'read-error', range: { startSector: m0.dataOffsetSectors, lengthSectors: 8192 }, clearOnWrite: false });
    expect(sha256(array.readSync(0, 4 * MiB))).toBe(sha256(data));
    const snap = array.snapshot();
    expect(snap.members[0].state).toContain('faulty');
    expect(snap.degraded).toBe(1);
    expect(array.mddev.logs.join('\n')).toContain(`Too many read errors, failing device ${m0.dev.name}.`);
    array.stop();
  });
});
