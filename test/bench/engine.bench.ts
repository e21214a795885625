/**
 * The engine numbers of issue #4, each measured side by side with its reference in one run:
 *  - check and resync of a 4-member array full of data vs reading every member file once (target ≥ 0.8x);
 *  - full-stripe sequential writes vs writing the member files directly (target ≥ 0.6x);
 *  - 16 x 4 TiB sparse members: a few seconds of resync, RSS (target < 300 MB) and images still sparse;
 *  - progress events per second during a sync (≥ 10) and the longest slice the engine host would run (≤ 16 ms);
 *  - the ceiling of the first two: the same member I/O and parity a raid5d pass does, with no md bookkeeping.
 * Rounds alternate reference and mdlab so drift on the shared machine hits both alike. Nothing asserts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MdArray } from '../../core/engine/array';
import { PASS_IO_BYTES } from '../../core/engine/raid5/raid5d';
import { StripeSlab } from '../../core/engine/raid5/slab';
import { STRIPE_BYTES } from '../../core/engine/raid5/stripe-bytes';
import { createArray } from '../../core/md/create';

const MiB = 1024 * 1024;
const MEMBER_BYTES = 96 * MiB;
const ROUNDS = 3;
const FAST = { speedLimitMin: 1000, speedLimitMax: 100_000_000 };

/** CPU seconds of this process per measurement, kept beside wall time: on a loaded machine wall time mostly measures waiting for a core. */
const cpuSeconds = new Map<number[], number[]>();

function seconds(fn: () => void, into?: number[]): number {
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (into !== undefined) {
    const c = process.cpuUsage(c0);
    into.push(wall);
    if (!cpuSeconds.has(into)) cpuSeconds.set(into, []);
    cpuSeconds.get(into)!.push((c.user + c.system) / 1e6);
  }
  return wall;
}

function cpuMedian(series: number[]): number {
  return median(cpuSeconds.get(series) ?? [Number.NaN]);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function readFilesOnce(paths: string[]): void {
  const buf = Buffer.allocUnsafe(4 * MiB);
  for (const p of paths) {
    const fd = fs.openSync(p, 'r');
    let at = 0;
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, at);
      if (n <= 0) break;
      at += n;
    }
    fs.closeSync(fd);
  }
}

function writeFilesOnce(paths: string[], bytesEach: number, offset: number): void {
  const buf = Buffer.alloc(4 * MiB, 0x5a);
  for (const p of paths) {
    const fd = fs.openSync(p, 'r+');
    for (let at = 0; at < bytesEach; at += buf.length) fs.writeSync(fd, buf, 0, Math.min(buf.length, bytesEach - at), offset + at);
    fs.closeSync(fd);
  }
}

function freshArray(dir: string, extra: Record<string, unknown> = {}): string[] {
  fs.rmSync(dir, { recursive: true, force: true });
  return createArray(dir, { level: 5, raidDevices: 4, chunkKib: 64, memberBytes: MEMBER_BYTES, assumeClean: true, homehost: 'mdlab', ...extra }).paths;
}

function syncSeconds(paths: string[], into: number[], start: (a: MdArray) => void): void {
  const array = MdArray.assemble(paths);
  array.set(FAST);
  seconds(() => {
    start(array);
    array.waitIdleSync();
  }, into);
  array.stop();
}

async function throughput(root: string): Promise<void> {
  const paths = freshArray(path.join(root, 'tp'));
  const array = MdArray.assemble(paths);
  const data = Buffer.alloc(3 * 64 * 1024 * 16, 0);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const arrayBytes = array.sizeBytes;
  // Where md keeps data on each member: the references write and the bare engine reads exactly there.
  const member = { offsetBytes: array.mddev.rdevs[0].dataOffsetSectors * 512, bytes: array.mddev.devSectors * 512 };
  const bare = mdWithoutBookkeeping(paths, member);
  const bareCheck: number[] = [];
  const bareWrite: number[] = [];
  const writeMdlab: number[] = [];
  const writeRef: number[] = [];
  const readRef: number[] = [];
  const check: number[] = [];
  const resync: number[] = [];
  array.stop();
  for (let round = 0; round < ROUNDS; round++) {
    seconds(() => writeFilesOnce(paths, member.bytes, member.offsetBytes), writeRef);
    seconds(() => bare.write(data), bareWrite);
    {
      const a = MdArray.assemble(paths);
      seconds(() => {
        for (let at = 0; at + data.length <= arrayBytes; at += data.length) a.writeSync(at, data);
      }, writeMdlab);
      a.stop();
    }
    seconds(() => readFilesOnce(paths), readRef);
    seconds(() => bare.check(), bareCheck);
    syncSeconds(paths, check, (a) => a.setSyncAction('check'));
    seconds(() => readFilesOnce(paths), readRef);
    syncSeconds(paths, resync, (a) => {
      // An unclean shutdown's state: parity unknown from sector 0.
      a.mddev.recoveryCp = 0;
      a.setSyncAction('resync');
    });
  }
  const memberData = MEMBER_BYTES * paths.length;
  const mbps = (bytes: number, s: number) => (bytes / MiB / s).toFixed(0);
  const r = median(readRef);
  const rc = cpuMedian(readRef);
  const cpuNote = (series: number[]) => `(CPU time ratio ${(rc / cpuMedian(series)).toFixed(2)}x)`;
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
  console.log(`read every member file once:   ${mbps(memberData, r)} MiB/s`);
  console.log(`check (4 members):             ${mbps(memberData, median(check))} MiB/s of members  ratio ${(r / median(check)).toFixed(2)}x (target >= 0.8x) ${cpuNote(check)}`);
  console.log(`resync (4 members):            ${mbps(memberData, median(resync))} MiB/s of members  ratio ${(r / median(resync)).toFixed(2)}x (target >= 0.8x) ${cpuNote(resync)}`);
  const refWriteBytes = paths.length * member.bytes;
  const mdWriteBytes = arrayBytes * (4 / 3);
  const refRate = refWriteBytes / median(writeRef);
  const mdRate = mdWriteBytes / median(writeMdlab);
  console.log(`write member files directly:   ${(refRate / MiB).toFixed(0)} MiB/s of members`);
  const cpuRatio = mdWriteBytes / cpuMedian(writeMdlab) / (refWriteBytes / cpuMedian(writeRef));
  console.log(`full-stripe writes via md:     ${(mdRate / MiB).toFixed(0)} MiB/s of members  ratio ${(mdRate / refRate).toFixed(2)}x (target >= 0.6x) (CPU time ratio ${cpuRatio.toFixed(2)}x)`);
  // The same work with none of md's bookkeeping (mdWithoutBookkeeping): what is left between that and
  // the target is md's own time per stripe.
  const w = median(writeRef);
  console.log(
    `md with no bookkeeping at all, a raid5d pass at a time: check/resync ${(r / median(bareCheck)).toFixed(2)}x, ` +
      `full-stripe writes ${(w / median(bareWrite)).toFixed(2)}x (copy into the stripe pages, parity, write)`,
  );
  bare.close();
}

/**
 * md with no bookkeeping at all: what a raid5d pass of a sync or a full-stripe write must do, on the
 * same member files and with the engine's own slab and SIMD kernels. A check reads a pass of stripes
 * (PASS_IO_BYTES) from every member into the stripe pages and verifies each stripe's parity; a write
 * copies a pass of the caller's data into the data pages (ops_run_biodrain), computes parity and
 * writes every member's run. Nothing else of md runs, so this is the most any engine shaped like md
 * could reach on this machine.
 */
function mdWithoutBookkeeping(
  paths: string[],
  member: { offsetBytes: number; bytes: number },
): { check: () => void; write: (data: Buffer) => void; close: () => void } {
  const disks = paths.length;
  const slab = new StripeSlab(disks);
  const stripes = Math.floor(PASS_IO_BYTES / (disks * STRIPE_BYTES));
  const runs = Array.from({ length: disks }, (_, i) => slab.view(slab.pageOffset(0, i), stripes * STRIPE_BYTES));
  const fds = paths.map((p) => fs.openSync(p, 'r+'));
  const passes = (each: (memberOffset: number) => void): void => {
    const end = member.offsetBytes + member.bytes;
    for (let at = member.offsetBytes; at + stripes * STRIPE_BYTES <= end; at += stripes * STRIPE_BYTES) each(at);
  };
  return {
    check: () =>
      passes((at) => {
        for (let i = 0; i < disks; i++) fs.readvSync(fds[i], [runs[i]], at);
        for (let s = 0; s < stripes; s++) {
          if (!slab.arena.regionsXorToZero(slab.pageOffset(s, 0), slab.memberStrideBytes, disks, STRIPE_BYTES)) throw new Error('the array md wrote is consistent');
        }
      }),
    write: (data) => {
      let from = 0;
      passes((at) => {
        for (let i = 1; i < disks; i++) {
          if (from + runs[i].length > data.length) from = 0;
          runs[i].set(data.subarray(from, from + runs[i].length));
          from += runs[i].length;
        }
        for (let s = 0; s < stripes; s++) slab.arena.xorRegions(slab.pageOffset(s, 0), slab.pageOffset(s, 1), slab.memberStrideBytes, disks - 1, -1, STRIPE_BYTES);
        for (let i = 0; i < disks; i++) fs.writevSync(fds[i], [runs[i]], at);
      });
    },
    close: () => {
      for (const fd of fds) fs.closeSync(fd);
    },
  };
}

async function hugeSparse(root: string): Promise<void> {
  const dir = path.join(root, 'huge');
  const paths = createArray(dir, { level: 5, raidDevices: 16, chunkKib: 512, memberBytes: 4 * 1024 * 1024 * MiB, force: true, homehost: 'mdlab' }).paths;
  const array = MdArray.assemble(paths);
  array.set(FAST);
  let progress = 0;
  let longestSliceMs = 0;
  let longestSliceCpuMs = 0;
  const sliceMs: number[] = [];
  array.subscribe((e) => {
    if (e.type === 'progress') progress++;
  });
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    const s0 = performance.now();
    const c0 = process.cpuUsage();
    const r = array.runSlice();
    sliceMs.push(performance.now() - s0);
    longestSliceMs = Math.max(longestSliceMs, performance.now() - s0);
    const c = process.cpuUsage(c0);
    longestSliceCpuMs = Math.max(longestSliceCpuMs, (c.user + c.system) / 1000);
    if (!r.busy && r.nextWakeMs !== null) await new Promise((res) => setTimeout(res, Math.max(0, Math.min(r.nextWakeMs! - array.clock.nowMs(), 10))));
  }
  const elapsed = (performance.now() - t0) / 1000;
  // sync_completed only moves at checkpoints (every 1/16 of 4 TiB); curr_resync is where md is.
  const doneSectors = array.mddev.currResync;
  const rssMiB = process.memoryUsage().rss / MiB;
  array.stop();
  const holes = readHolesLikeAPass(paths, doneSectors * 512 + 64 * MiB);
  let allocated = 0;
  for (const p of paths) allocated += fs.statSync(p).blocks * 512;
  console.log(`16 x 4 TiB resync for ${elapsed.toFixed(1)} s: ${(doneSectors / 2 / 1024 / elapsed).toFixed(0)} MiB/s per member, RSS ${rssMiB.toFixed(0)} MiB (target < 300), images allocate ${(allocated / MiB).toFixed(0)} MiB of ${16 * 4} TiB`);
  const over = sliceMs.filter((ms) => ms > 16).length;
  const p99 = [...sliceMs].sort((a, b) => a - b)[Math.floor(sliceMs.length * 0.99)];
  console.log(`progress events: ${(progress / elapsed).toFixed(1)}/s (target >= 10); longest engine slice ${longestSliceMs.toFixed(1)} ms (target <= 16), p99 ${p99.toFixed(1)} ms, ${over} of ${sliceMs.length} over 16 ms; longest slice CPU time ${longestSliceCpuMs.toFixed(1)} ms`);
  console.log(`reference, reading the same holes as one raid5d pass does (128 KiB of each member): ${holes.mibPerSec.toFixed(0)} MiB/s, longest step ${holes.longestMs.toFixed(1)} ms (CPU ${holes.longestCpuMs.toFixed(1)} ms), longest single member read ${holes.longestReadMs.toFixed(1)} ms (the floor under a slice, which starts at least one)`);
  const readahead = readaheadKib(dir);
  if (readahead !== null) {
    console.log(`read_ahead_kb of the disk holding the images: ${readahead} (Linux's default is 128): a sequential read of holes zero-fills that much page cache at once`);
  }
}

/**
 * The readahead window of the block device holding `file` (Linux only, null elsewhere). Reading holes
 * of a sparse image costs one window of zero-filled page cache at a time; with 8 MiB windows a single
 * 128 KiB read can take ~15 ms, which sets the longest slice whatever md does.
 */
function readaheadKib(file: string): number | null {
  const dev = fs.statSync(file).dev;
  // glibc's major()/minor() split of a 64-bit dev_t.
  const major = ((dev >>> 8) & 0xfff) | (Math.floor(dev / 2 ** 32) & ~0xfff);
  const minor = (dev & 0xff) | ((dev >>> 12) & ~0xff);
  // A partition has no queue of its own: its disk's is one folder up.
  for (const queue of ['queue', '../queue']) {
    try {
      return Number(fs.readFileSync(`/sys/dev/block/${major}:${minor}/${queue}/read_ahead_kb`, 'utf8').trim());
    } catch {
      // not Linux, not a block device, or not this level of the tree
    }
  }
  return null;
}

/** What one raid5d pass of the 16-member sync reads (PASS_IO_BYTES), without md: the floor under its slices. */
function readHolesLikeAPass(paths: string[], fromBytes: number): { mibPerSec: number; longestMs: number; longestCpuMs: number; longestReadMs: number } {
  const fds = paths.map((p) => fs.openSync(p, 'r'));
  const buf = Buffer.allocUnsafe(PASS_IO_BYTES / paths.length);
  let longestMs = 0;
  let longestCpuMs = 0;
  let longestReadMs = 0;
  let bytes = 0;
  const t0 = performance.now();
  for (let at = fromBytes; performance.now() - t0 < 1500; at += buf.length) {
    const s0 = performance.now();
    const c0 = process.cpuUsage();
    for (const fd of fds) {
      const r0 = performance.now();
      bytes += fs.readSync(fd, buf, 0, buf.length, at);
      longestReadMs = Math.max(longestReadMs, performance.now() - r0);
    }
    longestMs = Math.max(longestMs, performance.now() - s0);
    const c = process.cpuUsage(c0);
    longestCpuMs = Math.max(longestCpuMs, (c.user + c.system) / 1000);
  }
  for (const fd of fds) fs.closeSync(fd);
  return { mibPerSec: bytes / MiB / ((performance.now() - t0) / 1000), longestMs, longestCpuMs, longestReadMs };
}

export async function bench(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-engine-bench-'));
  try {
    await throughput(root);
    await hugeSparse(root);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
}
