/**
 * Electron main's relay (electron/main/relay.ts) in front of a real engine host's dispatcher: it validates
 * against the contract, answers dialog.chooseFolder from the (here scripted) native dialog, and lets a
 * folder through only when main itself handed it to the renderer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FolderPurpose, RequestName } from '../../core/api';
import { allHandlers } from '../../core/host/handlers';
import { EngineHost } from '../../core/host/host';
import { FolderGrants, relayRequest } from '../../electron/main/relay';
import { tempDir } from '../session/helpers';

const MiB = 1024 * 1024;
const host = new EngineHost({ kind: 'worker', threadId: 0, post: () => {}, onMessage: () => {} }, allHandlers);
let nextId = 1;
const dialogAnswers: (string | null)[] = [];
const dialogsShown: FolderPurpose[] = [];
const grants = new FolderGrants();
const deps = {
  request: (name: RequestName, params: unknown) => host.dispatch({ kind: 'request', id: nextId++, name, params }),
  chooseFolder: async (purpose: FolderPurpose) => {
    dialogsShown.push(purpose);
    return dialogAnswers.shift() ?? null;
  },
  grants,
};
const relay = (name: string, params: unknown) => relayRequest(name, params, deps);
const choices = { level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * MiB, bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'relay' };

let root: string;
beforeAll(() => {
  root = tempDir('relay');
  process.env.MDLAB_WORKSPACE ??= tempDir('relay-ws');
  process.env.MDLAB_RECENT_FILE = path.join(root, 'recent.json');
});

describe('Electron main relay', () => {
  it('refuses what the contract does not allow before the host sees it', async () => {
    expect(await relay('session.open', { place: { folder: '' } })).toMatchObject({ ok: false, error: { code: 'BAD_PARAMS' } });
    expect(await relay('fs.read', {})).toMatchObject({ ok: false, error: { code: 'UNKNOWN_REQUEST' } });
    const longTitle = { title: 'x'.repeat(201), button: 'OK' };
    expect(await relay('dialog.chooseFolder', { purpose: 'open', words: longTitle })).toMatchObject({ ok: false, error: { code: 'BAD_PARAMS' } });
    expect(dialogsShown).toEqual([]);
  });

  it('a folder the renderer made up is FORBIDDEN; a folder from the dialog is used, then remembered', async () => {
    const chosen = path.join(root, 'from-dialog');
    expect(await relay('session.new', { place: { folder: chosen }, name: 'made up', choices })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(fs.existsSync(chosen)).toBe(false);

    dialogAnswers.push(null);
    expect(await relay('dialog.chooseFolder', { purpose: 'new' })).toEqual({ ok: true, result: { place: null } });
    dialogAnswers.push(chosen);
    const picked = await relay('dialog.chooseFolder', { purpose: 'new', suggestedName: 'lab 1' });
    expect(picked).toEqual({ ok: true, result: { place: { folder: chosen } } });
    expect(dialogsShown).toEqual(['new', 'new']);

    const made = await relay('session.new', { place: { folder: chosen }, name: 'from dialog', choices });
    expect(made).toMatchObject({ ok: true, result: { session: { name: 'from dialog', folderName: 'from-dialog' } } });
    expect(fs.existsSync(path.join(chosen, 'manifest.json'))).toBe(true);
    expect(await relay('session.close', {})).toMatchObject({ ok: true, result: { closed: true } });
    // Recent hands the folder out again, so it may be inspected and reopened later.
    const recent = await relay('session.recent', {});
    expect(recent).toMatchObject({ ok: true, result: { sessions: [{ name: 'from dialog' }] } });
    expect(await relay('session.inspect', { folder: chosen })).toMatchObject({ ok: true, result: { name: 'from dialog' } });
    expect(await relay('session.open', { place: { folder: chosen } })).toMatchObject({ ok: true });
    expect(await relay('session.close', {})).toMatchObject({ ok: true });
  }, 60_000);

  it('workspace sessions need no dialog', async () => {
    expect(await relay('session.list', {})).toMatchObject({ ok: true });
    expect(await relay('session.inspect', { folder: '/etc' })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
  });
});
