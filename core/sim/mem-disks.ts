/**
 * The simulation's member disks: sparse in-memory images that outlive any one assembly. md closes its
 * members on stop (and mdadm --remove closes one), but the medium must survive for the next assemble,
 * so the engine only ever gets a handle; closing a handle leaves the image alone.
 */
import { DeviceError, MemBlockDevice, VectoredBlockDevice } from '../format/blockdev';
import { serializeBitmap } from '../format/bitmap';
import { writeSuperblock } from '../format/superblock';
import { imageName, type CreatePlan } from '../md/create';

/** Where the simulated images "live": only a name space for the engine's imagePath arguments. */
export const SIM_DIR = '/mdlab-sim';

export class DiskHandle extends VectoredBlockDevice {
  private closed = false;

  constructor(readonly image: MemBlockDevice) {
    super();
  }

  get name(): string {
    return this.image.name;
  }

  get sizeBytes(): number {
    return this.image.sizeBytes;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** mdadm --add opens the image again after --remove closed it. */
  reopen(): void {
    this.closed = false;
  }

  readv(buffers: Uint8Array[], offsetBytes: number): void {
    this.checkOpen(offsetBytes);
    this.image.readv(buffers, offsetBytes);
  }

  writev(buffers: Uint8Array[], offsetBytes: number): void {
    this.checkOpen(offsetBytes);
    this.image.writev(buffers, offsetBytes);
  }

  flush(): void {
    this.checkOpen(0);
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(offsetBytes: number): void {
    if (this.closed) throw new DeviceError('CLOSED', this.name, offsetBytes, 'device is closed');
  }
}

export function simImagePath(index: number): string {
  return `${SIM_DIR}/${imageName(index)}`;
}

export function simImageIndex(imagePath: string): number {
  const match = /\/disk(\d+)\.img$/.exec(imagePath);
  if (match === null) throw new Error(`${imagePath} is not a simulated image`);
  return Number(match[1]);
}

/** What writeCreatedArray puts in the files, put on in-memory images instead (mdadm --create's writes). */
export function createMemImages(plan: CreatePlan): MemBlockDevice[] {
  const bitmapArea = plan.bitmap ? serializeBitmap(plan.bitmap) : null;
  return plan.superblocks.map((sb, i) => {
    const image = new MemBlockDevice(imageName(i), plan.memberBytes);
    writeSuperblock(image, sb);
    if (bitmapArea) image.write(bitmapArea, (Number(sb.superOffset) + sb.bitmapOffset) * 512);
    return image;
  });
}
