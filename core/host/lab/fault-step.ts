/**
 * The lab's fault requests in the fault layer's terms (core/faults), and as the `mdlab run` scenario
 * steps that do the same thing: a session journals an injected or scheduled fault as `injectStepOf(...)`,
 * so replaying the journal (or exporting it as a scenario) performs exactly what the lab did.
 *
 * Pure functions of the request: no engine, no clock, nothing random (seeded bit rot carries its seed).
 */
import type { LabFault, LabFaultInput, LabTrigger } from '../../api';
import { LabFaultSchema, LabTriggerSchema } from '../../api';
import { type FaultSpecInput, type TriggerInput, describeTrigger, TriggerSchema } from '../../faults';
import type { Step } from '../../session/journal';

const SECTOR_BYTES = 512;

/** One lab fault as the FaultSpec FaultyDevice.inject runs (chosen bit rot flips bit 0 of each sector's first byte). */
export function faultSpecOf(fault: LabFault): FaultSpecInput {
  switch (fault.kind) {
    case 'fail':
    case 'unplug':
      return { kind: fault.kind };
    case 'read-error':
      return { kind: 'read-error', range: fault.range, clearOnWrite: true };
    case 'write-error':
      return { kind: 'write-error', range: fault.range };
    case 'flakey': {
      const features = { errorReads: fault.errorReads, errorWrites: fault.errorWrites, dropWrites: fault.dropWrites, corruptBioByte: fault.corruptBioByte };
      return { kind: 'flakey', upMs: fault.upMs, downMs: fault.downMs, features };
    }
    case 'delay':
      return { kind: 'delay', readMs: fault.readMs, writeMs: fault.writeMs };
    case 'slow':
      return { kind: 'slow', bandwidthKibPerSec: fault.bandwidthKibPerSec };
    case 'bitrot': {
      const p = fault.placement;
      if (p.by === 'seeded') return { kind: 'bitrot', placement: { by: 'seeded', seed: p.seed, count: p.count, range: p.range } };
      return { kind: 'bitrot', placement: { by: 'chosen', flips: p.sectors.map((sector) => ({ offsetBytes: sector * SECTOR_BYTES, bit: 0 })) } };
    }
  }
}

/** A lab trigger on `member` as the timeline's Trigger. */
export function triggerOf(member: number, when: LabTrigger): TriggerInput {
  switch (when.kind) {
    case 'after':
      return { kind: 'after', ms: when.ms };
    case 'progress':
      return { kind: 'progress', fraction: when.percent / 100, action: when.action };
    case 'nth-write':
      return { kind: 'nth-write', member, n: when.n };
  }
}

/**
 * The scenario step that injects `fault` on member `member` (image diskN.img), now or when `when` fires:
 * `{inject: {member, fault, when?: "at 30% of recovery"}}` — the trigger in the words the lab shows.
 */
export function injectStepOf(member: number, faultInput: LabFaultInput, whenInput?: LabTrigger): Step {
  const fault = LabFaultSchema.parse(faultInput);
  const inject: Record<string, unknown> = { member, fault: faultSpecOf(fault) };
  if (whenInput !== undefined) inject.when = describeTrigger(TriggerSchema.parse(triggerOf(member, LabTriggerSchema.parse(whenInput))));
  return { inject: inject as Step['inject'] };
}

/**
 * The scenario step that clears fault `id` of member `member`, or with `pending` cancels the scheduled
 * fault `id` (ids are handed out in order, so a replay that performs the same steps gets the same ones).
 */
export function clearStepOf(member: number, id: number, pending = false): Step {
  return { clear: pending ? { member, pending: id } : { member, fault: id } };
}
