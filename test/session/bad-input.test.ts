import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SessionError, type SessionErrorCode } from '../../core/session/errors';
import { Session } from '../../core/session/session';
import type { ArrayConfig } from '../../core/session/manifest';
import { tempDir, treeFingerprint } from './helpers';

const config: ArrayConfig = { level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * 1024 * 1024, bitmap: 'none', assumeClean: true };

let pristine: string;
let foreign: string;

beforeAll(async () => {
  pristine = path.join(tempDir('bad-src'), 'lab');
  await (await Session.create(pristine, { name: 'pristine', array: config, seed: 1 })).close();
  foreign = path.join(tempDir('bad-foreign'), 'other');
  await (await Session.create(foreign, { name: 'other', array: config, seed: 2 })).close();
});

/** A fresh copy of the pristine session beside a sentinel file, so a test can damage it freely. */
function damagedCopy(damage: (folder: string, outside: string) => void): { folder: string; outside: string } {
  const parent = tempDir('bad');
  const folder = path.join(parent, 'session');
  fs.cpSync(pristine, folder, { recursive: true });
  const outside = path.join(parent, 'outside.img');
  fs.writeFileSync(outside, 'not yours');
  damage(folder, outside);
  return { folder, outside };
}

function editManifest(folder: string, edit: (m: Record<string, any>) => void): void {
  const file = path.join(folder, 'manifest.json');
  const m = JSON.parse(fs.readFileSync(file, 'utf8'));
  edit(m);
  fs.writeFileSync(file, JSON.stringify(m));
}

async function expectRefusal(folder: string, outside: string, code: SessionErrorCode, pattern: RegExp): Promise<void> {
  const parent = path.dirname(folder);
  const before = treeFingerprint(parent);
  const err = await Session.open(folder).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SessionError);
  const e = err as SessionError;
  expect(e.code).toBe(code);
  expect(e.message).toMatch(pattern);
  // One sentence: one line, one full stop at the end.
  expect(e.message).not.toContain('\n');
  expect(e.message.endsWith('.')).toBe(true);
  expect(treeFingerprint(parent)).toBe(before);
  expect(fs.readFileSync(outside, 'utf8')).toBe('not yours');
}

describe('opening a damaged session refuses in one sentence and touches nothing', () => {
  it('opens the undamaged copy (the baseline the cases below break)', async () => {
    const { folder } = damagedCopy(() => {});
    const s = await Session.open(folder);
    expect(s.manifest.name).toBe('pristine');
    await s.close();
  });

  it('refuses a truncated manifest', async () => {
    const { folder, outside } = damagedCopy((f) => {
      const file = path.join(f, 'manifest.json');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 120));
    });
    await expectRefusal(folder, outside, 'MANIFEST_UNREADABLE', /not valid JSON/);
  });

  it('refuses a malformed manifest, naming the field', async () => {
    const { folder, outside } = damagedCopy((f) => editManifest(f, (m) => (m.array.raidDevices = 'three')));
    await expectRefusal(folder, outside, 'MANIFEST_MALFORMED', /"array\.raidDevices"/);
  });

  it('refuses a manifest from a newer schema version', async () => {
    const { folder, outside } = damagedCopy((f) => editManifest(f, (m) => ((m.schemaVersion = 7), (m.futureField = true))));
    await expectRefusal(folder, outside, 'MANIFEST_NEWER', /newer mdlab \(schema version 7\)/);
  });

  it('refuses a member named with ../', async () => {
    const { folder, outside } = damagedCopy((f) => editManifest(f, (m) => (m.members[0].image = '../outside.img')));
    await expectRefusal(folder, outside, 'MANIFEST_MALFORMED', /"members\.0\.image"/);
  });

  it('refuses a member named by an absolute path', async () => {
    const { folder, outside } = damagedCopy((f, out) => editManifest(f, (m) => (m.members[0].image = out)));
    await expectRefusal(folder, outside, 'MANIFEST_MALFORMED', /relative/);
  });

  it('refuses a member image that is a symlink leading out of the folder', async () => {
    const { folder, outside } = damagedCopy((f, out) => {
      fs.rmSync(path.join(f, 'disk1.img'));
      fs.symlinkSync(out, path.join(f, 'disk1.img'));
    });
    await expectRefusal(folder, outside, 'PATH_OUTSIDE', /"disk1\.img".*outside its folder/);
  });

  it('refuses a journal reached through a linked folder leading out', async () => {
    const { folder, outside } = damagedCopy((f, out) => {
      fs.symlinkSync(path.dirname(out), path.join(f, 'up'));
      editManifest(f, (m) => (m.journal = 'up/outside.img'));
    });
    await expectRefusal(folder, outside, 'PATH_OUTSIDE', /"up\/outside\.img"/);
  });

  it('refuses a dangling symlink in place of an image', async () => {
    const { folder, outside } = damagedCopy((f) => {
      fs.rmSync(path.join(f, 'disk2.img'));
      fs.symlinkSync('/nonexistent/mdlab-target.img', path.join(f, 'disk2.img'));
    });
    await expectRefusal(folder, outside, 'PATH_OUTSIDE', /disk2\.img/);
  });

  it('refuses a member that is a link to another member of the same folder', async () => {
    const { folder, outside } = damagedCopy((f) => {
      fs.rmSync(path.join(f, 'disk1.img'));
      fs.symlinkSync('disk0.img', path.join(f, 'disk1.img'));
    });
    await expectRefusal(folder, outside, 'MANIFEST_MALFORMED', /names one file twice/);
  });

  it('refuses a missing image', async () => {
    const { folder, outside } = damagedCopy((f) => fs.rmSync(path.join(f, 'disk2.img')));
    await expectRefusal(folder, outside, 'IMAGE_MISSING', /disk2\.img.*missing/);
  });

  it('refuses a resized image', async () => {
    const { folder, outside } = damagedCopy((f) => fs.truncateSync(path.join(f, 'disk0.img'), 4 * 1024 * 1024));
    await expectRefusal(folder, outside, 'IMAGE_RESIZED', /disk0\.img is 4194304 bytes but the session recorded 8388608/);
  });

  it('refuses an image from another array', async () => {
    const { folder, outside } = damagedCopy((f) => fs.copyFileSync(path.join(foreign, 'disk1.img'), path.join(f, 'disk1.img')));
    await expectRefusal(folder, outside, 'IMAGE_FOREIGN', /disk1\.img belongs to another array/);
  });

  it('refuses an image without an md superblock', async () => {
    const { folder, outside } = damagedCopy((f) => {
      const fd = fs.openSync(path.join(f, 'disk0.img'), 'r+');
      fs.writeSync(fd, Buffer.alloc(4096), 0, 4096, 4096);
      fs.closeSync(fd);
    });
    await expectRefusal(folder, outside, 'IMAGE_NOT_MEMBER', /disk0\.img carries no valid md superblock/);
  });

  it('refuses a journal damaged in the middle', async () => {
    const { folder, outside } = damagedCopy((f) => fs.appendFileSync(path.join(f, 'journal.jsonl'), 'garbage\n{"seq":99}\n'));
    await expectRefusal(folder, outside, 'JOURNAL_DAMAGED', /line \d+ is damaged/);
  });

  it('refuses a folder without a manifest', async () => {
    const { folder, outside } = damagedCopy((f) => fs.rmSync(path.join(f, 'manifest.json')));
    await expectRefusal(folder, outside, 'NOT_A_SESSION', /not an mdlab session/);
  });
});
