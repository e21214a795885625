/**
 * Importing a scenario as a new session through the engine host's real Lab: the scenario runs on the
 * virtual clock into a fresh session folder (each step journaled), and the session then opens live in
 * place of the one that was open. A scenario that does not parse is refused with the offending path
 * named, before anything is created or the open session is touched.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labState } from '../../core/host/lab/lab';
import { parseJournalText } from '../../core/session/journal';
import { parseScenario } from '../../core/scenario/schema';
import { tempDir, treeFingerprint } from '../session/helpers';
import { call, hostContext as context, refusal } from './handler-calls';

const repoRoot = path.resolve(__dirname, '..', '..');
const scenarioFile = path.join(repoRoot, 'test', 'scenarios', 'fail-and-rebuild.yaml');

const choices = {
  level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * 1024 * 1024,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'before',
};

let workspace: string;

beforeAll(() => {
  workspace = tempDir('import-ws');
  process.env.MDLAB_WORKSPACE = workspace;
  process.env.MDLAB_RECENT_FILE = path.join(tempDir('import-recent'), 'recent.json');
  expect(labState(context.emit).workspace.root).toBe(workspace);
});

afterAll(async () => {
  await call('session.close', {});
});

describe('session.importScenario', () => {
  it('runs a shipped scenario into a new workspace session, journals its steps and opens it live in place of the open one', async () => {
    const before = await call('session.new', { place: { workspace: 'before' }, name: 'before', choices });
    const yaml = fs.readFileSync(scenarioFile, 'utf8');
    const scenario = parseScenario(yaml);

    const imported = await call('session.importScenario', { place: { workspace: 'imported' }, yaml, source: 'fail-and-rebuild.yaml' });

    expect(imported.run).toEqual({ ok: true, steps: scenario.steps.length, failure: null });
    expect(imported.session).toMatchObject({ id: 'imported', name: 'fail-and-rebuild', place: { workspace: 'imported' }, dirty: false });
    // The scenario ends rebuilt and checked: the live array assembles in that state.
    expect(imported.snapshot).toMatchObject({ raidDisks: 4, degraded: 0, mismatchCnt: 0 });
    expect((await call('session.current', {})).session.folder).toBe(imported.session.folder);
    // The session that was open was closed cleanly first: its journal ends with the close.
    const beforeJournal = parseJournalText(fs.readFileSync(path.join(before.session.folder, 'journal.jsonl'), 'utf8')).entries;
    expect(beforeJournal.at(-1)?.type).toBe('close');

    const entries = parseJournalText(fs.readFileSync(path.join(imported.session.folder, 'journal.jsonl'), 'utf8')).entries;
    const steps = entries.flatMap((e) => (e.type === 'step' ? [e.step] : []));
    // Every step after the create, in order, as the scenario wrote it; then the live open.
    expect(steps).toEqual(scenario.steps.slice(1));
    expect(entries.at(-1)?.type).toBe('open');
    expect(imported.session.steps).toBe(scenario.steps.length - 1);
  });

  it('refuses a malformed scenario naming the offending path, creates nothing and leaves the open session running', async () => {
    const open = (await call('session.current', {})).session;
    const fingerprint = treeFingerprint(workspace);
    const yaml = fs.readFileSync(scenarioFile, 'utf8').replace('  - fail: 2', '  - explode: 2');

    const refused = await refusal('session.importScenario', { place: { workspace: 'broken' }, yaml, source: 'broken.yaml' });

    expect(refused.code).toBe('SCENARIO_INVALID');
    expect(refused.message).toBe('broken.yaml: steps.6: Unrecognized key: "explode"');
    expect(fs.existsSync(path.join(workspace, 'broken'))).toBe(false);
    expect(treeFingerprint(workspace)).toBe(fingerprint);
    expect((await call('session.current', {})).session).toEqual(open);
  });

  it('refuses a place that already holds a session, as session.new does', async () => {
    const yaml = fs.readFileSync(scenarioFile, 'utf8');
    const refused = await refusal('session.importScenario', { place: { workspace: 'before' }, yaml });
    expect(refused.code).toBe('EXISTS');
  });

  it('refuses text beyond the contract bound before it reaches the host', async () => {
    const refused = await refusal('session.importScenario', { place: { workspace: 'huge' }, yaml: 'x'.repeat(256 * 1024 + 1) });
    expect(refused.code).toBe('BAD_PARAMS');
  });
});
