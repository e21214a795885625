/**
 * Triggers as people write them in scenarios and the UI ("after 5 s", "at 30% of recovery", "on the
 * 100th write to member 2"), and back. The text form is the one the lab shows, so a recorded scenario
 * reads like the lesson it came from.
 */
import { FaultError } from './spec';
import { type ScheduledView, type SyncAction, type Trigger, TriggerSchema } from './timeline';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, sec: 1000, min: 60_000 };

/** What sysfs sync_action words and everyday words mean; 'sync' means whichever sync runs. */
const SYNC_WORDS: Record<string, SyncAction | null> = {
  resync: 'resync',
  recovery: 'recover',
  recover: 'recover',
  rebuild: 'recover',
  check: 'check',
  repair: 'repair',
  sync: null,
};

const FORMS = '"now", "after 5 s", "at 12 s", "at 30% of recovery" or "on the 100th write to member 2"';

/** Parses a trigger; "now" gives null (apply at once). Throws FaultError naming the accepted forms. */
export function parseTrigger(text: string): Trigger | null {
  const t = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (t === 'now') return null;
  let m = /^(after|at) (\d+(?:\.\d+)?) ?(ms|s|sec|min)$/.exec(t);
  if (m) {
    const ms = Number(m[2]) * UNIT_MS[m[3]];
    return TriggerSchema.parse(m[1] === 'after' ? { kind: 'after', ms } : { kind: 'at', timeMs: ms });
  }
  m = /^at (\d+(?:\.\d+)?) ?% of (?:the )?(\w+)$/.exec(t);
  if (m && m[2] in SYNC_WORDS) {
    const fraction = Number(m[1]) / 100;
    if (fraction > 1) throw new FaultError(`A sync cannot be more than 100% done ("${text}").`);
    return TriggerSchema.parse({ kind: 'progress', fraction, action: SYNC_WORDS[m[2]] });
  }
  m = /^on (?:the )?(\d+)(?:st|nd|rd|th)? write to member (\d+)$/.exec(t);
  if (m && Number(m[1]) > 0) return TriggerSchema.parse({ kind: 'nth-write', n: Number(m[1]), member: Number(m[2]) });
  throw new FaultError(`Cannot read the trigger "${text}"; write ${FORMS}.`);
}

function ordinal(n: number): string {
  const tens = n % 100;
  if (tens >= 11 && tens <= 13) return `${n}th`;
  return `${n}${['th', 'st', 'nd', 'rd'][n % 10] ?? 'th'}`;
}

function duration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

const SYNC_NOUN = { resync: 'resync', recover: 'recovery', check: 'check', repair: 'repair' } as const;

/** The text form of a trigger; parseTrigger(describeTrigger(t)) gives t back. */
export function describeTrigger(trigger: Trigger | null): string {
  if (trigger === null) return 'now';
  switch (trigger.kind) {
    case 'after':
      return `after ${duration(trigger.ms)}`;
    case 'at':
      return `at ${duration(trigger.timeMs)}`;
    case 'progress':
      return `at ${Math.round(trigger.fraction * 1e6) / 1e4}% of ${trigger.action === null ? 'sync' : SYNC_NOUN[trigger.action]}`;
    case 'nth-write':
      return `on the ${ordinal(trigger.n)} write to member ${trigger.member}`;
  }
}

/** A pending or fired step's trigger for the UI: a replayed journal entry names the I/O it lands before. */
export function describeScheduledTrigger(trigger: ScheduledView['trigger']): string {
  return trigger.kind === 'replay' ? `replayed before member I/O #${trigger.ioSeq + 1}` : describeTrigger(trigger);
}
