import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { allocatedBytes, copySparse } from '../../core/session/sparse-copy';
import { tempDir } from './helpers';

describe('sparse copy of member images', () => {
  it('copies a 2 GiB image holding 2 MiB of data without filling its holes', () => {
    const dir = tempDir('sparse');
    const src = path.join(dir, 'src.img');
    const sizeBytes = 2 * 1024 ** 3;
    const fd = fs.openSync(src, 'w');
    fs.ftruncateSync(fd, sizeBytes);
    const data = Buffer.alloc(1024 * 1024, 0x5a);
    fs.writeSync(fd, data, 0, data.length, 4096);
    fs.writeSync(fd, data, 0, data.length, sizeBytes - data.length);
    fs.closeSync(fd);

    const dst = path.join(dir, 'dst.img');
    const method = copySparse(src, dst);
    expect(['reflink', 'cp-sparse', 'zero-skip']).toContain(method);
    expect(fs.statSync(dst).size).toBe(sizeBytes);
    expect(allocatedBytes(dst)).toBeLessThan(16 * 1024 * 1024);
    const head = Buffer.alloc(8192);
    const rfd = fs.openSync(dst, 'r');
    fs.readSync(rfd, head, 0, head.length, 0);
    const tail = Buffer.alloc(data.length);
    fs.readSync(rfd, tail, 0, tail.length, sizeBytes - data.length);
    fs.closeSync(rfd);
    expect(head.subarray(0, 4096).every((b) => b === 0)).toBe(true);
    expect(head.subarray(4096).every((b) => b === 0x5a)).toBe(true);
    expect(tail.equals(data)).toBe(true);
  });

  it('refuses to overwrite an existing file', () => {
    const dir = tempDir('sparse');
    fs.writeFileSync(path.join(dir, 'a'), 'a');
    fs.writeFileSync(path.join(dir, 'b'), 'b');
    expect(() => copySparse(path.join(dir, 'a'), path.join(dir, 'b'))).toThrow();
    expect(fs.readFileSync(path.join(dir, 'b'), 'utf8')).toBe('b');
  });
});
