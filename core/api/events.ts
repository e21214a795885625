import { z } from 'zod';
import { ApiErrorSchema } from './errors';
import { SessionPlaceSchema } from './session';
import { ArraySnapshotSchema, SyncActionSchema } from './snapshot';

/*
 * The one event stream from the engine host to every window and browser tab.
 * Events are broadcast facts; a UI that missed one catches up from the next state snapshot.
 */

const count = z.number().int().nonnegative();

/** Bounds a trace batch so one event can never flood a renderer; the engine keeps a ring buffer. */
export const TRACE_BATCH_MAX_ENTRIES = 4096;

/** One step of md's machinery, named as in the kernel (raid5d, mdCheckRecovery, handleStripe...). */
export const TraceEntrySchema = z.object({
  seq: count,
  timeMs: z.number().nonnegative(),
  fn: z.string().min(1).max(64),
  /** Stripe sector for stripe-level steps; null for array-level steps. */
  sector: count.nullable(),
  detail: z.string().max(1024),
  /** Member index for member-level steps (md_error on a disk, a recovery target). */
  member: count.nullable().optional(),
  /** State bits seen on entry (STRIPE_HANDLE, R5_Wantread...), as the kernel names them. */
  flags: z.array(z.string().max(64)).max(64).optional(),
  /** The decision or action taken, in a few words. */
  action: z.string().max(256).optional(),
});
export type TraceEntry = z.infer<typeof TraceEntrySchema>;

export const StateEventSchema = z.object({
  type: z.literal('state'),
  snapshot: ArraySnapshotSchema,
});

export const ProgressEventSchema = z.object({
  type: z.literal('progress'),
  array: z.string(),
  action: SyncActionSchema,
  doneSectors: count,
  totalSectors: count,
  speedKibPerSec: count,
});

export const TraceEventSchema = z.object({
  type: z.literal('trace'),
  array: z.string(),
  entries: z.array(TraceEntrySchema).max(TRACE_BATCH_MAX_ENTRIES),
  /** How often each step has run in this array so far, sampled away or not (the entries are a sample). */
  seen: z.record(z.string().min(1).max(64), count).optional(),
});

export const LogLevelSchema = z.enum(['debug', 'info', 'warn', 'error']);

export const LogEventSchema = z.object({
  type: z.literal('log'),
  level: LogLevelSchema,
  timeMs: z.number().nonnegative(),
  message: z.string().max(4096),
});

/** A scenario being imported as a session (session.importScenario) is about to run its step `step` of `steps`. */
export const ImportStepEventSchema = z.object({
  type: z.literal('import'),
  /** The scenario's file name, as the request gave it. */
  source: z.string().min(1).max(255),
  step: count,
  steps: count,
  /** The step in the scenario's own words ("fail disk1.img"). */
  text: z.string().max(256),
});

/**
 * The engine closed the open session by itself: after a scheduled power cut md would not start the array
 * again. `error` is md's refusal (NEEDS_FORCE when mdadm --force would start it at `place`).
 */
export const SessionClosedEventSchema = z.object({
  type: z.literal('session-closed'),
  place: SessionPlaceSchema,
  error: ApiErrorSchema,
});

/** Emitted by the relay (Electron main, lab host), not the engine: the host came up or went away. */
export const HostEventSchema = z.object({
  type: z.literal('host'),
  state: z.enum(['ready', 'exited']),
  message: z.string().max(1024),
});

export const EngineEventSchema = z.discriminatedUnion('type', [
  StateEventSchema,
  ProgressEventSchema,
  TraceEventSchema,
  LogEventSchema,
  ImportStepEventSchema,
  SessionClosedEventSchema,
  HostEventSchema,
]);
export type EngineEvent = z.infer<typeof EngineEventSchema>;
export type EngineEventType = EngineEvent['type'];
