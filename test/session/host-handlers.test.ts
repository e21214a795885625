/** The session and lab requests as the engine host serves them: params and results checked by the contract. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type RequestName, requests } from '../../core/api';
import { toApiError } from '../../core/host/errors';
import { allHandlers } from '../../core/host/handlers';
import { MdArrayDriver } from '../../core/session/md-driver';
import { Session } from '../../core/session/session';
import { tempDir } from './helpers';

const context = { emit: () => {}, host: { kind: 'worker' as const, pid: process.pid, threadId: 0, nodeVersion: process.version, startedAtMs: 0 } };

/** Calls a handler the way the host does: params parsed by the contract, result checked against it. */
async function call(name: RequestName, params: unknown): Promise<any> {
  const parsed = requests[name].params.parse(params);
  const handler = allHandlers[name] as (p: unknown, c: typeof context) => unknown;
  const result = await handler(parsed, context);
  return requests[name].result.parse(result);
}

let folder: string;

beforeAll(async () => {
  process.env.MDLAB_RECENT_FILE = path.join(tempDir('recent'), 'recent.json');
  folder = path.join(tempDir('host-session'), 'lab');
  const s = await Session.create(folder, {
    name: 'host lab',
    array: { level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024, bitmap: 'none', assumeClean: true },
    seed: 4,
    driver: new MdArrayDriver(),
  });
  await s.perform({ write: { pattern: 'lba', offset: 0, length: '1M' } });
  await s.perform({ fail: 2 });
  await s.close();
});

describe('session requests', () => {
  it('labs.list gives every lab with its bilingual steps', async () => {
    const { labs } = await call('labs.list', {});
    expect(labs.map((l: { name: string }) => l.name)).toContain('bitrot-check-repair');
    expect(labs[0].steps[0].instruction.zh).toMatch(/[\u4e00-\u9fff]/);
  });

  it('labs.run grades a lab headless', async () => {
    const r = await call('labs.run', { name: 'degraded-read' });
    expect(r.ok).toBe(true);
    expect(r.steps.map((s: { verdict: string }) => s.verdict)).toEqual(['pass', 'pass', 'pass', 'pass']);
  });

  it('session.inspect summarises a folder and remembers it in Recent', async () => {
    const info = await call('session.inspect', { folder });
    expect(info).toMatchObject({ name: 'host lab', members: ['disk0.img', 'disk1.img', 'disk2.img'], steps: 2, messages: [] });
    const { sessions } = await call('session.recent', {});
    expect(sessions[0]).toMatchObject({ folder: fs.realpathSync(folder), name: 'host lab' });
  });

  it('session.replay answers the state after a given step', async () => {
    const r = await call('session.replay', { folder, position: 2 });
    expect(r).toMatchObject({ position: 2, length: 2, last: 'fail 2', failure: null });
    expect(r.snapshot.degraded).toBe(1);
  });

  it('session.exportScenario and session.report produce the documents', async () => {
    expect((await call('session.exportScenario', { folder })).yaml).toMatch(/- fail: 2/);
    expect((await call('session.report', { folder })).html).toMatch(/^<!DOCTYPE html>/);
  });

  it('a damaged folder is refused with the session error code and one sentence', async () => {
    const broken = path.join(tempDir('host-broken'), 'x');
    fs.cpSync(folder, broken, { recursive: true });
    fs.writeFileSync(path.join(broken, 'manifest.json'), '{"schemaVersion": 9}');
    const err = await call('session.inspect', { folder: broken }).then(() => null, (e: unknown) => toApiError(e));
    expect(err).toEqual({ code: 'MANIFEST_NEWER', message: expect.stringMatching(/newer mdlab \(schema version 9\)/) });
  });
});
