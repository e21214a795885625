/**
 * The personality under the real md core (core/engine/md's Mddev, md_check_recovery, md_do_sync) over
 * sparse image files: what raid5 decides must show up as the right bytes in the images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MdArray } from '../../../core/engine/array';
import { VirtualClock } from '../../../core/engine/clock';
import { createRaid5Personality } from '../../../core/engine/raid5';
import { FileBlockDevice } from '../../../core/format/blockdev';
import { mapArraySector } from '../../../core/format/layout';
import { readSuperblock } from '../../../core/format/superblock';
import { pattern, sha256, tempDir } from './harness';

const MiB = 1024 * 1024;
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function images(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.img')).sort().map((f) => path.join(dir, f));
}

/** Reads a member's data area straight from its image, as a kernel would find it. */
function memberData(image: string): Uint8Array {
  const dev = FileBlockDevice.open(image, { readOnly: true });
  try {
    const { sb } = readSuperblock(dev);
    const bytes = new Uint8Array(Number(sb.size) * 512);
    dev.read(bytes, Number(sb.dataOffset) * 512);
    return bytes;
  } finally {
    dev.close();
  }
}

function rowsConsistent(members: Uint8Array[]): boolean {
  const acc = new Uint8Array(members[0].length);
  for (const m of members) for (let b = 0; b < acc.length; b++) acc[b] ^= m[b];
  return acc.every((x) => x === 0);
}

describe('raid5 under the real md core', () => {
  it('rebuilds a failed member onto a new image so every image holds what raid5_compute_sector says', () => {
    const dir = tempDir();
    dirs.push(dir);
    const array = MdArray.create(
      dir,
      { level: 5, raidDevices: 4, chunkKib: 64, memberBytes: 8 * MiB, name: 'lab', homehost: 'mdlab', nowSeconds: 1_790_000_000 },
      { clock: new VirtualClock(), personality: createRaid5Personality },
    );
    array.waitIdleSync();
    const content = pattern(array.sizeBytes, 31);
    array.writeSync(0, content);
    array.fail(2);
    expect(sha256(array.readSync(0, content.length))).toBe(sha256(content));
    const update = pattern(3 * MiB, 32);
    array.writeSync(MiB, update);
    content.set(update, MiB);
    array.remove(2);
    const fresh = path.join(dir, 'new.img');
    FileBlockDevice.create(fresh, 8 * MiB).close();
    array.add(fresh);
    array.waitIdleSync();
    expect(array.snapshot().degraded).toBe(0);
    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(0);
    const trace = array.trace.since(0).map((e) => e.fn);
    expect(trace).toContain('md_check_recovery');
    array.stop();

    // disk2.img failed and left: its stale superblock still claims role 2, so only the others count.
    const order = images(dir).filter((p) => !p.endsWith('disk2.img'));
    const byRole = new Map<number, Uint8Array>();
    for (const image of order) {
      const dev = FileBlockDevice.open(image, { readOnly: true });
      const { sb } = readSuperblock(dev);
      dev.close();
      const role = sb.devRoles[sb.devNumber];
      if (role < 4) byRole.set(role, memberData(image));
    }
    expect([...byRole.keys()].sort()).toEqual([0, 1, 2, 3]);
    const members = [0, 1, 2, 3].map((r) => byRole.get(r)!);
    expect(rowsConsistent(members)).toBe(true);
    const g = { level: 5 as const, raidDisks: 4, algorithm: 2, chunkSectors: 128 };
    for (let sector = 0; sector < content.length / 512; sector += 97) {
      const loc = mapArraySector(g, sector);
      const onDisk = members[loc.disk].subarray(loc.devSector * 512, loc.devSector * 512 + 512);
      expect(sha256(onDisk), `array sector ${sector}`).toBe(sha256(content.subarray(sector * 512, sector * 512 + 512)));
    }
  });
});
