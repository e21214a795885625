/**
 * The fault layer's hooks on member I/O (docs/ARCHITECTURE.md, "Fault layer"): completion runs on a
 * later raid5d pass, no earlier than the member's completion time, and every member write is
 * announced to the power-cut domain before it is issued and settled when it completes.
 */
import { describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../../core/faults/faulty-device';
import { PowerCutDomain } from '../../../core/faults/power-cut';
import { makeArray, pattern, readMember, runUntilIdle, sha256, submit, writeArray } from './harness';

function faultyArray() {
  let nowMs = 0;
  const members: FaultyDevice[] = [];
  const t = makeArray({
    disks: 4,
    wrap: (dev) => {
      const faulty = new FaultyDevice(dev, { clock: () => nowMs });
      members.push(faulty);
      return faulty;
    },
  });
  const domain = new PowerCutDomain({ seed: 7, members });
  const rdevIndex = new Map(t.mddev.rdevs.map((r, i) => [r, i]));
  t.mddev.memberIo = {
    nowMs: () => nowMs,
    writeSubmitted: (rdev, offsetBytes, lengthBytes, now) => domain.submit(rdevIndex.get(rdev as (typeof t.mddev.rdevs)[number])!, offsetBytes, lengthBytes, now),
    writeCompleted: (token) => domain.complete(token),
  };
  return { t, members, domain, advance: (ms: number) => (nowMs += ms), now: () => nowMs };
}

describe('member I/O hooks for the fault layer', () => {
  it('a delayed member write completes only when logical time reaches its completion time', () => {
    const { t, members, advance } = faultyArray();
    members[1].inject({ kind: 'delay', readMs: 0, writeMs: 50 });
    const w = submit(t.pers, 'write', 0, pattern(3 * 128 * 512, 41));
    for (let pass = 0; pass < 20; pass++) t.pers.daemon();
    expect(w.done).toBe(false);
    expect(t.pers.idle()).toBe(false);
    expect(t.pers.nextIoCompletionMs!()).toBe(50);
    advance(50);
    runUntilIdle(t.pers);
    expect(w.done && w.error === null).toBe(true);
    expect(t.pers.nextIoCompletionMs!()).toBeNull();
  });

  it('announces each merged member write to the power-cut domain, so a cut before completion puts the old bytes back', () => {
    const { t, domain, now } = faultyArray();
    const old = pattern(3 * 128 * 512, 42);
    writeArray(t.pers, 0, old);
    expect(domain.inFlight()).toEqual([]);
    const oldMembers = [0, 1, 2, 3].map((i) => sha256(readMember(t, i, 0, 128)));
    submit(t.pers, 'write', 0, pattern(3 * 128 * 512, 43));
    // One pass handles the stripes and issues their writes; their completions wait for the next pass.
    t.pers.daemon();
    const inFlight = domain.inFlight();
    expect(inFlight.length).toBe(4);
    expect(new Set(inFlight.map((w) => w.member))).toEqual(new Set([0, 1, 2, 3]));
    const report = domain.cut(now());
    expect(report.writes.every((w) => w.outcome === 'dropped')).toBe(true);
    expect([0, 1, 2, 3].map((i) => sha256(readMember(t, i, 0, 128)))).toEqual(oldMembers);
  });
});
