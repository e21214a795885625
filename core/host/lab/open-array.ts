/**
 * What the lab remembers about the open array besides the engine: its geometry and where each member's
 * data starts, read from the superblocks, so the stripe map and the hex view answer from md's own
 * facts (core/format/layout.ts) rather than from the UI.
 */
import * as path from 'node:path';
import type { HexView, SectorMap } from '../../api';
import { FileBlockDevice } from '../../format/blockdev';
import { mapArraySector, type Geometry } from '../../format/layout';
import { readSuperblock, ROLE_SPARE } from '../../format/superblock';
import { MdRefusal } from '../../md/errors';
import { toSafeNumber } from '../../util/assert';
import type { LabArray } from './session';

export interface ArrayGeometry {
  geometry: Geometry;
  arraySectors: number;
  /** Per image (creation order): its name and data offset. */
  images: { path: string; name: string; dataOffsetSectors: number }[];
}

export function readArrayGeometry(imagePaths: readonly string[]): ArrayGeometry {
  const images: ArrayGeometry['images'] = [];
  let geometry: Geometry | null = null;
  let devSectors = 0;
  for (const imagePath of imagePaths) {
    const dev = FileBlockDevice.open(imagePath, { readOnly: true });
    try {
      const { sb } = readSuperblock(dev);
      images.push({ path: imagePath, name: path.basename(imagePath), dataOffsetSectors: toSafeNumber(sb.dataOffset, 'data offset') });
      if (geometry === null && (sb.level === 4 || sb.level === 5)) {
        geometry = { level: sb.level, raidDisks: sb.raidDisks, algorithm: sb.level === 4 ? 5 : sb.layout, chunkSectors: sb.chunksize };
        devSectors = toSafeNumber(sb.size, 'component size');
      }
    } finally {
      dev.close();
    }
  }
  if (geometry === null) throw new MdRefusal('None of the images holds a raid4 or raid5 superblock.');
  const usable = devSectors - (devSectors % geometry.chunkSectors);
  return { geometry, arraySectors: usable * (geometry.raidDisks - 1), images };
}

/** Which image holds a slot now, from the superblock roles the engine has written. */
function imageInSlot(geo: ArrayGeometry, slot: number): { name: string; path: string; dataOffsetSectors: number } {
  for (const image of geo.images) {
    const dev = FileBlockDevice.open(image.path, { readOnly: true });
    try {
      const { sb } = readSuperblock(dev);
      const role = sb.devRoles[sb.devNumber] ?? ROLE_SPARE;
      if (role === slot) return image;
    } finally {
      dev.close();
    }
  }
  // A slot with no member (failed and removed) still has a place in the layout.
  return { name: `slot ${slot} (missing)`, path: '', dataOffsetSectors: geo.images[0].dataOffsetSectors };
}

export function sectorMap(geo: ArrayGeometry, arraySector: number): SectorMap {
  if (arraySector >= geo.arraySectors) {
    throw new MdRefusal(`Sector ${arraySector} is past the end of the array (${geo.arraySectors} sectors).`);
  }
  const loc = mapArraySector(geo.geometry, arraySector);
  const data = imageInSlot(geo, loc.disk);
  const parity = imageInSlot(geo, loc.pdIdx);
  return {
    arraySector,
    stripe: loc.stripe,
    dd: loc.dd,
    dataDisk: loc.disk,
    parityDisk: loc.pdIdx,
    devSector: loc.devSector,
    imageSector: loc.devSector + data.dataOffsetSectors,
    parityImageSector: loc.devSector + parity.dataOffsetSectors,
    dataImage: data.name,
    parityImage: parity.name,
  };
}

function readImageHex(imagePath: string, offsetBytes: number, lengthBytes: number): string {
  if (imagePath === '') return '';
  const dev = FileBlockDevice.open(imagePath, { readOnly: true });
  try {
    const buffer = new Uint8Array(lengthBytes);
    dev.read(buffer, offsetBytes);
    return Buffer.from(buffer).toString('hex');
  } finally {
    dev.close();
  }
}

/** The array's bytes through md, and the member bytes behind them read straight from the images. */
export function hexView(geo: ArrayGeometry, array: LabArray, offsetBytes: number, lengthBytes: number): HexView {
  const sector = Math.floor(offsetBytes / 512);
  const map = sectorMap(geo, sector);
  // Stay inside one sector so the data and parity shown are exactly the ones behind the array bytes.
  const inSector = offsetBytes % 512;
  const length = Math.min(lengthBytes, 512 - inSector);
  const arrayBytes = array.read(sector * 512, 512).subarray(inSector, inSector + length);
  const data = imageInSlot(geo, map.dataDisk);
  const parity = imageInSlot(geo, map.parityDisk);
  const memberOffset = (map.devSector * 512) + inSector;
  return {
    map,
    arrayHex: Buffer.from(arrayBytes).toString('hex'),
    dataMemberHex: readImageHex(data.path, memberOffset + data.dataOffsetSectors * 512, length),
    parityMemberHex: readImageHex(parity.path, memberOffset + parity.dataOffsetSectors * 512, length),
  };
}
