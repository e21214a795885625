import { z } from 'zod';
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

export const sessionRequests = {
  'labs.list': { params: z.object({}).strict(), result: z.object({ labs: z.array(LabInfoSchema) }) },
  'labs.run': { params: z.object({ name: z.string().min(1).max(64) }).strict(), result: LabRunResultSchema },
  /** Checks a session folder read-only: its summary, or one sentence saying why it cannot be opened. */
  'session.inspect': { params: z.object({ folder: FolderSchema }).strict(), result: SessionInfoSchema },
  'session.replay': { params: z.object({ folder: FolderSchema, position: count }).strict(), result: ReplayStateSchema },
  'session.exportScenario': { params: z.object({ folder: FolderSchema }).strict(), result: z.object({ yaml: z.string() }) },
  'session.report': { params: z.object({ folder: FolderSchema }).strict(), result: z.object({ html: z.string() }) },
  'session.recent': { params: z.object({}).strict(), result: z.object({ sessions: z.array(RecentSessionSchema) }) },
} as const;
