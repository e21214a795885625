/**
 * The golden arrays of ../shared/golden (made by Linux 6.1 md + mdadm 4.2), decompressed into a fresh
 * temporary folder per use so tests may modify them freely. The shared copies are never touched.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zlib from 'node:zlib';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDir = path.resolve(repoRoot, '..', 'shared');
export const goldenDir = path.join(sharedDir, 'golden');

/** What the kernel printed during the first boot (creation, writes, failures, stop). */
export interface GoldenBoot1 {
  rc: number;
  sha256_written: string;
  mdstat_after_create: string;
  mdstat_at_stop: string;
  detail_at_stop: string;
  /** `mdadm --examine` of each member after the stop, keyed by image name. */
  examine: Record<string, string>;
  examine_bitmap: Record<string, string> | null;
  output: string;
}

/** What the kernel made of the final images in a second boot (`mdadm --assemble --run`). */
export interface GoldenAssemble {
  rc: number;
  messages: string;
  mdstat: string;
  mdstat_after_wait: string;
  detail: string;
  expected_state: string;
  sha256_first_data_bytes: string;
  mismatch_cnt_after_check: number | null;
  mismatch_cnt_after_repair: number | null;
  mismatch_cnt_after_second_check: number | null;
  sha256_after_repair: string | null;
  output: string;
}

export interface GoldenCorruption {
  member: string;
  offset: number;
  length: number;
  value: number;
  [key: string]: unknown;
}

/** case.json, as the golden README defines it. */
export interface GoldenCaseInfo {
  case: string;
  tag: string;
  level: 4 | 5;
  raid_devices: number;
  spares: number;
  create_args: string;
  metadata: string;
  bitmap: 'none' | 'internal';
  member_bytes: number;
  data_bytes: number;
  data_sha256: string;
  created_by: string;
  steps_boot1: string;
  steps_boot2: string;
  image_sha256: Record<string, string>;
  corruption: GoldenCorruption | null;
  boot1: GoldenBoot1;
  assemble: GoldenAssemble;
}

export interface GoldenCase {
  info: GoldenCaseInfo;
  /** The temporary folder holding the decompressed images. */
  dir: string;
  /** Absolute paths of disk0.img, disk1.img, ... in member order. */
  images: string[];
  /** Removes the temporary folder. */
  cleanup(): void;
}

export function goldenCaseNames(): string[] {
  return fs
    .readdirSync(goldenDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && fs.existsSync(path.join(goldenDir, e.name, 'case.json')))
    .map((e) => e.name)
    .sort();
}

export function readGoldenInfo(name: string): GoldenCaseInfo {
  return JSON.parse(fs.readFileSync(path.join(goldenDir, name, 'case.json'), 'utf8')) as GoldenCaseInfo;
}

/** Decompresses one case's images into a new temporary folder. */
export function openGoldenCase(name: string): GoldenCase {
  const info = readGoldenInfo(name);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `mdlab-golden-${name}-`));
  const images = Object.keys(info.image_sha256)
    .sort((a, b) => memberIndex(a) - memberIndex(b))
    .map((image) => {
      const target = path.join(dir, image);
      fs.writeFileSync(target, zlib.gunzipSync(fs.readFileSync(path.join(goldenDir, name, `${image}.gz`))));
      return target;
    });
  return { info, dir, images, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

function memberIndex(image: string): number {
  const m = /^disk(\d+)\.img$/.exec(image);
  if (!m) throw new Error(`unexpected golden image name ${image}`);
  return Number(m[1]);
}

/** The `Name : value` lines of an mdadm --examine/--detail text, in order (repeated names keep the first). */
export function mdadmFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Za-z][A-Za-z ]*?) : (.*)$/.exec(line);
    if (m && !fields.has(m[1])) fields.set(m[1], m[2].trimEnd());
  }
  return fields;
}
