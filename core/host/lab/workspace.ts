/**
 * The lab workspace: the one folder the engine host keeps arrays in, one sub-folder per array id.
 * The renderer only ever names an array by its id; paths are made and checked here, so no request
 * can reach a file outside the workspace.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ArraySummary, ImageUsage } from '../../api';
import { ArrayIdSchema } from '../../api';
import { MdRefusal } from '../../md/errors';
import { MANIFEST_FILE, parseManifestText } from '../../session/manifest';
import { assert } from '../../util/assert';

const IMAGE_PATTERN = /^disk(\d+)\.img$/;
/** Bounds a listing so a workspace full of junk cannot make one reply huge. */
const MAX_LISTED_ARRAYS = 256;
const MANIFEST_MAX_LIST_BYTES = 1024 * 1024;

export class Workspace {
  readonly root: string;

  constructor(root?: string) {
    this.root = root ?? process.env.MDLAB_WORKSPACE ?? fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-lab-'));
    fs.mkdirSync(this.root, { recursive: true });
  }

  dirOf(id: string): string {
    assert(ArrayIdSchema.safeParse(id).success, `array id ${id} was validated by the contract`);
    const dir = path.join(this.root, id);
    assert(path.dirname(dir) === this.root, 'an array folder sits directly in the workspace');
    return dir;
  }

  /** The member images of an array, in creation order (disk0.img, disk1.img, ...). */
  imagePaths(id: string): string[] {
    const dir = this.dirOf(id);
    if (!fs.existsSync(dir)) throw new MdRefusal(`There is no array "${id}" in the lab workspace.`);
    const images = fs.readdirSync(dir)
      .map((name) => ({ name, match: IMAGE_PATTERN.exec(name) }))
      .filter((entry) => entry.match !== null)
      .sort((a, b) => Number(a.match![1]) - Number(b.match![1]));
    if (images.length === 0) throw new MdRefusal(`The array folder "${id}" holds no member images.`);
    return images.map((entry) => path.join(dir, entry.name));
  }

  /** Refuses an id already in use: creating never overwrites images. */
  claim(id: string): string {
    const dir = this.dirOf(id);
    if (fs.existsSync(dir)) throw new MdRefusal(`An array named "${id}" already exists in the lab workspace.`);
    return dir;
  }

  list(openId: string | null): ArraySummary[] {
    const out: ArraySummary[] = [];
    for (const entry of fs.readdirSync(this.root, { withFileTypes: true })) {
      if (out.length >= MAX_LISTED_ARRAYS) break;
      if (!entry.isDirectory() || !ArrayIdSchema.safeParse(entry.name).success) continue;
      // Only sessions can be opened (images alone have no journal to continue): list nothing else.
      if (!fs.existsSync(path.join(this.root, entry.name, MANIFEST_FILE))) continue;
      const images = fs.readdirSync(path.join(this.root, entry.name)).filter((name) => IMAGE_PATTERN.test(name)).sort();
      if (images.length > 0) out.push({ id: entry.name, images, open: entry.name === openId });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Nominal size against blocks really allocated: what "sparse" means, measured by the file system. */
  usage(id: string): ImageUsage[] {
    return imageUsage(this.imagePaths(id));
  }

  /** The workspace's sessions (folders with a manifest), by id, with the name their manifest gives. */
  sessions(openId: string | null): { id: string; name: string; open: boolean }[] {
    const out: { id: string; name: string; open: boolean }[] = [];
    for (const entry of fs.readdirSync(this.root, { withFileTypes: true })) {
      if (out.length >= MAX_LISTED_ARRAYS) break;
      if (!entry.isDirectory() || !ArrayIdSchema.safeParse(entry.name).success) continue;
      const name = manifestName(path.join(this.root, entry.name, MANIFEST_FILE));
      if (name !== null) out.push({ id: entry.name, name, open: entry.name === openId });
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  }
}

/** A listing only: the name a manifest gives, or null when the folder is not a session (open checks it all). */
function manifestName(manifestPath: string): string | null {
  try {
    if (fs.statSync(manifestPath).size > MANIFEST_MAX_LIST_BYTES) return null;
    return parseManifestText(fs.readFileSync(manifestPath, 'utf8')).name;
  } catch {
    return null;
  }
}

/** Nominal size against blocks really allocated, per image. */
export function imageUsage(imagePaths: readonly string[]): ImageUsage[] {
  return imagePaths.map((imagePath) => {
    const st = fs.statSync(imagePath);
    return { image: path.basename(imagePath), sizeBytes: st.size, allocatedBytes: st.blocks * 512 };
  });
}
