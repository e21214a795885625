/**
 * Unclean shutdowns: an array that was writing when it went away comes back dirty. With a bitmap the
 * resync covers only the chunks that were being written; a dirty array that is also degraded does not
 * start at all, as md refuses (its parity cannot be trusted to rebuild the missing member).
 */
import { describe, expect, it } from 'vitest';
import { MdArray } from '../../../core/engine/array';
import { MdRefusal } from '../../../core/md/errors';
import { createArrayIn, engineOptions, MiB, patternBytes, sha256, imagesIn, superblockOf, useTempDirs } from './helpers';

const dir = useTempDirs();
const images = imagesIn;
function crash(array: MdArray): void {
  array.crash();
}

describe('after an unclean shutdown', () => {
  it('a bitmap-guided resync rereads only the chunk that was being written', () => {
    const d = dir('bitmap-resync');
    const array = createArrayIn(d, { bitmap: 'internal', assumeClean: true, memberBytes: 256 * MiB });
    array.sleepSync(20_000);
    const data = patternBytes(MiB, 21);
    array.writeSync(100 * MiB, data);
    expect(array.snapshot().arrayState).not.toBe('clean');
    crash(array);
    const again = MdArray.assemble(images(d), engineOptions());
    expect(again.snapshot().syncAction).toBe('resync');
    again.waitIdleSync();
    const readPerMember = again.snapshot().members.map((m) => m.readBytes);
    // One 64 MiB bitmap chunk of each member, not the whole 254 MiB component.
    for (const bytes of readPerMember) expect(bytes).toBeLessThanOrEqual(64 * MiB + MiB);
    expect(Math.max(...readPerMember)).toBeGreaterThan(0);
    expect(sha256(again.readSync(100 * MiB, MiB))).toBe(sha256(data));
    again.stop();
  });

  it('without a bitmap the whole array resyncs from the start and ends clean', () => {
    const d = dir('full-resync');
    const array = createArrayIn(d, { assumeClean: true });
    array.writeSync(0, patternBytes(MiB, 2));
    crash(array);
    const again = MdArray.assemble(images(d), engineOptions());
    expect(again.trace.since(0).map((e) => e.action)).toContain('start resync at sector 0 of 14336');
    again.waitIdleSync();
    expect(again.snapshot().lastSyncAction).toBe('resync');
    again.stop();
    const third = MdArray.assemble(images(d), engineOptions());
    expect(third.snapshot().syncAction).toBe('idle');
    third.stop();
  });

  it('a dirty, degraded array is refused', () => {
    const d = dir('dirty-degraded');
    const array = createArrayIn(d, { assumeClean: true });
    array.fail(1);
    array.writeSync(0, patternBytes(MiB, 2));
    crash(array);
    expect(() => MdArray.assemble(images(d), engineOptions())).toThrow(MdRefusal);
    expect(() => MdArray.assemble(images(d), engineOptions())).toThrow(/not clean/);
  });

  it('an array degraded, rebuilt and stopped cleanly assembles with no sync and the same contents', () => {
    const d = dir('rebuilt');
    const array = createArrayIn(d);
    array.waitIdleSync();
    const data = patternBytes(4 * MiB, 5);
    array.writeSync(0, data);
    array.fail(3);
    array.remove(3);
    array.add(images(d)[3]);
    array.waitIdleSync();
    array.stop();
    const again = MdArray.assemble(images(d), engineOptions());
    expect(again.snapshot().syncAction).toBe('idle');
    expect(again.snapshot().degraded).toBe(0);
    expect(sha256(again.readSync(0, data.byteLength))).toBe(sha256(data));
    again.setSyncAction('check');
    again.waitIdleSync();
    expect(again.snapshot().mismatchCnt).toBe(0);
    again.stop();
  });
});
