/**
 * A fault scheduled in the lab is journaled as the scenario step that schedules it (injectStepOf), so the
 * session's replay on the virtual clock fires it at the same point of the recovery and md reacts the same.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ArraySnapshot } from '../../core/api';
import { parseJournalText } from '../../core/session/journal';
import { ReplayCursor } from '../../core/session/replay';
import { call, labWorkspace, untilSnapshot } from '../host/handler-calls';

const MiB = 1024 * 1024;

labWorkspace('fault-session');

describe('a scheduled fault in a lab session', () => {
  it('is journaled with its trigger, and the replay fires it at the same point: the same reaction, state and sha256', async () => {
    const made = await call('session.new', {
      place: { workspace: 'sched' },
      name: 'scheduled fault',
      choices: { level: 5, raidDevices: 3, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 16 * MiB, bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'sched' },
      seed: 5,
    });
    const folder = made.session.folder as string;
    await call('array.pattern', { op: 'write', lengthBytes: 4 * MiB });
    const { imageSector } = await call('array.map', { arraySector: 0 });
    // Behind the recovery at 30%: the row is whole again when the verify reads the bad sector.
    await call('array.inject', { member: 0, fault: { kind: 'read-error', range: { startSector: imageSector, lengthSectors: 8 } }, when: { kind: 'progress', percent: 30, action: 'recover' } });
    await call('array.manage', { action: 'fail', member: 1 });
    await untilSnapshot((s) => s.syncAction === 'idle' && s.degraded === 0, 'recovery onto the spare');
    expect((await call('array.pattern', { op: 'verify', lengthBytes: 4 * MiB })).badSectors).toBe(0);
    // The verify ends with the block rebuilt from parity; md's rewrite and re-read, which count the
    // corrected error, follow in later raid5d passes, as in the kernel.
    const disk0 = (s: ArraySnapshot) => s.members.find((m) => m.image === 'disk0.img')!;
    const live = await untilSnapshot((s) => disk0(s).errors > 0, 'the read error corrected');
    expect(disk0(live).errors).toBe(8);
    const closed = await call('session.close', {});

    const steps = parseJournalText(fs.readFileSync(path.join(folder, 'journal.jsonl'), 'utf8')).entries.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    expect(steps).toContainEqual({ inject: { member: 0, fault: { kind: 'read-error', range: { startSector: imageSector, lengthSectors: 8 }, clearOnWrite: true }, when: 'at 30% of recovery' } });

    const cursor = ReplayCursor.open(folder);
    try {
      const end = cursor.seek(cursor.length);
      expect(end.failure).toBeNull();
      const members = (s: ArraySnapshot) => s.members.map((m) => ({ image: m.image, slot: m.slot, state: m.state, errors: m.errors }));
      expect(members(end.snapshot!)).toEqual(members(live));
      expect(cursor.arraySha256()).toBe(closed.arraySha256);
    } finally {
      cursor.dispose();
    }
  }, 120_000);
});
