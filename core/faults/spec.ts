/**
 * FaultSpec: a fault on one member, as data. Sessions and scenarios record these, the UI builds them,
 * FaultyDevice.inject() runs them. Each kind is modelled on the device-mapper target Linux users reach
 * for (dm-error, dm-dust, dm-flakey, dm-delay), so the lab's lessons carry over to a real machine.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();
const durationMs = z.number().nonnegative().finite();

export const SectorRangeSchema = z.object({
  startSector: count,
  lengthSectors: z.number().int().positive(),
});
export type SectorRange = z.infer<typeof SectorRangeSchema>;

/**
 * dm-flakey's corrupt_bio_byte: during down time, byte `nthByte` (1-based) of each matching bio becomes
 * `value`. dm's trailing <flags> is always 0 here (every bio matches): md's member I/O carries no flags
 * worth filtering on in the lab.
 */
export const CorruptBioByteSchema = z.object({
  nthByte: z.number().int().positive(),
  direction: z.enum(['read', 'write']),
  value: z.number().int().min(0).max(255),
});

export const FlakeyFeaturesSchema = z
  .object({
    errorReads: z.boolean().default(false),
    errorWrites: z.boolean().default(false),
    dropWrites: z.boolean().default(false),
    corruptBioByte: CorruptBioByteSchema.nullable().default(null),
  })
  // The same conflicts dm-flakey's constructor refuses.
  .refine((f) => !(f.dropWrites && f.errorWrites), { message: 'drop_writes conflicts with error_writes' })
  .refine((f) => !(f.dropWrites && f.corruptBioByte?.direction === 'write'), {
    message: 'corrupt_bio_byte on writes is incompatible with drop_writes',
  });
export type FlakeyFeatures = z.infer<typeof FlakeyFeaturesSchema>;

const BitFlipSchema = z.object({ offsetBytes: count, bit: z.number().int().min(0).max(7) });
export type BitFlip = z.infer<typeof BitFlipSchema>;

export const FaultSpecSchema = z.discriminatedUnion('kind', [
  /** dm-error over the whole device: every I/O fails with EIO. */
  z.object({ kind: z.literal('fail') }),
  /** The member disappears: its file is closed and every I/O fails. */
  z.object({ kind: z.literal('unplug') }),
  /** dm-dust: reads of listed sectors fail; by default a write to a listed sector removes it (the drive remapped it). */
  z.object({ kind: z.literal('read-error'), range: SectorRangeSchema, clearOnWrite: z.boolean().default(true) }),
  /** dm-error over a range: writes touching it fail; reads work. */
  z.object({ kind: z.literal('write-error'), range: SectorRangeSchema }),
  /** dm-flakey: up for upMs, then unreliable for downMs, repeating from the moment it is applied. */
  z
    .object({
      kind: z.literal('flakey'),
      upMs: durationMs,
      downMs: durationMs,
      features: FlakeyFeaturesSchema.default({ errorReads: false, errorWrites: false, dropWrites: false, corruptBioByte: null }),
      range: SectorRangeSchema.nullable().default(null),
    })
    .refine((f) => f.upMs + f.downMs > 0, { message: 'up and down intervals cannot both be zero' }),
  /** dm-delay: each I/O completes this much later (logical time), per direction. */
  z.object({
    kind: z.literal('delay'),
    readMs: durationMs,
    writeMs: durationMs,
    flushMs: durationMs.default(0),
    range: SectorRangeSchema.nullable().default(null),
  }),
  /** A slow disk: transfers are serialised at this bandwidth (logical time). */
  z.object({ kind: z.literal('slow'), bandwidthKibPerSec: z.number().positive().finite() }),
  /** Silent corruption: bits flipped in the stored data itself, below every other layer. */
  z.object({
    kind: z.literal('bitrot'),
    placement: z.discriminatedUnion('by', [
      z.object({ by: z.literal('chosen'), flips: z.array(BitFlipSchema).min(1) }),
      z.object({
        by: z.literal('seeded'),
        seed: z.number().int().min(0).max(0xffffffff),
        count: z.number().int().positive().max(1 << 20),
        range: SectorRangeSchema.nullable().default(null),
      }),
    ]),
  }),
]);

/** What callers write (defaults may be left out). */
export type FaultSpecInput = z.input<typeof FaultSpecSchema>;
/** What the fault layer runs (defaults filled in). */
export type FaultSpec = z.output<typeof FaultSpecSchema>;
export type FaultKind = FaultSpec['kind'];
export type FlakeySpec = Extract<FaultSpec, { kind: 'flakey' }>;
export type DelaySpec = Extract<FaultSpec, { kind: 'delay' }>;
export type BitrotSpec = Extract<FaultSpec, { kind: 'bitrot' }>;

export function parseFaultSpec(input: unknown): FaultSpec {
  return FaultSpecSchema.parse(input);
}

/** dm-flakey with no feature arguments fails every I/O while down. */
export function effectiveFlakeyFeatures(f: FlakeyFeatures): FlakeyFeatures {
  const none = !f.errorReads && !f.errorWrites && !f.dropWrites && f.corruptBioByte === null;
  return none ? { ...f, errorReads: true, errorWrites: true } : f;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
}

export function formatSectorRange(r: SectorRange): string {
  return r.lengthSectors === 1 ? `sector ${r.startSector}` : `sectors ${r.startSector}–${r.startSector + r.lengthSectors - 1}`;
}

function flakeyFeatureWords(f: FlakeyFeatures): string {
  const e = effectiveFlakeyFeatures(f);
  if (e !== f) return 'every I/O fails';
  const words: string[] = [];
  if (e.errorReads) words.push('error_reads');
  if (e.errorWrites) words.push('error_writes');
  if (e.dropWrites) words.push('drop_writes');
  const c = e.corruptBioByte;
  if (c) words.push(`corrupt_bio_byte ${c.nthByte} ${c.direction === 'read' ? 'r' : 'w'} ${c.value}`);
  return words.join(', ');
}

/** One line for the UI and traces, naming the dm target it imitates. */
export function describeSpec(spec: FaultSpec): string {
  switch (spec.kind) {
    case 'fail':
      return 'every I/O fails with EIO (dm-error)';
    case 'unplug':
      return 'unplugged: the image is closed and every I/O fails';
    case 'read-error':
      return `reads of ${formatSectorRange(spec.range)} fail (dm-dust${spec.clearOnWrite ? ', cleared by a write' : ''})`;
    case 'write-error':
      return `writes to ${formatSectorRange(spec.range)} fail (dm-error)`;
    case 'flakey': {
      const where = spec.range ? ` on ${formatSectorRange(spec.range)}` : '';
      return `flakey${where}: up ${formatSeconds(spec.upMs)}, down ${formatSeconds(spec.downMs)}; while down ${flakeyFeatureWords(spec.features)} (dm-flakey)`;
    }
    case 'delay': {
      const where = spec.range ? ` on ${formatSectorRange(spec.range)}` : '';
      return `latency${where}: reads +${spec.readMs} ms, writes +${spec.writeMs} ms, flushes +${spec.flushMs} ms (dm-delay)`;
    }
    case 'slow':
      return `slow disk: ${spec.bandwidthKibPerSec} KiB/s`;
    case 'bitrot':
      return spec.placement.by === 'chosen'
        ? `bit rot: ${spec.placement.flips.length} chosen bit(s) flipped in the stored data`
        : `bit rot: ${spec.placement.count} bit(s) flipped at random (seed ${spec.placement.seed})` +
            (spec.placement.range ? ` in ${formatSectorRange(spec.placement.range)}` : '');
  }
}

/** A fault request the layer cannot carry out (e.g. re-plugging a member with no way to reopen it). */
export class FaultError extends Error {
  override name = 'FaultError';
  /** Crosses the lab contract as a refusal, like md's own. */
  readonly code = 'REFUSED';
}
