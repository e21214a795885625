import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lbaPatternBytes } from '../../core/format/lba-pattern';
import type { ArrayConfig } from '../../core/session/manifest';
import { MdArrayDriver } from '../../core/session/md-driver';
import { ReplayCursor } from '../../core/session/replay';
import { Session } from '../../core/session/session';
import { createHash } from 'node:crypto';
import { tempDir } from './helpers';

const MiB = 1024 * 1024;
const config: ArrayConfig = { level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 16 * MiB, bitmap: 'none', assumeClean: true };

describe('a session over the real engine', () => {
  it('round trip: create, act, save as, close, open: same state and same array contents', async () => {
    const parent = tempDir('engine-session');
    const driver = new MdArrayDriver();
    const s = await Session.create(path.join(parent, 'a'), { name: 'engine round trip', array: config, seed: 11, driver });
    await s.perform({ write: { pattern: 'lba', offset: 0, length: '2M' } });
    await s.perform({ fail: 1 });
    await s.perform({ wait: 'idle' });
    await s.perform({ verify: { pattern: 'lba', offset: 0, length: '2M' } });
    const before = s.snapshot()!;
    expect(before.degraded).toBe(0);
    expect(before.members.find((m) => m.index === 4)?.slot).toBe(1);

    const saved = await s.saveAs(path.join(parent, 'b'));
    const { arraySha256 } = await saved.close({ hash: true });
    const expected = createHash('sha256').update(lbaPatternBytes('mdlab', 0, 2 * MiB)).update(new Uint8Array(before.arraySizeKib * 1024 - 2 * MiB)).digest('hex');
    expect(arraySha256).toBe(expected);

    const reopened = await Session.open(path.join(parent, 'b'), { driver });
    const after = reopened.snapshot()!;
    // Assembly leaves out the member the superblocks call faulty, exactly as mdadm --assemble does.
    const working = (snap: typeof before) => snap.members.filter((m) => !m.state.includes('faulty')).map((m) => [m.index, m.slot, m.state.join(',')]);
    expect({ uuid: after.uuid, degraded: after.degraded, arrayState: after.arrayState, members: working(after) }).toEqual({
      uuid: before.uuid,
      degraded: 0,
      arrayState: 'clean',
      members: working(before),
    });
    expect(after.members.some((m) => m.index === 1)).toBe(false);
    await reopened.perform({ verify: { pattern: 'lba', offset: 0, length: '2M' } });
    expect((await reopened.close({ hash: true })).arraySha256).toBe(arraySha256);

    // The copy's journal holds the stop Save As made, then the open: it replays to the same contents.
    const cursor = ReplayCursor.open(path.join(parent, 'b'));
    try {
      expect(cursor.seek(cursor.length).failure).toBeNull();
      expect(cursor.arraySha256()).toBe(arraySha256);
    } finally {
      cursor.dispose();
    }
  });
});
