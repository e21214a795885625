/**
 * The md core against arrays the real Linux 6.1 md made: same start decisions, the same mdstat stanza
 * after assembly, the same contents, and a resync that resumes exactly at the kernel's checkpoint.
 */
import { describe, expect, it } from 'vitest';
import { MdArray } from '../../../core/engine/array';
import { FileBlockDevice } from '../../../core/format/blockdev';
import { MAX_SECTOR, readSuperblock } from '../../../core/format/superblock';
import { goldenCaseNames, openGoldenCase } from '../../helpers/golden';
import { engineOptions, sha256 } from './helpers';

/** The kernel names members vda, vdb, ...; mdlab names them by image. */
function kernelNames(text: string): string {
  return text.replace(/disk(\d+)\.img/g, (_, i: string) => `vd${String.fromCharCode(97 + Number(i))}`);
}

function stanzaOf(mdstat: string): string {
  const lines = mdstat.split('\n');
  const start = lines.findIndex((l) => l.startsWith('md0 :'));
  const end = lines.findIndex((l) => l.startsWith('unused devices'));
  return `${lines.slice(start, end).join('\n')}\n`;
}

describe('golden arrays made by Linux md', () => {
  for (const name of goldenCaseNames().filter((n) => n !== 'r5-ls-3d-resync-interrupted')) {
    it(`${name}: assembles to the kernel's mdstat stanza and contents`, () => {
      const golden = openGoldenCase(name);
      try {
        const array = MdArray.assemble(golden.images, engineOptions());
        array.waitIdleSync();
        expect(kernelNames(array.snapshot().mdstatText)).toBe(stanzaOf(golden.info.assemble.mdstat_after_wait));
        expect(sha256(array.readSync(0, golden.info.data_bytes))).toBe(golden.info.assemble.sha256_first_data_bytes);
        array.stop();
      } finally {
        golden.cleanup();
      }
    });
  }

  it('r5-ls-3d-resync-interrupted: resumes the resync at the checkpoint the kernel wrote, then ends clean', () => {
    const golden = openGoldenCase('r5-ls-3d-resync-interrupted');
    try {
      const dev = FileBlockDevice.open(golden.images[0], { readOnly: true });
      const checkpoint = Number(readSuperblock(dev).sb.resyncOffset);
      dev.close();
      expect(checkpoint).toBe(16384);
      const array = MdArray.assemble(golden.images, engineOptions());
      expect(array.mddev.syncThread?.startSectors).toBe(checkpoint);
      expect(array.trace.since(0).map((e) => e.action)).toContain(`start resync at sector ${checkpoint} of 63488`);
      array.waitIdleSync();
      expect(array.snapshot().lastSyncAction).toBe('resync');
      expect(sha256(array.readSync(0, golden.info.data_bytes))).toBe(golden.info.assemble.sha256_first_data_bytes);
      array.setSyncAction('check');
      array.waitIdleSync();
      expect(array.snapshot().mismatchCnt).toBe(golden.info.assemble.mismatch_cnt_after_check);
      array.stop();
      for (const image of golden.images) {
        const d = FileBlockDevice.open(image, { readOnly: true });
        expect(readSuperblock(d).sb.resyncOffset).toBe(MAX_SECTOR);
        d.close();
      }
    } finally {
      golden.cleanup();
    }
  });
});
