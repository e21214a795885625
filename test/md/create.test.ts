/**
 * mdlab create against mdadm 4.2's choices: the golden superblocks (written by mdadm, then updated by
 * the kernel) and the data-offset table of spec §1.9.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBitmapSuper } from '../../core/format/bitmap';
import { parseLayout } from '../../core/format/layout';
import { MAX_SECTOR, parseSuperblock1, readSuperblock, ROLE_SPARE, type Superblock1 } from '../../core/format/superblock';
import { FileBlockDevice } from '../../core/format/blockdev';
import { createArray, defaultDataOffsetSectors, planCreate, setNameFor } from '../../core/md/create';
import { MdRefusal } from '../../core/md/errors';
import { assembleImages } from '../../core/md/detail';
import { closeMembers } from '../../core/md/member';
import { goldenCaseNames, goldenDir, readGoldenInfo, type GoldenCaseInfo } from '../helpers/golden';

const TiB = 1024 ** 4;
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-create-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The golden superblock of one member, straight from the compressed image. */
function goldenSuperblock(name: string, image: string): { sb: Superblock1; raw: Buffer } {
  const raw = zlib.gunzipSync(fs.readFileSync(path.join(goldenDir, name, `${image}.gz`)));
  return { sb: parseSuperblock1(new Uint8Array(raw.subarray(4096, 8192))), raw };
}

function optionsOf(info: GoldenCaseInfo): Parameters<typeof planCreate>[0] {
  const arg = (flag: string): string | undefined => new RegExp(`--${flag}=(\\S+)`).exec(info.create_args)?.[1];
  return {
    level: info.level,
    raidDevices: info.raid_devices,
    spareDevices: info.spares,
    layout: arg('layout') ? parseLayout(arg('layout')!) : undefined,
    chunkKib: arg('chunk') ? Number(arg('chunk')) : undefined,
    memberBytes: info.member_bytes,
    bitmap: info.bitmap === 'internal' ? 'internal' : undefined,
    force: info.create_args.includes('--force'),
    name: /--name=(\S+)/.exec(info.steps_boot1)![1],
    homehost: 'mdlab',
  };
}

describe('create chooses what mdadm 4.2 chose for the golden arrays', () => {
  it.each(goldenCaseNames())('%s: same offsets, sizes, bitmap, bad-block log, max_dev, name and device numbers', (name) => {
    const info = readGoldenInfo(name);
    const plan = planCreate(optionsOf(info));
    plan.superblocks.forEach((ours, i) => {
      const { sb: theirs, raw } = goldenSuperblock(name, `disk${i}.img`);
      for (const field of ['dataOffset', 'dataSize', 'size', 'superOffset', 'chunksize', 'raidDisks', 'level', 'layout', 'bblogOffset', 'bblogSize', 'bblogShift', 'maxDev', 'featureMap', 'bitmapOffset', 'setName', 'devNumber'] as const) {
        expect(ours[field], `${name} disk${i} ${field}`).toEqual(theirs[field]);
      }
      if (plan.bitmap) {
        const start = (Number(theirs.superOffset) + theirs.bitmapOffset) * 512;
        const bitmap = parseBitmapSuper(new Uint8Array(raw.subarray(start, start + 256)));
        expect(plan.bitmap.super.chunksize).toBe(bitmap.chunksize);
        expect(plan.bitmap.super.syncSize).toBe(bitmap.syncSize);
        expect(plan.bitmap.super.daemonSleepSeconds).toBe(bitmap.daemonSleepSeconds);
        expect(plan.bitmap.super.version).toBe(bitmap.version);
      }
    });
  });

  it('uses the spare trick unless forced: the last raid device starts as a spare numbered after the real spares', () => {
    const plan = planCreate({ level: 5, raidDevices: 3, spareDevices: 1, memberBytes: 8 << 20, homehost: 'h', name: 'n', chunkKib: 64 });
    expect(plan.superblocks.map((sb) => sb.devNumber)).toEqual([0, 1, 4, 3]);
    expect(plan.superblocks[0].devRoles.slice(0, 5)).toEqual([0, 1, ROLE_SPARE, ROLE_SPARE, ROLE_SPARE]);
    expect(plan.superblocks[0].resyncOffset).toBe(MAX_SECTOR);
    expect(plan.superblocks.every((sb) => sb.events === 0n)).toBe(true);
    const forced = planCreate({ level: 5, raidDevices: 3, memberBytes: 8 << 20, homehost: 'h', name: 'n', force: true });
    expect(forced.superblocks.map((sb) => sb.devNumber)).toEqual([0, 1, 2]);
    expect(forced.superblocks[0].resyncOffset).toBe(0n);
    const clean = planCreate({ level: 4, raidDevices: 3, memberBytes: 8 << 20, homehost: 'h', name: 'n', assumeClean: true });
    expect(clean.superblocks[0].devRoles.slice(0, 3)).toEqual([0, 1, 2]);
    expect(clean.superblocks[0].resyncOffset).toBe(MAX_SECTOR);
  });
});

describe('mdadm 4.2 creation policy', () => {
  const GiB = 2 * 1024 * 1024; // sectors
  it.each([
    [40000, 512, 4096],
    [40000, 64, 2048],
    [40000, 4, 2048],
    [64 * 2048, 512, 4096],
    [256 * 2048, 64, 2048],
    [GiB, 512, 4096],
    [GiB, 4, 4096],
    [2 * GiB, 64, 6144],
    [4 * GiB, 512, 10240],
    [8 * GiB, 512, 18432],
    [16 * GiB, 64, 34816],
    [64 * GiB, 512, 133120],
    [128 * GiB, 512, 264192],
    [2048 * GiB, 4, 264192],
  ])('puts data at the spec §1.9 offset for %d sectors with %dK chunks: %d', (devSectors, chunkKib, offset) => {
    expect(defaultDataOffsetSectors(devSectors, chunkKib)).toBe(offset);
  });

  it('names the set homehost:name only when it fits in 32 bytes', () => {
    expect(setNameFor('mdlab', 'r5')).toBe('mdlab:r5');
    expect(setNameFor('h'.repeat(20), 'n'.repeat(11))).toBe('n'.repeat(11));
    expect(setNameFor('host', 'other:name')).toBe('other:name');
    expect(setNameFor('<none>', '0')).toBe('0');
  });

  it('refuses what mdadm refuses, in a sentence naming the rule', () => {
    const base = { level: 5 as const, raidDevices: 3, memberBytes: 8 << 20 };
    expect(() => planCreate({ ...base, raidDevices: 1 })).toThrow(/at least 2 raid-devices/);
    expect(() => planCreate({ ...base, chunkKib: 48 })).toThrow(/power of two/);
    expect(() => planCreate({ ...base, level: 4, layout: 2 })).toThrow('layout not meaningful for raid4 arrays.');
    expect(() => planCreate({ ...base, memberBytes: 1 << 20 })).toThrow(MdRefusal);
    expect(() => planCreate({ ...base, name: 'x'.repeat(33) })).toThrow(/32 bytes/);
    // 1 MiB of data offset + 32 KiB: a 64-sector component, too small for any bitmap chunk.
    expect(() => planCreate({ ...base, chunkKib: 4, bitmap: 'internal', memberBytes: (1 << 20) + (32 << 10) })).toThrow(/at least 128 sectors/);
  });

  it('creates 4 x 1 TiB members that stay sparse, carry a 64 MiB-chunk internal bitmap and assemble', () => {
    const target = path.join(dir, 'big');
    const { paths, plan } = createArray(target, { level: 5, raidDevices: 4, memberBytes: TiB, homehost: 'mdlab', name: 'big' });
    let allocated = 0;
    for (const p of paths) {
      const stat = fs.statSync(p);
      expect(stat.size).toBe(TiB);
      allocated += stat.blocks * 512;
    }
    expect(allocated).toBeLessThan(10 * 1024 * 1024);
    expect(plan.dataOffsetSectors).toBe(264192);
    expect(plan.bitmap!.super.chunksize).toBe(64 * 1024 * 1024);
    const dev = FileBlockDevice.open(paths[0], { readOnly: true });
    expect(readSuperblock(dev).checksumOk).toBe(true);
    dev.close();
    const assembled = assembleImages(paths);
    closeMembers(assembled.members);
    expect(assembled.decision.start).toBe(true);
    expect(assembled.decision.degraded).toBe(1);
    expect(assembled.decision.spares.map((m) => m.image)).toEqual(['disk3.img']);
  });

  it('never overwrites an existing image', () => {
    const target = path.join(dir, 'twice');
    createArray(target, { level: 5, raidDevices: 3, memberBytes: 8 << 20 });
    expect(() => createArray(target, { level: 5, raidDevices: 3, memberBytes: 8 << 20 })).toThrow(/already exists/);
  });
});
