import { describe, expect, it } from 'vitest';
import { FaultError } from '../../core/faults/spec';
import { describeTrigger, parseTrigger } from '../../core/faults/trigger-text';

describe('triggers as text', () => {
  it('reads the forms scenarios use', () => {
    expect(parseTrigger('now')).toBeNull();
    expect(parseTrigger('after 5 s')).toEqual({ kind: 'after', ms: 5000 });
    expect(parseTrigger('After 250ms')).toEqual({ kind: 'after', ms: 250 });
    expect(parseTrigger('at 2 min')).toEqual({ kind: 'at', timeMs: 120_000 });
    expect(parseTrigger('at 30% of recovery')).toEqual({ kind: 'progress', fraction: 0.3, action: 'recover' });
    expect(parseTrigger('at 50 % of the check')).toEqual({ kind: 'progress', fraction: 0.5, action: 'check' });
    expect(parseTrigger('at 10% of sync')).toEqual({ kind: 'progress', fraction: 0.1, action: null });
    expect(parseTrigger('on the 100th write to member 2')).toEqual({ kind: 'nth-write', n: 100, member: 2 });
    expect(parseTrigger('on the 1st  write to member 0')).toEqual({ kind: 'nth-write', n: 1, member: 0 });
  });

  it('refuses what it cannot read with one sentence naming the accepted forms', () => {
    for (const bad of ['soon', 'after five seconds', 'at 130% of recovery', 'at 30% of lunch', 'on the 0th write to member 1']) {
      expect(() => parseTrigger(bad)).toThrow(FaultError);
    }
    expect(() => parseTrigger('soon')).toThrow(/write "now", "after 5 s"/);
  });

  it('writes each trigger back in a form it reads again', () => {
    for (const text of ['now', 'after 5 s', 'after 250 ms', 'at 12 s', 'at 30% of recovery', 'at 12.5% of sync', 'at 100% of repair', 'on the 2nd write to member 1', 'on the 11th write to member 3', 'on the 23rd write to member 0']) {
      expect(describeTrigger(parseTrigger(text))).toBe(text);
    }
  });
});
