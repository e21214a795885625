/**
 * A lab as a `mdlab run` scenario document: its array block and every step's actions followed by its
 * checks, in order. The scenario runner runs it; stepBoundaries says which scenario step ends which lab
 * step, so a runner's progress turns into ticks on the lab's instructions.
 */
import type { Step } from '../session/journal';
import type { Lab, LabArray } from './types';

export interface ScenarioDocument {
  name: string;
  seed: number;
  array: LabArray & { dir: string };
  steps: Step[];
}

export interface LabScenario {
  document: ScenarioDocument;
  /** For each lab step, the index one past its last scenario step. */
  stepBoundaries: number[];
}

export function labScenario(lab: Lab, dir = `${lab.name}-array`): LabScenario {
  const steps: Step[] = [];
  const stepBoundaries: number[] = [];
  for (const step of lab.steps) {
    steps.push(...step.actions, ...step.checks);
    stepBoundaries.push(steps.length);
  }
  return { document: { name: lab.name, seed: lab.seed, array: { dir, ...lab.array }, steps }, stepBoundaries };
}

/** Which lab step a scenario step belongs to. */
export function labStepOf(boundaries: readonly number[], scenarioStep: number): number {
  const i = boundaries.findIndex((end) => scenarioStep < end);
  return i === -1 ? boundaries.length - 1 : i;
}
