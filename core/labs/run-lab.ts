/**
 * Runs a guided lab headless on the scenario runner (core/scenario), for grading and for `npm test`: the
 * lab's steps become one scenario, the runner's verdict is mapped back onto the lab's steps (faults
 * included: the runner puts a FaultyDevice under every member). A step the engine cannot do yet fails
 * the lab, never passes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualClock } from '../engine/clock';
import { runScenario } from '../scenario/runner';
import { ScenarioSchema } from '../scenario/schema';
import { labScenario, labStepOf } from './scenario';
import type { Lab, LabText } from './types';

export type LabStepVerdict = 'pass' | 'fail' | 'not-reached';

export interface LabResult {
  lab: string;
  ok: boolean;
  steps: { id: string; instruction: LabText; verdict: LabStepVerdict; detail: string }[];
  /** The runner's own lines (mdstat-style progress), for a log. */
  lines: string[];
}

export function runLab(lab: Lab, opts: { workDir?: string } = {}): LabResult {
  const workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `mdlab-lab-${lab.name}-`));
  const arrayDir = path.join(workDir, 'array');
  const { document, stepBoundaries } = labScenario(lab, 'array');
  const scenario = ScenarioSchema.parse(document);
  const clock = new VirtualClock();
  const lines: string[] = [];
  const result = runScenario(scenario, {
    baseDir: workDir,
    arrayDir,
    clock,
    out: (line) => lines.push(line),
  });
  const failedLabStep = result.ok ? -1 : labStepOf(stepBoundaries, result.failedStep);
  const steps = lab.steps.map((step, i) => {
    const verdict: LabStepVerdict = result.ok || i < failedLabStep ? 'pass' : i === failedLabStep ? 'fail' : 'not-reached';
    return { id: step.id, instruction: step.instruction, verdict, detail: verdict === 'fail' ? (result.failure ?? 'failed') : '' };
  });
  if (opts.workDir === undefined) fs.rmSync(workDir, { recursive: true, force: true });
  return { lab: lab.name, ok: result.ok, steps, lines };
}

/** The short report `mdlab run --lab` prints: one tick or cross per step. */
export function labReportText(r: LabResult, lang: 'en' | 'zh' = 'en'): string {
  const mark: Record<LabStepVerdict, string> = { pass: '✓', fail: '✗', 'not-reached': '·' };
  const lines = r.steps.map((s, i) => `${mark[s.verdict]} ${i + 1}. ${s.id}: ${s.instruction[lang]}${s.detail ? `\n     ${s.detail}` : ''}`);
  const passed = r.steps.filter((s) => s.verdict === 'pass').length;
  lines.push(`lab ${r.lab}: ${r.ok ? 'PASSED' : 'FAILED'} (${passed}/${r.steps.length} steps)`);
  return `${lines.join('\n')}\n`;
}
