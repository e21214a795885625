/**
 * `when:` of the inject, clear and power-cut steps: the moment a fault takes effect, in the words the
 * lab shows ("at 30% of recovery", "after 5 s", "on the 100th write to member 2") or as a small map
 * ({after: 5s}, {at: 12s}, {progress: 30%, of: recovery}, {nth-write: 100}). Absent or "now": at once.
 */
import { FaultError, parseTrigger, type Trigger, TriggerSchema } from '../faults';
import { durationMs, ScenarioError } from './schema';

const SYNC_WORD = /^(resync|recovery|recover|rebuild|check|repair|sync)$/;

function percentOf(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim().replace(/\s*%$/, '') : '';
  if (!/^\d+(\.\d+)?$/.test(text)) throw new ScenarioError(`progress takes a percentage like 30%, got ${JSON.stringify(value)}`);
  return Number(text);
}

/** The map form, written as the text form so both forms go through one parser. */
function textOfMap(map: Record<string, unknown>, member: number | null): string {
  const keys = Object.keys(map);
  if ('after' in map && keys.length === 1) return `after ${durationMs(map.after)} ms`;
  if ('at' in map && keys.length === 1) return `at ${durationMs(map.at)} ms`;
  if ('progress' in map && keys.every((k) => k === 'progress' || k === 'of')) {
    const of = map.of ?? 'sync';
    if (typeof of !== 'string' || !SYNC_WORD.test(of)) throw new ScenarioError(`progress "of" names resync, recovery, check, repair or sync, got ${JSON.stringify(of)}`);
    return `at ${percentOf(map.progress)}% of ${of}`;
  }
  if ('nth-write' in map && keys.every((k) => k === 'nth-write' || k === 'member')) {
    const to = map.member ?? member;
    if (typeof to !== 'number') throw new ScenarioError('nth-write needs the member whose writes it counts');
    return `on the ${Number(map['nth-write'])}th write to member ${to}`;
  }
  throw new ScenarioError(`when takes {after: 5s}, {at: 12s}, {progress: 30%, of: recovery} or {nth-write: 100}, got ${JSON.stringify(map)}`);
}

/** The trigger of a step's `when`, or null for "at once"; `member` is the step's own (nth-write counts its writes by default). */
export function triggerOfWhen(value: unknown, member: number | null): Trigger | null {
  if (value === undefined || value === null) return null;
  let text: string;
  if (typeof value === 'string') {
    // "on the 100th write" on an inject step means that member's writes.
    text = member !== null && /write$/.test(value.trim()) ? `${value.trim()} to member ${member}` : value;
  } else if (typeof value === 'object' && !Array.isArray(value)) {
    text = textOfMap(value as Record<string, unknown>, member);
  } else {
    throw new ScenarioError(`when takes a trigger like "at 30% of recovery", got ${JSON.stringify(value)}`);
  }
  try {
    const trigger = parseTrigger(text);
    return trigger === null ? null : TriggerSchema.parse(trigger);
  } catch (err) {
    if (err instanceof FaultError) throw new ScenarioError(err.message);
    throw err;
  }
}
