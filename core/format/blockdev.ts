/**
 * Member devices: md sees each member as a block device; mdlab backs each with a sparse image file
 * (FileBlockDevice) or, for fast tests, with sparse memory (MemBlockDevice). Both are synchronous on
 * purpose: the engine runs off the UI thread and wants deterministic, page-cache-speed I/O.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { assertSafeInteger } from '../util/assert';

export type DeviceErrorCode = 'ENOENT' | 'EACCES' | 'ENOSPC' | 'EIO' | 'SHORT_READ' | 'SHRUNK' | 'CLOSED' | 'RANGE';

/** An operating error of one member: always names the member and the byte offset involved. */
export class DeviceError extends Error {
  override name = 'DeviceError';
  constructor(
    readonly code: DeviceErrorCode,
    readonly device: string,
    readonly offsetBytes: number,
    detail: string,
  ) {
    super(`${device}: ${detail} at offset ${offsetBytes}`);
  }
}

export interface BlockDevice {
  /** What messages call it, e.g. "disk0.img". */
  readonly name: string;
  readonly sizeBytes: number;
  /** Fills every buffer, in order, from offsetBytes on, or throws DeviceError. */
  readv(buffers: Uint8Array[], offsetBytes: number): void;
  writev(buffers: Uint8Array[], offsetBytes: number): void;
  read(buffer: Uint8Array, offsetBytes: number): void;
  write(buffer: Uint8Array, offsetBytes: number): void;
  flush(): void;
  close(): void;
}

/**
 * Every member device really implements the vectored calls; the single-buffer ones are defined once here.
 */
export abstract class VectoredBlockDevice implements BlockDevice {
  abstract readonly name: string;
  abstract readonly sizeBytes: number;
  abstract readv(buffers: Uint8Array[], offsetBytes: number): void;
  abstract writev(buffers: Uint8Array[], offsetBytes: number): void;
  abstract flush(): void;
  abstract close(): void;

  read(buffer: Uint8Array, offsetBytes: number): void {
    this.readv([buffer], offsetBytes);
  }

  write(buffer: Uint8Array, offsetBytes: number): void {
    this.writev([buffer], offsetBytes);
  }
}

/** Linux caps one readv/writev at IOV_MAX buffers. */
const IOV_MAX = 1024;

function totalLength(buffers: Uint8Array[]): number {
  let sum = 0;
  for (const b of buffers) sum += b.byteLength;
  return sum;
}

/** The buffers left to transfer once `doneBytes` of them are done (partial transfers are legal). */
function remainingBuffers(buffers: Uint8Array[], doneBytes: number): Uint8Array[] {
  const rest: Uint8Array[] = [];
  let skip = doneBytes;
  for (const b of buffers) {
    if (skip >= b.byteLength) {
      skip -= b.byteLength;
      continue;
    }
    rest.push(skip === 0 ? b : b.subarray(skip));
    skip = 0;
  }
  return rest;
}

function checkRange(dev: BlockDevice, offsetBytes: number, lengthBytes: number): void {
  assertSafeInteger(offsetBytes, 'offsetBytes');
  if (offsetBytes + lengthBytes > dev.sizeBytes) {
    throw new DeviceError('RANGE', dev.name, offsetBytes, `${lengthBytes} bytes reach past the end of the device (${dev.sizeBytes} bytes)`);
  }
}

function errnoCode(err: unknown): DeviceErrorCode | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOSPC' || code === 'EIO') return code;
  if (code === 'EPERM' || code === 'EROFS') return 'EACCES';
  if (code === 'EDQUOT' || code === 'EFBIG') return 'ENOSPC';
  return null;
}

function wrapErrno(err: unknown, device: string, offsetBytes: number): never {
  const code = errnoCode(err);
  if (code === null) throw err;
  // "ENOENT: no such file or directory, open '/x/disk0.img'" -> "no such file or directory"
  const detail = (err as Error).message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  throw new DeviceError(code, device, offsetBytes, detail);
}

export interface OpenOptions {
  readOnly?: boolean;
}

/** A member backed by an image file. Never fills holes: images stay sparse. */
export class FileBlockDevice extends VectoredBlockDevice {
  private fd: number | null;

  private constructor(
    fd: number,
    readonly path: string,
    readonly name: string,
    readonly sizeBytes: number,
    readonly readOnly: boolean,
  ) {
    super();
    this.fd = fd;
  }

  static open(filePath: string, options: OpenOptions = {}): FileBlockDevice {
    const name = path.basename(filePath);
    const readOnly = options.readOnly ?? false;
    let fd: number;
    try {
      fd = fs.openSync(filePath, readOnly ? 'r' : 'r+');
    } catch (err) {
      wrapErrno(err, name, 0);
    }
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() && !stat.isBlockDevice()) {
      fs.closeSync(fd);
      throw new DeviceError('EIO', name, 0, 'is neither an image file nor a block device');
    }
    return new FileBlockDevice(fd, filePath, name, stat.size, readOnly);
  }

  /** Creates (or replaces) an image of exactly sizeBytes; ftruncate allocates nothing, so it is sparse. */
  static create(filePath: string, sizeBytes: number): FileBlockDevice {
    assertSafeInteger(sizeBytes, 'sizeBytes');
    const name = path.basename(filePath);
    let fd: number;
    try {
      fd = fs.openSync(filePath, 'w+');
      fs.ftruncateSync(fd, sizeBytes);
    } catch (err) {
      wrapErrno(err, name, 0);
    }
    return new FileBlockDevice(fd, filePath, name, sizeBytes, false);
  }

  private liveFd(offsetBytes: number): number {
    if (this.fd === null) throw new DeviceError('CLOSED', this.name, offsetBytes, 'device is closed');
    return this.fd;
  }

  readv(buffers: Uint8Array[], offsetBytes: number): void {
    this.transfer('read', buffers, offsetBytes);
  }

  writev(buffers: Uint8Array[], offsetBytes: number): void {
    this.transfer('write', buffers, offsetBytes);
  }

  /** Positional vectored I/O until every byte moved: the kernel may transfer less than asked. */
  private transfer(kind: 'read' | 'write', buffers: Uint8Array[], offsetBytes: number): void {
    const fd = this.liveFd(offsetBytes);
    if (kind === 'write' && this.readOnly) throw new DeviceError('EACCES', this.name, offsetBytes, 'device is open read-only');
    const lengthBytes = totalLength(buffers);
    checkRange(this, offsetBytes, lengthBytes);
    let doneBytes = 0;
    while (doneBytes < lengthBytes) {
      const position = offsetBytes + doneBytes;
      const batch = remainingBuffers(buffers, doneBytes).slice(0, IOV_MAX);
      let n: number;
      try {
        n = kind === 'read' ? fs.readvSync(fd, batch, position) : fs.writevSync(fd, batch, position);
      } catch (err) {
        wrapErrno(err, this.name, position);
      }
      if (n === 0 && kind === 'read') this.explainShortRead(fd, position);
      if (n === 0) throw new DeviceError('ENOSPC', this.name, position, 'write made no progress');
      doneBytes += n;
    }
  }

  /** End of file before sizeBytes: either someone truncated the image, or the read came up short. */
  private explainShortRead(fd: number, position: number): never {
    const nowBytes = fs.fstatSync(fd).size;
    if (nowBytes < this.sizeBytes) {
      throw new DeviceError('SHRUNK', this.name, position, `image shrank from ${this.sizeBytes} to ${nowBytes} bytes`);
    }
    throw new DeviceError('SHORT_READ', this.name, position, 'read returned no data before the end of the device');
  }

  flush(): void {
    const fd = this.liveFd(0);
    if (this.readOnly) return;
    try {
      fs.fsyncSync(fd);
    } catch (err) {
      wrapErrno(err, this.name, 0);
    }
  }

  close(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    fs.closeSync(fd);
  }
}

/** Page size of MemBlockDevice: big enough to keep the page map small, small enough to stay sparse. */
export const MEM_PAGE_BYTES = 64 * 1024;

/** A member in memory. Pages are allocated on first write, so a multi-TiB device costs nothing until used. */
export class MemBlockDevice extends VectoredBlockDevice {
  private readonly pages = new Map<number, Uint8Array>();
  private closed = false;

  constructor(
    readonly name: string,
    readonly sizeBytes: number,
  ) {
    super();
    assertSafeInteger(sizeBytes, 'sizeBytes');
  }

  /** Bytes actually held in memory: what "allocated on disk" would be for a file. */
  get allocatedBytes(): number {
    return this.pages.size * MEM_PAGE_BYTES;
  }

  private checkOpen(offsetBytes: number): void {
    if (this.closed) throw new DeviceError('CLOSED', this.name, offsetBytes, 'device is closed');
  }

  readv(buffers: Uint8Array[], offsetBytes: number): void {
    this.checkOpen(offsetBytes);
    checkRange(this, offsetBytes, totalLength(buffers));
    let position = offsetBytes;
    for (const buffer of buffers) {
      this.copyOut(buffer, position);
      position += buffer.byteLength;
    }
  }

  writev(buffers: Uint8Array[], offsetBytes: number): void {
    this.checkOpen(offsetBytes);
    checkRange(this, offsetBytes, totalLength(buffers));
    let position = offsetBytes;
    for (const buffer of buffers) {
      this.copyIn(buffer, position);
      position += buffer.byteLength;
    }
  }

  flush(): void {
    this.checkOpen(0);
  }

  close(): void {
    this.closed = true;
  }

  /** Calls `visit` for each page-sized piece of [offsetBytes, offsetBytes + lengthBytes). */
  private eachPage(offsetBytes: number, lengthBytes: number, visit: (pageIndex: number, inPage: number, done: number, n: number) => void): void {
    let done = 0;
    while (done < lengthBytes) {
      const position = offsetBytes + done;
      const pageIndex = Math.floor(position / MEM_PAGE_BYTES);
      const inPage = position - pageIndex * MEM_PAGE_BYTES;
      const n = Math.min(MEM_PAGE_BYTES - inPage, lengthBytes - done);
      visit(pageIndex, inPage, done, n);
      done += n;
    }
  }

  private copyOut(buffer: Uint8Array, offsetBytes: number): void {
    this.eachPage(offsetBytes, buffer.byteLength, (pageIndex, inPage, done, n) => {
      const page = this.pages.get(pageIndex);
      if (page) buffer.set(page.subarray(inPage, inPage + n), done);
      else buffer.fill(0, done, done + n);
    });
  }

  private copyIn(buffer: Uint8Array, offsetBytes: number): void {
    this.eachPage(offsetBytes, buffer.byteLength, (pageIndex, inPage, done, n) => {
      let page = this.pages.get(pageIndex);
      if (!page) {
        page = new Uint8Array(MEM_PAGE_BYTES);
        this.pages.set(pageIndex, page);
      }
      page.set(buffer.subarray(done, done + n), inPage);
    });
  }
}
