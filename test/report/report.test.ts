import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ArraySnapshotSchema } from '../../core/api/snapshot';
import { renderReportHtml } from '../../core/report/html';
import { EventRecorder, PROGRESS_SAMPLES_MAX } from '../../core/report/recorder';
import { Session } from '../../core/session/session';
import { tempDir } from '../session/helpers';

const snapshot = ArraySnapshotSchema.parse({
  name: 'md0', uuid: '01234567:89abcdef:01234567:89abcdef', level: 5, layout: 'left-symmetric', chunkKib: 64, raidDisks: 3,
  arraySizeKib: 30720, componentSizeKib: 15360, events: 21, arrayState: 'clean', syncAction: 'idle', lastSyncAction: 'recovery',
  syncCompleted: null, syncSpeedKibPerSec: 0, degraded: 0, mismatchCnt: 0, speedLimitMinKibPerSec: 1000, speedLimitMaxKibPerSec: 200000,
  syncMin: 0, syncMax: null, stripeCacheSize: 256, stripeCacheActive: 0, bitmap: null,
  members: [0, 1, 2].map((i) => ({ index: i, image: `disk${i}.img`, devNumber: i, slot: i, state: ['in_sync'], errors: 0, recoveryStart: null, badBlocks: [], readBytes: 4096 * (i + 1), writtenBytes: 8192 })),
  mdstatText: 'Personalities : [raid6] [raid5] [raid4]\nmd0 : active raid5 disk2.img[2] disk1.img[1] disk0.img[0]\n',
});

async function reportOf(notes: string): Promise<string> {
  const s = await Session.create(path.join(tempDir('report'), 'lab'), {
    name: 'Report <lab> & co',
    array: { level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024, bitmap: 'none', assumeClean: true },
    seed: 3,
  });
  s.record({ fail: 1 }, 100);
  s.record({ add: 'disk1.img' }, 250);
  let t = 0;
  const recorder = new EventRecorder(() => t);
  for (let i = 0; i <= 10; i++) {
    t = 250 + i * 100;
    recorder.listener({ type: 'progress', array: 'md0', action: 'recover', doneSectors: i * 3072, totalSectors: 30720, speedKibPerSec: 15000 + i });
  }
  recorder.listener({ type: 'log', level: 'warn', timeMs: 100, message: 'md/raid:md0: Disk failure on disk1.img, disabling device. <b>' });
  recorder.listener({ type: 'state', snapshot });
  const { arraySha256 } = await s.close({ hash: true });
  return renderReportHtml({
    manifest: s.manifest, journal: s.journalEntries, notes, progress: recorder.progress, log: recorder.log,
    finalSnapshot: recorder.lastSnapshot, arraySha256, generatedAt: '2026-11-23T10:00:00.000Z',
  });
}

describe('HTML report', () => {
  it('holds configuration, timeline, charts, event log and final state', async () => {
    const html = await reportOf('Recovery took 1 s.');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    for (const heading of ['Configuration', 'Timeline', 'Charts', 'Event log', 'Final state', 'Notes']) expect(html).toContain(`<h2>${heading}</h2>`);
    expect(html).toContain('<code>fail 1</code>');
    expect(html).toContain('<code>add disk1.img</code>');
    expect(html).toMatch(/session closed \(array sha256 [0-9a-f]{64}\)/);
    expect((html.match(/<svg /g) ?? []).length).toBe(3);
    expect(html).toContain('<path d="M');
    expect(html).toContain('Disk failure on disk1.img');
    expect(html).toContain('md0 : active raid5');
    expect(html).toContain('Recovery took 1 s.');
  });

  it('escapes every user text and loads nothing from outside', async () => {
    const html = await reportOf('<script>fetch("https://example.com")</script><img src=x onerror=alert(1)>');
    expect(html).toContain('Report &lt;lab&gt; &amp; co');
    expect(html).toContain('&lt;script&gt;');
    expect(html).not.toMatch(/<script|<img|<link|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/<[^>]*\s(src|href)\s*=/i);
    expect(html.replace(/https:\/\/example\.com/g, '')).not.toMatch(/https?:\/\//);
    expect(html).toContain("default-src 'none'");
  });
});

describe('event recorder', () => {
  it('thins progress samples to stay bounded while keeping the first and last', () => {
    let t = 0;
    const r = new EventRecorder(() => t);
    const n = PROGRESS_SAMPLES_MAX * 3;
    for (let i = 0; i < n; i++) {
      t = i;
      r.listener({ type: 'progress', array: 'md0', action: 'resync', doneSectors: i, totalSectors: n, speedKibPerSec: 1 });
    }
    expect(r.progress.length).toBeLessThanOrEqual(PROGRESS_SAMPLES_MAX + 1);
    expect(r.progress[0].doneSectors).toBe(0);
    expect(r.progress.at(-1)!.doneSectors).toBe(n - 1);
    for (let i = 1; i < r.progress.length; i++) expect(r.progress[i].timeMs).toBeGreaterThan(r.progress[i - 1].timeMs);
  });
});
