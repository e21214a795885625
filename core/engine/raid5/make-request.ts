/**
 * raid5_make_request / add_stripe_bio: split an array bio at 4 KiB member-block boundaries and hang
 * each piece on its stripe's dev[i].toread or towrite. When the cache is full or a block already has
 * I/O of its own (the kernel's R5_Overlap wait), the rest of the bio waits in a FIFO that raid5d feeds
 * from on every pass, so later bios never overtake earlier ones.
 */
import { mapArraySector, type SectorLocation } from '../../format/layout';
import { MdIoError, type Bio } from '../types';
import { BioTracker, chainPart, type BioPart } from './bio';
import type { R5Conf } from './conf';
import { R5 as R5_BITS, STRIPE as STRIPE_BITS } from './flags';
import { STRIPE_BYTES, STRIPE_SECTORS, type StripeHead } from './stripe-head';

const R5 = R5_BITS;
const STRIPE = STRIPE_BITS;

export function makeRequest(conf: R5Conf, bio: Bio): void {
  const tracker = new BioTracker(bio);
  if (!Number.isSafeInteger(bio.sector) || bio.sector < 0 || tracker.endSector > conf.arraySectors) {
    tracker.error = new MdIoError(`md: access beyond end of array (sector ${bio.sector}, ${bio.data.byteLength} bytes)`, bio.sector);
    conf.returnBios.push(tracker);
    return;
  }
  if (bio.op === 'write') {
    conf.mddev.mdWriteStart();
    tracker.writeStarted = true;
  }
  if (conf.deferred.length === 0) feedBio(conf, tracker);
  if (tracker.split) finishSplit(conf, tracker);
  else conf.deferred.push(tracker);
}

/** Attach as much of the deferred bios as the cache takes, oldest first. Returns whether any progressed. */
export function feedDeferred(conf: R5Conf): boolean {
  let progressed = false;
  while (conf.deferred.length > 0) {
    const tracker = conf.deferred[0];
    const before = tracker.cursorSector;
    feedBio(conf, tracker);
    if (tracker.cursorSector !== before) progressed = true;
    if (!tracker.split) break;
    conf.deferred.shift();
    finishSplit(conf, tracker);
  }
  return progressed;
}

function finishSplit(conf: R5Conf, tracker: BioTracker): void {
  if (tracker.partDone(null)) conf.returnBios.push(tracker);
}

/** feedBio's mapping, reused: it is worked out for every member block a bio touches. */
const loc: SectorLocation = { disk: 0, devSector: 0, stripe: 0, dd: 0, pdIdx: 0 };

function feedBio(conf: R5Conf, tracker: BioTracker): void {
  while (tracker.cursorSector < tracker.endSector) {
    mapArraySector(conf.geometry, tracker.cursorSector, loc);
    const inPageSectors = loc.devSector % STRIPE_SECTORS;
    const sectors = Math.min(tracker.endSector - tracker.cursorSector, STRIPE_SECTORS - inPageSectors);
    const sh = conf.getActiveStripe(loc.devSector - inPageSectors);
    if (sh === null) return;
    const added = addStripeBio(conf, sh, loc.disk, tracker, inPageSectors, sectors);
    conf.releaseStripe(sh);
    if (!added) return;
    tracker.cursorSector += sectors;
  }
}

/** The block is busy with other I/O, or a write would race a sync on the stripe: wait for it. */
function overlaps(sh: StripeHead, i: number, write: boolean): boolean {
  const dev = sh.dev[i];
  if (dev.toread !== null || dev.towrite !== null || dev.written !== null || dev.flags & R5.LOCKED) return true;
  return write && sh.test(STRIPE.SYNCING | STRIPE.SYNC_REQUESTED);
}

function addStripeBio(conf: R5Conf, sh: StripeHead, i: number, tracker: BioTracker, inPageSectors: number, sectors: number): boolean {
  const write = tracker.bio.op === 'write';
  if (overlaps(sh, i, write)) return false;
  const dev = sh.dev[i];
  const part: BioPart = {
    tracker,
    bioOffsetBytes: (tracker.cursorSector - tracker.bio.sector) * 512,
    pageOffsetBytes: inPageSectors * 512,
    lengthBytes: sectors * 512,
    next: null,
  };
  tracker.remaining++;
  if (write) {
    const bitmap = conf.mddev.bitmap;
    if (bitmap !== null) {
      // The bit must be on the members before any data or parity of this block is.
      bitmap.startWrite(sh.sector, STRIPE_SECTORS);
      sh.set(STRIPE.BIT_DELAY);
    }
    dev.towrite = chainPart(dev.towrite, part);
    dev.towriteBytes += part.lengthBytes;
    if (dev.towriteBytes === STRIPE_BYTES) dev.flags |= R5.OVERWRITE;
  } else {
    dev.toread = chainPart(dev.toread, part);
  }
  sh.clear(STRIPE.DELAYED);
  sh.set(STRIPE.HANDLE);
  return true;
}
