import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { useClient, type ArraySnapshot, type SyncAction } from '../api';

/** Samples kept for the chart: two minutes at the host's 20 Hz. */
export const MONITOR_SAMPLES_MAX = 2400;
/** Window over which the update rate is measured. */
const RATE_WINDOW_MS = 2000;
/**
 * Member byte counters are differenced over at least this long: a burst of array I/O lands between two
 * snapshots a few ms apart, and a per-pair rate would show it as a spike of several GiB/s.
 */
const IO_WINDOW_MS = 500;

export interface MemberRate {
  index: number;
  image: string;
  readBytesPerSec: number;
  writeBytesPerSec: number;
}

/** Column-major series, the shape uPlot draws without copying: x in seconds, then one column per line. */
export interface MonitorSeries {
  timeSec: number[];
  syncKibPerSec: number[];
  readBytesPerSec: number[];
  writeBytesPerSec: number[];
}

/**
 * One sync as this page watched it. md's sync_completed reads "none" once a sync is over, so how it
 * ended is read from what md reports next: a recovery finished when the array is no longer degraded.
 */
export interface SyncRun {
  action: SyncAction;
  doneSectors: number;
  totalSectors: number;
  state: 'running' | 'finished' | 'ended';
  /** State events received while it ran, and over how long: the monitor's real update rate. */
  updates: number;
  firstUpdateMs: number;
  lastUpdateMs: number;
}

export interface SyncPosition {
  action: SyncAction;
  doneSectors: number;
  totalSectors: number;
}

function emptySeries(): MonitorSeries {
  return { timeSec: [], syncKibPerSec: [], readBytesPerSec: [], writeBytesPerSec: [] };
}

/**
 * The live monitor's history, fed by the engine's state events. The engine reports speed and
 * progress; per-member rates are the difference of its byte counters between two snapshots.
 */
export const useMonitorStore = defineStore('monitor', () => {
  const client = useClient();
  const series = shallowRef<MonitorSeries>(emptySeries());
  const memberRates = ref<MemberRate[]>([]);
  /** State events per second over the last two seconds, as this page received them. */
  const updatesPerSec = ref(0);
  const run = ref<SyncRun | null>(null);
  /** The newest progress event: /proc/mdstat's position, finer than sync_completed's checkpoints. */
  const progress = shallowRef<SyncPosition | null>(null);
  const arrivalsMs: number[] = [];
  let previous: { atMs: number; snapshot: ArraySnapshot } | null = null;
  /** Recent snapshots, oldest first, spanning a little more than IO_WINDOW_MS. */
  let recent: { atMs: number; snapshot: ArraySnapshot }[] = [];
  const startedMs = performance.now();

  function record(snapshot: ArraySnapshot, atMs: number): void {
    arrivalsMs.push(atMs);
    while (arrivalsMs.length > 0 && arrivalsMs[0] < atMs - RATE_WINDOW_MS) arrivalsMs.shift();
    updatesPerSec.value = arrivalsMs.length / (RATE_WINDOW_MS / 1000);
    if (previous && previous.snapshot.uuid !== snapshot.uuid) reset();
    followRun(snapshot, atMs);
    recent.push({ atMs, snapshot });
    while (recent.length > 2 && recent[1].atMs <= atMs - IO_WINDOW_MS) recent.shift();
    const base = recent[0];
    if (previous && atMs > base.atMs) {
      const dtSec = (atMs - base.atMs) / 1000;
      const before = new Map(base.snapshot.members.map((m) => [m.index, m]));
      memberRates.value = snapshot.members.map((m) => {
        const old = before.get(m.index);
        return {
          index: m.index,
          image: m.image,
          readBytesPerSec: old ? Math.max(0, m.readBytes - old.readBytes) / dtSec : 0,
          writeBytesPerSec: old ? Math.max(0, m.writtenBytes - old.writtenBytes) / dtSec : 0,
        };
      });
      const s = series.value;
      const trim = s.timeSec.length >= MONITOR_SAMPLES_MAX ? 1 : 0;
      series.value = {
        timeSec: [...s.timeSec.slice(trim), (atMs - startedMs) / 1000],
        syncKibPerSec: [...s.syncKibPerSec.slice(trim), snapshot.syncSpeedKibPerSec],
        readBytesPerSec: [...s.readBytesPerSec.slice(trim), memberRates.value.reduce((sum, r) => sum + r.readBytesPerSec, 0)],
        writeBytesPerSec: [...s.writeBytesPerSec.slice(trim), memberRates.value.reduce((sum, r) => sum + r.writeBytesPerSec, 0)],
      };
    }
    previous = { atMs, snapshot };
  }

  function followRun(snapshot: ArraySnapshot, atMs: number): void {
    // sync_completed can outlive an interrupted sync by a snapshot or two; only a running action makes a run.
    const running = snapshot.syncAction !== 'frozen' && snapshot.syncAction !== 'idle';
    const completed = running ? snapshot.syncCompleted : null;
    const current = run.value;
    if (completed) {
      if (current?.state !== 'running' || current.action !== snapshot.syncAction) {
        run.value = {
          action: snapshot.syncAction, doneSectors: completed.doneSectors, totalSectors: completed.totalSectors, state: 'running',
          updates: 1, firstUpdateMs: atMs, lastUpdateMs: atMs,
        };
      } else {
        current.doneSectors = Math.max(current.doneSectors, completed.doneSectors);
        current.totalSectors = completed.totalSectors;
        current.updates++;
        current.lastUpdateMs = atMs;
      }
    } else if (current?.state === 'running') {
      const recovered = current.action === 'recover' && snapshot.degraded === 0;
      run.value = recovered ? { ...current, doneSectors: current.totalSectors, state: 'finished' } : { ...current, state: 'ended' };
    }
  }

  function reset(): void {
    run.value = null;
    progress.value = null;
    series.value = emptySeries();
    memberRates.value = [];
    previous = null;
    recent = [];
  }

  function noteProgress(position: SyncPosition): void {
    progress.value = position;
    const current = run.value;
    if (current?.state === 'running' && current.action === position.action && position.totalSectors === current.totalSectors) {
      current.doneSectors = Math.max(current.doneSectors, position.doneSectors);
    }
  }

  client.onEvent((event) => {
    if (event.type === 'state') record(event.snapshot, performance.now());
    else if (event.type === 'progress') noteProgress(event);
  });

  return { series, memberRates, updatesPerSec, run, progress, record, noteProgress, reset };
});
