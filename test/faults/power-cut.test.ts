import * as fs from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../core/faults/faulty-device';
import { PowerCutDomain } from '../../core/faults/power-cut';
import { AssertionError } from '../../core/util/assert';
import { FileBlockDevice, MemBlockDevice } from '../../core/format/blockdev';
import { xorBlocks } from '../../core/util/xor';
import { VirtualClock, diffOffsets, errorOf, fileBytes, pattern, patternedImage, tempDir } from './helpers';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;
let dir: string;
let clock: VirtualClock;
let images: FileBlockDevice[];
let devs: FaultyDevice[];
let originals: Uint8Array[];

beforeEach(() => {
  dir = tempDir('powercut');
  clock = new VirtualClock();
  images = [0, 1, 2, 3].map((i) => patternedImage(dir, `disk${i}.img`, 16 * MiB, MiB, i + 1));
  devs = images.map((img) => new FaultyDevice(img, { clock: clock.read }));
  originals = images.map((img) => fileBytes(img, 0, MiB));
});
afterEach(() => {
  for (const d of devs) d.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The engine's side of the hook: submit, issue the write, and maybe complete it. */
function writeStripe(domain: PowerCutDomain, offsetBytes: number, seed: number): number[] {
  return devs.map((d, member) => {
    const token = domain.submit(member, offsetBytes, CHUNK, clock.nowMs);
    d.write(pattern(CHUNK, seed + member), offsetBytes);
    return token;
  });
}

function landed(member: number, offsetBytes: number, seed: number): 'new' | 'old' {
  const now = fileBytes(images[member], offsetBytes, CHUNK);
  if (diffOffsets(now, pattern(CHUNK, seed + member)).length === 0) return 'new';
  expect(diffOffsets(now, originals[member].subarray(offsetBytes, offsetBytes + CHUNK))).toEqual([]);
  return 'old';
}

describe('PowerCutDomain', () => {
  it('drops every write still in flight and keeps every completed one, splitting a stripe', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs });
    const tokens = writeStripe(domain, 4 * CHUNK, 50);
    domain.complete(tokens[0]);
    domain.complete(tokens[2]);
    const report = domain.cut(123);
    expect([0, 1, 2, 3].map((m) => landed(m, 4 * CHUNK, 50))).toEqual(['new', 'old', 'new', 'old']);
    expect(report.writes.map((w) => [w.member, w.outcome])).toEqual([
      [1, 'dropped'],
      [3, 'dropped'],
    ]);
    expect(report.timeMs).toBe(123);
  });

  it('leaves the bytes outside in-flight writes exactly as they were', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs });
    writeStripe(domain, 0, 9);
    domain.cut(0);
    for (let m = 0; m < 4; m++) expect(diffOffsets(fileBytes(images[m], 0, MiB), originals[m])).toEqual([]);
  });

  it('restores holes of a sparse image to zeros', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs });
    domain.submit(0, 8 * MiB, 4096);
    devs[0].write(pattern(4096, 3), 8 * MiB);
    domain.cut(0);
    expect(fileBytes(images[0], 8 * MiB, 4096).every((b) => b === 0)).toBe(true);
  });

  it('restores a write on a member unplugged while the write was in flight', () => {
    const reopenable = images.map((img) => new FaultyDevice(img, { clock: clock.read, reopen: () => FileBlockDevice.open(img.path) }));
    const domain = new PowerCutDomain({ seed: 1, members: reopenable });
    domain.submit(2, 0, 4096);
    reopenable[2].write(pattern(4096, 8), 0);
    reopenable[2].inject({ kind: 'unplug' });
    expect(domain.cut(0).writes.map((w) => w.outcome)).toEqual(['dropped']);
    expect(diffOffsets(fileBytes(images[2], 0, MiB), originals[2])).toEqual([]);
  });

  it('reports a write it could not take back as persisted', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs });
    domain.submit(1, 0, 4096);
    devs[1].write(pattern(4096, 8), 0);
    devs[1].inject({ kind: 'unplug' }); // no way to reopen this one
    expect(domain.cut(0).writes.map((w) => w.outcome)).toEqual(['persisted']);
    expect(diffOffsets(fileBytes(images[1], 0, 4096), pattern(4096, 8))).toEqual([]);
  });

  it('switches every member off at the cut', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs });
    domain.cut(0);
    for (const d of devs) {
      expect(errorOf(() => d.read(new Uint8Array(512), 0)).message).toMatch(/power is off/);
      expect(errorOf(() => d.write(new Uint8Array(512), 0)).code).toBe('EIO');
    }
    expect(diffOffsets(fileBytes(images[0], 0, MiB), originals[0])).toEqual([]);
  });

  it('decides survivors from the seed alone: same seed, same members got the write', () => {
    const outcomes = (seed: number): string => {
      for (const d of devs) d.powerOn();
      const domain = new PowerCutDomain({ seed, members: devs, survivalProbability: 0.5 });
      writeStripe(domain, 0, 30);
      const report = domain.cut(0);
      const got = [0, 1, 2, 3].map((m) => landed(m, 0, 30));
      expect(report.writes.map((w) => (w.outcome === 'persisted' ? 'new' : 'old'))).toEqual(got);
      for (let m = 0; m < 4; m++) images[m].write(originals[m].subarray(0, CHUNK), 0);
      return got.join(',');
    };
    const first = [1, 2, 3, 4, 5, 6, 7, 8].map(outcomes);
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(outcomes)).toEqual(first);
    expect(first.some((o) => o.includes('new') && o.includes('old'))).toBe(true);
    expect(new Set(first).size).toBeGreaterThan(1);
  });

  it('keeps every in-flight write when survival is certain', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs, survivalProbability: 1 });
    writeStripe(domain, 0, 70);
    domain.cut(0);
    expect([0, 1, 2, 3].map((m) => landed(m, 0, 70))).toEqual(['new', 'new', 'new', 'new']);
  });

  it('treats overlapping in-flight writes to one member as an engine bug', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs });
    domain.submit(0, 0, 4096);
    expect(() => domain.submit(0, 2048, 4096)).toThrow(AssertionError);
    domain.submit(1, 2048, 4096); // another member is fine
    domain.submit(0, 4096, 4096); // adjacent is fine
  });

  it('bounds the undo records it holds', () => {
    const domain = new PowerCutDomain({ seed: 1, members: devs, maxInFlightBytes: 8192 });
    const t = domain.submit(0, 0, 8192);
    expect(() => domain.submit(1, 0, 512)).toThrow(AssertionError);
    domain.complete(t);
    domain.submit(1, 0, 8192);
    expect(domain.inFlight().map((w) => [w.member, w.lengthBytes])).toEqual([[1, 8192]]);
  });
});

describe('the write hole, at the member level', () => {
  /** One RAID5 row over members 0 and 1 (data) and 2 (parity); returns D1 rebuilt without member 1. */
  function rebuildAfterPartialWrite(parityCompleted: boolean): { rebuilt: Uint8Array; d1: Uint8Array } {
    const mem = [0, 1, 2].map((i) => new FaultyDevice(new MemBlockDevice(`m${i}`, MiB), { clock: clock.read }));
    const d0 = pattern(CHUNK, 1);
    const d1 = pattern(CHUNK, 2);
    const p = new Uint8Array(CHUNK);
    xorBlocks(p, [d0, d1]);
    mem[0].write(d0, 0);
    mem[1].write(d1, 0);
    mem[2].write(p, 0);
    // A partial-stripe write of D0 (read-modify-write): new D0 and new parity go out together.
    const newD0 = pattern(CHUNK, 3);
    const newP = new Uint8Array(CHUNK);
    xorBlocks(newP, [p, d0, newD0]);
    const domain = new PowerCutDomain({ seed: 5, members: mem });
    const tData = domain.submit(0, 0, CHUNK);
    mem[0].write(newD0, 0);
    const tParity = domain.submit(2, 0, CHUNK);
    mem[2].write(newP, 0);
    domain.complete(tData);
    if (parityCompleted) domain.complete(tParity);
    domain.cut(0);
    // Member 1 is then lost: its block can only come from the rest of the row.
    const rows = [0, 2].map((m) => {
      const b = new Uint8Array(CHUNK);
      mem[m].inner.read(b, 0);
      return b;
    });
    const rebuilt = new Uint8Array(CHUNK);
    xorBlocks(rebuilt, rows);
    return { rebuilt, d1 };
  }

  it('rebuilds an untouched block wrongly when the cut kept new data but dropped its parity', () => {
    const { rebuilt, d1 } = rebuildAfterPartialWrite(false);
    expect(diffOffsets(rebuilt, d1).length).toBeGreaterThan(0);
  });

  it('rebuilds it correctly when both writes completed before the cut', () => {
    const { rebuilt, d1 } = rebuildAfterPartialWrite(true);
    expect(diffOffsets(rebuilt, d1)).toEqual([]);
  });
});
