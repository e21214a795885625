import { describe, expect, it } from 'vitest';
import { MdArray } from '../../../core/engine/array';
import { MdIoError } from '../../../core/engine/types';
import { MAX_SECTOR } from '../../../core/format/superblock';
import { createArrayIn, engineOptions, MiB, patternBytes, sha256, imagesIn, superblockOf, useTempDirs } from './helpers';

const dir = useTempDirs();
const images = imagesIn;
const sbOf = superblockOf;

describe('a created array', () => {
  it('rebuilds the spare-trick member by recovery and ends clean with every member in sync', () => {
    const array = createArrayIn(dir('create'));
    const started = array.snapshot();
    expect(started.syncAction).toBe('recover');
    expect(started.mdstatText).toMatch(/\[4\/3\] \[UUU_\]\n {6}\[[=>.]{21}\] {2}recovery = +\d+\.\d% \(\d+\/7168\) finish=\d+\.\dmin speed=\d+K\/sec\n {6}\n$/);
    array.waitIdleSync();
    const done = array.snapshot();
    expect(done.degraded).toBe(0);
    expect(done.syncAction).toBe('idle');
    expect(done.lastSyncAction).toBe('recovery');
    expect(done.members.map((m) => m.state)).toEqual([['in_sync'], ['in_sync'], ['in_sync'], ['in_sync']]);
    expect(done.mdstatText).toBe(
      'md0 : active raid5 disk3.img[4] disk2.img[2] disk1.img[1] disk0.img[0]\n' +
        '      21504 blocks super 1.2 level 5, 64k chunk, algorithm 2 [4/4] [UUUU]\n' +
        '      \n',
    );
    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(0);
    array.stop();
  });

  it('reads back what was written, at any alignment, across stop and assemble', () => {
    const d = dir('rw');
    const array = createArrayIn(d);
    array.waitIdleSync();
    const data = patternBytes(3 * MiB + 777, 7);
    array.writeSync(12345, data);
    expect(sha256(array.readSync(12345, data.byteLength))).toBe(sha256(data));
    array.stop();
    for (const image of images(d)) expect(sbOf(image).resyncOffset).toBe(MAX_SECTOR);
    const again = MdArray.assemble(images(d), engineOptions());
    expect(again.snapshot().syncAction).toBe('idle');
    expect(sha256(again.readSync(12345, data.byteLength))).toBe(sha256(data));
    again.stop();
  });

  it('marks the array active on disk while writes are in flight and clean after the safemode delay', () => {
    const d = dir('safemode');
    const array = createArrayIn(d);
    array.waitIdleSync();
    const eventsBefore = array.mddev.events;
    array.writeSync(0, patternBytes(4096, 3));
    expect(sbOf(images(d)[0]).resyncOffset).toBe(0n);
    expect(array.snapshot().arrayState).toBe('active');
    array.sleepSync(250);
    expect(array.snapshot().arrayState).toBe('clean');
    expect(sbOf(images(d)[0]).resyncOffset).toBe(MAX_SECTOR);
    // A pure dirty/clean cycle on a healthy array undoes its own event bump (md-spec §4.6).
    expect(array.mddev.events).toBe(eventsBefore);
    array.stop();
  });

  it('fails each member in turn and the array contents never change', () => {
    const d = dir('failturn');
    const array = createArrayIn(d);
    array.waitIdleSync();
    const data = patternBytes(4 * MiB, 11);
    array.writeSync(0, data);
    const want = sha256(data);
    for (let i = 0; i < 4; i++) {
      const image = images(d)[i];
      array.fail(i);
      expect(array.snapshot().degraded).toBe(1);
      expect(array.snapshot().mdstatText).toContain(`disk${i}.img[`);
      expect(sha256(array.readSync(0, data.byteLength))).toBe(want);
      array.remove(i);
      array.add(image);
      array.waitIdleSync();
      expect(array.snapshot().degraded).toBe(0);
      expect(sha256(array.readSync(0, data.byteLength))).toBe(want);
    }
    array.setSyncAction('check');
    array.waitIdleSync();
    expect(array.snapshot().mismatchCnt).toBe(0);
    array.stop();
  });

  it('a second failure fails the array: lost data reads error and writes are refused', () => {
    const array = createArrayIn(dir('second'));
    array.waitIdleSync();
    array.writeSync(0, patternBytes(MiB, 5));
    array.fail(0);
    array.fail(1);
    expect(array.mddev.broken).toBe(true);
    expect(array.mddev.logs.join('\n')).toContain('Cannot continue operation (2/4 failed)');
    expect(() => array.readSync(0, 1 * MiB)).toThrow(MdIoError);
    expect(() => array.writeSync(0, new Uint8Array(512))).toThrow(MdIoError);
    array.stop();
  });

  it('refuses to remove an active member, as md does', () => {
    const array = createArrayIn(dir('busy'));
    array.waitIdleSync();
    expect(() => array.remove(2)).toThrow('hot remove failed for disk2.img: Device or resource busy');
    array.stop();
  });
});

describe('member changes during a sync', () => {
  it('a member failed in the middle of a check can be removed at once, and the array stays readable', () => {
    const array = createArrayIn(dir('fail-during-check'), { memberBytes: 32 * MiB });
    array.waitIdleSync();
    const data = patternBytes(2 * MiB, 13);
    array.writeSync(0, data);
    array.set({ speedLimitMin: 100, speedLimitMax: 2000 });
    array.setSyncAction('check');
    array.sleepSync(1000);
    expect(array.snapshot().syncAction).toBe('check');
    array.fail(1);
    array.remove(1);
    expect(array.snapshot().members.map((m) => m.index)).toEqual([0, 2, 3]);
    expect(array.snapshot().degraded).toBe(1);
    expect(sha256(array.readSync(0, data.byteLength))).toBe(sha256(data));
    array.stop();
  });
});
