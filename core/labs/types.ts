/**
 * A guided lab is data: an array to create, then steps, each with an instruction (English and Simplified
 * Chinese), the scenario steps that carry it out (what a student does by hand in the UI, or what the
 * grader runs headless) and the scenario checks that decide whether it worked. Everything a lab does is a
 * `mdlab run` scenario step, so the lab runs on the same runner as every scenario and every replay.
 */
import { z } from 'zod';
import { StepSchema } from '../session/journal';

export const LabTextSchema = z.object({ en: z.string().min(1), zh: z.string().min(1) }).strict();
export type LabText = z.infer<typeof LabTextSchema>;

export const LabStepSchema = z
  .object({
    /** Stable id for progress ticks in the UI ("fail-member"). */
    id: z.string().regex(/^[a-z0-9-]+$/),
    instruction: LabTextSchema,
    /** What performs the step. */
    actions: z.array(StepSchema),
    /** Automatic checks (expect / verify / wait steps); the step is ticked when all hold. */
    checks: z.array(StepSchema).min(1),
  })
  .strict();
export type LabStep = z.infer<typeof LabStepSchema>;

/** The scenario `array:` block, in its YAML spelling. */
export const LabArraySchema = z
  .object({
    level: z.union([z.literal(4), z.literal(5)]),
    'raid-devices': z.number().int().min(2),
    'spare-devices': z.number().int().min(0).optional(),
    layout: z.string().optional(),
    chunk: z.string(),
    size: z.string(),
    bitmap: z.enum(['internal', 'none']),
    'assume-clean': z.boolean().optional(),
  })
  .strict();
export type LabArray = z.infer<typeof LabArraySchema>;

export const LabSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/),
    title: LabTextSchema,
    summary: LabTextSchema,
    seed: z.number().int().min(0).max(0xffffffff),
    array: LabArraySchema,
    steps: z.array(LabStepSchema).min(1),
  })
  .strict();
export type Lab = z.infer<typeof LabSchema>;
