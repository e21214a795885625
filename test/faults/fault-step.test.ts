import { describe, expect, it } from 'vitest';
import { InjectParamsSchema, type LabFaultInput } from '../../core/api';
import { parseFaultSpec, parseTrigger } from '../../core/faults';
import { clearStepOf, injectStepOf } from '../../core/host/lab/fault-step';
import { StepSchema } from '../../core/session/journal';

describe('lab fault requests as scenario steps', () => {
  it('an immediate fault becomes an inject step without a trigger', () => {
    const step = injectStepOf(2, { kind: 'read-error', range: { startSector: 4096, lengthSectors: 8 } });
    expect(StepSchema.parse(step)).toEqual({ inject: { member: 2, fault: { kind: 'read-error', range: { startSector: 4096, lengthSectors: 8 }, clearOnWrite: true } } });
  });

  it('a scheduled fault carries its trigger in the words the lab shows, which the runner reads back', () => {
    const atRecovery = injectStepOf(1, { kind: 'fail' }, { kind: 'progress', percent: 30, action: 'recover' });
    expect(atRecovery).toEqual({ inject: { member: 1, fault: { kind: 'fail' }, when: 'at 30% of recovery' } });
    expect(parseTrigger(String((atRecovery.inject as { when: string }).when))).toEqual({ kind: 'progress', fraction: 0.3, action: 'recover' });
    expect(injectStepOf(3, { kind: 'fail' }, { kind: 'nth-write', n: 100 }).inject).toMatchObject({ when: 'on the 100th write to member 3' });
    expect(injectStepOf(0, { kind: 'unplug' }, { kind: 'after', ms: 5000 }).inject).toMatchObject({ when: 'after 5 s' });
  });

  it('every lab fault kind becomes a fault spec the fault layer accepts', () => {
    const faults: LabFaultInput[] = [
      { kind: 'flakey', upMs: 1000, downMs: 500, errorReads: false, errorWrites: false, dropWrites: true, corruptBioByte: { nthByte: 3, direction: 'read', value: 0xff } },
      { kind: 'delay', readMs: 20, writeMs: 50 },
      { kind: 'slow', bandwidthKibPerSec: 512 },
      { kind: 'bitrot', placement: { by: 'chosen', sectors: [2048, 4100] } },
      { kind: 'bitrot', placement: { by: 'seeded', count: 16, seed: 7 } },
    ];
    for (const fault of faults) {
      const step = StepSchema.parse(injectStepOf(0, fault));
      const spec = parseFaultSpec((step.inject as { fault: unknown }).fault);
      expect(spec.kind).toBe(fault.kind);
    }
    const chosen = injectStepOf(0, faults[3]).inject as { fault: { placement: { flips: unknown[] } } };
    expect(chosen.fault.placement.flips).toEqual([{ offsetBytes: 2048 * 512, bit: 0 }, { offsetBytes: 4100 * 512, bit: 0 }]);
  });

  it('refuses what dm-flakey refuses and what is out of bounds', () => {
    expect(() => injectStepOf(0, { kind: 'flakey', upMs: 1, downMs: 1, errorReads: false, errorWrites: true, dropWrites: true })).toThrow(/drop_writes conflicts/);
    expect(InjectParamsSchema.safeParse({ member: 0, fault: { kind: 'slow', bandwidthKibPerSec: 0 } }).success).toBe(false);
    expect(InjectParamsSchema.safeParse({ member: 0, fault: { kind: 'fail' }, when: { kind: 'progress', percent: 101, action: 'recover' } }).success).toBe(false);
    expect(InjectParamsSchema.safeParse({ member: 0, fault: { kind: 'bitrot', placement: { by: 'seeded', count: 1e6, seed: 1 } } }).success).toBe(false);
  });

  it('clearing a fault and cancelling a scheduled one are clear steps', () => {
    expect(StepSchema.parse(clearStepOf(2, 3))).toEqual({ clear: { member: 2, fault: 3 } });
    expect(StepSchema.parse(clearStepOf(2, 1, true))).toEqual({ clear: { member: 2, pending: 1 } });
  });
});
