import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { arrayContentSha256 } from '../../core/session/array-hash';
import { SessionError } from '../../core/session/errors';
import { parseJournalText } from '../../core/session/journal';
import type { ArrayConfig } from '../../core/session/manifest';
import { Session } from '../../core/session/session';
import { allocatedBytes } from '../../core/session/sparse-copy';
import { tempDir } from './helpers';

const config: ArrayConfig = { level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024, bitmap: 'internal', assumeClean: false };

describe('session folder without an engine', () => {
  it('creates members, initial copies, a seeded journal, notes and a manifest naming them', async () => {
    const folder = path.join(tempDir('session'), 'lab');
    const s = await Session.create(folder, { name: 'first lab', array: config, seed: 1234 });
    expect(fs.readdirSync(folder).sort()).toEqual(['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img', 'disk4.img', 'initial', 'journal.jsonl', 'manifest.json', 'notes.md']);
    expect(s.manifest.arrayUuid).toMatch(/^[0-9a-f]{8}(:[0-9a-f]{8}){3}$/);
    expect(s.journalEntries).toEqual([{ seq: 1, atMs: 0, type: 'seed', seed: 1234 }]);
    // Members and their initial copies hold only metadata: a few blocks, not 64 MiB each.
    for (const p of [...s.imagePaths, ...s.initialPaths!]) expect(allocatedBytes(p)).toBeLessThan(2 * 1024 * 1024);
    await s.close();
  });

  it('round trip: record, save, close, open finds the same manifest, journal, notes and array contents', async () => {
    const folder = path.join(tempDir('session'), 'lab');
    const s = await Session.create(folder, { name: 'round trip', array: config, seed: 99 });
    s.record({ fail: 1 }, 10);
    s.record({ remove: 1 }, 12);
    s.record({ add: 'disk4.img' }, 20);
    s.writeNotes('Member 1 failed; the spare took over.\n');
    const closed = await s.close({ hash: true });
    expect(closed.arraySha256).toBe(arrayContentSha256(s.imagePaths));

    const reopened = await Session.open(folder);
    expect(reopened.manifest).toEqual(s.manifest);
    expect(reopened.readNotes()).toBe('Member 1 failed; the spare took over.\n');
    expect(reopened.journalEntries.filter((e) => e.type === 'step').map((e) => (e.type === 'step' ? e.step : null))).toEqual([{ fail: 1 }, { remove: 1 }, { add: 'disk4.img' }]);
    expect(reopened.journalEntries.at(-1)).toMatchObject({ type: 'open', atMs: 20 });
    const again = await reopened.close({ hash: true });
    expect(again.arraySha256).toBe(closed.arraySha256);
  });

  it('save as copies everything sparsely and continues in the new folder, leaving the original intact', async () => {
    const parent = tempDir('session');
    const s = await Session.create(path.join(parent, 'a'), { name: 'save as', array: config, seed: 5 });
    s.record({ fail: 0 }, 3);
    const originalJournal = fs.readFileSync(path.join(parent, 'a', 'journal.jsonl'), 'utf8');
    const copy = await s.saveAs(path.join(parent, 'b'));
    expect(copy.folder).toBe(fs.realpathSync(path.join(parent, 'b')));
    for (const p of copy.imagePaths) {
      expect(fs.statSync(p).size).toBe(config.memberBytes);
      expect(allocatedBytes(p)).toBeLessThan(2 * 1024 * 1024);
    }
    expect(() => s.record({ fail: 2 })).toThrow(SessionError);
    copy.record({ remove: 0 }, 4);
    await copy.close();
    expect(fs.readFileSync(path.join(parent, 'a', 'journal.jsonl'), 'utf8')).toBe(originalJournal);
    const steps = parseJournalText(fs.readFileSync(path.join(parent, 'b', 'journal.jsonl'), 'utf8')).entries.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(2);
  });

  it('refuses to save a session inside its own folder or over another folder', async () => {
    const parent = tempDir('session');
    const s = await Session.create(path.join(parent, 'a'), { name: 'nested', array: config, seed: 5 });
    await expect(s.saveAs(path.join(parent, 'a', 'inner'))).rejects.toThrow(/inside its own folder/);
    fs.mkdirSync(path.join(parent, 'busy'));
    fs.writeFileSync(path.join(parent, 'busy', 'x'), 'x');
    await expect(s.saveAs(path.join(parent, 'busy'))).rejects.toThrow(/not an empty folder/);
    expect(fs.readdirSync(path.join(parent, 'busy'))).toEqual(['x']);
    await s.close();
  });

  it('reopens after a crash mid-append: the torn entry is dropped with a message and recording continues', async () => {
    const folder = path.join(tempDir('session'), 'lab');
    const s = await Session.create(folder, { name: 'crash', array: config, seed: 5 });
    s.record({ fail: 3 }, 7);
    await s.close();
    fs.appendFileSync(path.join(folder, 'journal.jsonl'), '{"seq":4,"atMs":9,"ty');
    const reopened = await Session.open(folder);
    expect(reopened.messages).toEqual([expect.stringMatching(/torn entry/)]);
    reopened.record({ remove: 3 }, 9);
    await reopened.close();
    const parsed = parseJournalText(fs.readFileSync(path.join(folder, 'journal.jsonl'), 'utf8'));
    expect(parsed.tornMessage).toBeNull();
    expect(parsed.entries.map((e) => e.type)).toEqual(['seed', 'step', 'close', 'open', 'step', 'close']);
  });
});

describe('a failed New leaves nothing behind', () => {
  it('removes what it made when md refuses the array, and keeps an empty chosen folder empty', async () => {
    const parent = tempDir('session');
    const tiny = { ...config, memberBytes: 512 * 1024 };
    await expect(Session.create(path.join(parent, 'new'), { name: 'tiny', array: tiny })).rejects.toThrow(/too small/);
    expect(fs.existsSync(path.join(parent, 'new'))).toBe(false);
    fs.mkdirSync(path.join(parent, 'chosen'));
    await expect(Session.create(path.join(parent, 'chosen'), { name: 'tiny', array: tiny })).rejects.toThrow(/too small/);
    expect(fs.readdirSync(path.join(parent, 'chosen'))).toEqual([]);
    await expect(Session.create(path.join(parent, 'bad'), { name: '', array: config })).rejects.toThrow(/1 to 200 characters/);
    expect(fs.existsSync(path.join(parent, 'bad'))).toBe(false);
  });
});
