/**
 * The lab's open array is a session: the engine host's real Lab (real clock, 8 ms slices) driven through
 * its request handlers, every action journaled before it is answered, and the journal replayed on the
 * virtual clock to the same state and the same array sha256.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ArraySnapshot, NOTES_MAX_CHARS } from '../../core/api';
import { labState } from '../../core/host/lab/lab';
import { VirtualClock } from '../../core/engine/clock';
import { ScenarioSteps } from '../../core/scenario/runner';
import { inspectSession } from '../../core/session/inspect';
import { parseJournalText } from '../../core/session/journal';
import { copySparse } from '../../core/session/sparse-copy';
import { ReplayCursor } from '../../core/session/replay';
import { tempDir, treeFingerprint } from '../session/helpers';
import { call, hostContext, refusal, untilSnapshot } from './handler-calls';

const MiB = 1024 * 1024;

const choices = (name: string) => ({
  level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 32 * MiB,
  bitmap: 'none', assumeClean: false, metadata: '1.2', name,
});

function journalOf(folder: string) {
  return parseJournalText(fs.readFileSync(path.join(folder, 'journal.jsonl'), 'utf8')).entries;
}

/** What a replay must reproduce: md's logical state. Event counts, byte counters and speeds depend on wall time. */
function logical(s: ArraySnapshot) {
  return {
    level: s.level, layout: s.layout, raidDisks: s.raidDisks, arraySizeKib: s.arraySizeKib, arrayState: s.arrayState,
    syncAction: s.syncAction, lastSyncAction: s.lastSyncAction, degraded: s.degraded, mismatchCnt: s.mismatchCnt,
    speedLimitMaxKibPerSec: s.speedLimitMaxKibPerSec, bitmap: s.bitmap === null ? null : s.bitmap.dirtyBits,
    members: s.members.map((m) => ({ image: m.image, slot: m.slot, state: m.state, errors: m.errors, recoveryStart: m.recoveryStart })),
  };
}

let workspace: string;
let elsewhere: string;

beforeAll(() => {
  workspace = tempDir('live-ws');
  elsewhere = tempDir('live-else');
  process.env.MDLAB_WORKSPACE = workspace;
  process.env.MDLAB_RECENT_FILE = path.join(tempDir('live-recent'), 'recent.json');
  expect(labState(hostContext.emit).workspace.root).toBe(workspace);
});

afterAll(async () => {
  await call('session.close', {});
});

describe('the lab array as a live session', () => {
  let folder: string;
  let liveFinal: ArraySnapshot;
  let closedSha: string;

  it('create, write, fail the member being rebuilt mid-recovery, add it back, wait, close: every action journaled', async () => {
    const made = await call('session.new', { place: { workspace: 'live1' }, name: 'live one', choices: choices('live1'), seed: 7 });
    folder = made.session.folder;
    expect(made.session).toMatchObject({ id: 'live1', name: 'live one', folderName: 'live1', place: { workspace: 'live1' }, dirty: false, autosaved: true });
    expect(fs.readdirSync(folder).sort()).toEqual(['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img', 'initial', 'journal.jsonl', 'manifest.json', 'notes.md']);
    // Slow enough that the recovery is still running when the member fails.
    await call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 3000 });
    await call('array.pattern', { op: 'write', lengthBytes: 4 * MiB });
    await untilSnapshot((s) => s.syncAction === 'recover' && s.syncCompleted !== null && s.syncCompleted.doneSectors >= 4096, 'recovery past 2 MiB');
    const failed = await call('array.manage', { action: 'fail', member: 3 });
    expect(failed.members.find((m: { image: string }) => m.image === 'disk3.img').state).toContain('faulty');
    await untilSnapshot((s) => s.syncAction === 'idle', 'the interrupted recovery to end');
    await call('array.manage', { action: 'remove', member: 3 });
    await call('array.manage', { action: 'add', member: 3 });
    await call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 2_000_000 });
    liveFinal = await untilSnapshot((s) => s.syncAction === 'idle' && s.degraded === 0, 'the rebuild onto disk3.img');
    const verified = await call('array.pattern', { op: 'verify', lengthBytes: 4 * MiB });
    expect(verified.badSectors).toBe(0);
    expect((await call('session.current', {})).session).toMatchObject({ dirty: true, steps: expect.any(Number) });

    const closed = await call('session.close', {});
    expect(closed.closed).toBe(true);
    expect(closed.arraySha256).toMatch(/^[0-9a-f]{64}$/);
    closedSha = closed.arraySha256;
    expect((await call('session.current', {})).session).toBeNull();

    const steps = journalOf(folder).filter((e) => e.type === 'step').map((e) => (e as { step: Record<string, unknown> }).step);
    const verbs = steps.map((s) => Object.keys(s)[0]);
    expect(verbs.filter((v) => v !== 'wait' && v !== 'sleep')).toEqual(['set', 'write', 'fail', 'remove', 'add', 'set', 'verify']);
    // The fail is anchored to where the recovery had got to, not to a wall-clock time.
    const failAt = verbs.indexOf('fail');
    expect(steps[failAt - 1]).toEqual({ wait: { sync_action: 'recover', sector: expect.any(Number) } });
    expect((steps[failAt - 1].wait as { sector: number }).sector).toBeGreaterThanOrEqual(4096);
    expect(steps[failAt]).toEqual({ fail: 'disk3.img' });
    expect(journalOf(folder).at(-1)).toMatchObject({ type: 'close', arraySha256: closedSha });
  }, 120_000);

  it('replaying the journal on the virtual clock reaches the same state and the same array sha256', () => {
    const cursor = ReplayCursor.open(folder);
    try {
      const end = cursor.seek(cursor.length);
      expect(end.failure).toBeNull();
      expect(logical(end.snapshot!)).toEqual(logical(liveFinal));
      expect(cursor.arraySha256()).toBe(closedSha);
    } finally {
      cursor.dispose();
    }
  }, 120_000);

  it('the replay takes the fail at the very sector the live recovery had reached', () => {
    const found = inspectSession(folder, { checkInitial: true });
    const work = tempDir('live-exact');
    found.initialPaths!.forEach((p, i) => copySparse(p, path.join(work, `disk${i}.img`)));
    const scenario = { name: 'exact', seed: found.manifest.seed, array: { dir: '.', level: 5 as const, 'raid-devices': 4, size: 1 }, steps: [{ assemble: null }] };
    const steps = new ScenarioSteps(scenario, { baseDir: work, arrayDir: work, clock: new VirtualClock() });
    steps.perform({ assemble: null });
    const journaled = found.journal.entries.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    const failAt = journaled.findIndex((step) => 'fail' in step);
    for (const step of journaled.slice(0, failAt)) steps.perform(step);
    const anchor = journaled[failAt - 1] as { wait: { sector: number } };
    expect(steps.current!.mddev.currResync).toBe(anchor.wait.sector);
    steps.current!.stop();
  });

  it('open -> notes -> save as -> close -> open: same state, same sha256, notes kept, Recent updated', async () => {
    const opened = await call('session.open', { place: { workspace: 'live1' } });
    expect(opened.snapshot.degraded).toBe(0);
    expect(opened.session.dirty).toBe(false);
    await call('session.setNotes', { text: 'disk3 failed at 2 MiB; rebuilt.\n' });
    const copyFolder = path.join(elsewhere, 'copy');
    const saved = await call('session.saveAs', { place: { folder: copyFolder } });
    expect(saved.session).toMatchObject({ folder: fs.realpathSync(copyFolder), folderName: 'copy', id: 'copy', place: { folder: copyFolder } });
    expect((await call('session.getNotes', {})).text).toBe('disk3 failed at 2 MiB; rebuilt.\n');
    const closed = await call('session.close', {});
    expect(closed.arraySha256).toBe(closedSha);

    const again = await call('session.open', { place: { folder: copyFolder } });
    // What the images hold; sysfs settings (speed limits) and last_sync_action start afresh at assembly, as in md.
    const onDisk = (s: ArraySnapshot) => ({ ...logical(s), lastSyncAction: null, speedLimitMaxKibPerSec: null });
    expect(onDisk(again.snapshot)).toEqual(onDisk(liveFinal));
    expect((await call('session.getNotes', {})).text).toBe('disk3 failed at 2 MiB; rebuilt.\n');
    const { sessions } = await call('session.recent', {});
    expect(sessions.map((s: { folder: string }) => s.folder).slice(0, 2)).toEqual([fs.realpathSync(copyFolder), fs.realpathSync(folder)]);
    expect((await call('session.close', {})).arraySha256).toBe(closedSha);

    // The copy replays too: its journal says the array was stopped to copy it, then assembled again.
    const cursor = ReplayCursor.open(copyFolder);
    try {
      expect(cursor.seek(cursor.length).failure).toBeNull();
      expect(cursor.arraySha256()).toBe(closedSha);
    } finally {
      cursor.dispose();
    }
  }, 120_000);

  it('open refuses a bad folder with the session layer sentence and changes nothing, the open session included', async () => {
    await call('session.open', { place: { workspace: 'live1' } });
    const bad = path.join(elsewhere, 'bad');
    fs.cpSync(folder, bad, { recursive: true });
    fs.writeFileSync(path.join(bad, 'manifest.json'), '{"schemaVersion": 9}');
    const before = treeFingerprint(bad);
    const err = await refusal('session.open', { place: { folder: bad } });
    expect(err).toEqual({ code: 'MANIFEST_NEWER', message: expect.stringMatching(/newer mdlab \(schema version 9\)/) });
    expect(treeFingerprint(bad)).toBe(before);
    expect((await call('session.current', {})).session).toMatchObject({ id: 'live1' });
    expect((await refusal('session.new', { place: { folder: bad }, name: 'x', choices: choices('x') })).code).toBe('EXISTS');
    expect((await refusal('session.saveAs', { place: { workspace: 'live1' } })).code).toBe('EXISTS');
    expect((await call('session.current', {})).session).toMatchObject({ id: 'live1', dirty: false });
    expect((await call('session.list', {})).sessions).toEqual([{ id: 'live1', name: 'live one', open: true }]);
    expect((await refusal('dialog.chooseFolder', { purpose: 'open' })).code).toBe('NO_DIALOG');
    // Notes are bounded by the contract; a folder of images without a manifest is not listed as openable.
    expect((await refusal('session.setNotes', { text: 'x'.repeat(NOTES_MAX_CHARS + 1) })).code).toBe('BAD_PARAMS');
    fs.mkdirSync(path.join(workspace, 'loose'));
    fs.copyFileSync(path.join(folder, 'disk0.img'), path.join(workspace, 'loose', 'disk0.img'));
    expect((await call('array.list', {})).arrays.map((a: { id: string }) => a.id)).toEqual(['live1']);
    expect((await refusal('array.open', { id: 'loose' })).code).toBe('NOT_A_SESSION');
    expect((await call('session.current', {})).session).toMatchObject({ id: 'live1' });
  }, 60_000);
});

describe('every action kind is journaled as the scenario step that performs it, and replays', () => {
  it('speed limits, pattern write/verify, inject/clear, sync action, fail/remove/re-add, crash, close/open', async () => {
    const c = { ...choices('kinds'), raidDevices: 3, bitmap: 'internal', assumeClean: true };
    const plan = await call('array.plan', c);
    const made = await call('session.new', { place: { workspace: 'kinds' }, name: 'every kind', choices: c, seed: 11 });
    const folder = made.session.folder;
    await call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 2_000_000 });
    await call('array.pattern', { op: 'write', lengthBytes: 2 * MiB });
    const range = { startSector: plan.dataOffsetSectors + 16, lengthSectors: 8 };
    const { members } = await call('array.inject', { member: 0, fault: { kind: 'read-error', range } });
    const faultId = members.find((m: { image: string }) => m.image === 'disk0.img').faults[0].id;
    expect((await call('array.pattern', { op: 'verify', lengthBytes: 2 * MiB })).badSectors).toBe(0);
    await call('array.clearFault', { member: 0, id: faultId });
    await call('array.syncAction', { action: 'check' });
    await untilSnapshot((s) => s.syncAction === 'idle', 'the check');
    await call('array.manage', { action: 'fail', member: 2 });
    await call('array.manage', { action: 'remove', member: 2 });
    await call('array.manage', { action: 're-add', member: 2 });
    await untilSnapshot((s) => s.syncAction === 'idle' && s.degraded === 0, 'the bitmap recovery');
    await call('array.crash', {});
    const live = await untilSnapshot((s) => s.syncAction === 'idle' && s.degraded === 0, 'the resync after the crash');
    const first = await call('session.close', {});
    await call('session.open', { place: { workspace: 'kinds' } });
    const second = await call('session.close', {});
    expect(second.arraySha256).toBe(first.arraySha256);

    const entries = journalOf(folder);
    expect(entries.map((e) => e.type).filter((t) => t !== 'step')).toEqual(['seed', 'close', 'open', 'close']);
    const steps = entries.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    const actions = steps.filter((s) => !('wait' in s) && !('sleep' in s));
    expect(actions.map((s) => Object.keys(s)[0])).toEqual([
      'set', 'write', 'inject', 'verify', 'clear', 'sync-action', 'fail', 'remove', 're-add', 'crash', 'assemble',
    ]);
    expect(actions).toContainEqual({ inject: { member: 0, fault: { kind: 'read-error', range, clearOnWrite: true } } });
    expect(actions).toContainEqual({ write: { pattern: 'lba', tag: 'mdlab1', offset: 0, length: 2 * MiB } });
    expect(actions).toContainEqual({ 're-add': 'disk2.img' });

    const cursor = ReplayCursor.open(folder);
    try {
      const end = cursor.seek(cursor.length);
      expect(end.failure).toBeNull();
      expect(end.snapshot).toMatchObject({ degraded: 0, syncAction: 'idle', mismatchCnt: live.mismatchCnt });
      expect(cursor.arraySha256()).toBe(first.arraySha256);
    } finally {
      cursor.dispose();
    }
  }, 120_000);
});
