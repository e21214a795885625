/**
 * The RAID4/5 personality (`raid5_personality` / `raid4_personality`): what the md core calls.
 * Everything stripe-shaped lives in the files beside this one; here are the member operations
 * (raid5_error, raid5_add_disk, raid5_remove_disk, raid5_spare_active) and the wiring.
 *
 * | file            | raid5.c                                                                 |
 * |-----------------|-------------------------------------------------------------------------|
 * | conf.ts         | struct r5conf, raid5_get_active_stripe, do_release_stripe               |
 * | stripe-head.ts  | struct stripe_head, struct r5dev                                        |
 * | stripe-hash.ts  | conf->stripe_hashtbl, __find_stripe, insert_hash, remove_hash            |
 * | stripe-list.ts  | handle_list, hold_list, delayed_list, bitmap_list, inactive_list (sh->lru) |
 * | flags.ts        | enum stripe_state, enum r5dev_flags                                     |
 * | analyse.ts      | analyse_stripe, struct stripe_head_state                                |
 * | handle.ts       | handle_stripe, handle_stripe_fill, handle_stripe_dirtying,              |
 * |                 | schedule_reconstruction, handle_parity_checks5, handle_failed_stripe    |
 * | parity.ts       | ops_run_compute5, ops_run_prexor5/reconstruct5, ops_run_check_p         |
 * | io.ts           | ops_run_io, blk_plug/unplug merging, raid5_end_read/write_request       |
 * | ops.ts          | raid_run_ops for rcw: ops_run_biodrain (merged copies), ops_run_reconstruct5 |
 * | make-request.ts | raid5_make_request, add_stripe_bio                                      |
 * | sync-request.ts | raid5_sync_request (with the in-flight window), raid5_calc_degraded     |
 * | raid5d.ts       | raid5d, raid5_activate_delayed, __get_priority_stripe, activate_bit_delay |
 */
import { assert } from '../../util/assert';
import type { Bio, MddevView, Personality, PersonalityStatus, RdevView, SyncKind } from '../types';
import { MAX_STRIPES, MIN_STRIPES, R5Conf } from './conf';
import { devFlagNames, stripeStateNames } from './flags';
import { MemberQueues } from './io';
import { makeRequest } from './make-request';
import { PendingOps } from './ops';
import { raid5d, RecentStripes } from './raid5d';
import { calcDegraded, syncRequest } from './sync-request';

export { R5Conf } from './conf';
export { StripeHead, STRIPE_SECTORS } from './stripe-head';

class Raid5Personality implements Personality {
  readonly name: 'raid4' | 'raid5';
  readonly arraySectors: number;
  readonly conf: R5Conf;
  private readonly queues: MemberQueues;
  private readonly recent: RecentStripes;
  private readonly ops: PendingOps;

  constructor(readonly mddev: MddevView) {
    this.conf = new R5Conf(mddev);
    this.name = mddev.level === 4 ? 'raid4' : 'raid5';
    this.arraySectors = this.conf.arraySectors;
    this.queues = new MemberQueues(this.conf.disks);
    this.recent = new RecentStripes(this.conf.disks);
    this.ops = new PendingOps(this.conf.disks);
  }

  makeRequest(bio: Bio): void {
    makeRequest(this.conf, bio);
  }

  get lastSyncSkipped(): boolean {
    return this.conf.lastSyncSkipped;
  }

  syncRequest(sectorNr: number, kind: SyncKind): number {
    return syncRequest(this.conf, sectorNr, kind);
  }

  /** raid5_error: the member stops counting at once; md writes the superblock that records it. */
  errorHandler(rdev: RdevView): void {
    rdev.flags.add('Faulty');
    rdev.flags.delete('In_sync');
    this.conf.refreshSlots();
  }

  /** raid5_add_disk: a re-added member returns to its saved slot if free, anyone else takes the first free one. */
  hotAddDisk(rdev: RdevView): boolean {
    const conf = this.conf;
    conf.refreshSlots();
    const saved = rdev.savedRaidDisk ?? -1;
    if (saved < 0 && calcDegraded(conf) > conf.maxDegraded) return false;
    let slot = saved >= 0 && saved < conf.disks && conf.slots[saved] === null ? saved : conf.slots.indexOf(null);
    if (slot < 0) return false;
    // The bitmap only describes what a member missed in its own slot.
    if (slot !== saved || !rdev.flags.has('Bitmap_sync')) conf.fullsync = true;
    rdev.raidDisk = slot;
    conf.refreshSlots();
    assert(conf.slots[slot] === rdev, 'the added member sits in its slot');
    return true;
  }

  /** raid5_remove_disk: never an In_sync member or one with I/O pending; a recovering one only when recovery is hopeless. */
  hotRemoveDisk(rdev: RdevView): boolean {
    const conf = this.conf;
    const slot = rdev.raidDisk;
    if (slot < 0 || slot >= conf.disks) return true;
    if (rdev.flags.has('In_sync') || this.queues.busy(slot)) return false;
    if (!rdev.flags.has('Faulty') && calcDegraded(conf) <= conf.maxDegraded) return false;
    conf.clearSlot(slot);
    return true;
  }

  /** raid5_spare_active: members rebuilt to the end become In_sync. */
  spareActive(): number {
    const conf = this.conf;
    conf.refreshSlots();
    let activated = 0;
    for (const rdev of conf.slots) {
      if (rdev === null || rdev.flags.has('Faulty') || rdev.flags.has('In_sync')) continue;
      if (rdev.recoveryOffsetSectors < conf.devSectors) continue;
      rdev.flags.add('In_sync');
      activated++;
    }
    if (activated > 0) {
      conf.fullsync = false;
      conf.refreshSlots();
    }
    return activated;
  }

  degraded(): number {
    this.conf.refreshSlots();
    return calcDegraded(this.conf);
  }

  daemon(ioDeadlineMs = Number.POSITIVE_INFINITY): boolean {
    return raid5d(this.conf, this.queues, this.recent, this.ops, ioDeadlineMs);
  }

  idle(): boolean {
    return this.conf.idle && this.queues.empty;
  }

  nextIoCompletionMs(): number | null {
    return this.queues.nextCompletionMs();
  }

  setStripeCacheSize(stripes: number): void {
    if (!Number.isInteger(stripes) || stripes < MIN_STRIPES || stripes > MAX_STRIPES) {
      throw new RangeError(`stripe_cache_size must be between ${MIN_STRIPES} and ${MAX_STRIPES}, got ${stripes}.`);
    }
    this.conf.setMaxNrStripes(stripes);
  }

  status(): PersonalityStatus {
    return {
      stripeCacheSize: this.conf.maxNrStripes,
      stripeCacheActive: this.conf.activeStripes,
      recentStripes: this.recent.entries().map(({ sector, state, devFlags }) => ({
        sector,
        flags: [...stripeStateNames(state), ...devFlags.flatMap((f, i) => devFlagNames(f).map((name) => `dev${i}:${name}`))],
      })),
    };
  }
}

export function createRaid5Personality(mddev: MddevView): Personality {
  return new Raid5Personality(mddev);
}
