/**
 * Runs a guided lab headless on the scenario runner (core/scenario), for grading and for `npm test`: the
 * lab's steps become one scenario, the runner's verdict is mapped back onto the lab's steps. Faults are
 * the fault layer's FaultyDevice under every member; what the runner does not know (inject, clear) is
 * performed here through its extraSteps hook. A step the engine cannot do yet fails the lab, never passes.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { VirtualClock } from '../engine/clock';
import { FaultyDevice } from '../faults/faulty-device';
import { FileBlockDevice } from '../format/blockdev';
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

/** A fault step names a member by its index in creation order, as every scenario step does. */
function faultSteps(devices: Map<string, FaultyDevice>, arrayDir: string) {
  const deviceOf = (member: unknown): FaultyDevice => {
    const image = typeof member === 'number' ? `disk${member}.img` : String(member);
    const dev = devices.get(path.join(arrayDir, image));
    if (!dev) throw new Error(`member ${JSON.stringify(member)} is not open in the array`);
    return dev;
  };
  return (verb: string, value: unknown): boolean => {
    const v = (value ?? {}) as { member?: unknown; fault?: unknown; id?: unknown };
    if (verb === 'inject') {
      deviceOf(v.member).inject(v.fault as Parameters<FaultyDevice['inject']>[0]);
      return true;
    }
    if (verb === 'clear') {
      const dev = deviceOf(v.member);
      if (typeof v.id === 'number') dev.clear(v.id);
      else dev.clearAll();
      return true;
    }
    // power-cut and crash need the engine to report member writes to the power-cut domain; until it
    // does, the runner's "needs the fault layer" failure is the honest answer.
    return false;
  };
}

export function runLab(lab: Lab, opts: { workDir?: string } = {}): LabResult {
  const workDir = opts.workDir ?? fs.mkdtempSync(path.join(os.tmpdir(), `mdlab-lab-${lab.name}-`));
  const arrayDir = path.join(workDir, 'array');
  const { document, stepBoundaries } = labScenario(lab, 'array');
  const scenario = ScenarioSchema.parse(document);
  const clock = new VirtualClock();
  const devices = new Map<string, FaultyDevice>();
  const lines: string[] = [];
  const result = runScenario(scenario, {
    baseDir: workDir,
    arrayDir,
    clock,
    out: (line) => lines.push(line),
    engine: {
      openDevice: (imagePath) => {
        const dev = new FaultyDevice(FileBlockDevice.open(imagePath, { readOnly: false }), { clock: () => clock.nowMs() });
        devices.set(path.resolve(imagePath), dev);
        return dev;
      },
    },
    extraSteps: faultSteps(devices, arrayDir),
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
