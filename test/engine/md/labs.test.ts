/** Every built-in guided lab, as a scenario, holds all its checks on the scenario runner. */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUILTIN_LABS } from '../../../core/labs';
import { labScenario } from '../../../core/labs/scenario';
import { runScenario } from '../../../core/scenario/runner';
import { ScenarioSchema } from '../../../core/scenario/schema';
import { tempDir } from './helpers';

describe('guided labs on the scenario runner', () => {
  for (const lab of BUILTIN_LABS) {
    it(`${lab.name} holds every check`, () => {
      const dir = tempDir(`lab-${lab.name}`);
      const lines: string[] = [];
      try {
        const scenario = ScenarioSchema.parse(labScenario(lab, dir).document);
        const result = runScenario(scenario, { baseDir: dir, arrayDir: dir, out: (l) => lines.push(l) });
        expect(result.failure, lines.join('\n')).toBeNull();
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
