/**
 * mdadm --assemble --force in the lab: a power cut while a member is being rebuilt and the array is being
 * written leaves it dirty and degraded, so the reboot is refused with NEEDS_FORCE and the session closes with
 * its journal ending at the cut. Opening it again needs `force`, which is journaled, so the replay of the
 * whole session reaches the same state and the same sha256.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { NEEDS_FORCE } from '../../core/api';
import { FileBlockDevice } from '../../core/format/blockdev';
import { MAX_SECTOR, readSuperblock } from '../../core/format/superblock';
import { parseJournalText } from '../../core/session/journal';
import { ReplayCursor } from '../../core/session/replay';
import { call, hostNotices, labWorkspace, refusal, untilSnapshot } from './handler-calls';

const MiB = 1024 * 1024;
labWorkspace('force');

/** What disk0.img's superblock says now: MAX_SECTOR for a clean array. */
function resyncOffset(folder: string): bigint {
  const dev = FileBlockDevice.open(path.join(folder, 'disk0.img'), { readOnly: true });
  try {
    return readSuperblock(dev).sb.resyncOffset;
  } finally {
    dev.close();
  }
}

function journalSteps(folder: string): string[] {
  const entries = parseJournalText(fs.readFileSync(path.join(folder, 'journal.jsonl'), 'utf8')).entries;
  return entries.flatMap((e) => (e.type === 'step' ? [JSON.stringify(e.step)] : []));
}

describe('a dirty degraded array in the lab', () => {
  it('is refused with NEEDS_FORCE after the power cut, opens with force, and replays to the same sha256', async () => {
    const choices = { level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 32 * MiB, bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'dd' };
    const made = await call('session.new', { place: { workspace: 'dd' }, name: 'dd', choices, seed: 5 });
    const folder = made.session.folder;
    // The initial recovery (the spare trick) runs slowly while the pattern is written: dirty and degraded.
    await call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 2000 });
    await call('array.pattern', { op: 'write', lengthBytes: 2 * MiB });
    const cut = await refusal('array.powerCut', { survival: 0 });
    expect(cut).toEqual({ code: NEEDS_FORCE, message: 'md0 assembled from 3 drives - not enough to start the array while not clean - consider --force.' });
    expect((await call('session.current', {})).session).toBeNull();
    expect(journalSteps(folder).at(-1)).toBe('{"power-cut":{"survival":0}}');

    expect(await refusal('session.open', { place: { workspace: 'dd' } })).toMatchObject({ code: NEEDS_FORCE });
    expect(journalSteps(folder).at(-1)).toBe('{"power-cut":{"survival":0}}');
    expect(resyncOffset(folder)).not.toBe(MAX_SECTOR);

    const opened = await call('session.open', { place: { workspace: 'dd' }, force: true });
    expect(opened.snapshot).toMatchObject({ degraded: 1, syncAction: 'recover' });
    expect(journalSteps(folder).at(-1)).toBe('{"assemble":{"force":true}}');
    // mdadm marked it clean and md wrote that down at once, before any resync could start.
    expect(resyncOffset(folder)).toBe(MAX_SECTOR);
    await call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 2_000_000 });
    const done = await untilSnapshot((s) => s.syncAction === 'idle' && s.degraded === 0, 'the rebuild after --force');
    expect(done.arrayState).not.toBe('inactive');
    const closed = await call('session.close', {});

    const cursor = ReplayCursor.open(folder);
    try {
      const end = cursor.seek(cursor.length);
      expect(end.failure).toBeNull();
      expect(end.snapshot).toMatchObject({ degraded: 0, syncAction: 'idle' });
      expect(cursor.arraySha256()).toBe(closed.arraySha256);
    } finally {
      cursor.dispose();
    }
    // A clean reopen needs no force, and journals no assembly.
    const again = await call('session.open', { place: { workspace: 'dd' }, force: true });
    expect(again.snapshot.degraded).toBe(0);
    expect(journalSteps(folder).filter((s) => s.includes('force')).length).toBe(1);
    await call('session.close', {});
  }, 120_000);

  it('closed by a scheduled cut md will not recover from, is announced with NEEDS_FORCE and the place to force', async () => {
    const choices = { level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 32 * MiB, bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'sc' };
    const made = await call('session.new', { place: { workspace: 'sc' }, name: 'sc', choices, seed: 9 });
    await call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 2000 });
    // The cut fires inside the pattern write (dirty), during the slow rebuild (degraded).
    await call('array.powerCut', { survival: 0, when: { kind: 'nth-write', n: 2 }, member: 0 });
    expect((await refusal('array.pattern', { op: 'write', lengthBytes: 16 * MiB })).message).toMatch(/power/i);
    const until = Date.now() + 30_000;
    while (hostNotices.length === 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(hostNotices).toEqual([{ type: 'session-closed', place: { workspace: 'sc' }, error: { code: NEEDS_FORCE, message: expect.stringContaining('consider --force') } }]);
    expect((await call('session.current', {})).session).toBeNull();

    const opened = await call('session.open', { place: { workspace: 'sc' }, force: true });
    expect(journalSteps(made.session.folder).at(-1)).toBe('{"assemble":{"force":true}}');
    await call('session.close', {});
    // The replay takes the same path (the cut, the refusal, the forced start). Its bytes are not compared:
    // which writes were in flight at this cut depends on how the live slices deferred member I/O (wall time).
    const cursor = ReplayCursor.open(made.session.folder);
    try {
      const end = cursor.seek(cursor.length);
      expect(end.failure).toBeNull();
      expect(end.snapshot).toMatchObject({ degraded: opened.snapshot.degraded, raidDisks: 4 });
    } finally {
      cursor.dispose();
    }
  }, 120_000);
});
