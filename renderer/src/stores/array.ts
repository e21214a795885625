import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import {
  NEEDS_FORCE, useClient, type ApiError, type ArraySnapshot, type ArraySummary, type ImageUsage, type ManageAction, type SessionPlace,
} from '../api';
import { toApiError } from './errors';
import { useSessionStore } from './session';

export type SyncActionWrite = 'idle' | 'frozen' | 'check' | 'repair' | 'resync' | 'recover';

/** A refusal or failure tied to what the user tried, shown next to the control that caused it. */
export interface ActionOutcome {
  /** The command as a Linux user would type it (language-neutral), e.g. "mdadm --fail disk1.img". */
  what: string;
  error: ApiError | null;
}

/**
 * The open array as the engine reports it. The snapshot is replaced whole on every state event
 * (shallowRef): the UI renders it and never patches or recomputes engine facts.
 */
export const useArrayStore = defineStore('array', () => {
  const client = useClient();
  const id = ref<string | null>(null);
  const snapshot = shallowRef<ArraySnapshot | null>(null);
  const arrays = ref<ArraySummary[]>([]);
  const images = ref<ImageUsage[]>([]);
  const lastOutcome = ref<ActionOutcome | null>(null);
  const busy = ref(false);
  /** State events received, for the monitor's update-rate readout. */
  const stateEvents = ref(0);

  const isOpen = computed(() => snapshot.value !== null);

  function adopt(openedId: string, opened: ArraySnapshot): void {
    id.value = openedId;
    snapshot.value = opened;
    void refreshImages();
  }

  async function refreshList(): Promise<void> {
    try {
      arrays.value = (await client.call('array.list', {})).arrays;
    } catch {
      arrays.value = [];
    }
  }

  async function refreshImages(): Promise<void> {
    try {
      images.value = (await client.call('array.images', {})).images;
    } catch {
      images.value = [];
    }
  }

  /**
   * Runs one user action; md's refusals land in lastOutcome, never in a console. One md refuses to start
   * and --force would (NEEDS_FORCE) also goes to the session bar, for `refusedPlace` (default: the open session).
   */
  async function act(what: string, run: () => Promise<ArraySnapshot | null>, refusedPlace: SessionPlace | null = null): Promise<boolean> {
    busy.value = true;
    try {
      const next = await run();
      if (next) snapshot.value = next;
      lastOutcome.value = { what, error: null };
      return true;
    } catch (thrown) {
      const error = toApiError(thrown);
      lastOutcome.value = { what, error };
      if (error.code === NEEDS_FORCE) useSessionStore().refusedStart(error, refusedPlace);
      return false;
    } finally {
      busy.value = false;
    }
  }

  const open = (openId: string) =>
    act(
      `mdadm --assemble ${openId}`,
      async () => {
        const opened = await client.call('array.open', { id: openId });
        adopt(opened.id, opened.snapshot);
        return opened.snapshot;
      },
      { workspace: openId },
    );

  const close = () =>
    act('mdadm --stop', async () => {
      await client.call('array.close', {});
      id.value = null;
      snapshot.value = null;
      return null;
    });

  const crash = () =>
    act('power cut + mdadm --assemble', async () => {
      const opened = await client.call('array.crash', {});
      adopt(opened.id, opened.snapshot);
      return opened.snapshot;
    });

  const manage = (action: ManageAction, member: number) =>
    act(`mdadm --${action} disk${member}.img`, async () => {
      const next = await client.call('array.manage', { action, member });
      void refreshImages();
      return next;
    });

  const setSyncAction = (action: SyncActionWrite) => act(`echo ${action} > sync_action`, () => client.call('array.syncAction', { action }));

  const setSpeedLimits = (minKibPerSec: number, maxKibPerSec: number) =>
    act(`echo ${minKibPerSec}/${maxKibPerSec} > speed_limit_min/max`, () => client.call('array.speedLimits', { minKibPerSec, maxKibPerSec }));

  client.onEvent((event) => {
    if (event.type === 'state') {
      stateEvents.value++;
      snapshot.value = event.snapshot;
    } else if (event.type === 'host' && event.state === 'exited') {
      snapshot.value = null;
      id.value = null;
    }
  });

  return {
    id, snapshot, arrays, images, lastOutcome, busy, stateEvents, isOpen,
    adopt, refreshList, refreshImages, open, close, crash, manage, setSyncAction, setSpeedLimits,
  };
});
