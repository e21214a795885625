import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import {
  NO_DIALOG, RequestError, useClient, type ApiError, type CreateChoices, type FolderPurpose, type LiveSessionInfo, type ResultOf,
  type SessionInfo, type SessionPlace,
} from '../api';
import { downloadText, fileNameOf } from '../composables/download';
import { useArrayStore } from './array';
import { toApiError } from './errors';
import { useLogStore } from './log';

export type RecentSession = ResultOf<'session.recent'>['sessions'][number];
export type WorkspaceSession = ResultOf<'session.list'>['sessions'][number];
type LiveSession = ResultOf<'session.open'>;

/** Notes are saved this long after the last keystroke: often enough to lose nothing, rarely enough to stay quiet. */
export const NOTES_DEBOUNCE_MS = 600;

/** A place the browser lab asks for by name, because it has no native dialog. */
export interface PendingChoice {
  purpose: FolderPurpose;
  suggestedName: string;
}

/**
 * Sessions as the host reports them: the open (live) one, Recent, and saved ones looked at read-only.
 * The renderer only ever holds folders the host named (a dialog, Recent, a session reply): it never
 * makes a path up, and in the browser lab it names workspace sessions by id.
 */
export const useSessionStore = defineStore('session', () => {
  const client = useClient();
  const current = ref<LiveSessionInfo | null>(null);
  const recent = ref<RecentSession[]>([]);
  const workspaceSessions = ref<WorkspaceSession[]>([]);
  /** The saved session the Sessions panel is looking at (read-only summary). */
  const inspected = ref<SessionInfo | null>(null);
  const error = ref<ApiError | null>(null);
  const busy = ref(false);
  /** What an export just did, for a one-line notice beside the buttons. */
  const exported = ref<'report' | 'scenario' | 'scenario-copied' | null>(null);
  /** Set while the browser lab asks the user to pick a workspace session by name (no native dialog there). */
  const choosing = ref<PendingChoice | null>(null);
  let resolveChoice: ((place: SessionPlace | null) => void) | null = null;

  const notes = ref('');
  const notesState = ref<'saved' | 'editing' | 'saving' | 'failed'>('saved');
  let notesTimer: ReturnType<typeof setTimeout> | null = null;

  const isOpen = computed(() => current.value !== null);

  function fail(what: string, thrown: unknown): null {
    error.value = toApiError(thrown);
    useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `${what}: ${error.value.message}` });
    return null;
  }

  async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | null> {
    try {
      const result = await run();
      error.value = null;
      return result;
    } catch (thrown) {
      return fail(what, thrown);
    }
  }

  /**
   * For the bar's background refreshes: they neither clear a refusal the user has not read yet nor add one
   * of their own (a host that went away is reported by the engine store and the log).
   */
  async function quietly<T>(run: () => Promise<T>): Promise<T | null> {
    try {
      return await run();
    } catch {
      return null;
    }
  }

  // --- where a session is: a native dialog in Electron, a workspace name in the browser lab ---

  /**
   * Asks for a place. A new session in the browser lab goes into the workspace under the name the
   * wizard already asked for; Open and Save As there let the user pick or type a name (choose()).
   */
  async function choosePlace(purpose: FolderPurpose, suggestedName: string): Promise<SessionPlace | null> {
    try {
      return (await client.call('dialog.chooseFolder', { purpose, suggestedName: suggestedName.slice(0, 64) })).place;
    } catch (thrown) {
      if (!(thrown instanceof RequestError) || thrown.code !== NO_DIALOG) return fail('choose a folder', thrown);
    }
    if (purpose === 'new') return { workspace: suggestedName };
    if (purpose === 'open') await refreshWorkspace();
    resolveChoice?.(null);
    choosing.value = { purpose, suggestedName };
    return new Promise((resolve) => {
      resolveChoice = resolve;
    });
  }

  /** The answer of the browser lab's chooser (null: cancelled). */
  function choose(place: SessionPlace | null): void {
    choosing.value = null;
    const resolve = resolveChoice;
    resolveChoice = null;
    resolve?.(place);
  }

  async function refreshWorkspace(): Promise<void> {
    const reply = await attempt('session.list', () => client.call('session.list', {}));
    if (reply) workspaceSessions.value = reply.sessions;
  }

  // --- the live session ---

  function adopt(live: LiveSession): void {
    current.value = live.session;
    useArrayStore().adopt(live.session.id, live.snapshot);
    void loadNotes();
    void refreshRecent();
  }

  async function live(what: string, run: () => Promise<LiveSession>): Promise<boolean> {
    busy.value = true;
    try {
      await flushNotes();
      const reply = await attempt(what, run);
      if (!reply) return false;
      adopt(reply);
      useLogStore().add({ timeMs: Date.now(), level: 'info', source: 'ui', message: `${what}: ${reply.session.folder}` });
      return true;
    } finally {
      busy.value = false;
    }
  }

  /** mdadm --create into a new session folder; the wizard asks for the choices first. */
  async function create(name: string, choices: CreateChoices): Promise<boolean> {
    const place = await choosePlace('new', name);
    if (!place) return false;
    return live(`new session ${name}`, () => client.call('session.new', { place, name, choices }));
  }

  async function open(place?: SessionPlace): Promise<boolean> {
    const chosen = place ?? (await choosePlace('open', ''));
    if (!chosen) return false;
    return live('open session', () => client.call('session.open', { place: chosen }));
  }

  async function openFolder(folder: string): Promise<boolean> {
    return open({ folder });
  }

  async function saveAs(): Promise<boolean> {
    if (!current.value) return false;
    const place = await choosePlace('saveAs', `${current.value.id}-copy`.slice(0, 32));
    if (!place) return false;
    return live('save session as', () => client.call('session.saveAs', { place }));
  }

  async function close(): Promise<boolean> {
    busy.value = true;
    try {
      await flushNotes();
      const reply = await attempt('close session', () => client.call('session.close', {}));
      if (!reply) return false;
      current.value = null;
      notes.value = '';
      notesState.value = 'saved';
      const array = useArrayStore();
      array.id = null;
      array.snapshot = null;
      void refreshRecent();
      return true;
    } finally {
      busy.value = false;
    }
  }

  async function refreshCurrent(): Promise<void> {
    const reply = await quietly(() => client.call('session.current', {}));
    if (!reply) return;
    const opened = reply.session !== null && reply.session.folder !== current.value?.folder;
    current.value = reply.session;
    if (opened) void loadNotes();
  }

  // --- notes: autosaved, debounced ---

  async function loadNotes(): Promise<void> {
    const reply = await attempt('session.getNotes', () => client.call('session.getNotes', {}));
    if (reply) {
      notes.value = reply.text;
      notesState.value = 'saved';
    }
  }

  function editNotes(text: string): void {
    notes.value = text;
    notesState.value = 'editing';
    if (notesTimer !== null) clearTimeout(notesTimer);
    notesTimer = setTimeout(() => void flushNotes(), NOTES_DEBOUNCE_MS);
  }

  /** Saves pending notes now (before close, save as, open). */
  async function flushNotes(): Promise<void> {
    if (notesTimer !== null) clearTimeout(notesTimer);
    notesTimer = null;
    if (notesState.value !== 'editing' || !current.value) return;
    notesState.value = 'saving';
    const text = notes.value;
    const reply = await attempt('session.setNotes', () => client.call('session.setNotes', { text }));
    // Typing may have gone on while the save was in flight: that text is saved by its own timer.
    if (notesState.value === 'saving') notesState.value = reply ? 'saved' : 'failed';
  }

  // --- saved sessions, read-only ---

  async function refreshRecent(): Promise<void> {
    const reply = await quietly(() => client.call('session.recent', {}));
    if (reply) recent.value = reply.sessions;
  }

  async function inspect(folder: string): Promise<SessionInfo | null> {
    exported.value = null;
    const info = await attempt(`inspect ${folder}`, () => client.call('session.inspect', { folder }));
    inspected.value = info;
    return info;
  }

  async function exportReport(folder: string, name: string): Promise<void> {
    const reply = await attempt('export report', () => client.call('session.report', { folder }));
    if (!reply) return;
    downloadText(fileNameOf(name, 'html'), reply.html, 'text/html');
    exported.value = 'report';
  }

  async function scenarioYaml(folder: string): Promise<string | null> {
    const reply = await attempt('export scenario', () => client.call('session.exportScenario', { folder }));
    return reply?.yaml ?? null;
  }

  async function exportScenario(folder: string, name: string): Promise<void> {
    const yaml = await scenarioYaml(folder);
    if (yaml === null) return;
    downloadText(fileNameOf(name, 'yaml'), yaml, 'application/yaml');
    exported.value = 'scenario';
  }

  async function copyScenario(folder: string): Promise<void> {
    const yaml = await scenarioYaml(folder);
    if (yaml === null) return;
    // A page without clipboard permission (Electron refuses every permission) says so instead of throwing.
    const copied = await attempt('copy scenario', () => navigator.clipboard.writeText(yaml).then(() => true));
    if (copied) exported.value = 'scenario-copied';
  }

  // Every journaled action changes the step count and the autosave state: ask again after each array change.
  client.onEvent((event) => {
    if (event.type === 'host' && event.state === 'exited') current.value = null;
  });

  return {
    current, isOpen, recent, workspaceSessions, inspected, error, busy, exported, choosing, notes, notesState,
    choosePlace, choose, refreshWorkspace, create, open, openFolder, saveAs, close, refreshCurrent,
    loadNotes, editNotes, flushNotes, refreshRecent, inspect, exportReport, scenarioYaml, exportScenario, copyScenario,
  };
});
