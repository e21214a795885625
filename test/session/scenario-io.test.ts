import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../core/scenario/runner';
import { parseScenario } from '../../core/scenario/schema';
import { arrayContentSha256 } from '../../core/session/array-hash';
import type { ArrayConfig } from '../../core/session/manifest';
import { MdArrayDriver } from '../../core/session/md-driver';
import { ReplayCursor } from '../../core/session/replay';
import { exportScenario, importScenario, importScenarioFile } from '../../core/session/scenario-io';
import { Session } from '../../core/session/session';
import { repoRoot } from '../helpers/golden';
import { tempDir } from './helpers';

const config: ArrayConfig = { level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024, bitmap: 'none', assumeClean: true };

describe('sessions as scenarios', () => {
  it('exports the journal as a scenario that mdlab run replays to the same array contents', async () => {
    const folder = path.join(tempDir('export'), 'my lab');
    const s = await Session.create(folder, { name: 'my lab: spare rebuild', array: config, seed: 21, driver: new MdArrayDriver() });
    await s.perform({ write: { pattern: 'lba', offset: 0, length: '2M' } });
    await s.perform({ fail: 0 });
    await s.perform({ wait: 'idle' });
    const { arraySha256 } = await s.close({ hash: true });

    const yaml = exportScenario(folder);
    const scenario = parseScenario(yaml, 'exported.yaml');
    expect(scenario.name).toBe('my-lab-spare-rebuild');
    expect(scenario.seed).toBe(21);
    expect(scenario.array).toMatchObject({ level: 5, 'raid-devices': 4, 'spare-devices': 1, layout: 'left-symmetric', chunk: '64K', 'assume-clean': true });
    expect(scenario.steps).toEqual([{ create: null }, { write: { pattern: 'lba', offset: 0, length: '2M' } }, { fail: 0 }, { wait: 'idle' }]);

    const dir = tempDir('export-run');
    const result = runScenario(scenario, { baseDir: dir, arrayDir: dir });
    expect(result.failure).toBeNull();
    const images = fs.readdirSync(dir).filter((f) => f.endsWith('.img')).sort().map((f) => path.join(dir, f));
    expect(arrayContentSha256(images)).toBe(arraySha256);
  });

  it('imports a shipped scenario as a session whose replay reaches the same contents', async () => {
    const folder = path.join(tempDir('import'), 'imported');
    const { run } = await importScenarioFile(path.join(repoRoot, 'test', 'scenarios', 'fail-and-rebuild.yaml'), folder);
    expect(run.failure).toBeNull();
    const s = await Session.open(folder);
    const steps = s.journalEntries.filter((e) => e.type === 'step');
    expect(steps).toHaveLength(parseScenario(fs.readFileSync(path.join(repoRoot, 'test', 'scenarios', 'fail-and-rebuild.yaml'), 'utf8')).steps.length - 1);
    for (let i = 1; i < steps.length; i++) expect(steps[i].atMs).toBeGreaterThanOrEqual(steps[i - 1].atMs);
    const { arraySha256 } = await s.close({ hash: true });

    const cursor = ReplayCursor.open(folder);
    const end = cursor.seek(cursor.length);
    expect(end.failure).toBeNull();
    expect(cursor.arraySha256()).toBe(arraySha256);
    cursor.dispose();
  });

  it('refuses a scenario that does not start by creating its array, leaving no folder behind', async () => {
    const folder = path.join(tempDir('import'), 'nope');
    const text = 'name: x\narray: { dir: a, level: 5, raid-devices: 3, size: 8M }\nsteps:\n  - assemble: null\n';
    await expect(importScenario(text, folder)).rejects.toThrow(/must start with its one create step/);
    expect(fs.existsSync(folder)).toBe(false);
  });
});
