/**
 * Which members form the array and whether it may start, decided as mdadm 4.2's --assemble and the
 * kernel decide (spec §4.7, §4.8). Pure: it reads only superblocks, so every rule is testable without
 * images. Messages use mdadm's sentences with mdlab's names.
 */
import { ALGORITHM } from '../format/layout';
import { FEATURE, MAX_SECTOR, ROLE_FAULTY, ROLE_MAX, roleOf, type Superblock1 } from '../format/superblock';
import { assert, toSafeNumber } from '../util/assert';
import { uuidText } from '../util/uuid';
import { MdRefusal } from './errors';

export interface AssemblyCandidate {
  image: string;
  sb: Superblock1;
  /** False when the stored checksum is wrong: the kernel refuses such a superblock. */
  checksumOk?: boolean;
}

export interface LeftOut {
  image: string;
  reason: string;
}

export interface AssemblyDecision<C extends AssemblyCandidate = AssemblyCandidate> {
  arrayUuid: string;
  /** The freshest in-sync member: its superblock speaks for the array. */
  reference: C;
  /** One entry per slot: the member that fills it in sync, or null (missing). */
  slots: (C | null)[];
  /** Members with a slot that are only partially rebuilt (RECOVERY_OFFSET): usable below recoveryOffsetSectors. */
  recovering: { member: C; slot: number; recoveryOffsetSectors: number }[];
  spares: C[];
  leftOut: LeftOut[];
  /** Whether the array was shut down clean (resync_offset == MaxSector). */
  clean: boolean;
  /** Resync checkpoint to resume from, in member sectors; null when in sync. */
  resyncCheckpointSectors: number | null;
  /** Slots without an in-sync member. */
  degraded: number;
  /** Whether md would start the array; when false, `refusal` says why. */
  start: boolean;
  refusal: string | null;
  /** What mdadm would print, one sentence per line. */
  messages: string[];
  /** --force brought these out-of-date members' events up to the array's; their superblocks must be rewritten. */
  forcedEvents: C[];
  /** --force marked a dirty array clean so that it starts (its parity may not match its data). */
  forcedClean: boolean;
}

export interface AssembleOptions {
  /** mdadm --run: start even when members the superblock expects are missing. */
  run?: boolean;
  /** How messages name the array, as mdadm names /dev/md0. */
  arrayName?: string;
  /**
   * mdadm --force (spec §4.7): members reporting the freshest as failed are not ignored; while the array
   * cannot start, the freshest out-of-date members are taken with their events forced up; a dirty array
   * that still cannot start is marked clean. Each is what makes --force dangerous: stale data, stale parity.
   */
  force?: boolean;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function isSlot(role: number, sb: Superblock1): boolean {
  return role < ROLE_MAX && role < sb.raidDisks;
}

/** The slot that only ever holds parity, for the layouts that have one. */
function fixedParitySlot(sb: Superblock1): number {
  if (sb.level === 4 || (sb.level === 5 && sb.layout === ALGORITHM.PARITY_N)) return sb.raidDisks - 1;
  if (sb.level === 5 && sb.layout === ALGORITHM.PARITY_0) return 0;
  return -1;
}

/**
 * RAID4/5 survive one missing slot, but a dirty array needs every slot (its parity may be stale), unless
 * the missing one is a parity-only disk: then all data is still on the others.
 */
function enough(sb: Superblock1, filled: boolean[], clean: boolean): boolean {
  const missing = filled.filter((f) => !f).length;
  if (missing === 0) return true;
  if (missing > 1) return false;
  if (!clean) {
    const paritySlot = fixedParitySlot(sb);
    return paritySlot >= 0 && !filled[paritySlot];
  }
  return true;
}

export function decideAssembly<C extends AssemblyCandidate>(candidates: readonly C[], options: AssembleOptions = {}): AssemblyDecision<C> {
  assert(candidates.length > 0, 'assembly has at least one candidate');
  const arrayName = options.arrayName ?? 'md0';
  const messages: string[] = [];
  const leftOut: LeftOut[] = [];

  // Gather: the array is the one the first member belongs to, as with mdadm's explicit device list.
  const first = candidates.find((c) => c.checksumOk !== false);
  if (!first) throw new MdRefusal('no member has a superblock md accepts (every checksum is wrong).');
  const uuid = uuidText(first.sb.setUuid);
  const same: C[] = [];
  for (const c of candidates) {
    if (c.checksumOk === false) {
      leftOut.push({ image: c.image, reason: 'has a superblock with a wrong checksum, which md refuses.' });
      continue;
    }
    if (uuidText(c.sb.setUuid) === uuid) same.push(c);
    else {
      leftOut.push({ image: c.image, reason: 'has wrong uuid.' });
      messages.push(`mdlab: ${c.image} has wrong uuid.`);
    }
  }
  const withSlot = same.filter((c) => isSlot(roleOf(c.sb), c.sb));
  const pool = withSlot.length > 0 ? withSlot : same;
  const reference = pool.reduce((best, c) => (c.sb.events > best.sb.events ? c : best));
  const refEvents = reference.sb.events;
  const refSb = reference.sb;
  const n = refSb.raidDisks;

  // Decide, member by member.
  const slots: (C | null)[] = new Array(n).fill(null);
  const recovering: AssemblyDecision<C>['recovering'] = [];
  const spares: C[] = [];
  /** Out-of-date members with a slot: what --force may take. */
  const stale: { member: C; slot: number }[] = [];
  for (const c of same) {
    const role = roleOf(c.sb);
    if (c !== reference && c.sb.devRoles[reference.sb.devNumber] === ROLE_FAULTY && !options.force) {
      leftOut.push({ image: c.image, reason: `it reports ${reference.image} as failed.` });
      messages.push(`mdlab: ignoring ${c.image} as it reports ${reference.image} as failed`);
      continue;
    }
    if (!isSlot(role, c.sb)) {
      // Spares are not event-checked by md; a stray spare newer than the array is still just a spare.
      spares.push(c);
      continue;
    }
    if (c.sb.events + 1n < refEvents) {
      const faulty = refSb.devRoles[c.sb.devNumber] === ROLE_FAULTY ? `; ${reference.image} records it as faulty` : '';
      // mdadm says nothing here without --force; the reason is kept for detail's "Left out" list.
      leftOut.push({ image: c.image, reason: `is out of date: events ${c.sb.events}, array at ${refEvents}${faulty}.` });
      // A partly rebuilt member holds no whole copy of its slot: forcing its events would not make it one.
      if (isSlot(role, c.sb) && (c.sb.featureMap & FEATURE.RECOVERY_OFFSET) === 0) stale.push({ member: c, slot: role });
      continue;
    }
    if ((c.sb.featureMap & FEATURE.RECOVERY_OFFSET) !== 0) {
      recovering.push({ member: c, slot: role, recoveryOffsetSectors: toSafeNumber(c.sb.recoveryOffset, 'recovery_offset') });
      continue;
    }
    const holder = slots[role];
    if (holder === null || c.sb.events > holder.sb.events) {
      if (holder) leftOut.push({ image: holder.image, reason: `lost slot ${role} to ${c.image}, which has newer events.` });
      slots[role] = c;
    } else {
      leftOut.push({ image: c.image, reason: `lost slot ${role} to ${holder.image}, which has newer events.` });
    }
  }

  let clean = refSb.resyncOffset === MAX_SECTOR;
  const forcedEvents: C[] = [];
  let forcedClean = false;
  if (options.force) {
    // One events value at a time, freshest first, each member holding it taken at once (as mdadm does).
    for (;;) {
      if (enough(refSb, slots.map((s) => s !== null), clean)) break;
      const open = stale.filter((st) => slots[st.slot] === null);
      if (open.length === 0) break;
      const events = open.reduce((best, st) => (st.member.sb.events > best ? st.member.sb.events : best), -1n);
      for (const st of open) {
        if (st.member.sb.events !== events || slots[st.slot] !== null) continue;
        slots[st.slot] = st.member;
        forcedEvents.push(st.member);
        leftOut.splice(leftOut.findIndex((l) => l.image === st.member.image), 1);
        messages.push(`mdlab: forcing event count in ${st.member.image}(${st.slot}) from ${events} up to ${refEvents}`);
      }
    }
    if (!clean && !enough(refSb, slots.map((s) => s !== null), clean)) {
      clean = true;
      forcedClean = true;
      messages.push(`mdlab: Marking array ${arrayName} as 'clean'`);
    }
  }
  const filled = slots.map((s) => s !== null);
  const okCount = filled.filter(Boolean).length;
  const degraded = n - okCount;
  // Slots the freshest superblock says are working: without --run all of them must be here.
  const expected = refSb.devRoles.filter((r) => r < ROLE_MAX && r < n).length;
  const canRun = enough(refSb, filled, clean);

  let refusal: string | null = null;
  const drives = `${arrayName} assembled from ${plural(okCount, 'drive')}${spares.length ? ` and ${plural(spares.length, 'spare')}` : ''}`;
  if (!canRun) {
    refusal = clean ? `${drives} - not enough to start the array.` : `${drives} - not enough to start the array while not clean - consider --force.`;
  } else if (okCount < expected && !options.run) {
    refusal = `${drives} - need ${expected === n ? `all ${n}` : expected} to start it (use --run to insist).`;
  }
  if (refusal) messages.push(`mdlab: ${refusal}`);
  else {
    const outOf = okCount < n ? ` (out of ${n})` : '';
    const spareText = spares.length ? ` and ${plural(spares.length, 'spare')}` : '';
    messages.push(`mdlab: ${arrayName} has been started with ${plural(okCount, 'drive')}${outOf}${spareText}.`);
  }

  return {
    arrayUuid: uuid,
    reference,
    slots,
    recovering,
    spares,
    leftOut,
    clean,
    resyncCheckpointSectors: clean ? null : toSafeNumber(refSb.resyncOffset, 'resync_offset'),
    degraded,
    start: refusal === null,
    refusal,
    messages,
    forcedEvents,
    forcedClean,
  };
}
