/** What a UI sees: progress at 10 Hz or more during a sync, state changes, kernel-named trace steps. */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../core/api/events';
import { ArraySnapshotSchema } from '../../../core/api/snapshot';
import { createArrayIn, tempDir } from './helpers';

describe('observing a running array', () => {
  it('publishes progress at least 10 times per second of a sync, valid snapshots, and the kernel steps in the trace', () => {
    const dir = tempDir('observe');
    try {
      const array = createArrayIn(dir, { force: true });
      array.set({ speedLimitMin: 100, speedLimitMax: 1000 });
      const events: EngineEvent[] = [];
      array.subscribe((e) => events.push(e));
      const t0 = array.clock.nowMs();
      array.sleepSync(3000);
      const seconds = (array.clock.nowMs() - t0) / 1000;
      const progress = events.filter((e) => e.type === 'progress');
      expect(progress.length / seconds).toBeGreaterThanOrEqual(10);
      expect(progress.every((e) => e.type === 'progress' && e.action === 'resync' && e.totalSectors === 14336)).toBe(true);
      array.waitIdleSync();
      const states = events.filter((e) => e.type === 'state');
      expect(states.length).toBeGreaterThan(0);
      for (const e of states) if (e.type === 'state') ArraySnapshotSchema.parse(e.snapshot);
      const fns = new Set(events.flatMap((e) => (e.type === 'trace' ? e.entries.map((t) => t.fn) : [])));
      for (const fn of ['md_check_recovery', 'md_do_sync', 'md_update_sb', 'raid5d']) expect(fns).toContain(fn);
      // The start happened inside create, before the subscription: the ring still has it.
      const actions = array.trace.since(0).map((t) => `${t.fn}: ${t.action}`);
      expect(actions).toContain('md_check_recovery: start resync');
      expect(actions).toContain('md_do_sync: start resync at sector 0 of 14336');
      expect(actions).toContain('md_do_sync: done at sector 14336');
      array.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
