import { describe, expect, it } from 'vitest';
import { BUILTIN_LABS, findLab } from '../../core/labs';
import { labScenario, labStepOf } from '../../core/labs/scenario';
import { runCli } from './cli';

describe('built-in labs as data', () => {
  it('include the six exercises of issue #7, each named once', () => {
    expect(BUILTIN_LABS.map((l) => l.name)).toEqual(['degraded-read', 'rebuild-spare', 'interrupted-resync', 'bitmap-re-add', 'bitrot-check-repair', 'write-hole']);
    expect(findLab('write-hole')?.title.en).toBe('The RAID5 write hole');
    expect(findLab('no-such-lab')).toBeNull();
  });

  it('give every instruction in English and in Chinese, and the two differ', () => {
    for (const lab of BUILTIN_LABS) {
      for (const text of [lab.title, lab.summary, ...lab.steps.map((s) => s.instruction)]) {
        expect(text.en).not.toBe(text.zh);
        expect(text.zh).toMatch(/[\u4e00-\u9fff]/);
      }
    }
  });

  it('start by creating the array and check something after every step', () => {
    for (const lab of BUILTIN_LABS) {
      expect(lab.steps[0].actions[0]).toEqual({ create: null });
      for (const step of lab.steps) expect(step.checks.length).toBeGreaterThan(0);
      expect(new Set(lab.steps.map((s) => s.id)).size).toBe(lab.steps.length);
    }
  });

  it('flatten into a scenario whose boundaries map back to the lab steps', () => {
    const lab = findLab('rebuild-spare')!;
    const { document, stepBoundaries } = labScenario(lab);
    expect(document.array).toMatchObject({ dir: 'rebuild-spare-array', 'raid-devices': 4, 'spare-devices': 1 });
    expect(stepBoundaries.at(-1)).toBe(document.steps.length);
    expect(document.steps[0]).toEqual({ create: null });
    expect(labStepOf(stepBoundaries, 0)).toBe(0);
    const failAt = document.steps.findIndex((s) => 'fail' in s);
    expect(lab.steps[labStepOf(stepBoundaries, failAt)].id).toBe('fail-member');
  });
});

describe('mdlab labs', () => {
  it('lists name, title and summary as JSON for machines', async () => {
    const { code, stdout } = await runCli(['labs', '--json']);
    expect(code).toBe(0);
    const rows = JSON.parse(stdout) as { name: string; title: string; summary: string }[];
    expect(rows).toHaveLength(BUILTIN_LABS.length);
    expect(Object.keys(rows[0]).sort()).toEqual(['name', 'summary', 'title']);
    expect(rows.find((r) => r.name === 'bitmap-re-add')?.title).toBe('Bitmap re-add');
  });

  it('lists the labs in Chinese on request and refuses an unknown language', async () => {
    const zh = await runCli(['labs', '--lang', 'zh']);
    expect(zh.stdout).toContain('降级读取');
    const bad = await runCli(['labs', '--lang', 'fr']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--lang must be en or zh/);
  });
});
