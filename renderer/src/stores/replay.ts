import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useClient, type ApiError, type ResultOf } from '../api';
import { toApiError } from './errors';

export type ReplayState = ResultOf<'session.replay'>;

/**
 * Stepping through a saved session's journal. Each position is replayed by the host from the session's
 * initial images (md cannot un-write a stripe), so going back costs a re-run, never a guess here.
 */
export const useReplayStore = defineStore('replay', () => {
  const client = useClient();
  const folder = ref<string | null>(null);
  const name = ref('');
  /** The session's member images: the stepper draws one md no longer lists as removed. */
  const members = ref<string[]>([]);
  const state = ref<ReplayState | null>(null);
  const busy = ref(false);
  const error = ref<ApiError | null>(null);
  // Replies can overtake each other when the user steps quickly; only the newest question's answer shows.
  let generation = 0;

  const atStart = computed(() => (state.value?.position ?? 0) === 0);
  const atEnd = computed(() => state.value !== null && state.value.position >= state.value.length);

  async function seek(position: number): Promise<void> {
    if (folder.value === null) return;
    const asked = ++generation;
    busy.value = true;
    try {
      const reply = await client.call('session.replay', { folder: folder.value, position: Math.max(0, position) });
      if (asked !== generation) return;
      state.value = reply;
      error.value = null;
    } catch (thrown) {
      if (asked === generation) error.value = toApiError(thrown);
    } finally {
      if (asked === generation) busy.value = false;
    }
  }

  /** Starts replaying a session folder (one the host named: Recent, Open or the open session) at its beginning. */
  async function load(session: { folder: string; name: string; members: readonly string[] }): Promise<void> {
    folder.value = session.folder;
    name.value = session.name;
    members.value = [...session.members];
    state.value = null;
    await seek(0);
  }

  const forward = () => seek((state.value?.position ?? 0) + 1);
  const backward = () => seek((state.value?.position ?? 0) - 1);
  const toEnd = () => seek(state.value?.length ?? 0);

  function clear(): void {
    generation++;
    folder.value = null;
    state.value = null;
    error.value = null;
    busy.value = false;
  }

  return { folder, name, members, state, busy, error, atStart, atEnd, load, seek, forward, backward, toEnd, clear };
});
