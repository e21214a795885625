/** Every scenario shipped in test/scenarios runs to the end with every expectation holding. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from '../../../core/scenario/schema';
import { runScenario, runScenarioFile, ScenarioSteps, StepFailure } from '../../../core/scenario/runner';
import { repoRoot } from '../../helpers/golden';
import { createArrayIn, tempDir } from './helpers';

const scenarioDir = path.join(repoRoot, 'test', 'scenarios');
const files = fs.readdirSync(scenarioDir).filter((f) => f.endsWith('.yaml')).sort();

describe('scenarios', () => {
  it('ships at least three scenarios', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
  });

  for (const file of files) {
    it(`${file} holds every expectation`, () => {
      const dir = tempDir('scenario');
      const lines: string[] = [];
      try {
        const result = runScenarioFile(path.join(scenarioDir, file), { arrayDir: dir, out: (l) => lines.push(l) });
        expect(result.failure, lines.join('\n')).toBeNull();
        expect(result.ok).toBe(true);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('stops at the first expectation that does not hold and says which', () => {
    const dir = tempDir('scenario-fail');
    try {
      const scenario = parseScenario(
        ['name: wrong', 'array: { dir: x, level: 5, raid-devices: 3, chunk: 64K, size: 8M, assume-clean: true }', 'steps:', '  - create: null', '  - expect: { degraded: 1 }', '  - fail: 0'].join('\n'),
      );
      const result = runScenario(scenario, { baseDir: dir, arrayDir: dir });
      expect(result.ok).toBe(false);
      expect(result.failedStep).toBe(1);
      expect(result.failure).toBe('expect degraded: degraded is 0, expected 1');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a step list with an unknown verb, naming where', () => {
    expect(() => parseScenario('name: x\narray: { dir: x, level: 5, raid-devices: 3, size: 8M }\nsteps:\n  - explode: 1\n')).toThrow(ScenarioError);
  });

  it('performs single steps on an array attached from outside, as a live session does', () => {
    const dir = tempDir('scenario-attach');
    try {
      const array = createArrayIn(dir, { assumeClean: true });
      const scenario = parseScenario('name: live\narray: { dir: ., level: 5, raid-devices: 4, size: 8M }\nsteps:\n  - stop: null\n');
      const steps = new ScenarioSteps(scenario, { baseDir: dir, arrayDir: dir });
      steps.attach(array);
      steps.perform({ write: { pattern: 'lba', offset: 0, length: '1M' } });
      steps.perform({ fail: 1 });
      steps.perform({ expect: { degraded: 1 } });
      steps.perform({ verify: { pattern: 'lba', offset: 0, length: '1M' } });
      expect(() => steps.perform({ expect: { degraded: 0 } })).toThrow(StepFailure);
      steps.perform({ stop: null });
      expect(array.snapshot().arrayState).toBe('inactive');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
