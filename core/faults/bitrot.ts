/**
 * Silent corruption: bits flipped in the stored data, below md and below every other fault, the way a
 * decaying platter or a firmware bug would. Nothing reports it; only md's `check` can find it.
 */
import type { BlockDevice } from '../format/blockdev';
import { Prng } from './prng';
import { type BitFlip, type BitrotSpec, FaultError } from './spec';

const SECTOR_BYTES = 512;

/** The exact bits a bit-rot spec flips on a member of `sizeBytes`; seeded placements are distinct bits. */
export function bitrotPlacements(spec: BitrotSpec, sizeBytes: number): BitFlip[] {
  const placement = spec.placement;
  if (placement.by === 'chosen') {
    for (const f of placement.flips) {
      if (f.offsetBytes >= sizeBytes) throw new FaultError(`Bit rot at byte ${f.offsetBytes} lies past the end of the ${sizeBytes}-byte member.`);
    }
    return placement.flips.map((f) => ({ ...f }));
  }
  const startBytes = (placement.range?.startSector ?? 0) * SECTOR_BYTES;
  const lengthBytes = placement.range ? placement.range.lengthSectors * SECTOR_BYTES : sizeBytes;
  if (startBytes + lengthBytes > sizeBytes) throw new FaultError(`The bit-rot range reaches past the end of the ${sizeBytes}-byte member.`);
  if (placement.count > lengthBytes * 8) throw new FaultError(`${placement.count} distinct bits do not fit in ${lengthBytes} bytes.`);
  const prng = Prng.derive(placement.seed, 'bitrot');
  return prng.distinctInts(placement.count, lengthBytes * 8).map((bitIndex) => ({
    offsetBytes: startBytes + Math.floor(bitIndex / 8),
    bit: bitIndex % 8,
  }));
}

/** Flips each bit in place on the raw member (read-modify-write of one byte). Returns how many were flipped. */
export function applyBitFlips(dev: BlockDevice, flips: readonly BitFlip[]): number {
  const byte = new Uint8Array(1);
  for (const f of flips) {
    dev.read(byte, f.offsetBytes);
    byte[0] ^= 1 << f.bit;
    dev.write(byte, f.offsetBytes);
  }
  return flips.length;
}
