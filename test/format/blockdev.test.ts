import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError, FileBlockDevice, MEM_PAGE_BYTES, MemBlockDevice } from '../../core/format/blockdev';

const TiB = 1024 ** 4;
let dir: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-blockdev-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function errorOf(fn: () => unknown): DeviceError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DeviceError);
    return err as DeviceError;
  }
  throw new Error('expected a DeviceError');
}

function pattern(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

describe('FileBlockDevice', () => {
  it('creates a 1 TiB image that allocates nothing on disk', () => {
    const file = path.join(dir, 'big.img');
    const dev = FileBlockDevice.create(file, TiB);
    dev.write(pattern(4096, 1), TiB - 4096);
    dev.close();
    const stat = fs.statSync(file);
    expect(stat.size).toBe(TiB);
    expect(stat.blocks * 512).toBeLessThan(1024 * 1024);
  });

  it('reads back what readv/writev scattered across buffers, at the right offsets', () => {
    const file = path.join(dir, 'm.img');
    const dev = FileBlockDevice.create(file, 1 << 20);
    const parts = [pattern(512, 1), pattern(4096, 2), pattern(1536, 3)];
    dev.writev(parts, 8192);
    const back = [new Uint8Array(100), new Uint8Array(6044)];
    dev.readv(back, 8192);
    expect(Buffer.concat(back)).toEqual(Buffer.concat(parts));
    const raw = fs.readFileSync(file);
    expect(raw.subarray(8192 + 512, 8192 + 512 + 4096)).toEqual(Buffer.from(parts[1]));
    expect(raw.subarray(0, 8192).every((b) => b === 0)).toBe(true);
    dev.close();
  });

  it('handles more buffers than one readv may carry (IOV_MAX)', () => {
    const dev = FileBlockDevice.create(path.join(dir, 'iov.img'), 3000 * 512);
    const parts = Array.from({ length: 3000 }, (_, i) => pattern(512, i));
    dev.writev(parts, 0);
    const back = Array.from({ length: 3000 }, () => new Uint8Array(512));
    dev.readv(back, 0);
    expect(back[2999]).toEqual(parts[2999]);
    expect(back[1024]).toEqual(parts[1024]);
    dev.close();
  });

  it('names the member when the image does not exist', () => {
    const err = errorOf(() => FileBlockDevice.open(path.join(dir, 'missing.img')));
    expect(err.code).toBe('ENOENT');
    expect(err.device).toBe('missing.img');
    expect(err.message).toContain('missing.img');
  });

  it('reports EACCES when writing through a read-only open', () => {
    const file = path.join(dir, 'ro.img');
    FileBlockDevice.create(file, 65536).close();
    const dev = FileBlockDevice.open(file, { readOnly: true });
    const err = errorOf(() => dev.write(new Uint8Array(512), 4096));
    expect(err.code).toBe('EACCES');
    expect(err.offsetBytes).toBe(4096);
    dev.close();
  });

  it('refuses I/O past the end with RANGE and after close with CLOSED', () => {
    const dev = FileBlockDevice.create(path.join(dir, 'r.img'), 65536);
    expect(errorOf(() => dev.read(new Uint8Array(1024), 65536 - 512)).code).toBe('RANGE');
    dev.close();
    expect(errorOf(() => dev.read(new Uint8Array(512), 0)).code).toBe('CLOSED');
  });

  it('says the image shrank when someone truncates it under an open device', () => {
    const file = path.join(dir, 's.img');
    const dev = FileBlockDevice.create(file, 1 << 20);
    fs.truncateSync(file, 1 << 19);
    const err = errorOf(() => dev.read(new Uint8Array(4096), (1 << 19) + 4096));
    expect(err.code).toBe('SHRUNK');
    expect(err.offsetBytes).toBe((1 << 19) + 4096);
    expect(err.message).toContain('s.img');
    dev.close();
  });
});

describe('MemBlockDevice', () => {
  it('holds a multi-TiB device while allocating only the pages written', () => {
    const dev = new MemBlockDevice('mem0', 16 * TiB);
    dev.write(pattern(8192, 7), 16 * TiB - MEM_PAGE_BYTES - 4096);
    expect(dev.allocatedBytes).toBe(2 * MEM_PAGE_BYTES);
    const back = new Uint8Array(8192);
    dev.read(back, 16 * TiB - MEM_PAGE_BYTES - 4096);
    expect(back).toEqual(pattern(8192, 7));
  });

  it('reads zeros where nothing was written and keeps scattered writes in order', () => {
    const dev = new MemBlockDevice('mem1', 1 << 20);
    dev.writev([pattern(100, 1), pattern(MEM_PAGE_BYTES, 2)], MEM_PAGE_BYTES - 50);
    const back = new Uint8Array(MEM_PAGE_BYTES + 200);
    dev.read(back, MEM_PAGE_BYTES - 100);
    expect(back.subarray(0, 50).every((b) => b === 0)).toBe(true);
    expect(back.subarray(50, 150)).toEqual(pattern(100, 1));
    expect(back.subarray(150, 150 + MEM_PAGE_BYTES)).toEqual(pattern(MEM_PAGE_BYTES, 2));
    expect(errorOf(() => dev.read(new Uint8Array(2), (1 << 20) - 1)).code).toBe('RANGE');
  });
});
