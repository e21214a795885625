/** Members for fault tests: real sparse image files under os.tmpdir(), filled with a known pattern. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DeviceError, FileBlockDevice } from '../../core/format/blockdev';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mdlab-${prefix}-`));
}

export function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff;
  return bytes;
}

/** A sparse image whose first `filledBytes` hold pattern(seed). */
export function patternedImage(dir: string, name: string, sizeBytes: number, filledBytes: number, seed = 1): FileBlockDevice {
  const dev = FileBlockDevice.create(path.join(dir, name), sizeBytes);
  dev.write(pattern(filledBytes, seed), 0);
  dev.flush();
  return dev;
}

/** The image's bytes as the file system holds them, read past every layer of mdlab. */
export function fileBytes(dev: FileBlockDevice, offsetBytes = 0, lengthBytes?: number): Uint8Array {
  const all = fs.readFileSync(dev.path);
  return new Uint8Array(all.subarray(offsetBytes, lengthBytes === undefined ? undefined : offsetBytes + lengthBytes));
}

export function errorOf(fn: () => unknown): DeviceError {
  try {
    fn();
  } catch (err) {
    if (err instanceof DeviceError) return err;
    throw err;
  }
  throw new Error('expected a DeviceError');
}

/** Offsets at which two byte arrays differ. */
export function diffOffsets(a: Uint8Array, b: Uint8Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) out.push(i);
  return out;
}

export class VirtualClock {
  nowMs = 0;
  readonly read = (): number => this.nowMs;
}
