/**
 * The simulation harness over a range of seeds (npm run soak runs thousands), plus the harness's own
 * checks shown to catch what they are for: a wrong byte, a stripe whose parity does not add up,
 * events going backwards. A failing seed is printed with its step; replay it with: npm run soak -- --seed S
 */
import { describe, expect, it } from 'vitest';
import { MemBlockDevice } from '../../core/format/blockdev';
import { MAX_SECTOR, readSuperblock, writeSuperblock } from '../../core/format/superblock';
import { planCreate } from '../../core/md/create';
import { EventsWatch, firstInconsistentStripe } from '../../core/sim/checks';
import { runSimulation } from '../../core/sim/harness';
import { createMemImages } from '../../core/sim/mem-disks';
import { ShadowArray } from '../../core/sim/shadow';

// A few hundred seeds (issue #5): about a tenth of a second each.
const SEEDS = { from: 1, count: 240, steps: 10 };
const DEAD_DISK_SEEDS = { from: 1, count: 120, steps: 10 };

function failuresOver(range: { from: number; count: number; steps: number }, deadDisks: boolean) {
  const failures: string[] = [];
  let powerCuts = 0;
  let parityChecks = 0;
  let ran = 0;
  for (let seed = range.from; seed < range.from + range.count; seed++) {
    const r = runSimulation({ seed, steps: range.steps, deadDisks });
    ran++;
    powerCuts += r.powerCuts;
    parityChecks += r.parityChecks;
    if (r.failure) failures.push(`seed ${seed} step ${r.failure.step} (${r.failure.kind}): ${r.failure.message}`);
  }
  return { failures, powerCuts, parityChecks, ran };
}

describe('the simulation harness', () => {
  it(`keeps every invariant over seeds ${SEEDS.from}..${SEEDS.from + SEEDS.count - 1} with members lost by mdadm --fail`, () => {
    const { failures, powerCuts, parityChecks, ran } = failuresOver(SEEDS, false);
    expect(failures).toEqual([]);
    // The workload really exercised crashes and the parity invariant, not only reads and writes.
    expect(powerCuts).toBeGreaterThan(10);
    expect(parityChecks).toBeGreaterThan(ran);
  });

  it(`keeps every invariant over seeds ${DEAD_DISK_SEEDS.from}..${DEAD_DISK_SEEDS.from + DEAD_DISK_SEEDS.count - 1} with dead disks (dm-error)`, () => {
    const { failures, parityChecks } = failuresOver(DEAD_DISK_SEEDS, true);
    expect(failures).toEqual([]);
    expect(parityChecks).toBeGreaterThan(DEAD_DISK_SEEDS.count);
  });

  it('reproduces the RAID5 write hole and reports it as such: a power cut mid-write, then a member lost before the resync', () => {
    const lines: string[] = [];
    const r = runSimulation({ seed: 23, deadDisks: false, log: (l) => lines.push(l) });
    expect(r.failure).toBeNull();
    expect(r.writeHoleReads).toBeGreaterThan(0);
    const cut = lines.findIndex((l) => l.includes('power cut before'));
    const lost = lines.findIndex((l) => l.includes('fails during the resync'));
    const hole = lines.findIndex((l) => l.includes('write hole:'));
    expect(cut).toBeGreaterThanOrEqual(0);
    expect(lost).toBeGreaterThan(cut);
    expect(hole).toBeGreaterThan(lost);
  });

  it('replays a seed to the same run, line for line', () => {
    const lines = (seed: number) => {
      const out: string[] = [];
      const r = runSimulation({ seed, steps: 16, log: (l) => out.push(l) });
      return { out, r };
    };
    const a = lines(7);
    const b = lines(7);
    expect(b.out).toEqual(a.out);
    expect(b.r).toEqual(a.r);
    expect(lines(8).out).not.toEqual(a.out);
  });
});

describe('the shadow model', () => {
  it('accepts either side of a write a power cut interrupted, and nothing else', () => {
    const shadow = new ShadowArray(4096);
    shadow.acknowledged(0, new Uint8Array(1024).fill(1));
    shadow.interrupted(512, new Uint8Array(1024).fill(2));
    expect(shadow.judgeRead(512, new Uint8Array(512).fill(1))).toEqual({ kind: 'ok' });
    expect(shadow.judgeRead(1024, new Uint8Array(512).fill(2))).toEqual({ kind: 'ok' });
    expect(shadow.judgeRead(1024, new Uint8Array(512).fill(3))).toMatchObject({ kind: 'wrong', sector: 2 });
    // Once a whole sector has been seen, md has settled it: the other side is no longer acceptable.
    expect(shadow.judgeRead(512, new Uint8Array(512).fill(2))).toMatchObject({ kind: 'wrong', sector: 1 });
  });

  it('reports a wrong byte outside any write hole as wrong, and inside a tainted row as the write hole', () => {
    const shadow = new ShadowArray(8192);
    shadow.acknowledged(0, new Uint8Array(8192).fill(5));
    const read = new Uint8Array(1024).fill(5);
    read[700] = 6;
    expect(shadow.judgeRead(0, read)).toEqual({ kind: 'wrong', sector: 1, firstByte: 700 });
    shadow.taint(0, 2);
    expect(shadow.judgeRead(0, read)).toEqual({ kind: 'write-hole', sectors: [1] });
    // A later acknowledged write of the whole sector makes it trustworthy again.
    shadow.acknowledged(512, new Uint8Array(512).fill(9));
    expect(shadow.judgeRead(512, new Uint8Array(512).fill(8))).toMatchObject({ kind: 'wrong', sector: 1 });
  });
});

describe('the image-level checks', () => {
  const plan = planCreate({ level: 5, raidDevices: 3, chunkKib: 8, memberBytes: 1024 * 1024 + 128 * 1024, assumeClean: true, bitmap: 'none', name: 'sim', homehost: 'mdlab', nowSeconds: 1 });
  const slotsOf = (images: MemBlockDevice[]) => images.map((image, slot) => ({ slot, image, dataOffsetSectors: plan.dataOffsetSectors }));

  it('finds the one stripe whose parity does not add up', () => {
    const images = createMemImages(plan);
    expect(firstInconsistentStripe(slotsOf(images), plan.componentSectors)).toBeNull();
    const block = new Uint8Array(4096).fill(0xaa);
    // The same block on two members keeps XOR zero; a third copy elsewhere breaks stripe 40.
    images[0].write(block, (plan.dataOffsetSectors + 16) * 512);
    images[1].write(block, (plan.dataOffsetSectors + 16) * 512);
    expect(firstInconsistentStripe(slotsOf(images), plan.componentSectors)).toBeNull();
    images[2].write(block, (plan.dataOffsetSectors + 40) * 512);
    expect(firstInconsistentStripe(slotsOf(images), plan.componentSectors)).toBe(40);
  });

  it('flags superblock events that go backwards, but not md’s one-step clean-mark undo', () => {
    const images = createMemImages(plan);
    const watch = new EventsWatch();
    const setEvents = (events: bigint, clean: boolean) => {
      const { sb } = readSuperblock(images[0]);
      writeSuperblock(images[0], { ...sb, events, resyncOffset: clean ? MAX_SECTOR : 0n });
    };
    setEvents(10n, true);
    expect(watch.observe(images)).toBeNull();
    setEvents(11n, false);
    expect(watch.observe(images)).toBeNull();
    setEvents(10n, true);
    expect(watch.observe(images)).toBeNull();
    setEvents(8n, true);
    expect(watch.observe(images)).toMatch(/went back from 10 to 8/);
  });
});
