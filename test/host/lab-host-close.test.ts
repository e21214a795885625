/**
 * Stopping the browser lab host (Ctrl-C on `npm run lab`) closes the open session as Close does: the
 * array stopped cleanly, the journal's close entry written with the array's sha256, nothing to resync.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLabHost } from '../../core/lab/server';
import { parseJournalText } from '../../core/session/journal';
import { MdArrayDriver } from '../../core/session/md-driver';
import { Session } from '../../core/session/session';
import { tempDir } from '../session/helpers';

const MiB = 1024 * 1024;

describe('the browser lab host', () => {
  it('closes the open session cleanly when it stops', async () => {
    const workspace = tempDir('labhost-ws');
    const saved = process.env.MDLAB_WORKSPACE;
    process.env.MDLAB_WORKSPACE = workspace;
    const lab = await startLabHost({ rendererDir: tempDir('labhost-renderer') });
    process.env.MDLAB_WORKSPACE = saved;
    const choices = { level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * MiB, bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'cut' };
    const made = await lab.engine.request('session.new', { place: { workspace: 'cut' }, name: 'stopped by ctrl-c', choices });
    expect(made).toMatchObject({ ok: true });
    expect(await lab.engine.request('array.pattern', { op: 'write', lengthBytes: MiB })).toMatchObject({ ok: true });
    await lab.close();

    const folder = path.join(workspace, 'cut');
    const entries = parseJournalText(fs.readFileSync(path.join(folder, 'journal.jsonl'), 'utf8')).entries;
    expect(entries.at(-1)).toMatchObject({ type: 'close', arraySha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const reopened = await Session.open(folder, { driver: new MdArrayDriver() });
    try {
      // Stopped cleanly: md assembles it clean, with no resync to do.
      expect(reopened.snapshot()).toMatchObject({ arrayState: 'clean', syncAction: 'idle', degraded: 0 });
    } finally {
      await reopened.close();
    }
  }, 90_000);
});
