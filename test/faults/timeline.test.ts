import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FaultyDevice } from '../../core/faults/faulty-device';
import { Prng } from '../../core/faults/prng';
import { PowerCutDomain } from '../../core/faults/power-cut';
import { type FaultJournal, FaultJournalSchema, FaultTimeline, type SyncProgress } from '../../core/faults/timeline';
import { FaultError } from '../../core/faults/spec';
import { DeviceError, MemBlockDevice } from '../../core/format/blockdev';
import { VirtualClock, pattern } from './helpers';

const MEMBER_BYTES = 256 * 512;

function members(clock: VirtualClock, n = 3): FaultyDevice[] {
  return Array.from({ length: n }, (_, i) => new FaultyDevice(new MemBlockDevice(`mem${i}`, MEMBER_BYTES), { clock: clock.read }));
}

function outcome(fn: () => void): string {
  try {
    fn();
    return 'ok';
  } catch (err) {
    if (err instanceof DeviceError) return `${err.code}@${err.offsetBytes}`;
    throw err;
  }
}

/** A seeded random workload; returns everything a reader could observe, so two runs compare exactly. */
function runWorkload(seed: number, devs: FaultyDevice[], clock: VirtualClock, timeline: FaultTimeline, progress: { fraction: number }): string[] {
  const rng = Prng.derive(seed, 'workload');
  const steps = 400;
  const log: string[] = [];
  for (let i = 0; i < steps; i++) {
    progress.fraction = i / steps;
    clock.nowMs += rng.nextInt(40);
    const m = rng.nextInt(devs.length);
    const offsetBytes = rng.nextInt(MEMBER_BYTES / 512) * 512;
    if (rng.chance(0.5)) {
      const data = pattern(512, rng.nextInt(256));
      log.push(`w${m}:${offsetBytes}:${outcome(() => devs[m].write(data, offsetBytes))}`);
    } else {
      const buf = new Uint8Array(512);
      const r = outcome(() => devs[m].read(buf, offsetBytes));
      log.push(`r${m}:${offsetBytes}:${r}:${createHash('sha256').update(buf).digest('hex').slice(0, 8)}`);
    }
    if (i % 10 === 0) timeline.poll();
  }
  for (const d of devs) {
    const all = new Uint8Array(MEMBER_BYTES);
    d.inner.read(all, 0);
    log.push(createHash('sha256').update(all).digest('hex'));
  }
  return log;
}

function recordedRun(seed: number): { log: string[]; journal: FaultJournal } {
  const clock = new VirtualClock();
  const devs = members(clock);
  const progress = { fraction: 0 };
  const timeline = new FaultTimeline({ seed, clock: clock.read, members: devs, progress: (): SyncProgress => ({ action: 'recover', ...progress }) });
  timeline.apply({ op: 'inject', member: 1, spec: { kind: 'read-error', range: { startSector: 10, lengthSectors: 40 } } });
  timeline.schedule({ op: 'inject', member: 0, spec: { kind: 'flakey', upMs: 700, downMs: 300, features: { dropWrites: true } } }, { kind: 'after', ms: 1000 });
  timeline.schedule({ op: 'inject', member: 2, spec: { kind: 'fail' } }, { kind: 'nth-write', member: 2, n: 20 });
  timeline.schedule(
    { op: 'inject', member: 0, spec: { kind: 'bitrot', placement: { by: 'seeded', seed: timeline.nextSeed(), count: 50 } } },
    { kind: 'progress', fraction: 0.5 },
  );
  timeline.schedule({ op: 'clear', member: 2, faultId: null }, { kind: 'progress', fraction: 0.8, action: 'recover' });
  const log = runWorkload(seed, devs, clock, timeline, progress);
  expect(timeline.pending()).toEqual([]);
  return { log, journal: timeline.journal() };
}

function replayedRun(seed: number, journal: unknown): string[] {
  const clock = new VirtualClock();
  const devs = members(clock);
  const progress = { fraction: 0 };
  const timeline = FaultTimeline.replay(journal, { clock: clock.read, members: devs });
  return runWorkload(seed, devs, clock, timeline, progress);
}

describe('FaultTimeline', () => {
  it('applies a fault now and journals it with the time and the I/O count', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: devs });
    devs[0].write(pattern(512, 1), 0);
    clock.nowMs = 250;
    const entry = timeline.apply({ op: 'inject', member: 0, spec: { kind: 'fail' } });
    expect(entry).toEqual({ ioSeq: 1, timeMs: 250, action: { op: 'inject', member: 0, spec: { kind: 'fail' } }, faultId: 1 });
    expect(outcome(() => devs[0].read(new Uint8Array(512), 0))).toBe('EIO@0');
  });

  it('fires "after 5 s" on the first poll or I/O at or after that logical time', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: devs });
    clock.nowMs = 1000;
    timeline.schedule({ op: 'inject', member: 1, spec: { kind: 'fail' } }, { kind: 'after', ms: 5000 });
    clock.nowMs = 5999;
    expect(timeline.poll()).toEqual([]);
    expect(outcome(() => devs[1].read(new Uint8Array(512), 0))).toBe('ok');
    clock.nowMs = 6000;
    expect(outcome(() => devs[1].read(new Uint8Array(512), 0))).toBe('EIO@0');
    expect(timeline.journal().entries.map((e) => [e.timeMs, e.ioSeq])).toEqual([[6000, 1]]);
  });

  it('fires "on the Nth write to member k" so that exactly that write is the first to see the fault', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: devs });
    devs[2].write(pattern(512, 1), 0); // before scheduling: not counted
    timeline.schedule({ op: 'inject', member: 2, spec: { kind: 'fail' } }, { kind: 'nth-write', member: 2, n: 3 });
    const seen: string[] = [];
    for (let i = 0; i < 4; i++) {
      seen.push(outcome(() => devs[1].write(pattern(512, 1), 0))); // other members do not count
      seen.push(outcome(() => devs[2].read(new Uint8Array(512), 0))); // reads do not count
      seen.push(outcome(() => devs[2].write(pattern(512, 2), 512 * i)));
    }
    // Per round: write to member 1, read member 2, write member 2.
    expect(seen).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'EIO@1024', 'ok', 'EIO@0', 'EIO@1536']);
  });

  it('fires "at 30% of recovery" only for that sync action', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    let progress: SyncProgress | null = null;
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: devs, progress: () => progress });
    timeline.schedule({ op: 'inject', member: 0, spec: { kind: 'fail' } }, { kind: 'progress', fraction: 0.3, action: 'recover' });
    expect(timeline.poll()).toEqual([]);
    progress = { action: 'check', fraction: 0.9 };
    expect(timeline.poll()).toEqual([]);
    progress = { action: 'recover', fraction: 0.29 };
    expect(timeline.poll()).toEqual([]);
    progress = { action: 'recover', fraction: 0.3 };
    expect(timeline.poll().map((e) => e.action.op)).toEqual(['inject']);
    expect(devs[0].faults().map((f) => f.spec.kind)).toEqual(['fail']);
  });

  it('cancels scheduled steps and refuses unknown ones and absent members', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: devs });
    const id = timeline.schedule({ op: 'inject', member: 0, spec: { kind: 'fail' } }, { kind: 'at', timeMs: 10 });
    expect(timeline.pending()).toHaveLength(1);
    timeline.cancel(id);
    clock.nowMs = 20;
    expect(timeline.poll()).toEqual([]);
    expect(() => timeline.cancel(id)).toThrow(FaultError);
    expect(() => timeline.apply({ op: 'inject', member: 3, spec: { kind: 'fail' } })).toThrow(FaultError);
    expect(() => timeline.apply({ op: 'power-cut' })).toThrow(/no power-cut domain/);
  });

  it('records a step refused when it fires instead of failing the member I/O that fired it', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    const timeline = new FaultTimeline({ seed: 1, clock: clock.read, members: devs });
    timeline.schedule({ op: 'clear', member: 1, faultId: 9 }, { kind: 'nth-write', member: 1, n: 1 });
    timeline.schedule({ op: 'inject', member: 1, spec: { kind: 'fail' } }, { kind: 'nth-write', member: 1, n: 1 });
    expect(outcome(() => devs[1].write(pattern(512, 1), 0))).toBe('EIO@0');
    expect(timeline.refused()).toEqual([{ id: 1, action: { op: 'clear', member: 1, faultId: 9 }, timeMs: 0, reason: 'mem1 has no fault #9.' }]);
    expect(timeline.journal().entries.map((e) => e.action.op)).toEqual(['inject']);
  });

  it('replays a journal to the same reads, errors and member contents', () => {
    const { log, journal } = recordedRun(20261123);
    expect(journal.entries.map((e) => e.action.op)).toEqual(['inject', 'inject', 'inject', 'inject', 'clear']);
    expect(log.some((l) => l.includes('EIO'))).toBe(true);
    const replayed = replayedRun(20261123, JSON.parse(JSON.stringify(journal)));
    expect(replayed).toEqual(log);
    expect(recordedRun(20261123).journal).toEqual(journal);
  });

  it('gives a different run when the journal is changed, so the replay check can fail', () => {
    const { log, journal } = recordedRun(7);
    const altered = FaultJournalSchema.parse(structuredClone(journal));
    altered.entries[2].ioSeq += 1; // member 2 fails one I/O later
    expect(replayedRun(7, altered)).not.toEqual(log);
  });

  it('cuts the power through its domain when a power-cut step fires', () => {
    const clock = new VirtualClock();
    const devs = members(clock);
    const domain = new PowerCutDomain({ seed: 3, members: devs });
    const timeline = new FaultTimeline({ seed: 3, clock: clock.read, members: devs, powerCut: domain });
    timeline.schedule({ op: 'power-cut' }, { kind: 'nth-write', member: 0, n: 2 });
    const token = domain.submit(0, 0, 512);
    devs[0].write(pattern(512, 5), 0);
    expect(outcome(() => devs[0].write(pattern(512, 6), 512))).toMatch(/^EIO/);
    expect(domain.report?.writes.map((w) => w.outcome)).toEqual(['dropped']);
    const back = new Uint8Array(512);
    devs[0].inner.read(back, 0);
    expect(back.every((b) => b === 0)).toBe(true);
    domain.complete(token); // the engine unwinding after the cut is harmless
  });
});
