/** `mdlab session import SCENARIO.yaml FOLDER`: the same importScenario the lab's Import uses, from a shell. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectSession } from '../../core/session/inspect';
import { runCli } from '../helpers/cli';
import { repoRoot } from '../helpers/golden';
import { tempDir } from '../session/helpers';

const scenario = path.join(repoRoot, 'test', 'scenarios', 'bitrot-check-repair.yaml');

describe('mdlab session import', () => {
  it('makes a session folder of the scenario that inspect accepts, its steps journaled', async () => {
    const folder = path.join(tempDir('cli-import'), 'lab');
    const r = await runCli(['session', 'import', scenario, folder]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/, \d+ steps journaled\n$/);
    const found = inspectSession(folder);
    expect(found.manifest.name).toBe('bitrot-check-repair');
    expect(found.journal.entries.filter((e) => e.type === 'step').length).toBeGreaterThan(3);
  });

  it('refuses a used folder and a malformed scenario with one line (exit 1), and a wrong command line (exit 2)', async () => {
    const used = tempDir('cli-used');
    fs.writeFileSync(path.join(used, 'mine.txt'), 'keep');
    const refused = await runCli(['session', 'import', scenario, used]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^mdlab session: .* already exists and is not an empty folder; choose a new place for the session\.\n$/);

    const broken = path.join(tempDir('cli-broken'), 'broken.yaml');
    fs.writeFileSync(broken, fs.readFileSync(scenario, 'utf8').replace('steps:', 'stepz:'));
    const target = path.join(path.dirname(broken), 'never');
    const malformed = await runCli(['session', 'import', broken, target]);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr.split('\n')).toHaveLength(2);
    expect(malformed.stderr).toContain(`${broken}: `);
    expect(fs.existsSync(target)).toBe(false);

    expect((await runCli(['session', 'export', scenario, target])).code).toBe(2);
    expect((await runCli(['session', 'import', scenario])).code).toBe(2);
  });
});
