/** Temp folders for session tests, and a fingerprint of a tree to prove a refusal modified nothing. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `mdlab-${prefix}-`));
}

/** Every entry under `root` with its type, size, mtime and content hash (links by target). */
export function treeFingerprint(root: string): string {
  const lines: string[] = [];
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = fs.lstatSync(p);
      const rel = path.relative(root, p);
      if (st.isSymbolicLink()) lines.push(`L ${rel} -> ${fs.readlinkSync(p)}`);
      else if (st.isDirectory()) {
        lines.push(`D ${rel}`);
        walk(p);
      } else {
        const hash = createHash('sha256').update(fs.readFileSync(p)).digest('hex');
        lines.push(`F ${rel} ${st.size} ${st.mtimeMs} ${hash}`);
      }
    }
  };
  walk(root);
  return lines.join('\n');
}
