import { defineStore } from 'pinia';
import { computed, reactive, shallowRef } from 'vue';
import { useClient, type TraceEntry } from '../api';

/**
 * Steps kept in the page per function: a rebuild emits handle_stripe by the thousand, and one shared
 * ring would push the rare decisions (md_check_recovery, md_error) out within a second.
 */
export const TRACE_KEEP_PER_FN = 500;

export interface TraceFilter {
  fn: string;
  /** Stripe sector as typed; empty for any. */
  sector: string;
  /** Member index as typed; empty for any. */
  member: string;
}

export interface TraceMark {
  timeline: number;
  empty: boolean;
}

/** The kernel-flow timeline: trace batches from the engine, newest last, filterable. */
export const useTraceStore = defineStore('trace', () => {
  const client = useClient();
  const buckets = new Map<string, TraceEntry[]>();
  /** Every kept step, oldest first (merged by sequence number). */
  const entries = shallowRef<TraceEntry[]>([]);
  /** How often each step has run in the array, as the engine last counted (the entries are a sample of these). */
  const seen = shallowRef<Readonly<Record<string, number>>>({});
  const filter = reactive<TraceFilter>({ fn: '', sector: '', member: '' });
  const selectedSeq = shallowRef<number | null>(null);
  /**
   * Which timeline the entries belong to: bumped on clear() and when a batch numbers from the start again
   * (a new engine array: sequence numbers of two arrays cannot be merged into one timeline).
   */
  let timeline = 0;
  let lastSeq = -1;

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

  function add(batch: readonly TraceEntry[], counts?: Readonly<Record<string, number>>): void {
    if (batch.length === 0) return;
    if (batch[0].seq <= lastSeq) clear();
    if (counts !== undefined) seen.value = counts;
    lastSeq = batch[batch.length - 1].seq;
    for (const entry of batch) {
      const bucket = buckets.get(entry.fn) ?? [];
      bucket.push(entry);
      if (bucket.length > TRACE_KEEP_PER_FN) bucket.splice(0, bucket.length - TRACE_KEEP_PER_FN);
      buckets.set(entry.fn, bucket);
    }
    entries.value = [...buckets.values()].flat().sort((a, b) => a.seq - b.seq);
  }

  function clear(): void {
    buckets.clear();
    entries.value = [];
    seen.value = {};
    selectedSeq.value = null;
    lastSeq = -1;
    timeline++;
  }

  /** A mark to pass to startOver(): the timeline shown now, and whether it has any step yet. */
  function mark(): TraceMark {
    return { timeline, empty: entries.value.length === 0 };
  }

  /**
   * The open session changed: its predecessor's steps go. Steps that arrived after `since` was marked
   * (before the request that opened the new session) are the new engine's own, its assembly sent before
   * the reply, when a timeline started since (numbered from the start again) or none was shown then.
   */
  function startOver(since: TraceMark | null): void {
    if (since === null || (since.timeline === timeline && !since.empty)) clear();
    // Sectors and members of another array mean nothing here; which function to follow still does.
    filter.sector = '';
    filter.member = '';
  }

  client.onEvent((event) => {
    if (event.type === 'trace') add(event.entries, event.seen);
  });

  return { entries, seen, filter, selectedSeq, functions, visible, selected, add, clear, mark, startOver };
});
