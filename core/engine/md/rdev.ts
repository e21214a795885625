/**
 * Rdev (`struct md_rdev`): one member device bound to a running array. What the RAID5 personality
 * may see is RdevView; the rest (its last superblock, saved role, bind order) is md core business.
 */
import type { BlockDevice } from '../../format/blockdev';
import { FEATURE, type Superblock1 } from '../../format/superblock';
import { toSafeNumber } from '../../util/assert';
import type { RdevFlag, RdevView } from '../types';
import { BadBlocks } from './badblocks';

/** md's MaxSector for numbers: "recovered to the end" / "fully in sync". */
export const MAX_SECTOR_NUM = Number.POSITIVE_INFINITY;

export class Rdev implements RdevView {
  raidDisk: number;
  readonly flags = new Set<RdevFlag>();
  recoveryOffsetSectors: number;
  correctedErrors: number;
  readErrors = 0;
  readBytes = 0;
  writtenBytes = 0;
  /** The role it had before it left (a re-add returns to it), -1 when none. */
  savedRaidDisk = -1;
  /** Events of the superblock last read from or written to this member. */
  sbEvents: bigint;
  /** The superblock as last read or written: everything md does not recompute is carried over from it. */
  sb: Superblock1;
  /** Increases each time a member is bound, so mdstat can list the most recently bound first. */
  bindSeq = 0;
  /** A number, not the superblock's bigint: raid5 reads it for every member I/O. */
  readonly dataOffsetSectors: number;
  /** md_rdev.badblocks: loaded from the on-disk log, written back with every superblock. */
  readonly badblocks: BadBlocks;

  constructor(
    readonly dev: BlockDevice,
    sb: Superblock1,
    /** Position in the member list the user gave (creation order): stable across failures. */
    readonly index: number,
    /** Where the image lives, for re-opening and for messages. */
    readonly imagePath: string,
  ) {
    this.sb = sb;
    this.sbEvents = sb.events;
    this.raidDisk = -1;
    this.recoveryOffsetSectors = 0;
    this.correctedErrors = sb.cntCorrectedRead;
    this.dataOffsetSectors = toSafeNumber(sb.dataOffset, 'data_offset');
    this.badblocks = BadBlocks.fromLog(readBadBlockLog(dev, sb), sb.bblogShift);
  }

  get devNumber(): number {
    return this.sb.devNumber;
  }


  get name(): string {
    return this.dev.name;
  }

  get faulty(): boolean {
    return this.flags.has('Faulty');
  }

  get inSync(): boolean {
    return this.flags.has('In_sync');
  }

  /** Has a slot but is still being rebuilt (a recovering member). */
  get recovering(): boolean {
    return this.raidDisk >= 0 && !this.inSync && !this.faulty;
  }
}

/** super_1_load: the log page when the member has one (null: it cannot record bad blocks); read only when flagged. */
function readBadBlockLog(dev: BlockDevice, sb: Superblock1): Uint8Array | null {
  if (sb.bblogOffset === 0 || sb.bblogSize === 0) return null;
  const bytes = new Uint8Array(sb.bblogSize * 512).fill(0xff);
  if ((sb.featureMap & FEATURE.BAD_BLOCKS) === 0) return bytes;
  dev.read(bytes, (toSafeNumber(sb.superOffset, 'super_offset') + sb.bblogOffset) * 512);
  return bytes;
}
