/**
 * The lab's fault requests in the fault layer's terms (core/faults), and as the `mdlab run` scenario
 * steps that do the same thing: a session journals an injected or scheduled fault as `injectStepOf(...)`,
 * so replaying the journal (or exporting it as a scenario) performs exactly what the lab did.
 *
 * Pure functions of the request: no engine, no clock, nothing random (seeded bit rot carries its seed).
 */
import type { LabFault, LabFaultInput, LabTrigger } from '../../api';
import { LabFaultSchema, LabTriggerSchema } from '../../api';
import { type FaultSpecInput, type PowerCutReport, type TriggerInput, describeTrigger, TriggerSchema } from '../../faults';
import { MdRefusal } from '../../md/errors';
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

/**
 * The scenario step that cuts the power now, or schedules the cut (`when`; nth-write counts the writes to
 * `member`): `{'power-cut': {survival?, when?}}`. A cut now is followed by the reboot (`assemble`).
 */
export function powerCutStepOf(survival: number | undefined, whenInput?: LabTrigger, member = 0): Step {
  const cut: Record<string, unknown> = {};
  if (survival !== undefined) cut.survival = survival;
  if (whenInput !== undefined) cut.when = describeTrigger(TriggerSchema.parse(triggerOf(member, LabTriggerSchema.parse(whenInput))));
  return { 'power-cut': cut as Step['power-cut'] };
}

/** The domain's report as one log line: what the cut took, member by member (diskN.img). */
export function describePowerCut(report: PowerCutReport): string {
  const lost = report.writes.filter((w) => w.outcome === 'dropped');
  const byMember = new Map<number, number>();
  for (const w of lost) byMember.set(w.member, (byMember.get(w.member) ?? 0) + 1);
  const where = [...byMember].sort(([a], [b]) => a - b).map(([member, n]) => `disk${member}.img ${n}`);
  return (
    `power cut at ${Math.round(report.timeMs)} ms: ${lost.length} member write(s) in flight lost` +
    `${where.length > 0 ? ` (${where.join(', ')})` : ''}, ${report.writes.length - lost.length} reached the disk`
  );
}

/** A request refused because a scheduled power cut fired during it: what it had started is on the images. */
export class PowerCutRefusal extends MdRefusal {
  constructor(report: string) {
    super(`The power was cut: ${report}`);
  }
}
