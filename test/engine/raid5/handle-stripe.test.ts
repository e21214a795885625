import { describe, expect, it } from 'vitest';
import { arraySectorOf, type Geometry } from '../../../core/format/layout';
import type { R5Conf } from '../../../core/engine/raid5';
import { R5, STRIPE } from '../../../core/engine/raid5/flags';
import { handleStripe } from '../../../core/engine/raid5/handle';
import { AssertionError } from '../../../core/util/assert';
import { makeArray, pattern, readArray, runUntilIdle, sha256, submit, writeArray, type TestArray } from './harness';

function confOf(t: TestArray): R5Conf {
  return (t.pers as unknown as { conf: R5Conf }).conf;
}

const DISKS = 4;
const CHUNK = 16;
/** Left-symmetric row 0 of 4 disks: data on members 0, 1, 2 and parity on 3 (spec §3.3). */
const PD = 3;
const DATA = [0, 1, 2];

interface Case {
  failed: number;
  /** Data member -> 'full' (whole 4 KiB block) or 'part' (1 KiB inside it). */
  writes: Map<number, 'full' | 'part'>;
}

function* cases(): Generator<Case> {
  for (const failed of [-1, 0, 1, 2, 3]) {
    for (let subset = 1; subset < 1 << DATA.length; subset++) {
      const members = DATA.filter((_, k) => subset & (1 << k));
      for (let shape = 0; shape < 1 << members.length; shape++) {
        yield { failed, writes: new Map(members.map((m, k) => [m, shape & (1 << k) ? 'part' : 'full'])) };
      }
    }
  }
}

/**
 * What md reads for a write (spec §4.4, handle_stripe_dirtying): partially written blocks are always
 * fetched first; then whichever of read-modify-write (old data + old parity) and reconstruct-write
 * (the untouched data) needs fewer reads, never reading a lost member; a partly written lost block is
 * rebuilt from all the others.
 */
function expectedReads(c: Case): Set<number> {
  const partial = [...c.writes].filter(([, w]) => w === 'part').map(([m]) => m);
  if (c.failed >= 0 && c.writes.get(c.failed) === 'part') return new Set([0, 1, 2, 3].filter((m) => m !== c.failed));
  const cost = (set: number[]) => (set.includes(c.failed) ? Infinity : set.length);
  const rmwSet = [...c.writes.keys(), PD].filter((m) => !partial.includes(m));
  const rcwSet = DATA.filter((m) => c.writes.get(m) !== 'full' && !partial.includes(m));
  const rmw = cost(rmwSet);
  const rcw = cost(rcwSet);
  let chosen: number[];
  if (rcw === 0) chosen = [];
  else if (rmw === 0) chosen = [];
  else chosen = rmw < rcw ? rmwSet : rcwSet;
  return new Set([...partial, ...chosen]);
}

function describeCase(c: Case): string {
  const w = [...c.writes].map(([m, s]) => `${m}:${s}`).join(',');
  return `failed ${c.failed < 0 ? 'none' : c.failed}, writes ${w}`;
}

describe('handleStripe decisions', () => {
  const all = [...cases()];

  it(`reads exactly what rmw/rcw/compute need, over all ${all.length} combinations of lost member and write shape, and the row reads back right`, () => {
    expect(all.length).toBe(130);
    for (const c of all) {
      const t = makeArray({ disks: DISKS, chunkSectors: CHUNK, devSectors: CHUNK * 2 });
      const g: Geometry = { level: 5, raidDisks: DISKS, algorithm: 2, chunkSectors: CHUNK };
      const rowSectors = CHUNK * (DISKS - 1);
      const content = pattern(rowSectors * 2 * 512, 1);
      writeArray(t.pers, 0, content);
      if (c.failed >= 0) t.mddev.mdError(t.mddev.rdevs[c.failed], 'test');
      const before = t.mddev.rdevs.map((r) => r.readBytes);
      const pending = [];
      for (const [member, shape] of c.writes) {
        const sector = arraySectorOf(g, member, 0);
        const data = pattern(shape === 'full' ? 4096 : 1024, 10 + member);
        const at = sector + (shape === 'full' ? 0 : 1);
        pending.push(submit(t.pers, 'write', at, data));
        content.set(data, at * 512);
      }
      runUntilIdle(t.pers);
      for (const p of pending) expect(p.error, describeCase(c)).toBeNull();
      const read = new Set(t.mddev.rdevs.flatMap((r, i) => (r.readBytes > before[i] ? [i] : [])));
      expect([...read].sort(), describeCase(c)).toEqual([...expectedReads(c)].sort());
      for (let i = 0; i < DISKS; i++) if (read.has(i)) expect(t.mddev.rdevs[i].readBytes - before[i], describeCase(c)).toBe(4096);
      expect(sha256(readArray(t.pers, 0, rowSectors * 2)), describeCase(c)).toBe(sha256(content));
    }
  });

  it('refuses a stripe whose flags are incoherent on entry', () => {
    const t = makeArray({ disks: DISKS, chunkSectors: CHUNK, devSectors: CHUNK * 2 });
    const conf = confOf(t);
    const sh = conf.getActiveStripe(0)!;
    sh.dev[1].flags |= R5.LOCKED;
    expect(() => handleStripe(conf, sh)).toThrow(AssertionError);
    sh.dev[1].flags = R5.Wantwrite | R5.LOCKED;
    expect(() => handleStripe(conf, sh)).toThrow(AssertionError);
    sh.dev[1].flags = 0;
    sh.set(STRIPE.SYNCING | STRIPE.SYNC_REQUESTED);
    expect(() => handleStripe(conf, sh)).toThrow(AssertionError);
  });

  for (const kind of ['check', 'repair', 'resync'] as const) {
    for (const consistent of [true, false]) {
      it(`${kind} of a ${consistent ? 'consistent' : 'inconsistent'} stripe: reads all, ${consistent || kind === 'check' ? 'writes nothing' : 'rewrites parity'}, mismatches ${consistent ? 0 : 8}`, () => {
        const t = makeArray({ disks: DISKS, chunkSectors: CHUNK, devSectors: CHUNK * 2 });
        writeArray(t.pers, 0, pattern(CHUNK * 3 * 2 * 512, 2));
        if (!consistent) t.devs[1].write(pattern(512, 3), (t.dataOffsetSectors + 2) * 512);
        const conf = confOf(t);
        const reads = t.mddev.rdevs.map((r) => r.readBytes);
        const writes = t.mddev.rdevs.map((r) => r.writtenBytes);
        expect(t.pers.syncRequest(0, kind)).toBe(8);
        runUntilIdle(t.pers);
        expect(t.mddev.rdevs.map((r, i) => r.readBytes - reads[i])).toEqual([4096, 4096, 4096, 4096]);
        const rewritten = !consistent && kind !== 'check';
        expect(t.mddev.rdevs.map((r, i) => r.writtenBytes - writes[i])).toEqual([0, 0, 0, rewritten ? 4096 : 0]);
        expect(t.mddev.mismatches).toBe(consistent ? 0 : 8);
        expect(t.mddev.syncedSectors).toBe(8);
        expect(conf.activeStripes).toBe(0);
      });
    }
  }
});

describe('raid5d scheduling', () => {
  it('parks a partial-stripe write on the delayed list so later writes can make it a full stripe with no reads', () => {
    const t = makeArray({ disks: DISKS, chunkSectors: CHUNK, devSectors: CHUNK * 2, trace: ['handle_stripe'] });
    const g: Geometry = { level: 5, raidDisks: DISKS, algorithm: 2, chunkSectors: CHUNK };
    const content = pattern(CHUNK * 3 * 2 * 512, 5);
    writeArray(t.pers, 0, content);
    const reads = t.mddev.rdevs.reduce((n, r) => n + r.readBytes, 0);
    const first = submit(t.pers, 'write', arraySectorOf(g, 0, 0), pattern(4096, 6));
    t.pers.daemon();
    expect(t.mddev.trace.events.at(-1)?.action).toContain('delay for a fuller stripe');
    expect(t.mddev.rdevs.reduce((n, r) => n + r.readBytes, 0)).toBe(reads);
    const rest = [1, 2].map((m) => submit(t.pers, 'write', arraySectorOf(g, m, 0), pattern(4096, 6 + m)));
    runUntilIdle(t.pers);
    for (const w of [first, ...rest]) expect(w.done && w.error === null).toBe(true);
    expect(t.mddev.rdevs.reduce((n, r) => n + r.readBytes, 0)).toBe(reads);
    expect(t.mddev.trace.events.map((e) => e.action).join('; ')).toContain('reconstruct-write parity');
  });

  it('a lone partial write is activated on the next pass and done by read-modify-write', () => {
    const t = makeArray({ disks: DISKS, chunkSectors: CHUNK, devSectors: CHUNK * 2 });
    writeArray(t.pers, 0, pattern(CHUNK * 3 * 2 * 512, 8));
    const w = submit(t.pers, 'write', 0, pattern(4096, 9));
    const passes = runUntilIdle(t.pers);
    expect(w.done && w.error === null).toBe(true);
    // delayed, activated + pre-reads issued, reads reaped + writes issued, writes reaped.
    expect(passes).toBeLessThanOrEqual(5);
    expect(confOf(t).activeStripes).toBe(0);
  });
});
