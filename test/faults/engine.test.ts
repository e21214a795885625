/**
 * The fault layer under the real engine: md opens FaultyDevices as its members and cannot tell, until a
 * fault makes a member misbehave — then md's own reactions follow.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MdArray } from '../../core/engine/array';
import { VirtualClock } from '../../core/engine/clock';
import { createRaid5Personality } from '../../core/engine/raid5';
import { FaultyDevice } from '../../core/faults/faulty-device';
import { Prng } from '../../core/faults/prng';
import { FileBlockDevice } from '../../core/format/blockdev';
import { tempDir } from './helpers';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function randomBytes(length: number, seed: number): Uint8Array {
  const prng = new Prng(seed);
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i += 4) {
    const x = prng.nextU32();
    out[i] = x;
    out[i + 1] = x >>> 8;
    out[i + 2] = x >>> 16;
    out[i + 3] = x >>> 24;
  }
  return out;
}

/** A created, fully synced 4-member RAID5 whose members are FaultyDevices, by image name. */
function faultyArray(): { array: MdArray; members: Map<string, FaultyDevice>; dir: string } {
  const dir = tempDir('engine');
  dirs.push(dir);
  const clock = new VirtualClock();
  const members = new Map<string, FaultyDevice>();
  const openDevice = (imagePath: string) => {
    const dev = new FaultyDevice(FileBlockDevice.open(imagePath), { clock: () => clock.nowMs(), reopen: () => FileBlockDevice.open(imagePath) });
    members.set(path.basename(imagePath), dev);
    return dev;
  };
  const array = MdArray.create(
    dir,
    { level: 5, raidDevices: 4, chunkKib: 64, memberBytes: 8 * MiB, name: 'lab', homehost: 'mdlab', nowSeconds: 1_790_000_000 },
    { clock, personality: createRaid5Personality, openDevice },
  );
  array.waitIdleSync();
  return { array, members, dir };
}

describe('the engine over faulty members', () => {
  it('cannot tell the fault layer is there while no fault is set', () => {
    const { array, members } = faultyArray();
    expect([...members.keys()].sort()).toEqual(['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img']);
    const data = randomBytes(2 * MiB, 1);
    array.writeSync(4096, data);
    expect(sha256(array.readSync(4096, data.length))).toBe(sha256(data));
    for (const dev of members.values()) {
      expect(dev.counters.failed).toBe(0);
      expect(dev.counters.writes).toBeGreaterThan(0);
    }
    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(0);
    array.stop();
  });

  it('kicks a member whose every I/O fails, and keeps serving the data from the others', () => {
    const { array, members } = faultyArray();
    const data = randomBytes(MiB, 2);
    array.writeSync(0, data);
    members.get('disk2.img')!.inject({ kind: 'fail' });
    array.writeSync(MiB, randomBytes(MiB, 3)); // the write error makes md fail the member
    array.waitIdleSync();
    const snap = array.snapshot();
    expect(snap.members.find((m) => m.image === 'disk2.img')!.state).toContain('faulty');
    expect(snap.degraded).toBe(1);
    expect(sha256(array.readSync(0, MiB))).toBe(sha256(data));
    expect(members.get('disk2.img')!.faults()[0].hits).toBeGreaterThan(0);
    array.stop(); // md writes nothing more to a Faulty member, so stopping does not touch the failed device
  });

  it('has a dm-dust bad sector corrected by md’s rewrite, which also clears it from the list', () => {
    const { array, members } = faultyArray();
    const data = randomBytes(MiB, 5);
    array.writeSync(0, data);
    array.waitIdleSync();
    const dataStartSector = array.mddev.rdevs[0].dataOffsetSectors;
    const disk1 = members.get('disk1.img')!;
    // Sector 3 of disk1's first chunk (array chunk 1 in left-symmetric): inside the data just written.
    disk1.inject({ kind: 'read-error', range: { startSector: dataStartSector + 3, lengthSectors: 1 } });
    expect(sha256(array.readSync(0, MiB))).toBe(sha256(data));
    array.waitIdleSync();
    const member = array.snapshot().members.find((m) => m.image === 'disk1.img')!;
    expect(member.state).toEqual(['in_sync']);
    expect(member.errors).toBe(8);
    expect(disk1.faults()[0].badSectors).toEqual([]);
    expect(disk1.faults()[0].hits).toBeGreaterThanOrEqual(2); // the merged read and the retry alone
    array.stop();
  });

  it('lets md’s check find bit rot and repair fix it', () => {
    const { array, members } = faultyArray();
    const data = randomBytes(MiB, 4);
    array.writeSync(0, data);
    array.waitIdleSync();
    const dataOffsetBytes = array.mddev.rdevs[0].dataOffsetSectors * 512;
    members.get('disk1.img')!.inject({
      kind: 'bitrot',
      placement: { by: 'chosen', flips: [{ offsetBytes: dataOffsetBytes + 100, bit: 2 }, { offsetBytes: dataOffsetBytes + 300 * 1024, bit: 5 }] },
    });
    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(16); // two 4 KiB blocks, counted in sectors
    array.setSyncAction('repair');
    array.waitIdleSync();
    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(0);
    array.stop();
  });
});
