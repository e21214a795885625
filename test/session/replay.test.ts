import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { lbaPatternBytes } from '../../core/format/lba-pattern';
import type { ArrayConfig } from '../../core/session/manifest';
import { MdArrayDriver } from '../../core/session/md-driver';
import { ReplayCursor } from '../../core/session/replay';
import { Session } from '../../core/session/session';
import { tempDir, treeFingerprint } from './helpers';

const MiB = 1024 * 1024;
const config: ArrayConfig = { level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 16 * MiB, bitmap: 'none', assumeClean: true };

/** A recorded experiment: write, lose a member, rebuild onto the spare, close, reopen, check parity. */
async function recordSession(folder: string) {
  const driver = new MdArrayDriver();
  const s = await Session.create(folder, { name: 'replayed', array: config, seed: 77, driver });
  await s.perform({ write: { pattern: 'lba', offset: 0, length: '3M' } });
  await s.perform({ fail: 2 });
  await s.perform({ wait: 'idle' });
  await s.close();
  const again = await Session.open(folder, { driver });
  await again.perform({ write: { pattern: 'lba', tag: 'second', offset: '1M', length: '512K' } });
  await again.perform({ 'sync-action': 'check' });
  await again.perform({ wait: 'idle' });
  const snapshot = again.snapshot()!;
  const { arraySha256 } = await again.close({ hash: true });
  return { snapshot, arraySha256: arraySha256! };
}

describe('replay of a recorded session', () => {
  it('reproduces the same final state and sha256, and never writes to the session folder', async () => {
    const folder = path.join(tempDir('replay'), 'lab');
    const recorded = await recordSession(folder);
    const before = treeFingerprint(folder);

    const cursor = ReplayCursor.open(folder);
    expect(cursor.length).toBe(8);
    const end = cursor.seek(cursor.length);
    expect(end.failure).toBeNull();
    // Everything md reports, counters and events included, is the same: the run is a pure function of the journal.
    expect(end.snapshot).toEqual(recorded.snapshot);
    expect(cursor.arraySha256()).toBe(recorded.arraySha256);
    cursor.dispose();
    expect(treeFingerprint(folder)).toBe(before);
  });

  it('steps forwards and backwards: going back replays from the initial images to the earlier step', async () => {
    const folder = path.join(tempDir('replay'), 'lab');
    await recordSession(folder);
    const cursor = ReplayCursor.open(folder);
    const first = cursor.forward();
    expect(first.last).toMatchObject({ type: 'step', step: { write: { pattern: 'lba', offset: 0, length: '3M' } } });
    const second = cursor.forward();
    expect(second.snapshot!.degraded).toBe(1);
    const back = cursor.backward();
    expect(back.position).toBe(1);
    expect(back.snapshot!.degraded).toBe(0);
    expect(back.snapshot!.members.every((m) => !m.state.includes('faulty'))).toBe(true);
    const arraySha256 = cursor.arraySha256();
    const expected = createHash('sha256').update(lbaPatternBytes('mdlab', 0, 3 * MiB)).update(new Uint8Array(back.snapshot!.arraySizeKib * 1024 - 3 * MiB)).digest('hex');
    expect(arraySha256).toBe(expected);
    const workDir = cursor.workDir;
    cursor.dispose();
    expect(fs.existsSync(workDir)).toBe(false);
  });
});

describe('replay of faults', () => {
  it('re-injects recorded bit rot so the replayed check counts the same mismatches', async () => {
    const folder = path.join(tempDir('replay'), 'rot');
    const s = await Session.create(folder, { name: 'rot', array: { ...config, spareDevices: 0 }, seed: 5, driver: new MdArrayDriver() });
    await s.perform({ write: { pattern: 'lba', offset: 0, length: '3M' } });
    await s.perform({ inject: { member: 3, fault: { kind: 'bitrot', placement: { by: 'chosen', flips: [{ offsetBytes: 2 * MiB, bit: 3 }] } } } });
    await s.perform({ 'sync-action': 'check' });
    await s.perform({ wait: 'idle' });
    const recorded = s.snapshot()!;
    expect(recorded.mismatchCnt).toBe(8);
    await s.close();

    const cursor = ReplayCursor.open(folder);
    const end = cursor.seek(cursor.length);
    expect(end.failure).toBeNull();
    expect(end.snapshot).toEqual(recorded);
    cursor.dispose();
  });
});
