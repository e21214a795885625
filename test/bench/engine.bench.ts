/**
 * The engine numbers of issue #4, each measured side by side with its reference in one run:
 *  - check and resync of a 4-member array full of data vs reading every member file once (target ≥ 0.8x);
 *  - full-stripe sequential writes vs writing the member files directly (target ≥ 0.6x);
 *  - 16 x 4 TiB sparse members: a few seconds of resync, RSS (target < 300 MB) and images still sparse;
 *  - progress events per second during a sync (≥ 10) and the longest slice the engine host would run (≤ 16 ms).
 * Rounds alternate reference and mdlab so drift on the shared machine hits both alike. Nothing asserts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MdArray } from '../../core/engine/array';
import { createArray } from '../../core/md/create';

const MiB = 1024 * 1024;
const MEMBER_BYTES = 96 * MiB;
const ROUNDS = 3;
const FAST = { speedLimitMin: 1000, speedLimitMax: 100_000_000 };

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
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

function syncSeconds(paths: string[], start: (a: MdArray) => void): number {
  const array = MdArray.assemble(paths);
  array.set(FAST);
  const s = seconds(() => {
    start(array);
    array.waitIdleSync();
  });
  array.stop();
  return s;
}

async function throughput(root: string): Promise<void> {
  const paths = freshArray(path.join(root, 'tp'));
  const array = MdArray.assemble(paths);
  const data = Buffer.alloc(3 * 64 * 1024 * 16, 0);
  for (let i = 0; i < data.length; i++) data[i] = (i * 2654435761) >>> 24;
  const arrayBytes = array.sizeBytes;
  const writeMdlab: number[] = [];
  const writeRef: number[] = [];
  const readRef: number[] = [];
  const check: number[] = [];
  const resync: number[] = [];
  array.stop();
  for (let round = 0; round < ROUNDS; round++) {
    writeRef.push(seconds(() => writeFilesOnce(paths, MEMBER_BYTES - 2 * MiB, 2 * MiB)));
    {
      const a = MdArray.assemble(paths);
      writeMdlab.push(
        seconds(() => {
          for (let at = 0; at + data.length <= arrayBytes; at += data.length) a.writeSync(at, data);
        }),
      );
      a.stop();
    }
    readRef.push(seconds(() => readFilesOnce(paths)));
    check.push(syncSeconds(paths, (a) => a.setSyncAction('check')));
    readRef.push(seconds(() => readFilesOnce(paths)));
    resync.push(
      syncSeconds(paths, (a) => {
        // An unclean shutdown's state: parity unknown from sector 0.
        a.mddev.recoveryCp = 0;
        a.setSyncAction('resync');
      }),
    );
  }
  const memberData = MEMBER_BYTES * paths.length;
  const mbps = (bytes: number, s: number) => (bytes / MiB / s).toFixed(0);
  const r = median(readRef);
  console.log(`read every member file once:   ${mbps(memberData, r)} MiB/s`);
  console.log(`check (4 members):             ${mbps(memberData, median(check))} MiB/s of members  ratio ${(r / median(check)).toFixed(2)}x (target >= 0.8x)`);
  console.log(`resync (4 members):            ${mbps(memberData, median(resync))} MiB/s of members  ratio ${(r / median(resync)).toFixed(2)}x (target >= 0.8x)`);
  const refWriteBytes = paths.length * (MEMBER_BYTES - 2 * MiB);
  const mdWriteBytes = arrayBytes * (4 / 3);
  const refRate = refWriteBytes / median(writeRef);
  const mdRate = mdWriteBytes / median(writeMdlab);
  console.log(`write member files directly:   ${(refRate / MiB).toFixed(0)} MiB/s of members`);
  console.log(`full-stripe writes via md:     ${(mdRate / MiB).toFixed(0)} MiB/s of members  ratio ${(mdRate / refRate).toFixed(2)}x (target >= 0.6x)`);
}

async function hugeSparse(root: string): Promise<void> {
  const dir = path.join(root, 'huge');
  const paths = createArray(dir, { level: 5, raidDevices: 16, chunkKib: 512, memberBytes: 4 * 1024 * 1024 * MiB, force: true, homehost: 'mdlab' }).paths;
  const array = MdArray.assemble(paths);
  array.set(FAST);
  let progress = 0;
  let longestSliceMs = 0;
  array.subscribe((e) => {
    if (e.type === 'progress') progress++;
  });
  const t0 = performance.now();
  while (performance.now() - t0 < 3000) {
    const s0 = performance.now();
    const r = array.runSlice();
    longestSliceMs = Math.max(longestSliceMs, performance.now() - s0);
    if (!r.busy && r.nextWakeMs !== null) await new Promise((res) => setTimeout(res, Math.max(0, Math.min(r.nextWakeMs! - array.clock.nowMs(), 10))));
  }
  const elapsed = (performance.now() - t0) / 1000;
  // sync_completed only moves at checkpoints (every 1/16 of 4 TiB); curr_resync is where md is.
  const doneSectors = array.mddev.currResync;
  const rssMiB = process.memoryUsage().rss / MiB;
  array.stop();
  let allocated = 0;
  for (const p of paths) allocated += fs.statSync(p).blocks * 512;
  console.log(`16 x 4 TiB resync for ${elapsed.toFixed(1)} s: ${(doneSectors / 2 / 1024 / elapsed).toFixed(0)} MiB/s per member, RSS ${rssMiB.toFixed(0)} MiB (target < 300), images allocate ${(allocated / MiB).toFixed(0)} MiB of ${16 * 4} TiB`);
  console.log(`progress events: ${(progress / elapsed).toFixed(1)}/s (target >= 10); longest engine slice ${longestSliceMs.toFixed(1)} ms (target <= 16)`);
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
