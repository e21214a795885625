import { createHash } from 'node:crypto';
import { afterEach } from 'vitest';
import { FileBlockDevice } from '../../../core/format/blockdev';
import { readSuperblock, type Superblock1 } from '../../../core/format/superblock';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MdArray, type MdArrayOptions } from '../../../core/engine/array';
import { VirtualClock } from '../../../core/engine/clock';
import type { CreateOptions } from '../../../core/md/create';
import { createRaid5Personality } from '../../../core/engine/raid5';
import { createReferencePersonality } from './reference-personality';

export const MiB = 1024 * 1024;

export function tempDir(tag: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mdlab-md-${tag}-`));
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The real RAID5 personality by default; MDLAB_MD_PERSONALITY=reference runs the md core over the simple one. */
export function engineOptions(extra: MdArrayOptions = {}): MdArrayOptions & { clock: VirtualClock } {
  const personality = process.env.MDLAB_MD_PERSONALITY === 'reference' ? createReferencePersonality : createRaid5Personality;
  return { clock: new VirtualClock(), personality, ...extra } as MdArrayOptions & { clock: VirtualClock };
}

export function createOptions(extra: Partial<CreateOptions> = {}): CreateOptions {
  return {
    level: 5,
    raidDevices: 4,
    chunkKib: 64,
    memberBytes: 8 * MiB,
    name: 'lab',
    homehost: 'mdlab',
    nowSeconds: 1_790_000_000,
    ...extra,
  };
}

/** Deterministic non-repeating bytes, so a mis-mapped block cannot look right by accident. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

export function createArrayIn(dir: string, extra: Partial<CreateOptions> = {}, options: MdArrayOptions = {}): MdArray {
  return MdArray.create(dir, createOptions(extra), engineOptions(options));
}

/** Temporary folders for one test file, removed after each test. */
export function useTempDirs(): (tag: string) => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  return (tag) => {
    const d = tempDir(tag);
    dirs.push(d);
    return d;
  };
}

export function imagesIn(dir: string): string[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.img')).sort().map((f) => path.join(dir, f));
}

export function superblockOf(image: string): Superblock1 {
  const dev = FileBlockDevice.open(image, { readOnly: true });
  try {
    return readSuperblock(dev).sb;
  } finally {
    dev.close();
  }
}
