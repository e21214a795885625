/**
 * journal.jsonl: every action, fault and seed of a session, one JSON object a line, append-only, with the
 * engine's logical time. Each entry is written as one line in one write and synced before the action is
 * reported done (autosave), so a crash leaves at worst a torn LAST line: the parser drops it with a
 * message. Damage anywhere else is refused, because replaying a journal with a hole would lie.
 *
 * An action is stored as the `mdlab run` scenario step that performs it ({fail: 1}, {inject: {...}}), so
 * exporting a journal as a scenario is a copy, and replay runs the scenario runner itself.
 */
import * as fs from 'node:fs';
import { z } from 'zod';
import { assert } from '../util/assert';
import { SessionError } from './errors';

export const JOURNAL_FILE = 'journal.jsonl';
/** Bounds one entry, so a hostile journal cannot make the parser hold a gigantic object. */
export const JOURNAL_LINE_MAX_BYTES = 64 * 1024;

/** The scenario step verbs (issue #4, plus the fault layer's of issue #5). */
export const STEP_VERBS = [
  'create', 'assemble', 'stop', 'write', 'verify', 'fail', 'remove', 'add', 're-add', 'set',
  'sync-action', 'wait', 'expect', 'sleep', 'inject', 'clear', 'crash', 'power-cut',
] as const;
export type StepVerb = (typeof STEP_VERBS)[number];

/** One scenario step: a map with exactly one verb key, as a YAML list item `- fail: 1` reads. */
export const StepSchema = z
  .partialRecord(z.enum(STEP_VERBS), z.json())
  .refine((s) => Object.keys(s).length === 1, 'a step has exactly one verb');
export type Step = z.infer<typeof StepSchema>;

const base = {
  seq: z.number().int().positive(),
  /** Engine logical time (ms) when the entry was made; never decreases. */
  atMs: z.number().nonnegative().finite(),
};

export const JournalEntrySchema = z.discriminatedUnion('type', [
  /** First entry: the seed every random choice of the session derives from. */
  z.object({ ...base, type: z.literal('seed'), seed: z.number().int().min(0).max(0xffffffff) }).strict(),
  /** An action or a fault, as the scenario step that does it. */
  z.object({ ...base, type: z.literal('step'), step: StepSchema }).strict(),
  /** Session bookkeeping, not replayed: opened, closed (with the array's sha256 at that moment). */
  z.object({ ...base, type: z.literal('open') }).strict(),
  z
    .object({
      ...base,
      type: z.literal('close'),
      arraySha256: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
      /** The machine was dead (a crash or power cut md would not start again, or an open md refused): nothing stopped. */
      dead: z.literal(true).optional(),
    })
    .strict(),
]);
export type JournalEntry = z.infer<typeof JournalEntrySchema>;
export type JournalEntryInput = JournalEntry extends infer E ? (E extends unknown ? Omit<E, 'seq'> : never) : never;

export interface ParsedJournal {
  entries: JournalEntry[];
  /** Bytes of the file that hold whole, valid entries: an appender truncates to this first. */
  validBytes: number;
  /** One sentence when a torn last line was dropped, else null. */
  tornMessage: string | null;
}

function entryOf(line: string): JournalEntry | null {
  if (Buffer.byteLength(line) > JOURNAL_LINE_MAX_BYTES) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  const parsed = JournalEntrySchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Parses journal text; throws SessionError('JOURNAL_DAMAGED') for damage a crash cannot explain. */
export function parseJournalText(text: string): ParsedJournal {
  const lines = text.split('\n');
  // The piece after the last newline is an unfinished write (empty when the file ends cleanly).
  const unterminated = lines.pop() ?? '';
  const entries: JournalEntry[] = [];
  let validBytes = 0;
  let torn = unterminated.length > 0;
  for (let i = 0; i < lines.length; i++) {
    const entry = entryOf(lines[i]);
    if (entry === null) {
      // After a power cut the last line may hold garbage (e.g. NULs from a half-allocated block).
      if (i === lines.length - 1) {
        torn = true;
        break;
      }
      throw new SessionError('JOURNAL_DAMAGED', `${JOURNAL_FILE} line ${i + 1} is damaged; only a torn last line can be dropped safely, so mdlab will not use this journal.`);
    }
    checkOrder(entries, entry, i + 1);
    entries.push(entry);
    validBytes += Buffer.byteLength(lines[i]) + 1;
  }
  const tornMessage = torn
    ? `${JOURNAL_FILE} ended in a torn entry (mdlab stopped while saving it); it was dropped and the ${entries.length} entries before it are intact.`
    : null;
  return { entries, validBytes, tornMessage };
}

function checkOrder(previous: readonly JournalEntry[], entry: JournalEntry, lineNo: number): void {
  const last = previous.at(-1);
  const expectedSeq = (last?.seq ?? 0) + 1;
  if (entry.seq !== expectedSeq || (last !== undefined && entry.atMs < last.atMs)) {
    throw new SessionError('JOURNAL_DAMAGED', `${JOURNAL_FILE} line ${lineNo} is out of order (entries must count up from 1 and time must not go back), so mdlab will not use this journal.`);
  }
  if (previous.length === 0 && entry.type !== 'seed') {
    throw new SessionError('JOURNAL_DAMAGED', `${JOURNAL_FILE} does not start with the session's seed, so mdlab will not use this journal.`);
  }
}

export function journalLine(entry: JournalEntry): string {
  const line = JSON.stringify(JournalEntrySchema.parse(entry));
  assert(!line.includes('\n'), 'a journal entry is one line');
  assert(Buffer.byteLength(line) <= JOURNAL_LINE_MAX_BYTES, 'a journal entry fits the line limit');
  return `${line}\n`;
}

/** Appends entries durably. Opening truncates a torn tail, so the next entry starts on a fresh line. */
export class JournalWriter {
  private constructor(
    private fd: number | null,
    private sizeBytes: number,
    private lastSeq: number,
    private lastAtMs: number,
  ) {}

  static create(filePath: string): JournalWriter {
    const fd = fs.openSync(filePath, 'wx');
    return new JournalWriter(fd, 0, 0, 0);
  }

  static openForAppend(filePath: string, parsed: ParsedJournal): JournalWriter {
    const fd = fs.openSync(filePath, 'r+');
    if (fs.fstatSync(fd).size !== parsed.validBytes) {
      fs.ftruncateSync(fd, parsed.validBytes);
      fs.fsyncSync(fd);
    }
    const last = parsed.entries.at(-1);
    return new JournalWriter(fd, parsed.validBytes, last?.seq ?? 0, last?.atMs ?? 0);
  }

  append(entry: JournalEntryInput): JournalEntry {
    if (this.fd === null) throw new SessionError('CLOSED', 'This session is closed; reopen it to record more.');
    const full = { ...entry, seq: this.lastSeq + 1, atMs: Math.max(entry.atMs, this.lastAtMs) } as JournalEntry;
    const bytes = Buffer.from(journalLine(full));
    // One positioned write of the whole line: a crash tears at most this line.
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(this.fd, bytes, done, bytes.length - done, this.sizeBytes + done);
    fs.fdatasyncSync(this.fd);
    this.sizeBytes += bytes.length;
    this.lastSeq = full.seq;
    this.lastAtMs = full.atMs;
    return full;
  }

  close(): void {
    if (this.fd === null) return;
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    this.fd = null;
  }
}
