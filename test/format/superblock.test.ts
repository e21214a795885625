import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice, MemBlockDevice } from '../../core/format/blockdev';
import {
  MAX_SECTOR,
  parseSuperblock1,
  readSuperblock,
  ROLE_SPARE,
  roleOf,
  serializeSuperblock1,
  superblockChecksum,
  SuperblockError,
  superOffsetSectors,
  writeSuperblock,
} from '../../core/format/superblock';
import { type GoldenCase, goldenCaseNames, mdadmFields, openGoldenCase } from '../helpers/golden';

const cases: GoldenCase[] = [];
beforeAll(() => {
  for (const name of goldenCaseNames()) cases.push(openGoldenCase(name));
});
afterAll(() => {
  for (const c of cases) c.cleanup();
});

function slotOf(image: string): Uint8Array {
  return new Uint8Array(fs.readFileSync(image).subarray(4096, 8192));
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return hex.match(/.{8}/g)!.join(':');
}

describe('v1.2 superblocks written by the Linux kernel', () => {
  it('parses every golden member with the checksum, events, uuids and role mdadm --examine printed', () => {
    let members = 0;
    for (const c of cases) {
      c.images.forEach((image, i) => {
        const facts = mdadmFields(c.info.boot1.examine[`disk${i}.img`]);
        const slot = slotOf(image);
        const sb = parseSuperblock1(slot);
        expect(superblockChecksum(slot)).toBe(sb.sbCsum);
        expect(sb.sbCsum.toString(16)).toBe(facts.get('Checksum')!.split(' ')[0]);
        expect(String(sb.events)).toBe(facts.get('Events'));
        expect(uuidText(sb.setUuid)).toBe(facts.get('Array UUID'));
        expect(uuidText(sb.deviceUuid)).toBe(facts.get('Device UUID'));
        expect(sb.setName).toBe(facts.get('Name'));
        expect(`${sb.dataOffset} sectors`).toBe(facts.get('Data Offset'));
        expect(`${sb.superOffset} sectors`).toBe(facts.get('Super Offset'));
        expect(`0x${sb.featureMap.toString(16)}`).toBe(facts.get('Feature Map'));
        const role = roleOf(sb);
        expect(role === ROLE_SPARE ? 'spare' : `Active device ${role}`).toBe(facts.get('Device Role'));
        expect(sb.resyncOffset === MAX_SECTOR ? 'clean' : 'active').toBe(facts.get('State'));
        members++;
      });
    }
    expect(members).toBeGreaterThanOrEqual(28);
  });

  it('serialises every golden superblock back to the exact bytes the kernel wrote', () => {
    for (const c of cases) {
      for (const image of c.images) {
        const slot = slotOf(image);
        expect(Buffer.from(serializeSuperblock1(parseSuperblock1(slot)))).toEqual(Buffer.from(slot));
      }
    }
  });

  it('reads a golden member through readSuperblock as version 1.2 with a correct checksum', () => {
    const dev = FileBlockDevice.open(cases[0].images[0], { readOnly: true });
    const { sb, version, checksumOk } = readSuperblock(dev);
    dev.close();
    expect(version).toBe('1.2');
    expect(checksumOk).toBe(true);
    expect(sb.maxDev).toBe(128);
  });

  it('reports a wrong checksum instead of refusing, when one byte of the name changes', () => {
    const slot = slotOf(cases[0].images[0]);
    slot[40] ^= 1;
    const dev = new MemBlockDevice('flipped.img', 8 << 20);
    dev.write(slot, 4096);
    const { checksumOk } = readSuperblock(dev);
    expect(checksumOk).toBe(false);
  });
});

describe('superblock acceptance rules', () => {
  const golden = (): Uint8Array => slotOf(cases[0].images[0]);

  it.each([
    ['magic', (b: Uint8Array) => (b[0] = 0), /magic/],
    ['major version', (b: Uint8Array) => (b[4] = 2), /major version/],
    ['unknown feature', (b: Uint8Array) => (b[10] = 0x80), /feature map/],
    ['pad0', (b: Uint8Array) => (b[13] = 1), /pad0/],
    ['pad3', (b: Uint8Array) => (b[230] = 1), /pad3/],
    ['max_dev', (b: Uint8Array) => new DataView(b.buffer).setUint32(220, 1921, true), /max_dev/],
    ['data_size', (b: Uint8Array) => new DataView(b.buffer).setBigUint64(136, 9n, true), /data_size/],
  ])('refuses a superblock with a bad %s', (_what, spoil, message) => {
    const bytes = golden();
    spoil(bytes);
    expect(() => parseSuperblock1(bytes)).toThrow(SuperblockError);
    expect(() => parseSuperblock1(bytes)).toThrow(message);
  });

  it('refuses a superblock that is not where its super_offset says', () => {
    const sb = parseSuperblock1(golden());
    const dev = new MemBlockDevice('moved.img', 8 << 20);
    dev.write(serializeSuperblock1({ ...sb, superOffset: 0n }), 4096);
    expect(() => readSuperblock(dev)).toThrow(/super_offset/);
  });

  it('says "No md superblock detected" on a blank device', () => {
    expect(() => readSuperblock(new MemBlockDevice('blank.img', 1 << 20))).toThrow('No md superblock detected on blank.img.');
  });

  it('finds 1.0 superblocks at the end and 1.1 at the start', () => {
    const base = parseSuperblock1(golden());
    const deviceSectors = (8 << 20) / 512;
    for (const [version, superOffset, dataOffset] of [
      ['1.0', superOffsetSectors('1.0', deviceSectors), 0],
      ['1.1', 0, 2048],
    ] as const) {
      const dev = new MemBlockDevice(`v${version}.img`, 8 << 20);
      const sb = { ...base, superOffset: BigInt(superOffset), dataOffset: BigInt(dataOffset), dataSize: 14336n };
      writeSuperblock(dev, sb);
      const read = readSuperblock(dev);
      expect(read.version).toBe(version);
      expect(read.checksumOk).toBe(true);
      expect(read.sb.superOffset).toBe(BigInt(superOffset));
    }
    expect(superOffsetSectors('1.0', deviceSectors)).toBe(deviceSectors - 16);
    expect(superOffsetSectors('1.0', 1001)).toBe(984);
  });

  it('folds the 64-bit sum once, so a carry out of the fold is dropped as md does', () => {
    const bytes = new Uint8Array(512);
    const view = new DataView(bytes.buffer);
    // max_dev 0: the sum covers the 256 fixed bytes only. 2*(2^32-1) + 1 = 0x1_ffff_ffff, whose fold
    // 0xffff_ffff + 1 carries out of 32 bits and wraps to 0.
    view.setUint32(0, 0xffffffff, true);
    view.setUint32(4, 0xffffffff, true);
    view.setUint32(8, 1, true);
    view.setUint32(216, 0x12345678, true);
    expect(superblockChecksum(bytes)).toBe(0);
    view.setUint32(8, 0, true);
    expect(superblockChecksum(bytes)).toBe(0xffffffff);
  });
});
