/**
 * The two numbers of issue #3:
 *  - `mdlab cat` of a clean 4-member array with data against `cat disk*.img > /dev/null` (target ≥ 0.8x),
 *    and of the same array with one member missing (target ≥ 0.5x);
 *  - `mdlab create` of 4 x 1 TiB members (target < 1 s, < 10 MiB allocated).
 * Rounds alternate reference and mdlab so drift in the shared machine hits both alike.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../core/cli/main';
import { FileBlockDevice } from '../../core/format/blockdev';
import { createArray } from '../../core/md/create';
import { repoRoot } from '../helpers/golden';
import { writeLbaArray } from '../helpers/write-array';

const MiB = 1024 * 1024;
const MEMBER_BYTES = 192 * MiB;
const ROUNDS = 5;

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function secondsAsync(fn: () => Promise<unknown>): Promise<number> {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The cat verb exactly as the command runs it, stdout going to /dev/null through a real file stream. */
async function mdlabCat(args: string[]): Promise<void> {
  const stdout = fs.createWriteStream('/dev/null');
  const code = await main(['cat', ...args], { stdout, stderr: process.stderr });
  await new Promise<void>((resolve) => stdout.end(resolve));
  if (code !== 0) throw new Error(`mdlab cat exited ${code}`);
}

function shellCat(files: string[]): void {
  const r = spawnSync('sh', ['-c', 'cat "$@" > /dev/null', 'sh', ...files]);
  if (r.status !== 0) throw new Error('cat failed');
}

async function benchCat(dir: string): Promise<void> {
  const { plan, paths } = createArray(path.join(dir, 'cat'), { level: 5, raidDevices: 4, memberBytes: MEMBER_BYTES, assumeClean: true, chunkKib: 512 });
  const devs = paths.map((p) => FileBlockDevice.open(p));
  const rows = plan.componentSectors / 1024;
  writeLbaArray({ level: 5, raidDisks: 4, algorithm: 2, chunkSectors: 1024 }, devs.map((dev) => ({ dev, dataOffsetSectors: plan.dataOffsetSectors })), 'benchc', rows);
  for (const d of devs) d.close();
  const arrayBytes = rows * 3 * 512 * 1024;
  const degradedPaths = paths.filter((_, i) => i !== 1);

  // Warm the page cache for both sides: the comparison is of CPU work, not of the disk.
  shellCat(paths);
  await mdlabCat(paths);
  await mdlabCat(['--run', ...degradedPaths]);

  const ref: number[] = [];
  const clean: number[] = [];
  const degraded: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    ref.push(seconds(() => shellCat(paths)));
    clean.push(await secondsAsync(() => mdlabCat(paths)));
    degraded.push(await secondsAsync(() => mdlabCat(['--run', ...degradedPaths])));
  }
  const filesMiB = (4 * MEMBER_BYTES) / MiB;
  // Ratios pair each mdlab run with the reference run just before it, then take the median pair.
  const cleanRatios = ref.map((r, i) => r / clean[i]);
  const degradedRatios = ref.map((r, i) => r / degraded[i]);
  console.log(`array: 4 x ${MEMBER_BYTES / MiB} MiB members, ${(arrayBytes / MiB).toFixed(0)} MiB of data, chunk 512K, left-symmetric, page cache warm`);
  console.log(`cat disk*.img > /dev/null      median ${median(ref).toFixed(3)} s  (${(filesMiB / median(ref)).toFixed(0)} MiB/s of member files)`);
  console.log(`mdlab cat (clean)              median ${median(clean).toFixed(3)} s  ratio ${median(cleanRatios).toFixed(2)}x  (target >= 0.8x)`);
  console.log(`mdlab cat --run (degraded, -1) median ${median(degraded).toFixed(3)} s  ratio ${median(degradedRatios).toFixed(2)}x  (target >= 0.5x)`);
  console.log(`per-round ratios clean: ${cleanRatios.map((r) => r.toFixed(2)).join(' ')}; degraded: ${degradedRatios.map((r) => r.toFixed(2)).join(' ')}`);

  // The whole command as a process, tsx start-up included, for reference.
  let status: number | null = null;
  const t = seconds(() => {
    status = spawnSync('sh', ['-c', `node "${path.join(repoRoot, 'bin', 'mdlab.mjs')}" cat "$@" > /dev/null`, 'sh', ...paths]).status;
  });
  console.log(`whole process (node bin/mdlab.mjs cat, start-up included): ${t.toFixed(3)} s, exit ${String(status)}`);
}

async function benchCreate(dir: string): Promise<void> {
  const TiB = 1024 ** 4;
  const times: number[] = [];
  let allocated = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const target = path.join(dir, `create${round}`);
    times.push(seconds(() => createArray(target, { level: 5, raidDevices: 4, memberBytes: TiB, name: 'bench', homehost: 'mdlab' })));
    allocated = fs.readdirSync(target).reduce((sum, f) => sum + fs.statSync(path.join(target, f)).blocks * 512, 0);
  }
  console.log(`mdlab create 4 x 1 TiB (in process): median ${median(times).toFixed(3)} s (target < 1 s), ${(allocated / 1024).toFixed(0)} KiB allocated on disk (target < 10 MiB)`);
  const target = path.join(dir, 'create-proc');
  const t = seconds(() => spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'mdlab.mjs'), 'create', target, '--no-sync', '-l', '5', '-n', '4', '-z', '1T']));
  const t0 = seconds(() => spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'mdlab.mjs'), '--help']));
  console.log(`whole process (node bin/mdlab.mjs create --no-sync ... -z 1T): ${t.toFixed(3)} s, of which start-up (mdlab --help) ${t0.toFixed(3)} s`);
}

export async function bench(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-bench-'));
  try {
    await benchCreate(dir);
    await benchCat(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
