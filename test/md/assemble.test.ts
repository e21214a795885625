/** mdadm/md assembly rules (spec §4.7, §4.8) over superblocks made by planCreate and then aged by hand. */
import { describe, expect, it } from 'vitest';
import { FEATURE, ROLE_FAULTY, type Superblock1 } from '../../core/format/superblock';
import { type AssemblyCandidate, decideAssembly } from '../../core/md/assemble';
import { planCreate } from '../../core/md/create';

/** A running-looking array: every member active (no spare trick), events 10, clean. */
function members(raidDevices: number, opts: { layout?: number; level?: 4 | 5; spares?: number } = {}): AssemblyCandidate[] {
  const plan = planCreate({ level: opts.level ?? 5, raidDevices, spareDevices: opts.spares ?? 0, layout: opts.layout, memberBytes: 8 << 20, assumeClean: true, homehost: 'h', name: 'a' });
  return plan.superblocks.map((sb, i) => ({ image: `disk${i}.img`, sb: { ...sb, events: 10n } }));
}

function aged(c: AssemblyCandidate, change: Partial<Superblock1>): AssemblyCandidate {
  return { ...c, sb: { ...c.sb, ...change } };
}

describe('assembly decisions', () => {
  it('keeps a member one event behind (md\'s margin) and leaves out one two behind', () => {
    const m = members(4);
    const d = decideAssembly([m[0], aged(m[1], { events: 9n }), aged(m[2], { events: 8n }), m[3]], { run: true });
    expect(d.slots.map((s) => s?.image ?? null)).toEqual(['disk0.img', 'disk1.img', null, 'disk3.img']);
    expect(d.leftOut).toEqual([{ image: 'disk2.img', reason: 'is out of date: events 8, array at 10.' }]);
    expect(d.start).toBe(true);
    expect(d.degraded).toBe(1);
  });

  it('ignores a member whose superblock reports the freshest member as failed', () => {
    const m = members(3);
    const roles = m[2].sb.devRoles.map((r, i) => (i === 0 ? ROLE_FAULTY : r));
    const d = decideAssembly([m[0], m[1], aged(m[2], { devRoles: roles, events: 9n })], { run: true, arrayName: 'md0' });
    expect(d.messages[0]).toBe('mdlab: ignoring disk2.img as it reports disk0.img as failed');
    expect(d.slots[2]).toBeNull();
  });

  it('leaves out a superblock with a wrong checksum, as the kernel refuses it', () => {
    const m = members(3);
    const d = decideAssembly([m[0], { ...m[1], checksumOk: false }, m[2]], { run: true });
    expect(d.leftOut.map((l) => l.image)).toEqual(['disk1.img']);
    expect(d.degraded).toBe(1);
  });

  it('gives a slot claimed twice to the member with newer events', () => {
    const m = members(3);
    const twin = { ...aged(m[1], { devNumber: 7, events: 9n, devRoles: m[1].sb.devRoles.map((r, i) => (i === 7 ? 1 : r)) }), image: 'twin.img' };
    const d = decideAssembly([m[0], twin, m[1], m[2]]);
    expect(d.slots[1]?.sb.devNumber).toBe(1);
    expect(d.leftOut).toEqual([{ image: 'twin.img', reason: 'lost slot 1 to disk1.img, which has newer events.' }]);
  });

  it('treats spares as spares whatever their events, and names them in the start message', () => {
    const m = members(3, { spares: 1 });
    const d = decideAssembly([m[0], m[1], m[2], aged(m[3], { events: 99n })], { arrayName: 'md0' });
    expect(d.spares.map((s) => s.image)).toEqual(['disk3.img']);
    expect(d.messages).toEqual(['mdlab: md0 has been started with 3 drives and 1 spare.']);
  });

  it('refuses a dirty degraded RAID5, but starts a dirty one missing only a parity-only disk', () => {
    const dirty = (c: AssemblyCandidate): AssemblyCandidate => aged(c, { resyncOffset: 0n });
    const ls = members(4).map(dirty);
    expect(decideAssembly(ls.slice(1), { run: true }).start).toBe(false);
    const pf = members(4, { layout: 4 }).map(dirty);
    expect(decideAssembly(pf.slice(1), { run: true }).start).toBe(true);
    expect(decideAssembly([pf[0], pf[2], pf[3]], { run: true }).start).toBe(false);
    const r4 = members(4, { level: 4 }).map(dirty);
    expect(decideAssembly(r4.slice(0, 3), { run: true }).start).toBe(true);
  });

  describe('--force (spec §4.7)', () => {
    it('marks a dirty degraded RAID5 clean so it starts, and says so; without it md refuses', () => {
      const dirty = members(4).map((c) => aged(c, { resyncOffset: 2048n }));
      const refused = decideAssembly(dirty.slice(1), { run: true, arrayName: 'md0' });
      expect(refused.refusal).toBe('md0 assembled from 3 drives - not enough to start the array while not clean - consider --force.');
      const forced = decideAssembly(dirty.slice(1), { run: true, arrayName: 'md0', force: true });
      expect(forced).toMatchObject({ start: true, clean: true, forcedClean: true, resyncCheckpointSectors: null, degraded: 1, forcedEvents: [] });
      expect(forced.messages).toEqual(["mdlab: Marking array md0 as 'clean'", 'mdlab: md0 has been started with 3 drives (out of 4).']);
    });

    it('leaves a clean array that can start as it is', () => {
      const d = decideAssembly(members(4).slice(1), { run: true, force: true });
      expect(d).toMatchObject({ start: true, forcedClean: false, forcedEvents: [] });
    });

    it('takes the freshest out-of-date member with its events forced up, and only as many as the start needs', () => {
      const m = members(4);
      const d0 = [aged(m[0], { events: 7n }), aged(m[1], { events: 5n }), m[2], m[3]];
      expect(decideAssembly(d0, { run: true, arrayName: 'md0' }).refusal).toBe('md0 assembled from 2 drives - not enough to start the array.');
      const d = decideAssembly(d0, { run: true, arrayName: 'md0', force: true });
      expect(d.start).toBe(true);
      expect(d.forcedEvents.map((c) => c.image)).toEqual(['disk0.img']);
      expect(d.messages[0]).toBe('mdlab: forcing event count in disk0.img(0) from 7 up to 10');
      expect(d.slots.map((s) => s?.image ?? null)).toEqual(['disk0.img', null, 'disk2.img', 'disk3.img']);
      expect(d.leftOut).toEqual([{ image: 'disk1.img', reason: 'is out of date: events 5, array at 10.' }]);
    });

    it('does not ignore a member that reports the freshest as failed', () => {
      const m = members(3);
      const roles = m[2].sb.devRoles.map((r, i) => (i === 0 ? ROLE_FAULTY : r));
      const d = decideAssembly([m[0], m[1], aged(m[2], { devRoles: roles, events: 9n })], { run: true, force: true });
      expect(d.slots.map((s) => s?.image ?? null)).toEqual(['disk0.img', 'disk1.img', 'disk2.img']);
    });

    it('never forces a partly rebuilt member into a whole slot', () => {
      const m = members(4);
      const rebuilding = aged(m[3], { events: 7n, featureMap: m[3].sb.featureMap | FEATURE.RECOVERY_OFFSET, recoveryOffset: 4096n });
      const d = decideAssembly([m[0], m[1], aged(m[2], { events: 6n }), rebuilding], { run: true, force: true });
      expect(d.forcedEvents.map((c) => c.image)).toEqual(['disk2.img']);
      expect(d.slots[3]).toBeNull();
    });
  });
});
