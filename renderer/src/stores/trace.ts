import { defineStore } from 'pinia';
import { computed, reactive, shallowRef } from 'vue';
import { useClient, type TraceEntry } from '../api';

/** Steps kept in the page; the engine's own ring holds more, sampled. */
export const TRACE_KEEP_MAX = 2000;

export interface TraceFilter {
  fn: string;
  /** Stripe sector as typed; empty for any. */
  sector: string;
  /** Member index as typed; empty for any. */
  member: string;
}

/** The kernel-flow timeline: trace batches from the engine, newest last, filterable. */
export const useTraceStore = defineStore('trace', () => {
  const client = useClient();
  const entries = shallowRef<TraceEntry[]>([]);
  const filter = reactive<TraceFilter>({ fn: '', sector: '', member: '' });
  const selectedSeq = shallowRef<number | null>(null);

  const functions = computed(() => [...new Set(entries.value.map((entry) => entry.fn))].sort());
  const visible = computed(() => {
    const sector = filter.sector.trim() === '' ? null : Number(filter.sector);
    const member = filter.member.trim() === '' ? null : Number(filter.member);
    return entries.value.filter(
      (entry) =>
        (filter.fn === '' || entry.fn === filter.fn) &&
        (sector === null || entry.sector === sector) &&
        (member === null || entry.member === member),
    );
  });
  const selected = computed(() => entries.value.find((entry) => entry.seq === selectedSeq.value) ?? null);

  function add(batch: readonly TraceEntry[]): void {
    const merged = entries.value.concat(batch);
    entries.value = merged.length > TRACE_KEEP_MAX ? merged.slice(merged.length - TRACE_KEEP_MAX) : merged;
  }

  function clear(): void {
    entries.value = [];
    selectedSeq.value = null;
  }

  client.onEvent((event) => {
    if (event.type === 'trace') add(event.entries);
  });

  return { entries, filter, selectedSeq, functions, visible, selected, add, clear };
});
