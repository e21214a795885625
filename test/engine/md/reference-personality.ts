/**
 * A deliberately simple RAID4/5 personality for testing the md core on its own: no stripe cache, no
 * merging, one 4 KiB row at a time, straight from the layout formulas of core/format/layout.ts. It
 * keeps the Personality contract (bios complete from daemon(), sync requests are accounted through
 * md_done_sync) so md_check_recovery, md_do_sync, the bitmap and the superblock rules can be tested
 * against real files independently of core/engine/raid5.
 */
import { mapArraySector, parityDisk, type Geometry } from '../../../core/format/layout';
import { xorInto } from '../../../core/util/xor';
import { type Bio, MdIoError, type MddevView, type Personality, type PersonalityStatus, type RdevView, type SyncKind } from '../../../core/engine/types';

const PAGE = 4096;
const PAGE_SECTORS = 8;
const QUEUE_LIMIT = 64;

export function createReferencePersonality(mddev: MddevView): Personality {
  const g: Geometry = { level: mddev.level, raidDisks: mddev.raidDisks, algorithm: mddev.layout, chunkSectors: mddev.chunkSectors };
  const n = mddev.raidDisks;
  const bios: Bio[] = [];
  const syncs: { sector: number; kind: SyncKind }[] = [];

  const slot = (i: number): RdevView | null => mddev.rdevs.find((r) => r.raidDisk === i && !r.flags.has('Faulty')) ?? null;
  const degraded = (): number => {
    let missing = 0;
    for (let i = 0; i < n; i++) if (!slot(i)?.flags.has('In_sync')) missing++;
    return missing;
  };
  /** Holds valid data at this page: in sync, or recovered past it. */
  const valid = (i: number, devSector: number): RdevView | null => {
    const r = slot(i);
    if (r === null) return null;
    if (r.flags.has('In_sync') || devSector + PAGE_SECTORS <= r.recoveryOffsetSectors) return r;
    return null;
  };
  const readPage = (r: RdevView, devSector: number, buf: Uint8Array): boolean => {
    try {
      r.dev.read(buf, (r.dataOffsetSectors + devSector) * 512);
      r.readBytes += buf.byteLength;
      return true;
    } catch {
      mddev.mdError(r, 'read error');
      return false;
    }
  };
  const writePage = (r: RdevView, devSector: number, buf: Uint8Array): void => {
    try {
      r.dev.write(buf, (r.dataOffsetSectors + devSector) * 512);
      r.writtenBytes += buf.byteLength;
    } catch {
      mddev.mdError(r, 'write error');
    }
  };
  /** All n blocks of the row at devSector, the missing one (at most) rebuilt from the others. */
  const readRow = (devSector: number): Uint8Array[] | null => {
    const blocks = Array.from({ length: n }, () => new Uint8Array(PAGE));
    const missing: number[] = [];
    for (let i = 0; i < n; i++) {
      const r = valid(i, devSector);
      if (r === null || !readPage(r, devSector, blocks[i])) missing.push(i);
    }
    if (missing.length > 1) return null;
    if (missing.length === 1) {
      const target = blocks[missing[0]];
      target.fill(0);
      for (let i = 0; i < n; i++) if (i !== missing[0]) xorInto(target, blocks[i]);
    }
    return blocks;
  };
  const stripeOf = (devSector: number): number => Math.floor(devSector / g.chunkSectors);

  function handleBio(bio: Bio): void {
    const sectors = bio.data.byteLength / 512;
    const isWrite = bio.op === 'write';
    if (isWrite) mddev.mdWriteStart();
    // Group the bio's sectors by member page row.
    const rows = new Map<number, { sector: number; at: number }[]>();
    for (let s = 0; s < sectors; s++) {
      const loc = mapArraySector(g, bio.sector + s);
      const page = loc.devSector - (loc.devSector % PAGE_SECTORS);
      let list = rows.get(page);
      if (!list) rows.set(page, (list = []));
      list.push({ sector: bio.sector + s, at: s });
    }
    let error: MdIoError | null = null;
    let wroteDegraded = false;
    const bitmapRanges: number[] = [];
    for (const [page, list] of rows) {
      const blocks = readRow(page);
      if (blocks === null) {
        error = new MdIoError(`md: ${isWrite ? 'write' : 'read'} of a lost block`, list[0].sector);
        continue;
      }
      for (const { sector, at } of list) {
        const loc = mapArraySector(g, sector);
        const off = (loc.devSector - page) * 512;
        if (isWrite) blocks[loc.disk].set(bio.data.subarray(at * 512, at * 512 + 512), off);
        else bio.data.set(blocks[loc.disk].subarray(off, off + 512), at * 512);
      }
      if (!isWrite) continue;
      const pd = parityDisk(g, stripeOf(page));
      blocks[pd].fill(0);
      for (let i = 0; i < n; i++) if (i !== pd) xorInto(blocks[pd], blocks[i]);
      if (mddev.bitmap) {
        mddev.bitmap.startWrite(page, PAGE_SECTORS);
        bitmapRanges.push(page);
      }
      mddev.bitmap?.unplug();
      let wrote = 0;
      for (let i = 0; i < n; i++) {
        const r = slot(i);
        if (r === null) continue;
        if (!r.flags.has('In_sync') && page >= r.recoveryOffsetSectors) continue;
        writePage(r, page, blocks[i]);
        wrote++;
      }
      if (wrote < n) wroteDegraded = true;
    }
    if (isWrite) {
      for (const page of bitmapRanges) mddev.bitmap?.endWrite(page, PAGE_SECTORS, true, wroteDegraded);
      mddev.mdWriteEnd();
    }
    bio.endIo(error);
  }

  function handleSync(sector: number, kind: SyncKind): void {
    const blocks = Array.from({ length: n }, () => new Uint8Array(PAGE));
    let ok = true;
    if (kind === 'recover') {
      const targets: RdevView[] = [];
      const missing: number[] = [];
      for (let i = 0; i < n; i++) {
        const r = slot(i);
        if (r !== null && !r.flags.has('In_sync') && sector + PAGE_SECTORS > r.recoveryOffsetSectors) {
          targets.push(r);
          missing.push(i);
        } else if (r === null || !readPage(r, sector, blocks[i])) ok = false;
      }
      if (ok && missing.length === 1) {
        const target = blocks[missing[0]];
        for (let i = 0; i < n; i++) if (i !== missing[0]) xorInto(target, blocks[i]);
        writePage(targets[0], sector, target);
      } else ok = false;
    } else {
      for (let i = 0; i < n; i++) {
        const r = slot(i);
        if (r === null || !readPage(r, sector, blocks[i])) ok = false;
      }
      if (ok) {
        const pd = parityDisk(g, stripeOf(sector));
        const sum = new Uint8Array(PAGE);
        for (let i = 0; i < n; i++) xorInto(sum, blocks[i]);
        if (sum.some((b) => b !== 0)) {
          mddev.addMismatches(PAGE_SECTORS);
          if (kind !== 'check') {
            xorInto(blocks[pd], sum);
            writePage(slot(pd)!, sector, blocks[pd]);
          }
        }
      }
    }
    mddev.mdDoneSync(PAGE_SECTORS, ok);
  }

  const pers: Personality = {
    name: mddev.level === 4 ? 'raid4' : 'raid5',
    arraySectors: mddev.devSectors * (n - 1),
    makeRequest(bio) {
      bios.push(bio);
    },
    lastSyncSkipped: false,
    syncRequest(sectorNr, kind) {
      const self = pers as { lastSyncSkipped: boolean };
      self.lastSyncSkipped = true;
      if (kind !== 'recover' && degraded() > 0) return mddev.devSectors - sectorNr;
      if (mddev.bitmap !== null && kind !== 'check' && kind !== 'repair') {
        const stillDegraded = mddev.rdevs.filter((r) => r.raidDisk >= 0 && !r.flags.has('Faulty')).length < n;
        const fullsync = kind === 'recover' && mddev.rdevs.some((r) => r.raidDisk >= 0 && !r.flags.has('In_sync') && (r.savedRaidDisk ?? -1) !== r.raidDisk);
        const answer = mddev.bitmap.startSync(sectorNr, stillDegraded);
        if (!answer.needSync && !fullsync && answer.sectors >= PAGE_SECTORS) return answer.sectors;
      }
      self.lastSyncSkipped = false;
      if (syncs.length >= QUEUE_LIMIT) return 0;
      syncs.push({ sector: sectorNr, kind });
      return PAGE_SECTORS;
    },
    errorHandler(rdev) {
      rdev.flags.add('Faulty');
      rdev.flags.delete('In_sync');
    },
    hotAddDisk(rdev) {
      const saved = rdev.savedRaidDisk ?? -1;
      let target = saved >= 0 && slot(saved) === null ? saved : -1;
      for (let i = 0; target < 0 && i < n; i++) if (slot(i) === null) target = i;
      if (target < 0) return false;
      rdev.raidDisk = target;
      return true;
    },
    hotRemoveDisk(rdev) {
      if (rdev.flags.has('In_sync') && !rdev.flags.has('Faulty')) return false;
      if (!rdev.flags.has('Faulty') && degraded() <= 1) return false;
      return true;
    },
    spareActive() {
      let count = 0;
      for (let i = 0; i < n; i++) {
        const r = slot(i);
        if (r && !r.flags.has('In_sync') && r.recoveryOffsetSectors >= mddev.devSectors) {
          r.flags.add('In_sync');
          count++;
        }
      }
      return count;
    },
    degraded,
    daemon() {
      mddev.mdCheckRecovery();
      let worked = false;
      while (bios.length > 0 || syncs.length > 0) {
        worked = true;
        const bio = bios.shift();
        if (bio) handleBio(bio);
        const sync = syncs.shift();
        if (sync) handleSync(sync.sector, sync.kind);
      }
      return worked;
    },
    idle() {
      return bios.length === 0 && syncs.length === 0;
    },
    setStripeCacheSize() {},
    status(): PersonalityStatus {
      return { stripeCacheSize: 256, stripeCacheActive: bios.length + syncs.length, recentStripes: [] };
    },
  };
  return pers;
}
