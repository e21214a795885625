/**
 * A guided lab live: the engine host's real Lab (real clock) runs a built-in lab as a session, the student
 * acts through the array handlers as the panels do, and the lab's steps tick as their checks come to hold;
 * "Show me" (labs.doStep) performs a step through the same journaled actions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type GuidedLabState } from '../../core/api';
import { labState } from '../../core/host/lab/lab';
import { parseJournalText } from '../../core/session/journal';
import { tempDir } from '../session/helpers';
import { call, hostContext, refusal } from './handler-calls';

const MiB = 1024 * 1024;

/** Asks labs.state (as the panel does, at a modest rate) until the lab stands at `step` or beyond. */
async function untilStep(current: number, what: string, timeoutMs = 60_000): Promise<GuidedLabState> {
  const start = Date.now();
  for (;;) {
    const { lab } = await call('labs.state', {});
    if (lab !== null && lab.current >= current) return lab;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(lab)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const verdicts = (lab: GuidedLabState) => lab.steps.map((s) => s.verdict);
const stepsOf = (folder: string) =>
  parseJournalText(fs.readFileSync(path.join(folder, 'journal.jsonl'), 'utf8')).entries.flatMap((e) => (e.type === 'step' ? [e.step] : []));

let workspace: string;

beforeAll(() => {
  workspace = tempDir('guided-ws');
  process.env.MDLAB_WORKSPACE = workspace;
  process.env.MDLAB_RECENT_FILE = path.join(tempDir('guided-recent'), 'recent.json');
  expect(labState(hostContext.emit).workspace.root).toBe(workspace);
});

describe('a guided lab running live on the engine host', () => {
  it('ticks rebuild-spare step by step as the student acts, shows the last step on request, and keeps the lab across close and reopen', async () => {
    const started = await call('labs.start', { name: 'rebuild-spare', place: { workspace: 'guided-rebuild' } });
    const folder = path.join(workspace, 'guided-rebuild');
    expect(started.session.folder).toBe(folder);
    // The lab's own array: 4 members and the hot spare disk4.img, clean (assume-clean).
    expect(started.snapshot.members.map((m: { image: string }) => m.image)).toEqual(['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img', 'disk4.img']);
    // "create" is what labs.start did: it holds at once, and the pattern write is current, not yet true.
    expect(started.lab).toMatchObject({ name: 'rebuild-spare', current: 1, finished: false });
    expect(verdicts(started.lab)).toEqual(['pass', 'current', 'pending', 'pending', 'pending']);
    expect(started.lab.steps[1].detail).toMatch(/differs from the lba pattern/);

    // The Data panel's pattern write (4 MiB, the lab's tag) makes the write step's verify hold.
    await call('array.pattern', { op: 'write', lengthBytes: 4 * MiB });
    const written = (await call('labs.state', {})).lab;
    expect(verdicts(written)).toEqual(['pass', 'pass', 'current', 'pending', 'pending']);
    expect(written.steps[2].detail).toMatch(/degraded/);

    // The Failure panel's fail: ticked on the spot, before md's recovery onto the spare can end the degraded state.
    await call('array.manage', { action: 'fail', member: 1 });
    const failed = (await call('labs.state', {})).lab;
    expect(failed.current).toBeGreaterThanOrEqual(3);
    expect(failed.steps[2].verdict).toBe('pass');

    // Waiting is the student's part: the recovery ends and the spare takes slot 1.
    const recovered = await untilStep(4, 'the recovery onto the spare');
    expect(verdicts(recovered)).toEqual(['pass', 'pass', 'pass', 'pass', 'current']);

    // Show me: the remove is performed through the Lab, journaled like the student's own action.
    const shown = (await call('labs.doStep', {})).lab;
    expect(shown).toMatchObject({ current: 5, finished: true });
    expect(verdicts(shown)).toEqual(['pass', 'pass', 'pass', 'pass', 'pass']);
    const journal = stepsOf(folder);
    expect(journal).toContainEqual({ remove: 'disk1.img' });
    expect(journal).toContainEqual({ fail: 'disk1.img' });
    expect(journal).toContainEqual({ write: { pattern: 'lba', tag: 'mdlab1', offset: 0, length: 4 * MiB } });
    expect((await refusal('labs.doStep', {})).message).toMatch(/finished/);
    expect(JSON.parse(fs.readFileSync(path.join(folder, 'lab.json'), 'utf8'))).toEqual({ lab: 'rebuild-spare', current: 5, acted: false });

    // Closed and reopened: the session still follows its lab, finished.
    await call('session.close', {});
    expect((await call('labs.state', {})).lab).toBeNull();
    await call('session.open', { place: { workspace: 'guided-rebuild' } });
    expect((await call('labs.state', {})).lab).toMatchObject({ name: 'rebuild-spare', finished: true });
    await call('session.close', {});
  });

  it('shows every step of degraded-read on request, reading member 2 back from parity, and Save As takes the lab along', async () => {
    const started = await call('labs.start', { name: 'degraded-read', place: { workspace: 'guided-degraded' } });
    expect(started.lab.current).toBe(1);
    const afterWrite = (await call('labs.doStep', {})).lab;
    expect(afterWrite.current).toBe(2);
    // The fail ticks fail-member, and the degraded read's checks (verify through parity, degraded 1) hold at once.
    const done = (await call('labs.doStep', {})).lab;
    expect(done).toMatchObject({ current: 4, finished: true });
    // Show me waited out the write step's 1 s: md's safemode marked the array clean before the fail.
    expect(afterWrite.steps[2].detail).toBe('expect state: state is "clean", expected "clean, degraded"');
    const { snapshot } = await call('array.snapshot', {});
    expect(snapshot.degraded).toBe(1);

    const copy = await call('session.saveAs', { place: { workspace: 'guided-degraded-copy' } });
    expect(JSON.parse(fs.readFileSync(path.join(copy.session.folder, 'lab.json'), 'utf8'))).toEqual({ lab: 'degraded-read', current: 4, acted: false });
    expect((await call('labs.state', {})).lab).toMatchObject({ name: 'degraded-read', finished: true });
    await call('session.close', {});
  });

  it('shows every step of write-hole, the dm-flakey fault included: check finds the hole, repair closes it, a lost member rebuilds right', async () => {
    const started = await call('labs.start', { name: 'write-hole', place: { workspace: 'guided-hole' } });
    // Its first step's checks hold on the fresh array, but the 4 MiB write it asks for is not done yet: no tick for nothing.
    expect(started.lab.steps[0]).toMatchObject({ id: 'create', verdict: 'current', detail: 'waiting for you to do this step (or Show me)' });
    let lab: GuidedLabState = started.lab;
    while (!lab.finished) {
      const at = lab.current;
      await call('labs.doStep', {});
      lab = await untilStep(at + 1, `write-hole step ${lab.steps[at].id}`);
    }
    // The inject was journaled in the fault layer's own spelling, so the session's replay performs it too.
    expect(stepsOf(path.join(workspace, 'guided-hole')).some((step) => 'inject' in step)).toBe(true);
    expect(verdicts(lab).every((v) => v === 'pass')).toBe(true);
    const live = (await call('array.snapshot', {})).snapshot;
    await call('session.close', {});
    const replayed = await call('session.replay', { folder: path.join(workspace, 'guided-hole'), position: 1000 });
    expect(replayed.failure).toBeNull();
    expect(replayed.snapshot).toMatchObject({ degraded: live.degraded, mismatchCnt: live.mismatchCnt });
  });

  it('shows interrupted-resync end to end: crash while active, hold at sync_max, stop and assemble, resume from the checkpoint', async () => {
    let lab: GuidedLabState = (await call('labs.start', { name: 'interrupted-resync', place: { workspace: 'guided-resync' } })).lab;
    while (!lab.finished) {
      const at = lab.current;
      await call('labs.doStep', {});
      lab = await untilStep(at + 1, `interrupted-resync step ${lab.steps[at].id}`);
    }
    const steps = stepsOf(path.join(workspace, 'guided-resync'));
    expect(steps).toContainEqual({ set: { sync_max: 8192 } });
    expect(steps).toContainEqual({ stop: null });
    await call('session.close', {});
  });

  it('a session made by New follows no lab, and Show me says so; an unknown lab is refused before anything is made', async () => {
    expect((await refusal('labs.start', { name: 'no-such-lab', place: { workspace: 'guided-none' } })).message).toMatch(/no built-in lab/);
    expect(fs.existsSync(path.join(workspace, 'guided-none'))).toBe(false);
    await call('session.new', {
      place: { workspace: 'guided-plain' }, name: 'plain',
      choices: { level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * MiB, bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'plain' },
    });
    expect((await call('labs.state', {})).lab).toBeNull();
    expect((await refusal('labs.doStep', {})).message).toMatch(/follows no guided lab/);
    await call('session.close', {});
  });
});
