/** Scenario steps on the fault timeline: inject, clear and power-cut with `when`, seeded and repeatable. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runScenario, runScenarioFile, type ScenarioResult } from '../../core/scenario/runner';
import { parseScenario, ScenarioError } from '../../core/scenario/schema';
import { triggerOfWhen } from '../../core/scenario/when';
import { arrayContentSha256 } from '../../core/session/array-hash';
import { repoRoot } from '../helpers/golden';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-scheduled-'));
  dirs.push(dir);
  return dir;
}

function images(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => /^disk\d+\.img$/.test(f)).sort().map((f) => path.join(dir, f));
}

function run(steps: string[], dir = tempDir()): { result: ScenarioResult; lines: string[]; dir: string } {
  const text = ['name: scheduled', 'seed: 3', 'array: { dir: x, level: 5, raid-devices: 4, chunk: 64K, size: 16M, assume-clean: true }', 'steps:', ...steps.map((s) => `  - ${s}`)].join('\n');
  const lines: string[] = [];
  const result = runScenario(parseScenario(text), { baseDir: dir, arrayDir: dir, out: (l) => lines.push(l) });
  return { result, lines, dir };
}

describe('when: a step trigger', () => {
  it('reads the lab words and the map form alike, counting an inject step member\'s own writes by default', () => {
    expect(triggerOfWhen('at 30% of recovery', 2)).toEqual({ kind: 'progress', fraction: 0.3, action: 'recover' });
    expect(triggerOfWhen({ progress: '30%', of: 'recovery' }, 2)).toEqual({ kind: 'progress', fraction: 0.3, action: 'recover' });
    expect(triggerOfWhen({ progress: 12.5 }, 2)).toEqual({ kind: 'progress', fraction: 0.125, action: null });
    expect(triggerOfWhen({ after: '5s' }, null)).toEqual({ kind: 'after', ms: 5000 });
    expect(triggerOfWhen({ at: 250 }, null)).toEqual({ kind: 'at', timeMs: 250 });
    expect(triggerOfWhen({ 'nth-write': 100 }, 2)).toEqual({ kind: 'nth-write', n: 100, member: 2 });
    expect(triggerOfWhen('on the 100th write', 2)).toEqual({ kind: 'nth-write', n: 100, member: 2 });
    expect(triggerOfWhen('on the 3rd write to member 1', 2)).toEqual({ kind: 'nth-write', n: 3, member: 1 });
    expect(triggerOfWhen('now', 2)).toBeNull();
    expect(triggerOfWhen(undefined, 2)).toBeNull();
  });

  it('refuses what it cannot read with one sentence', () => {
    expect(() => triggerOfWhen('soon', 0)).toThrow(ScenarioError);
    expect(() => triggerOfWhen({ progress: '30%', of: 'lunch' }, 0)).toThrow(/progress "of" names/);
    expect(() => triggerOfWhen({ 'nth-write': 5 }, null)).toThrow(/needs the member/);
    expect(() => triggerOfWhen({ after: '5s', at: '1s' }, 0)).toThrow(/when takes/);
    expect(() => triggerOfWhen(['after 5 s'], 0)).toThrow(ScenarioError);
  });
});

describe('scheduled fault steps', () => {
  it('a fault scheduled after a delay is not there before it and is there after it', () => {
    const { result, lines } = run([
      'create: null',
      'inject: { member: 1, fault: { kind: fail }, when: after 5 s }',
      'sleep: 4s',
      'expect: { degraded: 0 }',
      'write: { pattern: lba, offset: 0, length: 1M }',
      'sleep: 2s',
      'write: { pattern: lba, offset: 0, length: 1M }',
      'expect: { degraded: 1, member.1.state: faulty }',
    ]);
    expect(result.failure, lines.join('\n')).toBeNull();
    expect(result.faultJournals[0].entries.map((e) => [e.timeMs, e.action.op])).toEqual([[5000, 'inject']]);
  });

  it('on the nth write to a member: fires once that member has been written n times, not before', () => {
    const late = run(['create: null', "inject: { member: 0, fault: { kind: fail }, when: { nth-write: 100000 } }", 'write: { pattern: lba, offset: 0, length: 1M }', 'expect: { degraded: 0 }']);
    expect(late.result.failure, late.lines.join('\n')).toBeNull();
    expect(late.result.faultJournals[0].entries).toEqual([]);
    const soon = run(['create: null', 'inject: { member: 0, fault: { kind: fail }, when: on the 2nd write }', 'write: { pattern: lba, offset: 0, length: 1M }', 'expect: { degraded: 1 }']);
    expect(soon.result.failure, soon.lines.join('\n')).toBeNull();
    expect(soon.result.faultJournals[0].entries[0].ioSeq).toBeGreaterThan(0);
  });

  it('clear can be scheduled, and a scheduled fault can be cancelled before it fires', () => {
    const { result, lines } = run([
      'create: null',
      'inject: { member: 2, fault: { kind: fail } }',
      'clear: { member: 2, fault: 1, when: after 1 s }',
      'inject: { member: 3, fault: { kind: fail }, when: after 2 s }',
      'clear: { member: 3, pending: 2 }',
      'sleep: 3s',
      'write: { pattern: lba, offset: 0, length: 1M }',
      'expect: { degraded: 0 }',
    ]);
    expect(result.failure, lines.join('\n')).toBeNull();
    expect(result.faultJournals[0].entries.map((e) => e.action.op)).toEqual(['inject', 'clear']);
  });

  it('a scheduled power cut is cancelled by its id, as the lab journals it, and never fires', () => {
    const { result, lines } = run([
      'create: null',
      'power-cut: { when: after 1 s }',
      'clear: { member: 0, pending: 1 }',
      'sleep: 2s',
      'write: { pattern: lba, offset: 0, length: 1M }',
      'verify: { pattern: lba, offset: 0, length: 1M }',
    ]);
    expect(result.failure, lines.join('\n')).toBeNull();
    expect(result.faultJournals[0].entries).toEqual([]);
  });

  it('cancelling a fault that is not scheduled fails the step with a sentence', () => {
    const { result } = run(['create: null', 'clear: { member: 3, pending: 9 }']);
    expect(result.failure).toBe('member 3 has no scheduled fault #9');
  });

  it('a scheduled power cut stops the machine in the middle of a write; reassembly resyncs and the old data stands', () => {
    const { result, lines } = run([
      'create: null',
      'write: { pattern: lba, tag: old, offset: 0, length: 2M }',
      'power-cut: { when: on the 1st write to member 1 }',
      'write: { pattern: lba, tag: new, offset: 0, length: 1M }',
      'expect: { log: "power cut at 0 ms: " }',
      'assemble: null',
      'expect: { sync_action: resync }',
      'wait: idle',
      'verify: { pattern: lba, tag: old, offset: 1M, length: 1M }',
      'sync-action: check',
      'wait: idle',
      'expect: { mismatch_cnt: 0 }',
    ]);
    expect(result.failure, lines.join('\n')).toBeNull();
    expect(result.faultJournals[0].entries.map((e) => e.action)).toEqual([{ op: 'power-cut', survivalProbability: 0 }]);
    expect(result.faultJournals).toHaveLength(2);
  });

  it('same seed, same scenario: the same final snapshot, fault journals and array contents', () => {
    const file = path.join(repoRoot, 'test', 'scenarios', 'scheduled-read-errors-recovery.yaml');
    const runs = [tempDir(), tempDir()].map((dir) => {
      const result = runScenarioFile(file, { arrayDir: dir });
      expect(result.failure).toBeNull();
      return { result, sha256: arrayContentSha256(images(dir)) };
    });
    expect(runs[1].result.finalSnapshot).toEqual(runs[0].result.finalSnapshot);
    expect(runs[1].result.faultJournals).toEqual(runs[0].result.faultJournals);
    expect(runs[1].sha256).toBe(runs[0].sha256);
    expect(runs[0].result.faultJournals[0].entries).toHaveLength(2);
  });
});
