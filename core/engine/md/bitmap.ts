/**
 * The write-intent bitmap's behaviour (md-bitmap.c, md-spec §2.5) over the on-disk form of
 * core/format/bitmap.ts. One 16-bit counter per bitmap chunk: bit 15 NEEDED (must be synced),
 * bit 14 RESYNC (a sync is covering it), the low 14 bits pending writes plus the on-disk-bit marker.
 */
import { bitmapBits, BITMAP_SUPER_BYTES, countSetBits, getBit, parseBitmap, parseBitmapSuper, serializeBitmap, setBit, type BitmapSuper } from '../../format/bitmap';
import { DeviceError } from '../../format/blockdev';
import { assert } from '../../util/assert';
import type { WriteIntentBitmap } from '../types';
import type { Mddev } from './mddev';
import type { Rdev } from './rdev';

const NEEDED = 0x8000;
const RESYNC = 0x4000;
const COUNTER_MASK = 0x3fff;
/** Counters per in-memory page (PAGE_SIZE / 2 bytes), as mdstat's "pages" counts them. */
export const COUNTERS_PER_PAGE = 2048;

export class MdBitmap implements WriteIntentBitmap {
  readonly chunkSectors: number;
  readonly bits: number;
  private readonly counters: Uint16Array;
  private readonly onDisk: Uint8Array;
  private readonly pending: Uint8Array;
  private sup: BitmapSuper;
  /** Bits newly set in memory that must reach the members before the data they cover (bitmap_unplug). */
  private dirty = false;
  /** Bits cleared since the last write: written lazily by the daemon. */
  private cleared = false;
  private needSync = false;
  private allClean = false;
  private lastDaemonMs: number;

  constructor(
    private readonly mddev: Mddev,
    area: Uint8Array,
    /** Signed sectors from each member's superblock to the bitmap. */
    private readonly offsetSectors: number,
  ) {
    const parsed = parseBitmap(area);
    this.sup = parsed.super;
    this.onDisk = parsed.bits;
    this.chunkSectors = this.sup.chunksize / 512;
    this.bits = bitmapBits(this.sup);
    this.counters = new Uint16Array(this.bits);
    this.pending = new Uint8Array(this.bits);
    this.lastDaemonMs = mddev.clock.nowMs();
    assert(this.sup.syncSize >= BigInt(mddev.devSectors), 'the bitmap covers the whole component');
    this.load();
  }

  get eventsCleared(): bigint {
    return this.sup.eventsCleared;
  }

  get daemonSleepMs(): number {
    return this.sup.daemonSleepSeconds * 1000;
  }

  /** md_bitmap_load: set bits become counters; NEEDED where a sync must cover them. */
  private load(): void {
    const m = this.mddev;
    const stale = this.sup.events < m.events;
    const start = stale ? 0 : m.degraded() === 0 || this.sup.eventsCleared === m.events ? m.recoveryCp : 0;
    for (let k = 0; k < this.bits; k++) {
      if (!stale && !getBit(this.onDisk, k)) continue;
      setBit(this.onDisk, k, true);
      const needed = (k + 1) * this.chunkSectors > start;
      this.counters[k] = 2 | (needed ? NEEDED : 0);
      this.pending[k] = 1;
    }
    if (stale) {
      m.log(`md: ${m.name}: bitmap file is out of date (${this.sup.events} < ${m.events}) -- forcing full recovery`);
      this.dirty = true;
    }
  }

  private chunkOf(offsetSectors: number): number {
    return Math.floor(offsetSectors / this.chunkSectors);
  }

  startWrite(offsetSectors: number, sectors: number): void {
    const last = this.chunkOf(offsetSectors + sectors - 1);
    for (let k = this.chunkOf(offsetSectors); k <= last; k++) {
      let c = this.counters[k];
      if (c === 0) {
        setBit(this.onDisk, k, true);
        this.dirty = true;
      }
      if (c === 0 || c === 1) c = 2;
      assert((c & COUNTER_MASK) < COUNTER_MASK, 'bitmap counter overflow');
      this.counters[k] = c + 1;
    }
    this.allClean = false;
  }

  endWrite(offsetSectors: number, sectors: number, success: boolean, degraded: boolean): void {
    const ok = success && !degraded;
    if (ok && this.mddev.degraded() === 0 && this.sup.eventsCleared < this.mddev.events) {
      this.sup = { ...this.sup, eventsCleared: this.mddev.events };
      this.needSync = true;
    }
    const last = this.chunkOf(offsetSectors + sectors - 1);
    for (let k = this.chunkOf(offsetSectors); k <= last; k++) {
      let c = this.counters[k];
      assert((c & COUNTER_MASK) > 0, 'bitmap_endwrite pairs with bitmap_startwrite');
      if (!ok) c |= NEEDED;
      c--;
      this.counters[k] = c;
      if (c <= 2) this.pending[k] = 1;
    }
  }

  /** bitmap_unplug: the set bits reach every member before any data write they cover. */
  unplug(): void {
    if (!this.dirty) return;
    this.writeArea();
    this.dirty = false;
  }

  startSync(offsetSectors: number, degraded: boolean): { needSync: boolean; sectors: number } {
    const k = this.chunkOf(offsetSectors);
    const sectors = (k + 1) * this.chunkSectors - offsetSectors;
    if (k >= this.bits) return { needSync: false, sectors };
    let c = this.counters[k];
    let needSync = false;
    if (c & RESYNC) needSync = true;
    else if (c & NEEDED) {
      needSync = true;
      if (!degraded) c = (c | RESYNC) & ~NEEDED;
    }
    this.counters[k] = c;
    return { needSync, sectors };
  }

  /**
   * md_bitmap_end_sync. md itself ends chunks at checkpoints and at the end (condEndSync, closeSync);
   * a chunk the sync has not yet passed stays RESYNC, or the rest of it would look clean and be skipped.
   */
  endSync(offsetSectors: number): void {
    const k = this.chunkOf(offsetSectors);
    if (this.mddev.currResync < (k + 1) * this.chunkSectors) return;
    this.endSyncChunk(k, false);
  }

  private endSyncChunk(k: number, aborted: boolean): void {
    if (k >= this.bits) return;
    let c = this.counters[k];
    if (!(c & RESYNC)) return;
    c &= ~RESYNC;
    if (aborted) c |= NEEDED;
    else if (c <= 2) this.pending[k] = 1;
    this.counters[k] = c;
    this.allClean = false;
  }

  /** md_bitmap_cond_end_sync: every chunk wholly below the checkpoint is synced. */
  condEndSync(reachedSectors: number): void {
    const below = Math.floor(reachedSectors / this.chunkSectors);
    for (let k = 0; k < Math.min(below, this.bits); k++) this.endSyncChunk(k, false);
  }

  /** md_bitmap_close_sync after the sync ends; chunks it did not reach keep their NEEDED. */
  closeSync(reachedSectors: number): void {
    const below = Math.floor(reachedSectors / this.chunkSectors);
    for (let k = 0; k < this.bits; k++) this.endSyncChunk(k, k >= below);
  }

  /** md_bitmap_update_sb: the bitmap superblock follows the array's events. */
  updateSb(events: bigint): void {
    this.sup = { ...this.sup, events };
    this.writeArea();
    this.dirty = false;
    this.cleared = false;
    this.needSync = false;
  }

  daemonDue(nowMs: number): boolean {
    return !this.allClean && nowMs >= this.lastDaemonMs + this.daemonSleepMs;
  }

  nextWakeMs(): number | null {
    return this.allClean ? null : this.lastDaemonMs + this.daemonSleepMs;
  }

  /** md_bitmap_daemon_work: counters with no writes step 2 -> 1 -> 0, and at 0 the on-disk bit clears. */
  daemonWork(nowMs: number): void {
    this.lastDaemonMs = nowMs;
    const needSync = this.needSync;
    this.needSync = false;
    let clearedNow = 0;
    let stillBusy = false;
    for (let k = 0; k < this.bits; k++) {
      if (!this.pending[k]) continue;
      this.pending[k] = 0;
      const c = this.counters[k];
      if (c === 1) {
        this.counters[k] = 0;
        setBit(this.onDisk, k, false);
        clearedNow++;
      } else if (c !== 0 && c <= 2) {
        this.counters[k] = 1;
        this.pending[k] = 1;
        stillBusy = true;
      }
    }
    if (clearedNow > 0) this.cleared = true;
    if (this.cleared || needSync) {
      this.writeArea();
      this.cleared = false;
    }
    this.allClean = !stillBusy && !this.dirty;
    this.mddev.traceEmit('bitmap_daemon', `cleared ${clearedNow} bit(s), ${this.dirtyBits()} dirty`);
  }

  /** md_bitmap_flush at stop: three daemon passes clear every bit with no write pending. */
  flush(): void {
    for (let pass = 0; pass < 3; pass++) this.daemonWork(this.mddev.clock.nowMs());
  }

  dirtyBits(): number {
    return countSetBits(this.onDisk, this.bits);
  }

  /** Counter pages holding any non-zero counter (mdstat's "allocated" pages). */
  allocatedPages(): number {
    let pages = 0;
    for (let first = 0; first < this.bits; first += COUNTERS_PER_PAGE) {
      const end = Math.min(first + COUNTERS_PER_PAGE, this.bits);
      for (let k = first; k < end; k++) {
        if (this.counters[k] !== 0) {
          pages++;
          break;
        }
      }
    }
    return pages;
  }

  totalPages(): number {
    return Math.ceil(this.bits / COUNTERS_PER_PAGE);
  }

  /** Regions a re-added member must rebuild: every chunk whose bit is set. */
  isSet(k: number): boolean {
    return getBit(this.onDisk, k);
  }

  private writeArea(): void {
    const area = serializeBitmap({ super: this.sup, bits: this.onDisk });
    const failed: Rdev[] = [];
    for (const rdev of this.mddev.rdevs) {
      if (rdev.faulty) continue;
      try {
        writeBitmapArea(rdev, this.offsetSectors, area);
      } catch (err) {
        if (!(err instanceof DeviceError)) throw err;
        failed.push(rdev);
      }
    }
    // Bitmap pages go out like superblocks (md_super_write), so a member that cannot take them is failed
    // as super_written fails it; after the loop, so the other members still get this update.
    for (const rdev of failed) {
      this.mddev.log(`md: super_written gets error=-5 (${rdev.name})`);
      this.mddev.mdError(rdev, 'bitmap write failed');
    }
  }
}

export function bitmapAreaOffsetBytes(rdev: Rdev, offsetSectors: number): number {
  return (Number(rdev.sb.superOffset) + offsetSectors) * 512;
}

/** Reads the bitmap area (superblock plus bits, whole 4 KiB pages) of one member. */
export function readBitmapArea(rdev: Rdev, offsetSectors: number): Uint8Array {
  const head = new Uint8Array(4096);
  const at = bitmapAreaOffsetBytes(rdev, offsetSectors);
  rdev.dev.read(head, at);
  const sup = parseBitmapSuper(head);
  const total = Math.ceil((BITMAP_SUPER_BYTES + Math.ceil(bitmapBits(sup) / 8)) / 4096) * 4096;
  const area = new Uint8Array(total);
  rdev.dev.read(area, at);
  return area;
}

function writeBitmapArea(rdev: Rdev, offsetSectors: number, area: Uint8Array): void {
  rdev.dev.write(area, bitmapAreaOffsetBytes(rdev, offsetSectors));
}
