/**
 * sha256 of a stopped array's contents, read straight from its images (core/md's ArrayReader, which
 * rebuilds one missing member from parity). Sessions record it on close and replay compares it, so "same
 * array contents" is checked on the bytes a user would read, not on the member files.
 */
import { createHash } from 'node:crypto';
import { assembleImages, readerFor } from '../md/detail';
import { MdRefusal } from '../md/errors';
import { closeMembers } from '../md/member';

export function arrayContentSha256(imagePaths: readonly string[]): string {
  const assembled = assembleImages(imagePaths, { run: true });
  try {
    const d = assembled.decision;
    if (!d.start) throw new MdRefusal(d.refusal ?? 'md would not start this array.');
    const reader = readerFor(assembled);
    const hash = createHash('sha256');
    const windowBytes = reader.rowsPerWindow * reader.rowBytes;
    const buffer = new Uint8Array(windowBytes);
    for (let position = 0; position < reader.sizeBytes; position += windowBytes) {
      const n = Math.min(windowBytes, reader.sizeBytes - position);
      reader.read(buffer.subarray(0, n), position);
      hash.update(buffer.subarray(0, n));
    }
    return hash.digest('hex');
  } finally {
    closeMembers(assembled.members);
  }
}
