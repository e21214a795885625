/**
 * mdadm --manage on a running array (md-spec §4.9): --fail, --remove, --add, --re-add, with md's
 * refusals worded as mdadm prints them. The decisions follow the kernel's hot_remove_disk,
 * add_new_disk and super_1_validate; the md thread then does the rest (remove from slot, recovery).
 */
import * as path from 'node:path';
import type { BlockDevice } from '../../format/blockdev';
import { FEATURE, readSuperblock, ROLE_MAX, ROLE_SPARE, roleOf, type Superblock1 } from '../../format/superblock';
import { MdRefusal } from '../../md/errors';
import { randomUuid } from '../../util/uuid';
import type { Mddev } from './mddev';
import { Rdev } from './rdev';

export function failMember(m: Mddev, rdev: Rdev): void {
  if (rdev.faulty) return;
  // A failed array has nothing left to protect; md answers the ioctl with EBUSY and mdadm says so.
  if (m.broken) throw new MdRefusal(`set device faulty failed for ${rdev.name}:  Device or resource busy`);
  m.log(`mdadm: set ${rdev.name} faulty in ${m.name}`);
  m.mdError(rdev, 'set faulty by mdadm --fail');
}

/** hot_remove_disk: only a member without a working slot leaves; an active one is EBUSY. */
export function removeMember(m: Mddev, rdev: Rdev): void {
  if (rdev.raidDisk >= 0 && (rdev.faulty || !rdev.inSync) && m.pers !== null && m.pers.hotRemoveDisk(rdev)) {
    rdev.savedRaidDisk = rdev.raidDisk;
    rdev.raidDisk = -1;
  }
  if (rdev.raidDisk >= 0) throw new MdRefusal(`hot remove failed for ${rdev.name}: Device or resource busy`);
  m.unbind(rdev);
  m.sbFlags.add('CHANGE_DEVS');
  m.updateSb(true);
  m.log(`mdadm: hot removed ${rdev.name} from ${m.name}`);
}

export interface AddResult {
  rdev: Rdev;
  readded: boolean;
}

/** What super_1_validate makes of a former member coming back: its role, or none (a new spare). */
function reAddVerdict(m: Mddev, sb: Superblock1): { ok: boolean; bitmapSync: boolean } {
  const role = roleOf(sb);
  if (role >= ROLE_MAX || role >= m.raidDisks) return { ok: false, bitmapSync: false };
  if (m.bitmap !== null) {
    if (sb.events < m.bitmap.eventsCleared) return { ok: false, bitmapSync: false };
    return { ok: true, bitmapSync: sb.events < m.events };
  }
  return { ok: sb.events === m.events, bitmapSync: false };
}

function sameArray(m: Mddev, sb: Superblock1): boolean {
  const ref = m.rdevs[0]?.sb;
  return ref !== undefined && Buffer.from(ref.setUuid).equals(Buffer.from(sb.setUuid));
}

function readSbOrNull(dev: BlockDevice): Superblock1 | null {
  try {
    return readSuperblock(dev).sb;
  } catch {
    return null;
  }
}

/**
 * mdadm --add / --re-add. A former member whose superblock allows it returns to its old role (with a
 * bitmap only the dirty chunks are rebuilt); otherwise --add makes a new spare with a new dev_number
 * and --re-add is refused.
 */
export function addMember(m: Mddev, dev: BlockDevice, imagePath: string, index: number, mode: 'add' | 're-add'): AddResult {
  const name = path.basename(imagePath);
  if (m.rdevs.some((r) => r.imagePath === imagePath)) throw new MdRefusal(`Cannot open ${name}: Device or resource busy`);
  const old = readSbOrNull(dev);
  if (old !== null && sameArray(m, old) && !m.rdevs.some((r) => r.devNumber === old.devNumber)) {
    const verdict = reAddVerdict(m, old);
    if (verdict.ok) {
      const rdev = new Rdev(dev, old, index, imagePath);
      rdev.savedRaidDisk = roleOf(old);
      if (verdict.bitmapSync) rdev.flags.add('Bitmap_sync');
      m.bind(rdev);
      m.recovery.add('NEEDED');
      m.sbFlags.add('CHANGE_DEVS');
      m.log(`mdadm: re-added ${name}`);
      return { rdev, readded: true };
    }
  }
  if (mode === 're-add') throw new MdRefusal(`--re-add for ${name} to ${m.name} is not possible`);
  const rdev = new Rdev(dev, spareSuperblock(m, dev, name), index, imagePath);
  m.bind(rdev);
  m.recovery.add('NEEDED');
  m.sbFlags.add('CHANGE_DEVS');
  m.updateSb(true);
  m.log(`mdadm: added ${name}`);
  return { rdev, readded: false };
}

/** The superblock mdadm writes on a new spare: the array's, with its own dev_number and uuid. */
function spareSuperblock(m: Mddev, dev: BlockDevice, name: string): Superblock1 {
  const ref = (m.rdevs.find((r) => r.inSync) ?? m.rdevs[0]).sb;
  const deviceSectors = Math.floor(dev.sizeBytes / 512);
  const dataOffset = Number(ref.dataOffset);
  if (deviceSectors - dataOffset < m.devSectors) throw new MdRefusal(`${name} not large enough to join array`);
  let devNumber = m.raidDisks;
  const used = new Set(m.rdevs.map((r) => r.devNumber));
  while (used.has(devNumber) || (devNumber < ref.maxDev && ref.devRoles[devNumber] !== ROLE_SPARE)) devNumber++;
  return {
    ...ref,
    featureMap: ref.featureMap & FEATURE.BITMAP_OFFSET,
    devNumber,
    deviceUuid: randomUuid(),
    dataSize: BigInt(deviceSectors - dataOffset),
    recoveryOffset: 0n,
    cntCorrectedRead: 0,
    events: m.events,
    devRoles: [...ref.devRoles],
  };
}
