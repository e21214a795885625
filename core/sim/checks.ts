/**
 * Invariants the harness checks by looking at the member images directly, past md and the fault layer:
 * parity consistent across every stripe, and superblock events that never go backwards.
 */
import type { BlockDevice } from '../format/blockdev';
import { MAX_SECTOR, readSuperblock } from '../format/superblock';
import { isZero, xorInto } from '../util/xor';

const STRIPE_BYTES = 4096;

export interface SlotImage {
  slot: number;
  image: BlockDevice;
  dataOffsetSectors: number;
}

/**
 * XOR of all members' data areas, 4 KiB stripe by stripe: zero wherever parity matches the data,
 * whatever the layout (RAID4 or any RAID5 algorithm), because every row holds its parity once.
 * Returns the first per-member sector whose stripe does not add up, or null.
 */
export function firstInconsistentStripe(slots: readonly SlotImage[], devSectors: number): number | null {
  const windowBytes = 256 * 1024;
  const acc = new Uint8Array(windowBytes);
  const buffer = new Uint8Array(windowBytes);
  const totalBytes = devSectors * 512;
  for (let done = 0; done < totalBytes; done += windowBytes) {
    const length = Math.min(windowBytes, totalBytes - done);
    const sum = acc.subarray(0, length);
    sum.fill(0);
    for (const s of slots) {
      const part = buffer.subarray(0, length);
      s.image.read(part, s.dataOffsetSectors * 512 + done);
      xorInto(sum, part);
    }
    if (isZero(sum)) continue;
    for (let at = 0; at < length; at += STRIPE_BYTES) {
      if (!isZero(sum.subarray(at, at + STRIPE_BYTES))) return (done + at) / 512;
    }
  }
  return null;
}

interface SeenSuper {
  events: bigint;
  clean: boolean;
}

/**
 * Remembers each image's superblock events. They only grow, with one exception md-spec §4.6 states:
 * a pure dirty→clean transition may take back the increment of the dirty mark (events − 1).
 */
export class EventsWatch {
  private readonly seen = new Map<string, SeenSuper>();

  /** Returns a sentence describing the first violation, or null. */
  observe(images: readonly BlockDevice[]): string | null {
    for (const image of images) {
      let sb;
      try {
        sb = readSuperblock(image).sb;
      } catch {
        continue; // a brand-new image has none yet
      }
      const now = { events: sb.events, clean: sb.resyncOffset === MAX_SECTOR };
      const before = this.seen.get(image.name);
      this.seen.set(image.name, now);
      if (before === undefined || now.events >= before.events) continue;
      const undoOfDirtyMark = now.events === before.events - 1n && now.clean && !before.clean;
      if (!undoOfDirtyMark) {
        return `${image.name}: superblock events went back from ${before.events} to ${now.events}${now.clean ? '' : ' (not a clean-mark undo)'}`;
      }
    }
    return null;
  }
}
