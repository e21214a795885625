/**
 * Every golden array (made by Linux 6.1 md) read back by mdlab: the same examine text, the same
 * assembly decisions, the same contents and the same resync checkpoint the kernel reported.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAssembly } from '../../core/md/assemble';
import { assembleImages, detailFacts, readerFor } from '../../core/md/detail';
import { examineBitmapFacts, examineFacts, renderExamine, renderExamineBitmap } from '../../core/md/examine';
import { closeMembers, openMember } from '../../core/md/member';
import { type GoldenCase, goldenCaseNames, mdadmFields, openGoldenCase } from '../helpers/golden';

process.env.TZ = 'UTC';

const names = goldenCaseNames();
const cases = new Map<string, GoldenCase>();
beforeAll(() => {
  for (const name of names) cases.set(name, openGoldenCase(name));
});
afterAll(() => {
  for (const c of cases.values()) c.cleanup();
});

/** mdadm names members /dev/vda, /dev/vdb, ... in image order. */
function imageOfVd(dev: string): string {
  return `disk${dev.charCodeAt('/dev/vd'.length) - 'a'.charCodeAt(0)}.img`;
}

function sha256OfArray(images: string[], lengthBytes: number): string {
  const assembled = assembleImages(images, { run: true });
  try {
    expect(assembled.decision.start).toBe(true);
    const reader = readerFor(assembled);
    const buffer = new Uint8Array(lengthBytes);
    reader.read(buffer, 0);
    return createHash('sha256').update(buffer).digest('hex');
  } finally {
    closeMembers(assembled.members);
  }
}

/** The member table of mdadm --detail: number, slot (null for '-'), state words, image. */
function goldenTable(detail: string): { number: number | null; raidDevice: number | null; state: string; image: string | null }[] {
  const rows = [];
  for (const line of detail.split('\n')) {
    const m = /^\s+(\d+|-)\s+\d+\s+\d+\s+(\d+|-)\s+(.*?)(?:\s+(\/dev\/vd[a-z]))?$/.exec(line);
    if (!m) continue;
    rows.push({
      number: m[1] === '-' ? null : Number(m[1]),
      raidDevice: m[2] === '-' ? null : Number(m[2]),
      state: m[3].trim().replace(/\s+/g, ' '),
      image: m[4] ? imageOfVd(m[4]) : null,
    });
  }
  return rows;
}

describe.each(names)('golden %s', (name) => {
  const golden = (): GoldenCase => cases.get(name)!;

  it('examines every member exactly as mdadm --examine printed it', () => {
    const c = golden();
    c.images.forEach((image, i) => {
      const member = openMember(image);
      try {
        const expected = c.info.boot1.examine[`disk${i}.img`].replace(/^\/dev\/vd[a-z]:/, `${image}:`);
        expect(renderExamine(examineFacts(member))).toBe(expected);
      } finally {
        closeMembers([member]);
      }
    });
  });

  it('examines the bitmap of every member as mdadm --examine-bitmap printed it, or finds none', () => {
    const c = golden();
    c.images.forEach((image, i) => {
      const member = openMember(image);
      try {
        const facts = examineBitmapFacts(member);
        const expected = c.info.boot1.examine_bitmap?.[`disk${i}.img`];
        if (expected === undefined) return expect(facts).toBeNull();
        expect(renderExamineBitmap(facts!)).toBe(expected.replace(/\/dev\/vd[a-z]$/m, image));
      } finally {
        closeMembers([member]);
      }
    });
  });

  it('prints the --detail facts the kernel printed after assembly', () => {
    const c = golden();
    const assembled = assembleImages(c.images, { run: true });
    try {
      const theirs = mdadmFields(c.info.assemble.detail);
      const f = detailFacts(assembled);
      const ours = new Map<string, string>([
        ['Version', f.version],
        ['Raid Level', f.raidLevel],
        ['Raid Devices', String(f.raidDevices)],
        ['Total Devices', String(f.totalDevices)],
        ['Active Devices', String(f.activeDevices)],
        ['Working Devices', String(f.workingDevices)],
        ['Failed Devices', String(f.failedDevices)],
        ['Spare Devices', String(f.spareDevices)],
        ['Chunk Size', `${f.chunkKib}K`],
        ['Consistency Policy', f.consistencyPolicy],
        ['Name', f.name],
        ['UUID', f.uuid],
      ]);
      if (f.layout) ours.set('Layout', f.layout);
      if (f.intentBitmap) ours.set('Intent Bitmap', f.intentBitmap);
      for (const [field, value] of ours) expect(value, field).toBe(theirs.get(field));
      expect(theirs.get('Array Size')!.startsWith(`${f.arraySizeKib} `)).toBe(true);
      expect(theirs.get('Used Dev Size')!.startsWith(`${f.usedDevSizeKib} `)).toBe(true);
    } finally {
      closeMembers(assembled.members);
    }
  });

  it('assembles with the members, slots and spares the kernel used, and says so in mdadm\'s words', () => {
    const c = golden();
    const assembled = assembleImages(c.images, { run: true, arrayName: '/dev/md0' });
    try {
      expect(assembled.decision.messages).toEqual([c.info.assemble.messages.split('\n')[0].replace(/^mdadm:/, 'mdlab:')]);
      const ours = detailFacts(assembled).rows.map((r) => ({ number: r.number, raidDevice: r.raidDevice, state: r.state.join(' '), image: r.image }));
      expect(ours).toEqual(goldenTable(c.info.assemble.detail));
    } finally {
      closeMembers(assembled.members);
    }
  });

  it('reads the same array contents the kernel read after assembly', () => {
    const c = golden();
    expect(sha256OfArray(c.images, c.info.data_bytes)).toBe(c.info.assemble.sha256_first_data_bytes);
  });

  it('fails each member in turn and the sha256 of the contents never changes', () => {
    const c = golden();
    const assembled = assembleImages(c.images, { run: true });
    const inSync = assembled.decision.slots.flatMap((m) => (m ? [m.path] : []));
    const spares = assembled.decision.spares.map((m) => m.path);
    closeMembers(assembled.members);
    if (assembled.decision.degraded > 0) return expect(assembled.decision.degraded).toBe(1);
    if (!assembled.decision.clean) {
      // Parity past the resync checkpoint is not trusted: md refuses a dirty degraded start instead.
      const degraded = assembleImages(c.images.slice(1), { run: true });
      closeMembers(degraded.members);
      return expect(degraded.decision.start).toBe(false);
    }
    for (const missing of inSync) {
      const rest = [...inSync.filter((p) => p !== missing), ...spares];
      expect(sha256OfArray(rest, c.info.data_bytes), `without ${missing}`).toBe(c.info.assemble.sha256_first_data_bytes);
    }
  });

  it('reports the state and the resync point the kernel resumed from', () => {
    const c = golden();
    const assembled = assembleImages(c.images, { run: true });
    try {
      const facts = detailFacts(assembled);
      const resumed = /resync = [\d.]+% \((\d+)\/(\d+)\)/.exec(c.info.assemble.mdstat);
      if (resumed) {
        // mdstat counts KiB of each member, sampled just after the resync resumed from the superblock's
        // checkpoint: at most a couple of 4 KiB stripes past it.
        const resumedSectors = Number(resumed[1]) * 2;
        const checkpoint = assembled.decision.resyncCheckpointSectors!;
        expect(checkpoint).toBeGreaterThan(0);
        expect(resumedSectors - checkpoint).toBeGreaterThanOrEqual(0);
        expect(resumedSectors - checkpoint).toBeLessThanOrEqual(16);
        expect(checkpoint % 8).toBe(0);
        expect(facts.state).toBe('active, resyncing (PENDING)');
        expect(facts.usedDevSizeKib).toBe(Number(resumed[2]));
      } else {
        expect(assembled.decision.resyncCheckpointSectors).toBeNull();
        expect(facts.state).toBe(c.info.assemble.expected_state);
      }
    } finally {
      closeMembers(assembled.members);
    }
  });
});

describe('assembly rules beyond the golden cases', () => {
  it('refuses a degraded array without --run when the superblocks expect the missing member', () => {
    const c = cases.get('r5-ls-3d-64k')!;
    const assembled = assembleImages(c.images.slice(0, 2), { arrayName: '/dev/md0' });
    closeMembers(assembled.members);
    expect(assembled.decision.start).toBe(false);
    expect(assembled.decision.refusal).toBe('/dev/md0 assembled from 2 drives - need all 3 to start it (use --run to insist).');
  });

  it('refuses when two members of a RAID5 are missing, even with --run', () => {
    const c = cases.get('r5-la-4d-32k')!;
    const assembled = assembleImages(c.images.slice(0, 2), { run: true, arrayName: '/dev/md0' });
    closeMembers(assembled.members);
    expect(assembled.decision.refusal).toBe('/dev/md0 assembled from 2 drives - not enough to start the array.');
  });

  it('refuses a dirty degraded array (a resync was interrupted) as md does', () => {
    const c = cases.get('r5-ls-3d-resync-interrupted')!;
    const assembled = assembleImages(c.images.slice(1), { run: true, arrayName: '/dev/md0' });
    closeMembers(assembled.members);
    expect(assembled.decision.refusal).toContain('not enough to start the array while not clean - consider --force.');
  });

  it('leaves out a member of another array with mdadm\'s "has wrong uuid"', () => {
    const a = cases.get('r5-ls-3d-64k')!;
    const b = cases.get('r4-4d-64k')!;
    const members = [...a.images, b.images[0]].map((p) => openMember(p));
    try {
      const d = decideAssembly(members);
      expect(d.leftOut).toEqual([{ image: 'disk0.img', reason: 'has wrong uuid.' }]);
      expect(d.start).toBe(true);
    } finally {
      closeMembers(members);
    }
  });
});
