import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import {
  NEEDS_FORCE, NO_DIALOG, RequestError, SCENARIO_IMPORT_MAX_CHARS, useClient, type ApiError, type CreateChoices, type FolderPurpose, type ImportedRun,
  type LiveSessionInfo, type ResultOf, type SessionInfo, type SessionPlace,
} from '../api';
import { downloadText, fileNameOf } from '../composables/download';
import { dialogWords } from '../i18n';
import { useArrayStore } from './array';
import { useDataStore } from './data';
import { toApiError } from './errors';
import { useFaultsStore } from './faults';
import { useLogStore } from './log';
import { useMonitorStore } from './monitor';
import { usePreferencesStore } from './preferences';
import { type TraceMark, useTraceStore } from './trace';

export type RecentSession = ResultOf<'session.recent'>['sessions'][number];
export type WorkspaceSession = ResultOf<'session.list'>['sessions'][number];
type LiveSession = ResultOf<'session.open'>;

/** Notes are saved this long after the last keystroke: often enough to lose nothing, rarely enough to stay quiet. */
export const NOTES_DEBOUNCE_MS = 600;

/** Why a place is asked for: the contract's purposes, and a new session made from an imported scenario. */
export type ChooserPurpose = FolderPurpose | 'import';

/** A place the browser lab asks for by name, because it has no native dialog. */
export interface PendingChoice {
  purpose: ChooserPurpose;
  suggestedName: string;
}

/**
 * Sessions as the host reports them: the open (live) one, Recent, and saved ones looked at read-only.
 * The renderer only ever holds folders the host named (a dialog, Recent, a session reply): it never
 * makes a path up, and in the browser lab it names workspace sessions by id.
 */
/** A workspace name from a file's ("Fail & Rebuild.yaml" -> "fail-rebuild"), for the place chooser to offer. */
export function idOfFileName(fileName: string): string {
  const stem = fileName.replace(/\.ya?ml$/i, '');
  return stem.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+/, '').slice(0, 32).replace(/-+$/, '') || 'imported';
}

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

  /** Where md refused to start an array that mdadm --assemble --force would start (NEEDS_FORCE): the bar offers it. */
  const forceable = ref<SessionPlace | null>(null);
  /** While a scenario is being imported: the step the engine is running, as it announced it. */
  const importing = ref<{ source: string; step: number; steps: number; text: string } | null>(null);
  /** The imported scenario's own verdict, shown until the next session change (a failed one still opens). */
  const imported = ref<{ source: string; run: ImportedRun } | null>(null);

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
  async function choosePlace(purpose: ChooserPurpose, suggestedName: string): Promise<SessionPlace | null> {
    try {
      // An import makes a new folder, as New does; only the browser lab's chooser tells them apart.
      const dialogPurpose = purpose === 'import' ? 'new' : purpose;
      const words = dialogWords(usePreferencesStore().locale, dialogPurpose);
      return (await client.call('dialog.chooseFolder', { purpose: dialogPurpose, suggestedName: suggestedName.slice(0, 64), words })).place;
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

  /*
   * A clean slate per session: when the open session changes (open, new, import, close, or another window's
   * doing), the previous one's trace, monitor history and per-array panel state go, so a reopened or
   * different session never shows the old one's timeline. `opens` tells a reopen of the same folder apart.
   */
  const opens = ref(0);
  /** The trace's mark taken before the request that opened the session (its own trace may already be in). */
  let traceMark: TraceMark | null = null;
  const sessionKey = computed(() => (current.value ? `${opens.value}:${current.value.folder}` : null));
  watch(sessionKey, () => startOver(), { flush: 'sync' });

  function startOver(): void {
    useTraceStore().startOver(traceMark);
    traceMark = null;
    useMonitorStore().reset();
    useFaultsStore().members = [];
    const data = useDataStore();
    data.lastPattern = null;
    data.hex = null;
    data.error = null;
    useArrayStore().lastOutcome = null;
  }

  function adopt(live: LiveSession): void {
    opens.value++;
    imported.value = null;
    forceable.value = null;
    current.value = live.session;
    useArrayStore().adopt(live.session.id, live.snapshot);
    void loadNotes();
    void refreshRecent();
  }

  async function live(what: string, run: () => Promise<LiveSession>): Promise<boolean> {
    busy.value = true;
    try {
      await flushNotes();
      const mark = useTraceStore().mark();
      const reply = await attempt(what, run);
      if (!reply) return false;
      traceMark = mark;
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
    const opened = await live('open session', () => client.call('session.open', { place: chosen }));
    if (!opened && error.value?.code === NEEDS_FORCE) forceable.value = chosen;
    return opened;
  }

  /**
   * md would not start the array again (a reboot after a crash or power cut, or an open by id) and --force
   * would: the host closed the session; the bar says why and offers --force for the same place.
   */
  function refusedStart(refusal: ApiError, place: SessionPlace | null): void {
    const where = place ?? current.value?.place ?? null;
    error.value = refusal;
    current.value = null;
    const array = useArrayStore();
    array.id = null;
    array.snapshot = null;
    forceable.value = where;
  }

  /** mdadm --assemble --force for the place md refused, once the user asked for it. */
  async function openForced(): Promise<boolean> {
    const place = forceable.value;
    if (place === null) return false;
    return live('open session with mdadm --assemble --force', () => client.call('session.open', { place, force: true }));
  }

  async function openFolder(folder: string): Promise<boolean> {
    return open({ folder });
  }

  /**
   * A scenario file (its text, from the page's own file picker: never a path) as a new session, opened
   * once made. The place is asked for as New asks; the scenario's own verdict is kept in `imported`.
   */
  async function importScenario(file: File): Promise<boolean> {
    // A UTF-8 character is at most 4 bytes: a bigger file is refused before it is read at all.
    const tooLarge = () => !fail('import scenario', new Error(`${file.name} is too large to be a scenario (at most ${SCENARIO_IMPORT_MAX_CHARS / 1024} Ki characters).`));
    if (file.size > SCENARIO_IMPORT_MAX_CHARS * 4) return tooLarge();
    const yaml = await file.text();
    if (yaml.length > SCENARIO_IMPORT_MAX_CHARS) return tooLarge();
    const place = await choosePlace('import', idOfFileName(file.name));
    if (!place) return false;
    let run: ImportedRun | null = null;
    importing.value = { source: file.name, step: 0, steps: 0, text: '' };
    const opened = await live(`import scenario ${file.name}`, async () => {
      try {
        const reply = await client.call('session.importScenario', { place, yaml, source: file.name });
        run = reply.run;
        return reply;
      } finally {
        importing.value = null;
      }
    });
    if (opened && run) imported.value = { source: file.name, run };
    return opened;
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
      imported.value = null;
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
    if (event.type === 'import' && importing.value?.source === event.source) importing.value = { source: event.source, step: event.step, steps: event.steps, text: event.text };
    if (event.type === 'session-closed') refusedStart(event.error, event.place);
  });

  return {
    current, isOpen, recent, workspaceSessions, inspected, error, busy, exported, choosing, notes, notesState, imported, importing, forceable,
    choosePlace, choose, refreshWorkspace, create, open, openFolder, refusedStart, openForced, importScenario, saveAs, close, refreshCurrent,
    loadNotes, editNotes, flushNotes, refreshRecent, inspect, exportReport, scenarioYaml, exportScenario, copyScenario,
  };
});
