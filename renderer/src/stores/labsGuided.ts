import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { useClient, type ApiError, type GuidedLabState } from '../api';
import { useArrayStore } from './array';
import { toApiError } from './errors';
import { useLogStore } from './log';
import { useSessionStore } from './session';

/**
 * While a lab is under way the host is asked this often how it stands: the student acts in other panels,
 * and the host judges each action as it is taken, so a tick is never missed between two asks.
 */
export const GUIDED_POLL_MS = 700;

/**
 * The guided lab the open session follows, live: started from the Guided labs panel as a new session, its
 * ticks as the host judges them against the running array, and "Show me" for the current step.
 */
export const useGuidedLabStore = defineStore('labsGuided', () => {
  const client = useClient();
  const sessionStore = useSessionStore();
  const lab = ref<GuidedLabState | null>(null);
  const starting = ref<string | null>(null);
  const showing = ref(false);
  const error = ref<ApiError | null>(null);

  const underWay = computed(() => lab.value !== null && !lab.value.finished && sessionStore.isOpen);

  /** A workspace name no session has yet ("rebuild-spare", "rebuild-spare-2", ...), for the browser lab. */
  async function freeName(name: string): Promise<string> {
    await sessionStore.refreshWorkspace();
    const taken = new Set(sessionStore.workspaceSessions.map((s) => s.id));
    let candidate = name;
    for (let n = 2; taken.has(candidate); n++) candidate = `${name.slice(0, 28)}-${n}`;
    return candidate;
  }

  /** A new live session made for the lab (a folder from the dialog, or a workspace name), the lab attached. */
  async function start(name: string): Promise<boolean> {
    starting.value = name;
    error.value = null;
    try {
      await sessionStore.flushNotes();
      const place = await sessionStore.choosePlace('new', await freeName(name));
      if (!place) return false;
      const reply = await client.call('labs.start', { name, place });
      sessionStore.current = reply.session;
      useArrayStore().adopt(reply.session.id, reply.snapshot);
      void sessionStore.loadNotes();
      void sessionStore.refreshRecent();
      lab.value = reply.lab;
      useLogStore().add({ timeMs: Date.now(), level: 'info', source: 'ui', message: `guided lab ${name} started in ${reply.session.folder}` });
      return true;
    } catch (thrown) {
      error.value = toApiError(thrown);
      return false;
    } finally {
      starting.value = null;
    }
  }

  /** How the open session's lab stands now (null: no session, or one that follows no lab). */
  async function refresh(): Promise<void> {
    try {
      lab.value = (await client.call('labs.state', {})).lab;
    } catch {
      // A host that went away is reported by the engine store; the ticks just stay as they were.
    }
  }

  /** "Show me": the host performs the current step's actions, journaled as if the student had. */
  async function showMe(): Promise<void> {
    showing.value = true;
    error.value = null;
    try {
      lab.value = (await client.call('labs.doStep', {})).lab;
      void sessionStore.refreshCurrent();
    } catch (thrown) {
      error.value = toApiError(thrown);
    } finally {
      showing.value = false;
    }
  }

  let timer: ReturnType<typeof setInterval> | null = null;
  watch(underWay, (on) => {
    if (timer !== null) clearInterval(timer);
    timer = on ? setInterval(() => void refresh(), GUIDED_POLL_MS) : null;
  });
  // Another session opened, or this one closed: its lab (or none) is what counts now.
  watch(
    () => sessionStore.current?.folder ?? null,
    (folder) => {
      if (folder === null) lab.value = null;
      else void refresh();
    },
  );

  return { lab, starting, showing, error, underWay, start, refresh, showMe };
});
