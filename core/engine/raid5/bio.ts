/**
 * An array bio split over stripes. The kernel counts a bio's outstanding stripes in
 * bi_phys_segments; here a BioTracker counts its BioParts (one per member block it touches) and ends
 * the bio when the last part finishes. The tracker holds one extra count while the bio is still being
 * split, so a part finishing early cannot end a bio that has more parts to come.
 */
import { assert } from '../../util/assert';
import { MdIoError, type Bio } from '../types';

export class BioTracker {
  /** Parts not yet finished, plus one while splitting is incomplete. */
  remaining = 1;
  error: MdIoError | null = null;
  /** md_write_start was called for it, so md_write_end must be. */
  writeStarted = false;
  /** Next array sector to attach to a stripe. */
  cursorSector: number;
  readonly endSector: number;

  constructor(readonly bio: Bio) {
    assert(bio.data.byteLength % 512 === 0, 'bio length is whole sectors');
    this.cursorSector = bio.sector;
    this.endSector = bio.sector + bio.data.byteLength / 512;
  }

  get split(): boolean {
    return this.cursorSector === this.endSector;
  }

  /** Returns true when this was the last outstanding part: the bio can be ended. */
  partDone(error: MdIoError | null): boolean {
    assert(this.remaining > 0, 'a bio part finishes once');
    if (error !== null && this.error === null) this.error = error;
    this.remaining--;
    return this.remaining === 0;
  }
}

/**
 * The piece of a bio that falls in one member block of one stripe. A block's readers or writers are a
 * chain through `next`, as the kernel chains a dev's bios through bi_next: moving them from towrite to
 * written, or dropping them, is one assignment and allocates nothing.
 */
export interface BioPart {
  readonly tracker: BioTracker;
  readonly bioOffsetBytes: number;
  readonly pageOffsetBytes: number;
  readonly lengthBytes: number;
  next: BioPart | null;
}

/** `head` with `part` added at the end (arrival order); returns the chain's head. */
export function chainPart(head: BioPart | null, part: BioPart): BioPart {
  if (head === null) return part;
  let last = head;
  while (last.next !== null) last = last.next;
  last.next = part;
  return head;
}

/**
 * A plain view of `length` bytes at `offset`: subarray() on a Buffer (pages and most callers' data are
 * Buffers) goes through the species constructor, which cost more than the 4 KiB copy it served.
 */
function view(bytes: Uint8Array, offset: number, length: number): Uint8Array {
  return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, length);
}

/** ops_run_biofill: copy the part of the block a reader asked for. */
export function copyToBio(part: BioPart, page: Uint8Array): void {
  part.tracker.bio.data.set(view(page, part.pageOffsetBytes, part.lengthBytes), part.bioOffsetBytes);
}

/** ops_run_biodrain: copy a writer's data into the block before parity is computed. */
export function copyFromBio(part: BioPart, page: Uint8Array): void {
  page.set(view(part.tracker.bio.data, part.bioOffsetBytes, part.lengthBytes), part.pageOffsetBytes);
}
