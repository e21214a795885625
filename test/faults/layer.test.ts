import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultLayer } from '../../core/faults/layer';
import { FileBlockDevice } from '../../core/format/blockdev';
import { VirtualClock, diffOffsets, errorOf, fileBytes, pattern, patternedImage, tempDir } from './helpers';

const MiB = 1024 * 1024;
let dir: string;
let clock: VirtualClock;
let images: FileBlockDevice[];

beforeEach(() => {
  dir = tempDir('layer');
  clock = new VirtualClock();
  images = [0, 1, 2].map((i) => patternedImage(dir, `disk${i}.img`, 4 * MiB, MiB, i));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function layer(extra: Partial<ConstructorParameters<typeof FaultLayer>[0]> = {}): FaultLayer {
  return new FaultLayer({
    seed: 11,
    clock: clock.read,
    members: images,
    reopen: (i) => FileBlockDevice.open(path.join(dir, `disk${i}.img`)),
    ...extra,
  });
}

describe('FaultLayer', () => {
  it('puts a fault layer under every member and reports it as plain data', () => {
    const l = layer();
    l.timeline.apply({ op: 'inject', member: 1, spec: { kind: 'write-error', range: { startSector: 0, lengthSectors: 8 } } });
    l.timeline.schedule({ op: 'inject', member: 2, spec: { kind: 'fail' } }, { kind: 'after', ms: 1000 });
    expect(errorOf(() => l.devices[1].write(pattern(512, 1), 0)).code).toBe('EIO');
    const snap = l.snapshot();
    expect(JSON.parse(JSON.stringify(snap))).toEqual(snap);
    expect(snap.members.map((m) => [m.image, m.faults.length, m.counters.failed])).toEqual([
      ['disk0.img', 0, 0],
      ['disk1.img', 1, 1],
      ['disk2.img', 0, 0],
    ]);
    expect(snap.pending).toHaveLength(1);
    expect(snap.journalLength).toBe(1);
    l.close();
  });

  it('unplugs and plugs a member back through the timeline, reopening its image', () => {
    const l = layer();
    const { faultId } = l.timeline.apply({ op: 'inject', member: 0, spec: { kind: 'unplug' } });
    expect(l.snapshot().members[0].unplugged).toBe(true);
    l.timeline.apply({ op: 'clear', member: 0, faultId });
    const got = new Uint8Array(512);
    l.devices[0].read(got, 0);
    expect(got).toEqual(pattern(MiB, 0).subarray(0, 512));
    l.close();
  });

  it('cuts the power on schedule, drops the write in flight and shows what happened', () => {
    const l = layer();
    l.timeline.schedule({ op: 'power-cut' }, { kind: 'nth-write', member: 2, n: 1 });
    // The engine's side: a stripe write to members 0, 1 and 2, completed only at the end of the pass.
    const tokens = [0, 1].map((m) => {
      const t = l.powerCut.submit(m, 0, 4096, clock.nowMs);
      l.devices[m].write(pattern(4096, 40 + m), 0);
      return t;
    });
    l.powerCut.submit(2, 0, 4096, clock.nowMs);
    expect(errorOf(() => l.devices[2].write(pattern(4096, 42), 0)).message).toMatch(/power is off/);
    for (const t of tokens) l.powerCut.complete(t);
    const snap = l.snapshot();
    expect(snap.powerCut?.writes.map((w) => [w.member, w.outcome])).toEqual([
      [0, 'dropped'],
      [1, 'dropped'],
      [2, 'dropped'],
    ]);
    expect(snap.members.every((m) => m.poweredOff)).toBe(true);
    for (let m = 0; m < 3; m++) expect(diffOffsets(fileBytes(images[m], 0, MiB), pattern(MiB, m))).toEqual([]);
    l.close();
  });

  it('replays a recorded journal under the recorded seed', () => {
    const first = layer();
    first.timeline.apply({ op: 'inject', member: 0, spec: { kind: 'bitrot', placement: { by: 'seeded', seed: first.timeline.nextSeed(), count: 5 } } });
    const flips = first.devices[0].faults()[0].flips;
    const journal = first.timeline.journal();
    first.close();
    images = [0, 1, 2].map((i) => patternedImage(dir, `disk${i}.img`, 4 * MiB, MiB, i));
    const second = layer({ seed: 999, replay: journal });
    second.timeline.poll();
    expect(second.timeline.seed).toBe(11);
    expect(second.devices[0].faults()[0].flips).toEqual(flips);
    second.close();
  });
});

describe('a seeded power cut at a random moment', () => {
  /** Writes 16 stripes over 3 members, completing each stripe's writes only after the whole stripe went out. */
  function stripeWorkload(l: FaultLayer): string[] {
    for (let stripe = 0; stripe < 16; stripe++) {
      const tokens: number[] = [];
      for (let m = 0; m < 3; m++) {
        tokens.push(l.powerCut.submit(m, stripe * 4096, 4096, clock.nowMs));
        try {
          l.devices[m].write(pattern(4096, 100 + stripe * 3 + m), stripe * 4096);
        } catch {
          return l.powerCut.report!.writes.map((w) => `${w.member}@${w.offsetBytes}:${w.outcome}`);
        }
      }
      for (const t of tokens) l.powerCut.complete(t);
    }
    return [];
  }

  it('cuts at the same write, keeps the same writes and leaves the same images for the same seed', () => {
    const run = (extra: Partial<ConstructorParameters<typeof FaultLayer>[0]>) => {
      images = [0, 1, 2].map((i) => patternedImage(dir, `disk${i}.img`, 4 * MiB, MiB, i));
      const l = layer(extra);
      if (!extra.replay) l.timeline.schedule({ op: 'power-cut', survivalProbability: 0.5 }, l.timeline.randomWriteTrigger(16));
      const outcomes = stripeWorkload(l);
      const journal = l.timeline.journal();
      l.close();
      return { outcomes, journal, bytes: images.map((img) => fileBytes(img, 0, 64 * 1024)) };
    };
    const first = run({ seed: 5 });
    expect(first.outcomes.length).toBeGreaterThan(0);
    const again = run({ seed: 5 });
    expect(again.outcomes).toEqual(first.outcomes);
    const replayed = run({ seed: 1, replay: first.journal, survivalProbability: 0 });
    expect(replayed.outcomes).toEqual(first.outcomes);
    for (let m = 0; m < 3; m++) expect(diffOffsets(replayed.bytes[m], first.bytes[m])).toEqual([]);
    const other = [6, 7, 8, 9].map((seed) => run({ seed }).outcomes.join());
    expect(other.some((o) => o !== first.outcomes.join())).toBe(true);
  });
});
