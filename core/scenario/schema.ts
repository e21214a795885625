/**
 * The `mdlab run` scenario document (issue #4 §7): YAML with `name`, `seed`, an `array:` block and a
 * list of steps, each a map with exactly one verb. The step shape is shared with session journals and
 * guided labs (core/session/journal.ts), so all three run on this one runner.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { StepSchema, type Step } from '../session/journal';

export const ScenarioArraySchema = z
  .object({
    /** Where the member images live, relative to the scenario file. */
    dir: z.string().min(1),
    level: z.union([z.literal(4), z.literal(5)]),
    'raid-devices': z.number().int().min(2),
    'spare-devices': z.number().int().min(0).optional(),
    layout: z.string().optional(),
    chunk: z.union([z.string(), z.number().int().positive()]).optional(),
    size: z.union([z.string(), z.number().int().positive()]),
    bitmap: z.enum(['internal', 'none']).optional(),
    'assume-clean': z.boolean().optional(),
  })
  .strict();
export type ScenarioArray = z.infer<typeof ScenarioArraySchema>;

export const ScenarioSchema = z
  .object({
    name: z.string().min(1).max(64),
    seed: z.number().int().min(0).max(0xffffffff).default(1),
    array: ScenarioArraySchema,
    steps: z.array(StepSchema).min(1),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;
export type { Step };

export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

/** Parses and validates; the message names the first offending path, as a user would fix it. */
export function parseScenario(text: string, source = 'scenario'): Scenario {
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    throw new ScenarioError(`${source}: not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = ScenarioSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ScenarioError(`${source}: ${issue.path.join('.') || '(top)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** A duration as scenarios write it: 500ms, 10s, 2m, or a number of ms. */
export function durationMs(value: unknown): number {
  if (typeof value === 'number') return value;
  const m = typeof value === 'string' ? /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim()) : null;
  if (!m) throw new ScenarioError(`a duration is written like 500ms, 10s or 2m, got ${JSON.stringify(value)}`);
  const n = Number(m[1]);
  return m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
}

/** The one verb of a step and its value. */
export function stepVerb(step: Step): { verb: string; value: unknown } {
  const [verb] = Object.keys(step);
  return { verb, value: (step as Record<string, unknown>)[verb] };
}
