/**
 * One image opened as an md member: its device and its superblock, as mdadm's load_super gives them.
 * Images without a v1 superblock are refused in mdadm's words, so every verb says the same thing.
 */
import * as path from 'node:path';
import { type BlockDevice, FileBlockDevice } from '../format/blockdev';
import { type MetadataVersion, readSuperblock, type Superblock1, SuperblockError } from '../format/superblock';
import { MdRefusal } from './errors';

export interface Member {
  /** The path as given, for messages like mdadm's "/dev/vda:". */
  path: string;
  image: string;
  dev: BlockDevice;
  sb: Superblock1;
  version: MetadataVersion;
  checksumOk: boolean;
  /** Checksum of the superblock bytes as stored. */
  checksum: number;
}

export function openMember(imagePath: string, options: { readOnly?: boolean } = {}): Member {
  const dev = FileBlockDevice.open(imagePath, { readOnly: options.readOnly ?? true });
  try {
    const { sb, version, checksumOk, checksum } = readSuperblock(dev);
    return { path: imagePath, image: path.basename(imagePath), dev, sb, version, checksumOk, checksum };
  } catch (err) {
    dev.close();
    if (err instanceof SuperblockError && err.rule === 'magic') throw new MdRefusal(`No md superblock detected on ${imagePath}.`);
    if (err instanceof SuperblockError) throw new MdRefusal(`${imagePath}: md would refuse this superblock: ${err.message}.`);
    throw err;
  }
}

export function closeMembers(members: readonly Member[]): void {
  for (const m of members) m.dev.close();
}
