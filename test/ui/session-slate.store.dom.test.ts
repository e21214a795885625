// @vitest-environment happy-dom
/**
 * A clean slate per session, in the stores: when the open session changes (close, open, another session)
 * the trace, the monitor's history and the per-array panel state of the previous one are gone, while the
 * new session's own first trace (its assembly, sent before the reply that opened it) is kept.
 */
import { createPinia, setActivePinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { installClient, type CreateChoices, type TraceEntry } from '../../renderer/src/api';
import { useDataStore } from '../../renderer/src/stores/data';
import { useMonitorStore } from '../../renderer/src/stores/monitor';
import { useSessionStore } from '../../renderer/src/stores/session';
import { useTraceStore } from '../../renderer/src/stores/trace';
import { until } from './host';
import { testHosts } from './lifecycle';

const MiB = 1024 * 1024;
const choices: CreateChoices = {
  level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 16 * MiB,
  bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'slate',
};

function entry(seq: number, fn = 'handleStripe'): TraceEntry {
  return { seq, timeMs: seq, fn, sector: 0, detail: '' };
}

describe('a clean slate per session', () => {
  const startHost = testHosts();

  function stores() {
    const test = startHost();
    installClient(test.client);
    setActivePinia(createPinia());
    // As the shell does: the stores that follow events exist before the first event.
    return { test, trace: useTraceStore(), monitor: useMonitorStore(), session: useSessionStore(), data: useDataStore() };
  }

  it('close, reopen and opening another session each drop the previous timeline, monitor history and pattern result', async () => {
    const { trace, monitor, session, data } = stores();
    expect(await session.create('slate-a', choices)).toBe(true);
    // The resync md starts on a new array fills the trace and the monitor's chart.
    await until(() => trace.entries.length > 20 && monitor.series.timeSec.length > 3 && monitor.run !== null, 'a resync traced and charted', 30_000);
    await data.pattern('write');
    expect(data.lastPattern).not.toBeNull();
    const fromA = new Set(trace.entries);

    expect(await session.close()).toBe(true);
    expect(trace.entries).toEqual([]);
    expect(monitor.series.timeSec).toEqual([]);
    expect(monitor.run).toBeNull();
    expect(data.lastPattern).toBeNull();

    // Reopened: only what this engine run traced, never a step of the run before.
    expect(await session.open({ workspace: 'slate-a' })).toBe(true);
    // Its assembly, traced before the reply that opened it, is kept.
    expect(trace.entries.length).toBeGreaterThan(0);
    expect(trace.entries.some((e) => fromA.has(e))).toBe(false);
    await until(() => monitor.series.timeSec.length > 3, 'the reopened session charted');
    const fromReopen = new Set(trace.entries);

    // Another session made while this one is open.
    expect(await session.create('slate-b', { ...choices, name: 'slate-b' })).toBe(true);
    expect(session.current?.id).toBe('slate-b');
    expect(trace.entries.some((e) => fromA.has(e) || fromReopen.has(e))).toBe(false);
    expect(monitor.series.timeSec.length).toBeLessThanOrEqual(1);
    // The new session's own assembly and resync keep arriving into its fresh timeline.
    await until(() => trace.entries.length > 20, 'slate-b traced', 30_000);
    expect(trace.entries.some((e) => fromA.has(e) || fromReopen.has(e))).toBe(false);
    await session.close();
  });

  it('a refused open keeps the open session and its timeline', async () => {
    const { trace, session } = stores();
    // Clean: no resync, so the per-function rings do not push the first steps out meanwhile.
    expect(await session.create('kept', { ...choices, assumeClean: true })).toBe(true);
    await until(() => trace.entries.length > 0, 'kept traced', 30_000);
    const before = [...trace.entries];
    expect(await session.open({ workspace: 'no-such-session' })).toBe(false);
    expect(session.error?.message).toBeTruthy();
    expect(session.current?.id).toBe('kept');
    expect(trace.entries.slice(0, before.length)).toEqual(before);
    await session.close();
  });

  it('the trace starts a new timeline when a batch numbers from the start again (another engine array)', () => {
    const { trace } = stores();
    trace.add([entry(1), entry(2), entry(3, 'raid5d')]);
    trace.filter.member = '2';
    const mark = trace.mark();
    trace.add([entry(4)]);
    expect(trace.entries.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    trace.add([entry(1, 'mdRun'), entry(2, 'mdRun')]);
    expect(trace.entries.map((e) => [e.seq, e.fn])).toEqual([[1, 'mdRun'], [2, 'mdRun']]);
    // A session change after that restart keeps the new timeline; one with no restart since the mark drops it.
    trace.startOver(mark);
    expect(trace.entries).toHaveLength(2);
    expect(trace.filter.member).toBe('');
    trace.startOver(trace.mark());
    expect(trace.entries).toEqual([]);
    // Marked while nothing was shown (after a close): what arrived since is the new session's.
    const empty = trace.mark();
    trace.add([entry(1, 'mdRun')]);
    trace.startOver(empty);
    expect(trace.entries).toHaveLength(1);
    trace.startOver(null);
    expect(trace.entries).toEqual([]);
  });
});
