/**
 * `mdadm --examine` of a v1 member: the facts one superblock states about its array and itself, and
 * their rendering in mdadm 4.2's exact layout (labels right-aligned to the colon, same blank lines).
 */
import { bitmapBits, bitmapStorageBytes, parseBitmapSuper, type BitmapSuper, countSetBits, BITMAP_SUPER_BYTES } from '../format/bitmap';
import { layoutName } from '../format/layout';
import { FEATURE, MAX_SECTOR, ROLE_FAULTY, ROLE_JOURNAL, ROLE_SPARE, roleOf, type Superblock1 } from '../format/superblock';
import { toSafeNumber } from '../util/assert';
import { chunkText, ctimeText, humanSize, mdTimeSeconds } from '../util/units';
import { uuidText } from '../util/uuid';
import type { Member } from './member';

export type DeviceRoleFact = { kind: 'active'; slot: number } | { kind: 'replacement'; slot: number } | { kind: 'spare' } | { kind: 'faulty' } | { kind: 'journal' };

export interface ExamineFacts {
  path: string;
  magic: string;
  version: string;
  featureMap: number;
  arrayUuid: string;
  name: string;
  creationTimeSeconds: number;
  raidLevel: string;
  raidDevices: number;
  availDevSizeSectors: number;
  arraySizeKib: number;
  usedDevSizeSectors: number;
  dataOffsetSectors: number;
  superOffsetSectors: number;
  recoveryOffsetSectors: number | null;
  unusedSpace: { beforeSectors: number; afterSectors: number };
  state: 'clean' | 'active';
  /** Resync checkpoint (sectors of each member known in sync); null when fully in sync (MaxSector). */
  resyncOffsetSectors: number | null;
  deviceUuid: string;
  /** devflags words: write-mostly, failfast. */
  flags: string[];
  internalBitmapSectorsFromSuperblock: number | null;
  updateTimeSeconds: number;
  badBlockLog: { entries: number; offsetSectors: number; badBlocksPresent: boolean } | null;
  checksum: { stored: number; computed: number; correct: boolean };
  events: number;
  layout: string | null;
  chunkKib: number;
  devNumber: number;
  deviceRole: DeviceRoleFact;
  arrayState: string;
}

export function raidLevelName(level: number): string {
  return level === 4 || level === 5 || level === 6 || level === 1 || level === 0 || level === 10 ? `raid${level}` : `level ${level}`;
}

/** Data members per stripe row. */
export function dataDisksOf(sb: Superblock1): number {
  return sb.level === 6 ? sb.raidDisks - 2 : sb.level === 4 || sb.level === 5 ? sb.raidDisks - 1 : sb.raidDisks;
}

/** mdadm's view of the gap between metadata and data: after the superblock, bitmap and bad-block log. */
function spaceBeforeSectors(sb: Superblock1, bitmap: BitmapSuper | null): number {
  const superOffset = toSafeNumber(sb.superOffset, 'super_offset');
  const dataOffset = toSafeNumber(sb.dataOffset, 'data_offset');
  // The kernel treats the first 36 KiB after the superblock as reserved, and mdadm matches it.
  let earliest = superOffset + 72;
  if ((sb.featureMap & FEATURE.BITMAP_OFFSET) !== 0 && sb.bitmapOffset > 0 && bitmap) {
    // mdadm counts the bitmap end from the offset relative to the superblock, not from sector 0.
    const bitmapEnd = sb.bitmapOffset + bitmapStorageBytes(bitmapBits(bitmap)) / 512;
    earliest = Math.max(earliest, bitmapEnd);
  }
  if (sb.bblogOffset !== 0 && sb.bblogSize !== 0) earliest = Math.max(earliest, superOffset + sb.bblogOffset + sb.bblogSize);
  return Math.max(dataOffset - earliest, 0);
}

/** 1.0 keeps its metadata after the data: the gap runs from the used size to the first metadata sector. */
function unusedSpace10(sb: Superblock1): { beforeSectors: number; afterSectors: number } {
  const superOffset = toSafeNumber(sb.superOffset, 'super_offset');
  let metadataStart = superOffset;
  if (sb.bblogOffset < 0 && sb.bblogSize !== 0) metadataStart = Math.min(metadataStart, superOffset + sb.bblogOffset);
  if ((sb.featureMap & FEATURE.BITMAP_OFFSET) !== 0 && sb.bitmapOffset < 0) metadataStart = Math.min(metadataStart, superOffset + sb.bitmapOffset);
  const dataEnd = toSafeNumber(sb.dataOffset, 'data_offset') + toSafeNumber(sb.size, 'size');
  return { beforeSectors: toSafeNumber(sb.dataOffset, 'data_offset'), afterSectors: Math.max(metadataStart - dataEnd, 0) };
}

function deviceRoleOf(sb: Superblock1): DeviceRoleFact {
  const role = roleOf(sb);
  if (role === ROLE_SPARE) return { kind: 'spare' };
  if (role === ROLE_FAULTY) return { kind: 'faulty' };
  if (role === ROLE_JOURNAL) return { kind: 'journal' };
  if ((sb.featureMap & FEATURE.REPLACEMENT) !== 0) return { kind: 'replacement', slot: role };
  return { kind: 'active', slot: role };
}

/** 'A' one member holds the slot, 'R' two (one replacing), '.' none. */
export function arrayStateText(sb: Superblock1): string {
  let text = '';
  for (let slot = 0; slot < sb.raidDisks; slot++) {
    let holders = 0;
    for (const role of sb.devRoles) if (role === slot) holders++;
    text += holders === 0 ? '.' : holders === 1 ? 'A' : holders === 2 ? 'R' : '?';
  }
  return text;
}

/** Reads the bitmap superblock when the member has an internal bitmap (for the unused-space arithmetic). */
export function readBitmapSuper(member: Member): BitmapSuper | null {
  const sb = member.sb;
  if ((sb.featureMap & FEATURE.BITMAP_OFFSET) === 0) return null;
  const bytes = new Uint8Array(BITMAP_SUPER_BYTES);
  member.dev.read(bytes, (toSafeNumber(sb.superOffset, 'super_offset') + sb.bitmapOffset) * 512);
  try {
    return parseBitmapSuper(bytes);
  } catch {
    return null;
  }
}

export function examineFacts(member: Member): ExamineFacts {
  const sb = member.sb;
  const deviceSectors = Math.floor(member.dev.sizeBytes / 512);
  const dataOffset = toSafeNumber(sb.dataOffset, 'data_offset');
  const dataSize = toSafeNumber(sb.dataSize, 'data_size');
  const size = toSafeNumber(sb.size, 'size');
  const bitmap = readBitmapSuper(member);
  return {
    path: member.path,
    magic: sb.magic.toString(16),
    version: member.version,
    featureMap: sb.featureMap,
    arrayUuid: uuidText(sb.setUuid),
    name: sb.setName,
    creationTimeSeconds: mdTimeSeconds(sb.ctime),
    raidLevel: raidLevelName(sb.level),
    raidDevices: sb.raidDisks,
    availDevSizeSectors: dataSize,
    arraySizeKib: (size / 2) * dataDisksOf(sb),
    usedDevSizeSectors: size,
    dataOffsetSectors: dataOffset,
    superOffsetSectors: toSafeNumber(sb.superOffset, 'super_offset'),
    recoveryOffsetSectors: (sb.featureMap & FEATURE.RECOVERY_OFFSET) !== 0 ? toSafeNumber(sb.recoveryOffset, 'recovery_offset') : null,
    unusedSpace: member.version === '1.0' ? unusedSpace10(sb) : { beforeSectors: spaceBeforeSectors(sb, bitmap), afterSectors: Math.max(deviceSectors - dataOffset - size, 0) },
    state: sb.resyncOffset === MAX_SECTOR ? 'clean' : 'active',
    resyncOffsetSectors: sb.resyncOffset === MAX_SECTOR ? null : toSafeNumber(sb.resyncOffset, 'resync_offset'),
    deviceUuid: uuidText(sb.deviceUuid),
    flags: [...((sb.devflags & 1) !== 0 ? ['write-mostly'] : []), ...((sb.devflags & 2) !== 0 ? ['failfast'] : [])],
    internalBitmapSectorsFromSuperblock: (sb.featureMap & FEATURE.BITMAP_OFFSET) !== 0 ? sb.bitmapOffset : null,
    updateTimeSeconds: mdTimeSeconds(sb.utime),
    badBlockLog:
      sb.bblogSize !== 0 && sb.bblogOffset !== 0
        ? { entries: (sb.bblogSize * 512) / 8, offsetSectors: sb.bblogOffset, badBlocksPresent: (sb.featureMap & FEATURE.BAD_BLOCKS) !== 0 }
        : null,
    checksum: { stored: sb.sbCsum, computed: member.checksum, correct: member.checksumOk },
    events: toSafeNumber(sb.events, 'events'),
    layout: sb.level === 5 ? layoutName(5, sb.layout) : null,
    chunkKib: sb.chunksize / 2,
    devNumber: sb.devNumber,
    deviceRole: deviceRoleOf(sb),
    arrayState: arrayStateText(sb),
  };
}

function line(label: string, value: string, width = 15): string {
  return `${label.padStart(width)} : ${value}`;
}

function roleText(role: DeviceRoleFact): string {
  switch (role.kind) {
    case 'active':
      return `Active device ${role.slot}`;
    case 'replacement':
      return `Replacement device ${role.slot}`;
    case 'spare':
      return 'spare';
    case 'faulty':
      // mdadm 4.2 prints every non-slot role other than journal as a spare.
      return 'spare';
    case 'journal':
      return 'Journal';
  }
}

export function renderExamine(f: ExamineFacts): string {
  const out: string[] = [`${f.path}:`];
  out.push(line('Magic', f.magic), line('Version', f.version), line('Feature Map', `0x${f.featureMap.toString(16)}`));
  out.push(line('Array UUID', f.arrayUuid), line('Name', f.name), line('Creation Time', ctimeText(f.creationTimeSeconds)));
  out.push(line('Raid Level', f.raidLevel), line('Raid Devices', String(f.raidDevices)), '');
  out.push(line('Avail Dev Size', `${f.availDevSizeSectors} sectors${humanSize(f.availDevSizeSectors * 512)}`));
  out.push(line('Array Size', `${f.arraySizeKib} KiB${humanSize(f.arraySizeKib * 1024)}`));
  if (f.usedDevSizeSectors !== f.availDevSizeSectors) {
    out.push(line('Used Dev Size', `${f.usedDevSizeSectors} sectors${humanSize(f.usedDevSizeSectors * 512)}`));
  }
  // mdadm leaves the line out when data starts at sector 0 (1.0 metadata).
  if (f.dataOffsetSectors !== 0) out.push(line('Data Offset', `${f.dataOffsetSectors} sectors`));
  out.push(line('Super Offset', `${f.superOffsetSectors} sectors`));
  if (f.recoveryOffsetSectors !== null) out.push(line('Recovery Offset', `${f.recoveryOffsetSectors} sectors`));
  out.push(line('Unused Space', `before=${f.unusedSpace.beforeSectors} sectors, after=${f.unusedSpace.afterSectors} sectors`));
  out.push(line('State', f.state), line('Device UUID', f.deviceUuid), '');
  if (f.internalBitmapSectorsFromSuperblock !== null) out.push(line('Internal Bitmap', `${f.internalBitmapSectorsFromSuperblock} sectors from superblock`));
  if (f.flags.length > 0) out.push(line('Flags', f.flags.join(' ')));
  out.push(line('Update Time', ctimeText(f.updateTimeSeconds)));
  if (f.badBlockLog) {
    const present = f.badBlockLog.badBlocksPresent ? ' - bad blocks present.' : '';
    out.push(line('Bad Block Log', `${f.badBlockLog.entries} entries available at offset ${f.badBlockLog.offsetSectors} sectors${present}`));
  }
  out.push(
    line('Checksum', f.checksum.correct ? `${f.checksum.stored.toString(16)} - correct` : `${f.checksum.stored.toString(16)} - expected ${f.checksum.computed.toString(16)}`),
  );
  out.push(line('Events', String(f.events)), '');
  if (f.layout !== null) out.push(line('Layout', f.layout));
  out.push(line('Chunk Size', chunkText(f.chunkKib * 2)), '');
  out.push(line('Device Role', roleText(f.deviceRole), 14));
  out.push(line('Array State', `${f.arrayState} ('A' == active, '.' == missing, 'R' == replacing)`, 14));
  return out.join('\n');
}

export interface ExamineBitmapFacts {
  path: string;
  magic: string;
  version: number;
  uuid: string;
  events: number;
  eventsCleared: number;
  state: string;
  chunkBytes: number;
  daemonSleepSeconds: number;
  writeMode: string;
  syncSizeKib: number;
  bits: number;
  dirtyBits: number;
}

/** `mdadm --examine-bitmap` of a member with an internal bitmap. */
export function examineBitmapFacts(member: Member): ExamineBitmapFacts | null {
  const sb = member.sb;
  const sup = readBitmapSuper(member);
  if (!sup) return null;
  const bits = bitmapBits(sup);
  const area = new Uint8Array(bitmapStorageBytes(bits));
  member.dev.read(area, (toSafeNumber(sb.superOffset, 'super_offset') + sb.bitmapOffset) * 512);
  const state = (sup.state & 0x2) !== 0 ? 'Out of date' : 'OK';
  return {
    path: member.path,
    magic: sup.magic.toString(16).padStart(8, '0'),
    version: sup.version,
    uuid: uuidText(sup.uuid),
    events: toSafeNumber(sup.events, 'bitmap events'),
    eventsCleared: toSafeNumber(sup.eventsCleared, 'bitmap events_cleared'),
    state,
    chunkBytes: sup.chunksize,
    daemonSleepSeconds: sup.daemonSleepSeconds,
    writeMode: sup.writeBehind ? `Allow write behind, max ${sup.writeBehind}` : 'Normal',
    syncSizeKib: toSafeNumber(sup.syncSize, 'sync_size') / 2,
    bits,
    dirtyBits: countSetBits(area.subarray(BITMAP_SUPER_BYTES), bits),
  };
}

/** mdadm prints bitmap chunks with the largest unit that divides them: "64 MB", "4 KB". */
function bitmapChunkText(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes >> 20} MB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes >> 10} KB`;
  return `${bytes} B`;
}

export function renderExamineBitmap(f: ExamineBitmapFacts): string {
  const pct = f.bits === 0 ? 0 : (100 * f.dirtyBits) / f.bits;
  return [
    line('Filename', f.path, 16),
    line('Magic', f.magic, 16),
    line('Version', String(f.version), 16),
    line('UUID', f.uuid, 16),
    line('Events', String(f.events), 16),
    line('Events Cleared', String(f.eventsCleared), 16),
    line('State', f.state, 16),
    line('Chunksize', bitmapChunkText(f.chunkBytes), 16),
    line('Daemon', `${f.daemonSleepSeconds}s flush period`, 16),
    line('Write Mode', f.writeMode, 16),
    line('Sync Size', `${f.syncSizeKib}${humanSize(f.syncSizeKib * 1024)}`, 16),
    line('Bitmap', `${f.bits} bits (chunks), ${f.dirtyBits} dirty (${pct.toFixed(1)}%)`, 16),
  ].join('\n');
}
