/**
 * The images mdlab leaves behind must be the images Linux would: the same array the kernel made for
 * the golden case r5-ls-3d-64k, built here (create, initial recovery, write the data, stop), gives
 * the same mdadm --examine fields (all but uuids, times, checksums and event counts) and the same bytes
 * of data and parity on every member.
 */
import { describe, expect, it } from 'vitest';
import { examineFacts, renderExamine } from '../../../core/md/examine';
import { closeMembers, openMember } from '../../../core/md/member';
import { fillLbaPattern } from '../../../core/format/lba-pattern';
import * as fs from 'node:fs';
import { mdadmFields, openGoldenCase, readGoldenInfo } from '../../helpers/golden';
import { createArrayIn, imagesIn, sha256, useTempDirs } from './helpers';

const dir = useTempDirs();
const VARYING = new Set(['Array UUID', 'Device UUID', 'Creation Time', 'Update Time', 'Checksum', 'Events']);

describe('kernel compatibility of what mdlab writes', () => {
  it('create + recovery + write + stop gives the examine fields and contents of the kernel-made r5-ls-3d-64k', () => {
    const golden = readGoldenInfo('r5-ls-3d-64k');
    const d = dir('compat');
    const array = createArrayIn(d, { raidDevices: 3, chunkKib: 64, memberBytes: golden.member_bytes, name: 'r5-ls-3d-64k', homehost: 'mdlab' });
    array.waitIdleSync();
    const data = new Uint8Array(golden.data_bytes);
    fillLbaPattern(data, golden.tag, 0);
    expect(sha256(data)).toBe(golden.data_sha256);
    array.writeSync(0, data);
    array.sleepSync(1000);
    array.stop();
    const members = imagesIn(d).map((p) => openMember(p));
    try {
      members.forEach((member, i) => {
        const ours = mdadmFields(renderExamine(examineFacts(member)));
        const kernels = mdadmFields(golden.boot1.examine[`disk${i}.img`]);
        for (const [field, value] of kernels) {
          if (VARYING.has(field)) continue;
          expect(`${field}: ${ours.get(field)}`).toBe(`${field}: ${value}`);
        }
      });
    } finally {
      closeMembers(members);
    }
    // Data and parity, byte for byte, member by member, from data_offset to the end.
    const kernel = openGoldenCase('r5-ls-3d-64k');
    try {
      imagesIn(d).forEach((image, i) => {
        const dataOffsetBytes = 2048 * 512;
        const ours = fs.readFileSync(image).subarray(dataOffsetBytes);
        const theirs = fs.readFileSync(kernel.images[i]).subarray(dataOffsetBytes);
        expect(sha256(ours), `disk${i}.img data area`).toBe(sha256(theirs));
      });
    } finally {
      kernel.cleanup();
    }
  });
});
