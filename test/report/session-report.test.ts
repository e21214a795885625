import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { progressOfMdstatLine, sessionReportHtml } from '../../core/report/session-report';
import { MdArrayDriver } from '../../core/session/md-driver';
import { Session } from '../../core/session/session';
import { tempDir } from '../session/helpers';

describe('report of a saved session', () => {
  it('reads mdstat progress lines as chart samples', () => {
    const line = '      [=========>...........]  recovery = 48.3% (7712/15360) finish=0.0min speed=7712K/sec';
    expect(progressOfMdstatLine(1500, line)).toEqual({ timeMs: 1500, action: 'recover', doneSectors: 15424, totalSectors: 30720, speedKibPerSec: 7712 });
    expect(progressOfMdstatLine(0, 'step 3: fail 1')).toBeNull();
  });

  it('regenerates charts and final state of a closed session by replaying it', async () => {
    const folder = path.join(tempDir('session-report'), 'lab');
    const s = await Session.create(folder, {
      name: 'spare takes over',
      array: { level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 64 * 1024 * 1024, bitmap: 'none', assumeClean: true },
      seed: 8,
      driver: new MdArrayDriver(),
    });
    await s.perform({ write: { pattern: 'lba', offset: 0, length: '4M' } });
    await s.perform({ set: { speed_limit_max: 20000 } });
    await s.perform({ fail: 1 });
    await s.perform({ wait: 'idle' });
    s.writeNotes('The spare disk4.img took slot 1.');
    const { arraySha256 } = await s.close({ hash: true });

    const html = sessionReportHtml(folder, { generatedAt: '2026-11-23T10:00:00.000Z' });
    expect(html).toContain('<h1>spare takes over</h1>');
    expect(html).toContain(arraySha256!);
    // The recovery onto the spare was sampled from mdstat: a curve, not "no data".
    expect(html).toMatch(/<path d="M[^"]+L/);
    expect(html).not.toContain('Sync progress: no data recorded.');
    expect(html).toMatch(/<td>disk4\.img<\/td><td>1<\/td>/);
    expect(html).toContain('The spare disk4.img took slot 1.');
  });
});
