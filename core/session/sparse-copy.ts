/**
 * Copies member images without filling their holes: a 4 TiB sparse member with a few MiB of data must
 * stay a few MiB on disk. Node has no SEEK_DATA/SEEK_HOLE, so the order of preference is:
 *   1. a reflink clone (btrfs, XFS, bcachefs): instant and shares blocks;
 *   2. GNU cp --sparse=always, which walks the extents with SEEK_DATA/SEEK_HOLE;
 *   3. a read loop that leaves every all-zero block as a hole (reads the whole file: the last resort).
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { assert } from '../util/assert';

const BLOCK_BYTES = 1024 * 1024;

export type SparseCopyMethod = 'reflink' | 'cp-sparse' | 'zero-skip';

/** Copies src to dst (dst must not exist) and says how. */
export function copySparse(src: string, dst: string): SparseCopyMethod {
  assert(!fs.existsSync(dst), 'copySparse never overwrites');
  try {
    fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL | fs.constants.COPYFILE_FICLONE_FORCE);
    return 'reflink';
  } catch {
    // No reflink on this file system (ext4, tmpfs): fall through.
  }
  if (process.platform === 'linux') {
    try {
      execFileSync('cp', ['--sparse=always', '--no-dereference', '--', src, dst], { stdio: 'ignore' });
      if (fs.statSync(dst).size === fs.statSync(src).size) return 'cp-sparse';
    } catch {
      // No GNU cp: fall through.
    }
    fs.rmSync(dst, { force: true });
  }
  copySkippingZeros(src, dst);
  return 'zero-skip';
}

function isAllZero(buf: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i++) if (buf[i] !== 0) return false;
  return true;
}

function copySkippingZeros(src: string, dst: string): void {
  const inFd = fs.openSync(src, 'r');
  const outFd = fs.openSync(dst, 'wx');
  try {
    const sizeBytes = fs.fstatSync(inFd).size;
    const buf = new Uint8Array(BLOCK_BYTES);
    for (let pos = 0; pos < sizeBytes; ) {
      const n = fs.readSync(inFd, buf, 0, Math.min(BLOCK_BYTES, sizeBytes - pos), pos);
      assert(n > 0, 'a file does not shrink while it is copied');
      if (!isAllZero(buf, n)) fs.writeSync(outFd, buf, 0, n, pos);
      pos += n;
    }
    fs.ftruncateSync(outFd, sizeBytes);
    fs.fsyncSync(outFd);
  } finally {
    fs.closeSync(inFd);
    fs.closeSync(outFd);
  }
}

/** Bytes the file really occupies on disk (st_blocks is in 512-byte units on every Linux file system). */
export function allocatedBytes(file: string): number {
  return fs.statSync(file).blocks * 512;
}
