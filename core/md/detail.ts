/**
 * `mdadm --detail` of an array assembled read-only from stopped images: what md would report right
 * after `mdadm --assemble`, before any resync or recovery runs, plus the images left out and why.
 */
import { FEATURE, MAX_SECTOR } from '../format/superblock';
import { layoutName } from '../format/layout';
import { toSafeNumber } from '../util/assert';
import { chunkText, ctimeText, humanSize, mdTimeSeconds } from '../util/units';
import { type AssembleOptions, type AssemblyDecision, decideAssembly, type LeftOut } from './assemble';
import { MdRefusal } from './errors';
import { dataDisksOf, raidLevelName } from './examine';
import { closeMembers, type Member, openMember } from './member';
import { ArrayReader } from './array-reader';

export interface DetailRow {
  number: number | null;
  raidDevice: number | null;
  state: string[];
  image: string | null;
}

export interface DetailFacts {
  name: string;
  version: string;
  creationTimeSeconds: number;
  raidLevel: string;
  arraySizeKib: number;
  usedDevSizeKib: number;
  raidDevices: number;
  totalDevices: number;
  intentBitmap: 'Internal' | null;
  updateTimeSeconds: number;
  state: string;
  activeDevices: number;
  workingDevices: number;
  failedDevices: number;
  spareDevices: number;
  layout: string | null;
  chunkKib: number;
  consistencyPolicy: 'resync' | 'bitmap';
  /** Percent of the interrupted resync already done, when a resync will resume. */
  resyncStatusPercent: number | null;
  resyncCheckpointSectors: number | null;
  rebuildStatusPercent: number | null;
  uuid: string;
  events: number;
  rows: DetailRow[];
  leftOut: LeftOut[];
  messages: string[];
}

export interface AssembledImages {
  members: Member[];
  decision: AssemblyDecision<Member>;
}

/** Opens every image (all must carry a superblock, as mdadm aborts otherwise) and decides the assembly. */
export function assembleImages(paths: readonly string[], options: AssembleOptions = {}): AssembledImages {
  const members: Member[] = [];
  try {
    for (const p of paths) members.push(openMember(p));
  } catch (err) {
    closeMembers(members);
    if (err instanceof MdRefusal && err.message.startsWith('No md superblock')) {
      throw new MdRefusal(`${err.message.replace(/^No md superblock detected on (.*)\.$/, '$1')} has no superblock - assembly aborted.`);
    }
    throw err;
  }
  return { members, decision: decideAssembly(members, options) };
}

function stateText(d: AssemblyDecision<Member>): string {
  const words = [d.clean ? 'clean' : 'active'];
  if (d.degraded > 0) words.push('degraded');
  if (d.degraded > 0 && (d.spares.length > 0 || d.recovering.length > 0)) words.push('recovering (PENDING)');
  else if (d.degraded === 0 && !d.clean) words.push('resyncing (PENDING)');
  return words.join(', ');
}

export function detailFacts(assembled: AssembledImages): DetailFacts {
  const d = assembled.decision;
  const sb = d.reference.sb;
  const active = d.slots.filter((s) => s !== null).length;
  const component = toSafeNumber(sb.size, 'size');
  const rows: DetailRow[] = d.slots.map((m, slot) =>
    m ? { number: m.sb.devNumber, raidDevice: slot, state: ['active', 'sync'], image: m.image } : { number: null, raidDevice: slot, state: ['removed'], image: null },
  );
  for (const r of d.recovering) {
    const row = rows[r.slot];
    if (row.image === null) rows[r.slot] = { number: r.member.sb.devNumber, raidDevice: r.slot, state: ['spare', 'rebuilding'], image: r.member.image };
  }
  for (const s of d.spares) rows.push({ number: s.sb.devNumber, raidDevice: null, state: ['spare'], image: s.image });
  const resyncCheckpoint = d.degraded === 0 && sb.resyncOffset !== MAX_SECTOR ? toSafeNumber(sb.resyncOffset, 'resync_offset') : null;
  const rebuilding = d.recovering[0];
  return {
    name: sb.setName,
    version: d.reference.version,
    creationTimeSeconds: mdTimeSeconds(sb.ctime),
    raidLevel: raidLevelName(sb.level),
    arraySizeKib: (component / 2) * dataDisksOf(sb),
    usedDevSizeKib: component / 2,
    raidDevices: sb.raidDisks,
    totalDevices: active + d.spares.length + d.recovering.length,
    intentBitmap: (sb.featureMap & FEATURE.BITMAP_OFFSET) !== 0 ? 'Internal' : null,
    updateTimeSeconds: mdTimeSeconds(sb.utime),
    state: stateText(d),
    activeDevices: active,
    workingDevices: active + d.spares.length + d.recovering.length,
    failedDevices: 0,
    spareDevices: d.spares.length + d.recovering.length,
    layout: sb.level === 5 ? layoutName(5, sb.layout) : null,
    chunkKib: sb.chunksize / 2,
    consistencyPolicy: (sb.featureMap & FEATURE.BITMAP_OFFSET) !== 0 ? 'bitmap' : 'resync',
    resyncStatusPercent: resyncCheckpoint === null ? null : Math.floor((100 * resyncCheckpoint) / component),
    resyncCheckpointSectors: resyncCheckpoint,
    rebuildStatusPercent: rebuilding ? Math.floor((100 * rebuilding.recoveryOffsetSectors) / component) : null,
    uuid: d.arrayUuid,
    events: toSafeNumber(sb.events, 'events'),
    rows,
    leftOut: d.leftOut,
    messages: d.messages,
  };
}

function line(label: string, value: string): string {
  return `${label.padStart(18)} : ${value}`;
}

function rowText(r: DetailRow): string {
  const col = (v: number | null, width: number): string => (v === null ? '-' : String(v)).padStart(width);
  const head = `   ${col(r.number, 5)}   ${'-'.padStart(5)}    ${'-'.padStart(5)}    ${col(r.raidDevice, 5)}      `;
  return r.image === null ? `${head}${r.state.join(' ')}` : `${head}${r.state.join(' ')}   ${r.image}`;
}

export function renderDetail(f: DetailFacts): string {
  const out = [`${f.name}:`];
  out.push(line('Version', f.version), line('Creation Time', ctimeText(f.creationTimeSeconds)), line('Raid Level', f.raidLevel));
  out.push(line('Array Size', `${f.arraySizeKib}${humanSize(f.arraySizeKib * 1024)}`));
  out.push(line('Used Dev Size', `${f.usedDevSizeKib}${humanSize(f.usedDevSizeKib * 1024)}`));
  out.push(line('Raid Devices', String(f.raidDevices)), line('Total Devices', String(f.totalDevices)));
  out.push(line('Persistence', 'Superblock is persistent'), '');
  if (f.intentBitmap) out.push(line('Intent Bitmap', f.intentBitmap), '');
  out.push(line('Update Time', ctimeText(f.updateTimeSeconds)), line('State', `${f.state} `));
  out.push(line('Active Devices', String(f.activeDevices)), line('Working Devices', String(f.workingDevices)));
  out.push(line('Failed Devices', String(f.failedDevices)), line('Spare Devices', String(f.spareDevices)), '');
  if (f.layout) out.push(line('Layout', f.layout));
  out.push(line('Chunk Size', chunkText(f.chunkKib * 2)), '', line('Consistency Policy', f.consistencyPolicy), '');
  if (f.resyncStatusPercent !== null) out.push(line('Resync Status', `${f.resyncStatusPercent}% complete`), '');
  if (f.rebuildStatusPercent !== null) out.push(line('Rebuild Status', `${f.rebuildStatusPercent}% complete`), '');
  out.push(line('Name', f.name), line('UUID', f.uuid), line('Events', String(f.events)), '');
  out.push('    Number   Major   Minor   RaidDevice State');
  const slotRows = f.rows.filter((r) => r.raidDevice !== null);
  const otherRows = f.rows.filter((r) => r.raidDevice === null);
  out.push(...slotRows.map(rowText));
  if (otherRows.length) out.push('', ...otherRows.map(rowText));
  if (f.leftOut.length) {
    out.push('', 'Left out:');
    for (const l of f.leftOut) out.push(`   ${l.image} ${l.reason}`);
  }
  return out.join('\n');
}

/** A reader over the assembled array: missing slots are reconstructed (recovering members are not trusted). */
export function readerFor(assembled: AssembledImages): ArrayReader {
  const d = assembled.decision;
  const sb = d.reference.sb;
  if (sb.level !== 4 && sb.level !== 5) throw new MdRefusal(`${raidLevelName(sb.level)} arrays are not supported: mdlab models raid4 and raid5.`);
  return new ArrayReader(
    { level: sb.level, raidDisks: sb.raidDisks, algorithm: sb.layout, chunkSectors: sb.chunksize },
    d.slots.map((m) => (m ? { dev: m.dev, dataOffsetSectors: toSafeNumber(m.sb.dataOffset, 'data_offset') } : null)),
    toSafeNumber(sb.size, 'size'),
  );
}
