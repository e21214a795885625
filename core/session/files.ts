/** Small-file writes that survive a crash: a torn manifest would make the whole session unreadable. */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes via a temporary sibling, fsync, rename, fsync of the folder: readers see old or new, never half. */
export function writeFileAtomic(filePath: string, text: string): void {
  const tmp = path.join(path.dirname(filePath), `.${path.basename(filePath)}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, filePath);
  syncFolder(path.dirname(filePath));
}

export function syncFolder(folder: string): void {
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
