import { z } from 'zod';
import { ArrayIdSchema, CreateChoicesSchema } from './lab';
import { ArraySnapshotSchema } from './snapshot';

/*
 * Saved sessions, replay and guided labs over the contract (issue #7). Folders come from Electron's
 * native dialogs (main passes them through); the renderer never makes a path up.
 */

const count = z.number().int().nonnegative();
/** An absolute folder path, as a native dialog returns it. */
export const FolderSchema = z.string().min(1).max(4096);

export const LabTextSchema = z.object({ en: z.string(), zh: z.string() });

/** A guided lab as the UI shows it: instructions per step; actions/checks are scenario steps (plain JSON). */
export const LabInfoSchema = z.object({
  name: z.string(),
  title: LabTextSchema,
  summary: LabTextSchema,
  steps: z.array(
    z.object({
      id: z.string(),
      instruction: LabTextSchema,
      actions: z.array(z.record(z.string(), z.json())),
      checks: z.array(z.record(z.string(), z.json())),
    }),
  ),
});
export type LabInfo = z.infer<typeof LabInfoSchema>;

export const LabRunResultSchema = z.object({
  lab: z.string(),
  ok: z.boolean(),
  steps: z.array(z.object({ id: z.string(), verdict: z.enum(['pass', 'fail', 'not-reached']), detail: z.string() })),
});

export const SessionInfoSchema = z.object({
  folder: FolderSchema,
  name: z.string(),
  createdAt: z.string(),
  arrayUuid: z.string(),
  members: z.array(z.string()),
  /** Actions and faults recorded in the journal. */
  steps: count,
  /** Things the user should know that did not stop the open (a torn journal line that was dropped). */
  messages: z.array(z.string()),
});
export type SessionInfo = z.infer<typeof SessionInfoSchema>;

export const ReplayStateSchema = z.object({
  position: count,
  length: count,
  snapshot: ArraySnapshotSchema.nullable(),
  /** The entry performed last, in words ("fail 1"), or null at the start. */
  last: z.string().nullable(),
  failure: z.string().nullable(),
});

export const RecentSessionSchema = z.object({ folder: FolderSchema, name: z.string(), openedAt: z.string() });

/*
 * The live session: the lab's one open array IS a session (a folder in core/session's format), and every
 * action on it is journaled before its request is answered. Where a session folder is, is a SessionPlace:
 *   {folder}     a folder a native dialog chose (Electron main answers `dialog.chooseFolder`; main only relays
 *                folders it has handed out itself: from a dialog, Recent, or a session reply), or
 *   {workspace}  a session in the engine host's workspace, by id (the browser lab, which has no dialogs:
 *                `dialog.chooseFolder` answers NO_DIALOG there, and the UI picks from `session.list`).
 */
export const SessionPlaceSchema = z.union([
  z.object({ folder: FolderSchema }).strict(),
  z.object({ workspace: ArrayIdSchema }).strict(),
]);
export type SessionPlace = z.infer<typeof SessionPlaceSchema>;

/** What the folder is chosen for: a new session's folder (made by mdlab), an existing one, a copy's. */
export const FolderPurposeSchema = z.enum(['new', 'open', 'saveAs']);
export type FolderPurpose = z.infer<typeof FolderPurposeSchema>;

/** A native dialog's title and button label, as the renderer words them. */
export const DialogWordsSchema = z.object({ title: z.string().min(1).max(200), button: z.string().min(1).max(40) }).strict();
export type DialogWords = z.infer<typeof DialogWordsSchema>;

/** The error code of `dialog.chooseFolder` where there is no native dialog (the browser lab host). */
export const NO_DIALOG = 'NO_DIALOG';
/**
 * The error code of an assembly md refuses and mdadm --assemble --force would start (a dirty degraded
 * array, members with stale events): session.open with `force` does it, after the user agreed.
 */
export const NEEDS_FORCE = 'NEEDS_FORCE';

/** Bounds notes.md: a lab write-up, not a data store. */
export const NOTES_MAX_CHARS = 64 * 1024;
export const SessionNameSchema = z.string().trim().min(1).max(200);

export const LiveSessionInfoSchema = z.object({
  /** The open array's id: what events (`progress`, `trace`) and array.* replies call it. */
  id: ArrayIdSchema,
  name: z.string(),
  /** The session folder (absolute), for session.inspect/replay/report/exportScenario and Recent. */
  folder: FolderSchema,
  /** The folder's last name, for titles ("my-lab"). */
  folderName: z.string(),
  place: SessionPlaceSchema,
  createdAt: z.string(),
  arrayUuid: z.string(),
  /** Actions and faults recorded in the journal so far (anchoring waits included). */
  steps: count,
  /** Steps recorded since the session was opened, created or saved as. */
  dirty: z.boolean(),
  /** Every recorded step is on disk (the journal is synced before each request is answered). */
  autosaved: z.boolean(),
  /** Things the user should know about the open (a torn journal line that was dropped). */
  messages: z.array(z.string()),
});
export type LiveSessionInfo = z.infer<typeof LiveSessionInfoSchema>;

/** A live session and its running array, as new/open/saveAs answer. */
export const LiveSessionSchema = z.object({ session: LiveSessionInfoSchema, snapshot: ArraySnapshotSchema });

/** Bounds an imported scenario: a scenario is a page of steps, not a data store. */
export const SCENARIO_IMPORT_MAX_CHARS = 256 * 1024;

/**
 * How the imported scenario's own run went: a failed expectation still leaves a session of the steps that ran.
 * `steps`: the scenario's steps (its create included) that ran to the end; all of them when ok.
 */
export const ImportedRunSchema = z.object({ ok: z.boolean(), steps: count, failure: z.string().nullable() });
export type ImportedRun = z.infer<typeof ImportedRunSchema>;

/**
 * A guided lab running live on the open session: the current step is ticked once all its checks hold on
 * the running array (judged after every action and whenever the state is asked for), then the next is current.
 */
export const GuidedLabStateSchema = z.object({
  name: z.string(),
  /** Index of the current step; steps.length once the lab is finished. */
  current: count,
  finished: z.boolean(),
  /** detail: why the current step's checks do not hold yet (empty for the others). */
  steps: z.array(z.object({ id: z.string(), verdict: z.enum(['pass', 'pending', 'current']), detail: z.string() })),
});
export type GuidedLabState = z.infer<typeof GuidedLabStateSchema>;

export const WorkspaceSessionSchema = z.object({ id: ArrayIdSchema, name: z.string(), open: z.boolean() });

export const sessionRequests = {
  'labs.list': { params: z.object({}).strict(), result: z.object({ labs: z.array(LabInfoSchema) }) },
  'labs.run': { params: z.object({ name: z.string().min(1).max(64) }).strict(), result: LabRunResultSchema },
  /** A built-in lab as a new live session (as session.new, with the lab's array and seed), the lab attached to it. */
  'labs.start': {
    params: z.object({ name: z.string().min(1).max(64), place: SessionPlaceSchema }).strict(),
    result: LiveSessionSchema.extend({ lab: GuidedLabStateSchema }),
  },
  /** The open session's lab judged now (null: the session follows no lab). */
  'labs.state': { params: z.object({}).strict(), result: z.object({ lab: GuidedLabStateSchema.nullable() }) },
  /** "Show me": performs the current step's actions on the live array, journaled like the student's own. */
  'labs.doStep': { params: z.object({}).strict(), result: z.object({ lab: GuidedLabStateSchema }) },
  /** Checks a session folder read-only: its summary, or one sentence saying why it cannot be opened. */
  'session.inspect': { params: z.object({ folder: FolderSchema }).strict(), result: SessionInfoSchema },
  'session.replay': { params: z.object({ folder: FolderSchema, position: count }).strict(), result: ReplayStateSchema },
  'session.exportScenario': { params: z.object({ folder: FolderSchema }).strict(), result: z.object({ yaml: z.string() }) },
  'session.report': { params: z.object({ folder: FolderSchema }).strict(), result: z.object({ html: z.string() }) },
  'session.recent': { params: z.object({}).strict(), result: z.object({ sessions: z.array(RecentSessionSchema) }) },

  /**
   * Asks for a folder. Electron main answers it with a native dialog (null when cancelled); an engine host
   * without a window answers NO_DIALOG, and the UI offers `session.list` (choose by name) instead.
   * `words` are the dialog's title and button in the UI's language (main only knows English).
   */
  'dialog.chooseFolder': {
    params: z.object({ purpose: FolderPurposeSchema, suggestedName: z.string().max(64).optional(), words: DialogWordsSchema.optional() }).strict(),
    result: z.object({ place: SessionPlaceSchema.nullable() }),
  },
  /** The sessions in the engine host's workspace (the browser lab's "folders"), by id. */
  'session.list': { params: z.object({}).strict(), result: z.object({ sessions: z.array(WorkspaceSessionSchema) }) },
  /** mdadm --create into a new session folder (which must not exist, or be empty), then run it live. */
  'session.new': {
    params: z.object({ place: SessionPlaceSchema, name: SessionNameSchema, choices: CreateChoicesSchema, seed: z.number().int().min(0).max(0xffffffff).optional() }).strict(),
    result: LiveSessionSchema,
  },
  /**
   * Closes the open session (if any), then assembles this one from its images. A bad folder changes nothing.
   * `force`: mdadm --assemble --force, for an array md refused with NEEDS_FORCE; journaled when it forced anything.
   */
  'session.open': { params: z.object({ place: SessionPlaceSchema, force: z.boolean().optional() }).strict(), result: LiveSessionSchema },
  /**
   * Makes a new session folder from a scenario's text (run on the virtual clock, each step journaled), then
   * opens it as session.open does. `source` (the file's name) only names the scenario in a refusal.
   */
  'session.importScenario': {
    params: z.object({ place: SessionPlaceSchema, yaml: z.string().min(1).max(SCENARIO_IMPORT_MAX_CHARS), source: z.string().min(1).max(255).optional() }).strict(),
    result: LiveSessionSchema.extend({ run: ImportedRunSchema }),
  },
  /** Copies the open session (images sparsely) to a new folder and continues there. */
  'session.saveAs': { params: z.object({ place: SessionPlaceSchema }).strict(), result: LiveSessionSchema },
  /** Stops the array cleanly and journals the close (with the array's sha256 when cheap). */
  'session.close': { params: z.object({}).strict(), result: z.object({ closed: z.boolean(), arraySha256: z.string().nullable() }) },
  'session.current': { params: z.object({}).strict(), result: z.object({ session: LiveSessionInfoSchema.nullable() }) },
  'session.getNotes': { params: z.object({}).strict(), result: z.object({ text: z.string() }) },
  'session.setNotes': { params: z.object({ text: z.string().max(NOTES_MAX_CHARS) }).strict(), result: z.object({ chars: count }) },
} as const;
