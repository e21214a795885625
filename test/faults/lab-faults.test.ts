/** The lab host's fault requests: every fault kind, now or on the timeline, pending and fired lists, refusals. */
import { describe, expect, it } from 'vitest';
import type { CreateChoices, MemberFaults } from '../../core/api';
import { testHosts } from '../ui/lifecycle';

const CHOICES: CreateChoices = {
  level: 5, raidDevices: 3, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 32 * 1024 * 1024,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'faults',
};

const of = (members: MemberFaults[], image: string): MemberFaults => members.find((m) => m.image === image)!;

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('lab faults over the contract', () => {
  const startHost = testHosts();

  it('injects every new kind now, each described as the dm target it imitates', async () => {
    const { client, host } = startHost();
    await client.call('array.create', { id: 'kinds', choices: CHOICES });
    await client.call('array.inject', { member: 0, fault: { kind: 'delay', readMs: 5, writeMs: 10 } });
    await client.call('array.inject', { member: 1, fault: { kind: 'slow', bandwidthKibPerSec: 100_000 } });
    await client.call('array.inject', { member: 2, fault: { kind: 'flakey', upMs: 60_000, downMs: 1000, errorReads: false, errorWrites: false, dropWrites: true } });
    const { members } = await client.call('array.inject', { member: 3, fault: { kind: 'bitrot', placement: { by: 'seeded', count: 4, seed: 9 } } });
    expect(of(members, 'disk0.img').faults[0].text).toContain('dm-delay');
    expect(of(members, 'disk1.img').faults[0].text).toContain('slow disk: 100000 KiB/s');
    expect(of(members, 'disk2.img').faults[0].text).toContain('drop_writes');
    expect(of(members, 'disk3.img').faults[0]).toMatchObject({ state: 'done', hits: 4 });
  });

  it('schedules a fault, lists it as pending with its trigger, and cancels it', async () => {
    const { client, host } = startHost();
    await client.call('array.create', { id: 'pending', choices: CHOICES });
    const scheduled = await client.call('array.inject', { member: 1, fault: { kind: 'fail' }, when: { kind: 'nth-write', n: 1000 } });
    expect(of(scheduled.members, 'disk1.img').pending).toEqual([{ id: 1, trigger: 'on the 1000th write to member 1', action: 'every I/O fails with EIO (dm-error)' }]);
    expect(of(scheduled.members, 'disk1.img').faults).toEqual([]);
    const cancelled = await client.call('array.clearFault', { member: 1, id: 1, pending: true });
    expect(of(cancelled.members, 'disk1.img').pending).toEqual([]);
    const again = await host.request('array.clearFault', { member: 1, id: 1, pending: true });
    expect(again.ok ? '' : again.error).toEqual({ code: 'REFUSED', message: 'disk1.img has no scheduled fault #1.' });
  });

  it('fires a read error at 50% of a recovery; the timeline shows it fired with its trigger', async () => {
    const { client, host } = startHost();
    await client.call('array.create', { id: 'fires', choices: CHOICES });
    // Behind the recovery position at 50%: recovery is past it, so the sector is still bad afterwards.
    await client.call('array.inject', { member: 0, fault: { kind: 'read-error', range: { startSector: 2048, lengthSectors: 8 } }, when: { kind: 'progress', percent: 50, action: 'recover' } });
    await client.call('array.manage', { action: 'fail', member: 2 });
    const done = await until(() => client.call('array.snapshot', {}), ({ snapshot }) => snapshot !== null && snapshot.degraded === 0 && snapshot.syncAction === 'idle', 'recovery onto the spare');
    expect(done.snapshot!.members.find((m) => m.image === 'disk0.img')!.errors).toBe(0);
    const { members } = await client.call('array.faults', {});
    const disk0 = of(members, 'disk0.img');
    expect(disk0.pending).toEqual([]);
    expect(disk0.fired).toMatchObject([{ id: 1, trigger: 'at 50% of recovery', refused: null }]);
    expect(disk0.faults).toMatchObject([{ id: 1, state: 'on' }]);
    expect(disk0.faults[0].text).toContain('8 bad sector(s) left');
  });

  it('refuses faults outside the member, on a member that does not exist, and dm-flakey conflicts', async () => {
    const { client, host } = startHost();
    await client.call('array.create', { id: 'refusals', choices: CHOICES });
    const outside = await host.request('array.inject', { member: 0, fault: { kind: 'bitrot', placement: { by: 'chosen', sectors: [1 << 30] } } });
    expect(outside.ok ? '' : outside.error.code).toBe('REFUSED');
    expect(outside.ok ? '' : outside.error.message).toMatch(/past the end of the 33554432-byte member/);
    const missing = await host.request('array.inject', { member: 9, fault: { kind: 'fail' } });
    expect(missing.ok ? '' : missing.error.code).toBe('REFUSED');
    const conflict = await host.request('array.inject', { member: 0, fault: { kind: 'flakey', upMs: 1, downMs: 1, errorReads: false, errorWrites: true, dropWrites: true } });
    expect(conflict.ok ? '' : conflict.error.code).toBe('BAD_PARAMS');
    const { members } = await client.call('array.faults', {});
    expect(members.every((m) => m.faults.length === 0 && m.pending.length === 0)).toBe(true);
  });
});
