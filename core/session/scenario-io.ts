/**
 * Sessions and `mdlab run` scenarios are the same experiment in two forms. Export writes the journal as
 * a scenario (create, then every recorded step); import makes a new session from a scenario by running it
 * on core/scenario's runner in the session folder and journaling each step as it ran. Both reuse the
 * scenario parser and runner; nothing here interprets a step.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify as toYaml } from 'yaml';
import { VirtualClock } from '../engine/clock';
import { planCreate } from '../md/create';
import { createOptionsOf, runScenario, type ScenarioResult } from '../scenario/runner';
import { parseScenario, type Scenario, ScenarioSchema } from '../scenario/schema';
import { SessionError } from './errors';
import { inspectSession } from './inspect';
import type { ArrayConfig } from './manifest';
import { replayableEntries, scenarioArrayOf, scenarioNameOf, scenarioStepOf } from './replay';
import { Session } from './session';

/** The session's journal as a scenario document (YAML), ready for `mdlab run`. */
export function exportScenario(folder: string): string {
  const found = inspectSession(folder);
  const m = found.manifest;
  const scenario: Scenario = ScenarioSchema.parse({
    name: scenarioNameOf(m),
    seed: m.seed,
    array: scenarioArrayOf(m, `arrays/${scenarioNameOf(m)}`),
    steps: [{ create: null }, ...replayableEntries(found.journal.entries).map((e) => scenarioStepOf(e)!)],
  });
  const header = `# Exported by mdlab from the session "${m.name.replace(/\n/g, ' ')}" (array ${m.arrayUuid}).\n`;
  return header + toYaml(scenario);
}

function arrayConfigOf(s: Scenario): ArrayConfig {
  const opts = createOptionsOf(s);
  return {
    level: opts.level,
    raidDevices: opts.raidDevices,
    spareDevices: opts.spareDevices ?? 0,
    layout: opts.level === 4 ? null : (opts.layout ?? 2),
    chunkKib: opts.chunkKib ?? 512,
    memberBytes: opts.memberBytes,
    // mdadm's automatic choice (internal above 100 GiB per member) is decided once, here, and recorded.
    bitmap: planCreate(opts).bitmap === null ? 'none' : 'internal',
    assumeClean: opts.assumeClean ?? false,
  };
}

export interface ImportResult {
  folder: string;
  /** The runner's verdict: a failed expectation still leaves a session of the steps that ran. */
  run: ScenarioResult;
}

/** Makes a new session in `folder` from scenario text; the scenario must start with its one `create`. */
/** Told before each step an import runs (1-based; the first is the assembly of the created array). */
export type ImportStepListener = (step: number, steps: number, text: string) => void;

export async function importScenario(text: string, folder: string, source = 'scenario', onStep?: ImportStepListener): Promise<ImportResult> {
  const s = parseScenario(text, source);
  const [first, ...rest] = s.steps;
  if (!('create' in first) || rest.some((step) => 'create' in step)) {
    throw new SessionError('MANIFEST_MALFORMED', `${source} must start with its one create step to become a session.`);
  }
  const opts = createOptionsOf(s);
  const existed = fs.existsSync(folder);
  const session = await Session.create(folder, {
    name: s.name,
    array: arrayConfigOf(s),
    seed: s.seed,
    // The runner's seeded identities, so the session's images are the ones `mdlab run` would make.
    create: { nowSeconds: opts.nowSeconds, setUuid: opts.setUuid, deviceUuid: opts.deviceUuid, homehost: opts.homehost, name: opts.name },
  });
  try {
    return await runInto(session, s, rest, onStep);
  } catch (err) {
    // Session.create made the folder's contents (it takes only a new or empty folder): take them away again.
    await session.close({ hash: false }).catch(() => undefined);
    for (const name of fs.readdirSync(session.folder)) fs.rmSync(path.join(session.folder, name), { recursive: true, force: true });
    if (!existed) fs.rmdirSync(session.folder);
    throw err;
  }
}

async function runInto(session: Session, s: Scenario, rest: Scenario['steps'], onStep?: ImportStepListener): Promise<ImportResult> {
  const clock = new VirtualClock();
  const startedAtMs: number[] = [];
  const steps = rest.length + 1;
  const run = runScenario(
    { ...s, steps: [{ assemble: null }, ...rest] },
    {
      baseDir: session.folder,
      arrayDir: session.folder,
      clock,
      // The runner announces each step just before performing it: that is the step's logical time.
      out: (line) => {
        const step = /^step (\d+): (.*)$/.exec(line);
        if (step === null) return;
        startedAtMs.push(clock.nowMs());
        onStep?.(Number(step[1]), steps, step[2].slice(0, 256));
      },
    },
  );
  const ran = run.ok ? rest.length : Math.max(0, run.failedStep - 1);
  rest.slice(0, ran).forEach((step, i) => session.record(step, startedAtMs[i + 1] ?? clock.nowMs()));
  await session.close();
  return { folder: session.folder, run };
}

export async function importScenarioFile(file: string, folder: string): Promise<ImportResult> {
  return importScenario(fs.readFileSync(file, 'utf8'), folder, file);
}
