/**
 * md_do_sync's observable rules on live arrays: checkpoints that let a stopped sync resume, mismatch
 * counting by check and fixing by repair, sync_min/sync_max windows, the speed limits, and a
 * bitmap-guided re-add that rebuilds only the chunks written while the member was away.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MdArray } from '../../../core/engine/array';
import { PASS_IO_BYTES } from '../../../core/engine/raid5/conf';
import { STRIPE_BYTES } from '../../../core/engine/raid5/stripe-bytes';
import { createArrayIn, engineOptions, MiB, patternBytes, sha256, imagesIn, superblockOf, useTempDirs } from './helpers';

const dir = useTempDirs();
const images = imagesIn;
const resyncOffsetOf = (image: string): bigint => superblockOf(image).resyncOffset;

describe('md_do_sync', () => {
  it('stops mid-resync at a checkpoint in the superblocks and resumes exactly there', () => {
    const d = dir('resume');
    const array = createArrayIn(d, { force: true, memberBytes: 16 * MiB });
    expect(array.snapshot().syncAction).toBe('resync');
    // 1000 KiB/s of virtual time: slow enough to stop part-way.
    array.set({ speedLimitMax: 1000, speedLimitMin: 1000 });
    array.sleepSync(4000);
    const doneSectors = array.snapshot().syncCompleted!.doneSectors;
    expect(doneSectors).toBeGreaterThan(0);
    array.stop();
    const checkpoint = resyncOffsetOf(images(d)[0]);
    expect(checkpoint).toBeGreaterThan(0n);
    expect(checkpoint).toBeLessThan(BigInt(array.mddev.devSectors));
    const again = MdArray.assemble(images(d), engineOptions());
    expect(again.trace.since(0).map((e) => e.action)).toContain(`start resync at sector ${checkpoint} of ${again.mddev.devSectors}`);
    again.waitIdleSync();
    again.setSyncAction('check');
    again.waitIdleSync();
    expect(again.snapshot().mismatchCnt).toBe(0);
    again.stop();
  });

  it('check counts a corrupted parity row without fixing it; repair fixes it', () => {
    const d = dir('mismatch');
    const array = createArrayIn(d);
    array.waitIdleSync();
    array.writeSync(0, patternBytes(2 * MiB, 9));
    array.stop();
    // Flip one byte of member 1's data area behind md's back.
    const image = images(d)[1];
    const at = Number(superblockOf(image).dataOffset) * 512 + 70000;
    const fd = fs.openSync(image, 'r+');
    const byte = Buffer.alloc(1);
    fs.readSync(fd, byte, 0, 1, at);
    byte[0] ^= 0xff;
    fs.writeSync(fd, byte, 0, 1, at);
    fs.closeSync(fd);
    const again = MdArray.assemble(images(d), engineOptions());
    again.setSyncAction('check');
    again.waitIdleSync();
    expect(again.snapshot().mismatchCnt).toBe(8);
    again.setSyncAction('check');
    again.waitIdleSync();
    expect(again.snapshot().mismatchCnt).toBe(8);
    again.setSyncAction('repair');
    again.waitIdleSync();
    expect(again.snapshot().lastSyncAction).toBe('repair');
    expect(again.snapshot().mismatchCnt).toBe(8);
    again.setSyncAction('check');
    again.waitIdleSync();
    expect(again.snapshot().mismatchCnt).toBe(0);
    again.stop();
  });

  it('pauses at sync_max and continues when it is raised; a finished check forgets the window', () => {
    const array = createArrayIn(dir('window'));
    array.waitIdleSync();
    array.set({ syncMin: 1024, syncMax: 4096 });
    array.setSyncAction('check');
    array.sleepSync(2000);
    const paused = array.snapshot();
    expect(paused.syncAction).toBe('check');
    expect(paused.syncCompleted).toEqual({ doneSectors: 4096, totalSectors: 14336 });
    expect(array.mddev.syncThread?.startSectors).toBe(1024);
    array.set({ syncMax: null });
    array.waitIdleSync();
    const done = array.snapshot();
    expect(done.syncMin).toBe(0);
    expect(done.syncMax).toBeNull();
    array.stop();
  });

  it('keeps one raid5d pass of stripes in flight, not the whole stripe cache, and still checks every row', () => {
    const array = createArrayIn(dir('window'), { assumeClean: true, memberBytes: 16 * MiB });
    const d = array.mddev.raidDisks;
    const passStripes = PASS_IO_BYTES / (d * STRIPE_BYTES);
    array.setSyncAction('check');
    let mostActive = 0;
    while (array.snapshot().syncAction === 'check') {
      array.runSlice();
      const s = array.snapshot();
      expect(s.stripeCacheSize).toBe(256);
      mostActive = Math.max(mostActive, s.stripeCacheActive);
    }
    // The sync issues a pass's worth and waits for raid5d, so it cycles through the same few hundred KiB
    // of pages; it never starves either (a pass of reads is in flight at once).
    expect(mostActive).toBeLessThanOrEqual(passStripes);
    expect(mostActive).toBeGreaterThanOrEqual(passStripes / 2);
    expect(array.mddev.rdevs.map((r) => r.readBytes)).toEqual(new Array(d).fill(array.mddev.devSectors * 512));
    expect(array.snapshot().mismatchCnt).toBe(0);
    array.stop();
  });

  it('throttles to speed_max, measured over virtual time', () => {
    const array = createArrayIn(dir('speed'), { force: true, memberBytes: 32 * MiB });
    array.set({ speedLimitMin: 100, speedLimitMax: 2000 });
    const t0 = array.clock.nowMs();
    array.sleepSync(6000);
    const done = array.snapshot().syncCompleted!.doneSectors;
    const kibPerSec = done / 2 / ((array.clock.nowMs() - t0) / 1000);
    expect(kibPerSec).toBeGreaterThan(1000);
    expect(kibPerSec).toBeLessThan(2600);
    expect(array.snapshot().syncSpeedKibPerSec).toBeGreaterThan(1000);
    expect(array.snapshot().syncSpeedKibPerSec).toBeLessThan(2600);
    array.stop();
  });

  it('re-add with a bitmap rebuilds only the chunks written while the member was out', () => {
    const d = dir('readd');
    // 64 MiB bitmap chunks (mdadm's default) over 256 MiB members: four bits per member.
    const array = createArrayIn(d, { bitmap: 'internal', assumeClean: true, memberBytes: 256 * MiB });
    expect(array.snapshot().bitmap!.bits).toBe(4);
    array.waitIdleSync();
    array.sleepSync(20_000);
    expect(array.snapshot().bitmap!.dirtyBits).toBe(0);
    const image = images(d)[2];
    array.fail(2);
    array.remove(2);
    // 192 KiB at the start lands in bitmap chunk 0 of every member.
    array.writeSync(0, patternBytes(192 * 1024, 4));
    expect(array.snapshot().bitmap!.dirtyBits).toBe(1);
    const rdev = array.reAdd(image);
    array.waitIdleSync();
    expect(array.snapshot().degraded).toBe(0);
    expect(rdev.writtenBytes).toBe(64 * MiB);
    expect(sha256(array.readSync(0, 192 * 1024))).toBe(sha256(patternBytes(192 * 1024, 4)));
    array.sleepSync(20_000);
    expect(array.snapshot().bitmap!.dirtyBits).toBe(0);
    array.stop();
  });
});
