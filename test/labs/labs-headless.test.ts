/** Every built-in lab, run headless on the real engine exactly as `mdlab run --lab NAME` grades it. */
import { describe, expect, it } from 'vitest';
import { BUILTIN_LABS, findLab } from '../../core/labs';
import { labReportText, runLab } from '../../core/labs/run-lab';
import { runCli } from './cli';

describe('built-in labs run headless', () => {
  for (const lab of BUILTIN_LABS) {
    it(`${lab.name} passes every step`, () => {
      const result = runLab(lab);
      expect(result.ok, `${labReportText(result)}\n${result.lines.slice(-8).join('\n')}`).toBe(true);
      expect(result.steps.every((s) => s.verdict === 'pass')).toBe(true);
    });
  }

  it('a lab whose check does not hold fails at that step and reports it', () => {
    const lab = structuredClone(findLab('degraded-read')!);
    lab.steps[2].checks = [{ expect: { degraded: 2 } }];
    const result = runLab(lab);
    expect(result.ok).toBe(false);
    expect(result.steps.map((s) => s.verdict)).toEqual(['pass', 'pass', 'fail', 'not-reached']);
    expect(result.steps[2].detail).toBe('expect degraded: degraded is 1, expected 2');
  });
});

describe('mdlab run --lab', () => {
  it('exits 0 with a short report when every check holds', async () => {
    const r = await runCli(['run', '--lab', 'bitrot-check-repair']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/✓ 3\. check: /);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('lab bitrot-check-repair: PASSED (4/4 steps)');
  });

  it('exits 2 for an unknown lab, naming the ones there are', async () => {
    const unknown = await runCli(['run', '--lab', 'no-such-lab']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no built-in lab is called "no-such-lab".*write-hole/);
  });
});
