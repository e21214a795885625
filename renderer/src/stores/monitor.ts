import { defineStore } from 'pinia';
import { ref, shallowRef } from 'vue';
import { useClient, type ArraySnapshot } from '../api';

/** Samples kept for the chart: two minutes at the host's 20 Hz. */
export const MONITOR_SAMPLES_MAX = 2400;
/** Window over which the update rate is measured. */
const RATE_WINDOW_MS = 2000;

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
  const arrivalsMs: number[] = [];
  let previous: { atMs: number; snapshot: ArraySnapshot } | null = null;
  const startedMs = performance.now();

  function record(snapshot: ArraySnapshot, atMs: number): void {
    arrivalsMs.push(atMs);
    while (arrivalsMs.length > 0 && arrivalsMs[0] < atMs - RATE_WINDOW_MS) arrivalsMs.shift();
    updatesPerSec.value = arrivalsMs.length / (RATE_WINDOW_MS / 1000);
    if (previous && previous.snapshot.uuid !== snapshot.uuid) reset();
    if (previous && atMs > previous.atMs) {
      const dtSec = (atMs - previous.atMs) / 1000;
      const before = new Map(previous.snapshot.members.map((m) => [m.index, m]));
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

  function reset(): void {
    series.value = emptySeries();
    memberRates.value = [];
    previous = null;
  }

  client.onEvent((event) => {
    if (event.type === 'state') record(event.snapshot, performance.now());
  });

  return { series, memberRates, updatesPerSec, record, reset };
});
