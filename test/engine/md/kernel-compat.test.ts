/**
 * The images mdlab leaves behind must be the images Linux would. Each golden case whose first boot was
 * "create, wait for the initial sync, write the data, stop" is rebuilt here through the engine: the
 * mdadm --examine (and --examine-bitmap) fields match the kernel's, all but uuids, times, checksums and
 * event counts, and every member holds the same bytes of data and parity from data_offset to the end.
 */
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseLayout } from '../../../core/format/layout';
import { fillLbaPattern } from '../../../core/format/lba-pattern';
import { examineBitmapFacts, examineFacts, renderExamine, renderExamineBitmap } from '../../../core/md/examine';
import { closeMembers, openMember } from '../../../core/md/member';
import { type GoldenCaseInfo, mdadmFields, openGoldenCase, readGoldenInfo } from '../../helpers/golden';
import { createArrayIn, imagesIn, sha256, useTempDirs } from './helpers';

const dir = useTempDirs();
const VARYING = new Set(['Array UUID', 'Device UUID', 'UUID', 'Creation Time', 'Update Time', 'Checksum', 'Events', 'Events Cleared', 'Filename']);
const CASES = ['r5-ls-3d-64k', 'r5-la-4d-32k', 'r5-pf-4d-64k', 'r4-4d-64k', 'r5-ls-4d-bitmap', 'r5-ls-3d-1spare', 'r5-ls-4d-degraded'];
/** r5-ls-4d-degraded: 48 x 64 KiB written, then vdc failed, then the rest written while degraded. */
const FAIL_AFTER_BYTES: Record<string, { bytes: number; member: number }> = { 'r5-ls-4d-degraded': { bytes: 48 * 65536, member: 2 } };

function arg(info: GoldenCaseInfo, name: string): string | undefined {
  return new RegExp(`--${name}=(\\S+)`).exec(info.create_args)?.[1];
}

function expectSameFields(ours: string, kernels: string): void {
  const mine = mdadmFields(ours);
  for (const [field, value] of mdadmFields(kernels)) {
    if (VARYING.has(field)) continue;
    expect(`${field}: ${mine.get(field)}`).toBe(`${field}: ${value}`);
  }
}

describe('kernel compatibility of what mdlab writes', () => {
  for (const name of CASES) {
    it(`${name}: created, synced, written and stopped by mdlab, matches the kernel's images`, () => {
      const golden = readGoldenInfo(name);
      const layout = arg(golden, 'layout');
      const d = dir('compat');
      const array = createArrayIn(d, {
        level: golden.level,
        raidDevices: golden.raid_devices,
        spareDevices: golden.spares,
        layout: layout === undefined ? undefined : parseLayout(layout),
        chunkKib: Number(arg(golden, 'chunk')),
        bitmap: arg(golden, 'bitmap') === 'internal' ? 'internal' : undefined,
        memberBytes: golden.member_bytes,
        name,
        homehost: 'mdlab',
      });
      array.waitIdleSync();
      const data = new Uint8Array(golden.data_bytes);
      fillLbaPattern(data, golden.tag, 0);
      expect(sha256(data)).toBe(golden.data_sha256);
      const failure = FAIL_AFTER_BYTES[name];
      if (failure === undefined) array.writeSync(0, data);
      else {
        array.writeSync(0, data.subarray(0, failure.bytes));
        array.fail(failure.member);
        array.sleepSync(1000);
        array.writeSync(failure.bytes, data.subarray(failure.bytes));
      }
      array.sleepSync(1000);
      array.stop();
      const members = imagesIn(d).map((p) => openMember(p));
      try {
        members.forEach((member, i) => {
          expectSameFields(renderExamine(examineFacts(member)), golden.boot1.examine[`disk${i}.img`]);
          const bitmap = examineBitmapFacts(member);
          if (golden.boot1.examine_bitmap !== null && bitmap !== null) expectSameFields(renderExamineBitmap(bitmap), golden.boot1.examine_bitmap[`disk${i}.img`]);
        });
      } finally {
        closeMembers(members);
      }
      const kernel = openGoldenCase(name);
      try {
        imagesIn(d).forEach((image, i) => {
          const dataOffsetBytes = Number(dataOffsetSectorsOf(image)) * 512;
          const ours = fs.readFileSync(image).subarray(dataOffsetBytes);
          const theirs = fs.readFileSync(kernel.images[i]).subarray(dataOffsetBytes);
          expect(sha256(ours), `disk${i}.img data area`).toBe(sha256(theirs));
        });
      } finally {
        kernel.cleanup();
      }
    });
  }
});

function dataOffsetSectorsOf(image: string): bigint {
  const member = openMember(image);
  try {
    return member.sb.dataOffset;
  } finally {
    closeMembers([member]);
  }
}
