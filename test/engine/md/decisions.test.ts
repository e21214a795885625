/**
 * The pure halves of md's decisions, checked exhaustively: md_check_recovery's duties, the sync it
 * starts, how md_update_sb moves events, md_do_sync's throttle, and the bounded trace ring.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/engine/clock';
import { chooseSync, planRecovery, type RecoveryFacts } from '../../../core/engine/md/check-recovery';
import { nextEvents } from '../../../core/engine/md/super-sync';
import { SyncSpeed, throttle } from '../../../core/engine/md/sync-speed';
import { MAX_ACTION_SHAPES, TraceRing } from '../../../core/engine/trace';

const booleans = ['sbChangePending', 'safemodeDue', 'running', 'done', 'needed', 'frozen', 'readOnly'] as const;

describe('md_check_recovery decisions', () => {
  it('for all 128 combinations: a running sync is left alone, a finished one reaped, spares managed only when needed, thawed and writable', () => {
    for (let bits = 0; bits < 1 << booleans.length; bits++) {
      const f = Object.fromEntries(booleans.map((k, i) => [k, (bits & (1 << i)) !== 0])) as unknown as RecoveryFacts;
      const plan = planRecovery(f);
      if (!f.sbChangePending && !f.safemodeDue && !f.needed && !f.done) {
        expect(plan.kind).toBe('nothing');
        continue;
      }
      if (f.running && !f.done) expect(plan.kind).toBe('leave-running');
      else if (f.running) expect(plan.kind).toBe('reap');
      else expect(plan).toMatchObject({ kind: 'maintain', manageSpares: f.needed && !f.frozen && !f.readOnly });
      if (plan.kind !== 'nothing') {
        expect(plan.updateSb).toBe((f.sbChangePending || f.safemodeDue) && !f.readOnly);
        expect(plan.setInSync).toBe(f.safemodeDue && !f.readOnly);
      }
    }
  });

  it('prefers recovery onto spares, then a resync from recovery_cp, then what the user requested', () => {
    expect(chooseSync({ spares: 1, recoveryCp: 0, syncRequested: true, requestedKind: 'check' })).toBe('recover');
    expect(chooseSync({ spares: 0, recoveryCp: 4096, syncRequested: true, requestedKind: 'check' })).toBe('resync');
    expect(chooseSync({ spares: 0, recoveryCp: Infinity, syncRequested: true, requestedKind: 'check' })).toBe('check');
    expect(chooseSync({ spares: 0, recoveryCp: Infinity, syncRequested: true, requestedKind: 'repair' })).toBe('repair');
    expect(chooseSync({ spares: 0, recoveryCp: Infinity, syncRequested: false, requestedKind: null })).toBeNull();
  });
});

describe('md_update_sb events', () => {
  const base = { canDecreaseEvents: false, changeDevs: false, changeClean: true, forceChange: false, degraded: 0, inSync: false, recoveryCp: Infinity };

  it('a dirty/clean cycle on a healthy array oscillates between two values', () => {
    let state = { events: 10n, canDecreaseEvents: false };
    const dirty = nextEvents({ ...base, ...state, inSync: false });
    expect(dirty.events).toBe(11n);
    state = dirty;
    const clean = nextEvents({ ...base, ...state, inSync: true });
    expect(clean.events).toBe(10n);
    expect(clean.canDecreaseEvents).toBe(false);
  });

  it('member changes, forced updates and degraded arrays always count up', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n, max: 1n << 40n }), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 2 }), (events, devs, force, degraded) => {
        fc.pre(devs || force || degraded > 0);
        const d = nextEvents({ ...base, events, canDecreaseEvents: true, changeDevs: devs, forceChange: force, degraded, inSync: true });
        expect(d.events).toBe(events + 1n);
        expect(d.nospares).toBe(false);
      }),
    );
  });

  it('never undoes below 1 nor while a resync checkpoint is pending', () => {
    expect(nextEvents({ ...base, events: 1n, canDecreaseEvents: true, inSync: true }).events).toBe(2n);
    expect(nextEvents({ ...base, events: 9n, canDecreaseEvents: true, inSync: true, recoveryCp: 4096 }).events).toBe(10n);
  });
});

describe('md_do_sync throttle', () => {
  it('never slows below speed_min, sleeps above speed_max, yields to other I/O in between', () => {
    expect(throttle(900, 1000, 200000, true)).toEqual({ kind: 'go' });
    expect(throttle(250000, 1000, 200000, false)).toMatchObject({ kind: 'sleep', ms: 500 });
    expect(throttle(5000, 1000, 200000, true)).toMatchObject({ kind: 'sleep' });
    expect(throttle(5000, 1000, 200000, false)).toEqual({ kind: 'go' });
  });

  it('measures speed over a window of marks taken every 3 s', () => {
    const speed = new SyncSpeed(0, 0);
    // 2000 sectors per second = 1000 KiB/s for 40 s.
    for (let t = 0; t <= 40_000; t += 1000) speed.mark(t, t * 2);
    const kib = speed.currentKibPerSec(40_000, 80_000);
    expect(kib).toBeGreaterThan(900);
    expect(kib).toBeLessThan(1100);
    // The reference mark is 10 steps older than the newest mark, which is itself under one step old.
    expect(40_000 - speed.resyncMarkMs).toBeLessThanOrEqual(33_000);
    expect(40_000 - speed.resyncMarkMs).toBeGreaterThanOrEqual(30_000);
  });
});

describe('trace ring', () => {
  it('stays bounded, keeps the newest events in order and counts every step seen', () => {
    const clock = new VirtualClock();
    const ring = new TraceRing(clock, 16);
    ring.configure({ sampleEvery: { handle_stripe: 4 } });
    let kept = 0;
    for (let i = 0; i < 100; i++) {
      clock.advanceBy(1);
      if (ring.wants('handle_stripe')) {
        ring.emit({ fn: 'handle_stripe', sector: i * 8, action: 'read' });
        kept++;
      }
    }
    expect(kept).toBe(25);
    const events = ring.since(0);
    expect(events.length).toBe(16);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 16 }, (_, i) => 10 + i));
    expect(ring.aggregate().seen.handle_stripe).toBe(100);
    expect(ring.since(ring.lastSeq)).toEqual([]);
  });

  it('counts kept actions by their shape, in a table that stays bounded over a long run', () => {
    const ring = new TraceRing(new VirtualClock(), 8);
    for (let pass = 0; pass < 5000; pass++) ring.emit({ fn: 'raid5d', action: `handled ${pass} stripes` });
    for (let k = 0; k < MAX_ACTION_SHAPES + 10; k++) ring.emit({ fn: 'md_error', action: `reason ${'x'.repeat(k)}` });
    const { actions } = ring.aggregate();
    expect(actions['raid5d: handled N stripes']).toBe(5000);
    expect(Object.keys(actions).length).toBeLessThanOrEqual(MAX_ACTION_SHAPES + 1);
    expect(actions['md_error: (other)']).toBeGreaterThan(0);
  });

  it('a switched-off step is never kept but still counted', () => {
    const ring = new TraceRing(new VirtualClock(), 8);
    ring.configure({ enabled: { raid5d: false } });
    expect(ring.wants('raid5d')).toBe(false);
    expect(ring.aggregate().seen.raid5d).toBe(1);
  });
});
