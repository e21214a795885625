/**
 * Member I/O is synchronous, so md bounds how long a slice can hold the engine host by starting member
 * I/O only until the slice's I/O deadline (daemon(ioDeadlineMs)). Past it, I/O stays plugged for a
 * later pass; the first unplug under each new deadline still serves one member, so md always moves.
 */
import { describe, expect, it } from 'vitest';
import { makeArray, pattern, runUntilIdle, sha256, submit, writeArray } from './harness';

describe('raid5d member I/O window', () => {
  it('past the deadline serves one member per new deadline, keeps the rest queued, and the read still completes right', () => {
    const t = makeArray({ disks: 4, chunkSectors: 128, devSectors: 128 * 16 });
    const data = pattern(3 * 128 * 512 * 4, 3);
    writeArray(t.pers, 0, data);
    const nowMs = 100;
    t.mddev.clock = { nowMs: () => nowMs };
    const readBytes = () => t.mddev.rdevs.map((r) => r.readBytes);
    const before = readBytes();
    const out = new Uint8Array(data.length);
    const bio = submit(t.pers, 'read', 0, out);
    const servedAfter = (deadlineMs: number) => {
      t.pers.daemon(deadlineMs);
      return readBytes().filter((b, i) => b > before[i]).length;
    };
    // The deadline has passed before the first pass: it still reads from one member.
    expect(servedAfter(50)).toBe(1);
    // Same slice (same deadline): nothing more starts, the work waits.
    expect(servedAfter(50)).toBe(1);
    expect(t.pers.idle()).toBe(false);
    // Each new slice serves the next member, even past its deadline.
    expect(servedAfter(60)).toBe(2);
    // A slice with time left serves everything queued.
    expect(servedAfter(nowMs + 10)).toBe(4);
    runUntilIdle(t.pers);
    expect(bio.done).toBe(true);
    expect(bio.error).toBeNull();
    expect(sha256(out)).toBe(sha256(data));
  });
});
