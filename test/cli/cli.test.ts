/** The mdlab command as a user meets it: help, exit codes, one-line errors, JSON, and cat's bytes. */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VERBS } from '../../core/cli/main';
import { FileBlockDevice } from '../../core/format/blockdev';
import { lbaPatternBytes } from '../../core/format/lba-pattern';
import { createArray } from '../../core/md/create';
import { runBin, runCli } from '../helpers/cli';
import { type GoldenCase, openGoldenCase } from '../helpers/golden';
import { writeLbaArray } from '../helpers/write-array';

process.env.TZ = 'UTC';
let dir: string;
let golden: GoldenCase;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-cli-'));
  golden = openGoldenCase('r5-ls-4d-degraded');
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  golden.cleanup();
});

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('mdlab help and errors', () => {
  it.each(VERBS.map((v) => v.name))('prints help for %s and exits 0', async (verb) => {
    const r = await runCli([verb, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: mdlab ${verb} `));
  });

  it('lists every verb in mdlab --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    for (const v of VERBS) expect(r.stdout).toContain(`  ${v.name}`);
  });

  it('exits 2 with one line for an unknown option or verb', async () => {
    for (const args of [['examine', '--bogus', 'x'], ['frobnicate'], ['create', dir], ['cat', '--offset', '100', 'x.img']]) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });

  it('exits 1 with mdadm\'s sentence when an image is not an md member', async () => {
    const blank = path.join(dir, 'blank.img');
    FileBlockDevice.create(blank, 1 << 20).close();
    const r = await runCli(['examine', blank]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`mdlab examine: No md superblock detected on ${blank}.\n`);
    const d = await runCli(['detail', blank]);
    expect(d.code).toBe(1);
    expect(d.stderr).toBe(`mdlab detail: ${blank} has no superblock - assembly aborted.\n`);
  });

  it('exits 1 with one line, no stack trace, for a missing image', async () => {
    const r = runBin(['cat', path.join(dir, 'nope.img')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('nope.img');
    expect(r.stderr).toMatch(/^mdlab cat: nope\.img: no such file or directory at offset 0\n$/);
  });

  it('refuses a degraded array without --run, and reads it with --run', async () => {
    const images = golden.images.filter((p) => !p.endsWith('disk2.img')).slice(0, 2).concat(golden.images[3]);
    const refused = await runCli(['detail', ...golden.images.slice(0, 2)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('assembled from 2 drives');
    const r = await runCli(['detail', '--run', '--json', ...images]);
    expect(r.code).toBe(0);
    const facts = JSON.parse(r.stdout);
    expect(facts.state).toBe('clean, degraded');
    expect(facts.activeDevices).toBe(3);
  });
});

describe('mdlab cat', () => {
  it('streams the golden degraded array through the real command with the kernel\'s sha256', () => {
    const r = runBin(['cat', '--length', String(golden.info.data_bytes), ...golden.images]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(sha256(r.stdout)).toBe(golden.info.assemble.sha256_first_data_bytes);
  });

  it('reads any sector-aligned window of an array mdlab created and filled, whole or degraded', async () => {
    const target = path.join(dir, 'filled');
    const { plan, paths } = createArray(target, { level: 5, raidDevices: 5, chunkKib: 16, memberBytes: 6 << 20, assumeClean: true, layout: 3 });
    const rows = plan.componentSectors / 32;
    const devs = paths.map((p) => FileBlockDevice.open(p));
    writeLbaArray({ level: 5, raidDisks: 5, algorithm: 3, chunkSectors: 32 }, devs.map((dev) => ({ dev, dataOffsetSectors: plan.dataOffsetSectors })), 'clitst', rows);
    for (const d of devs) d.close();
    const arrayBytes = rows * 4 * 16 * 1024;
    for (const [offset, length] of [[0, arrayBytes], [512, 3 * 512], [16 * 1024 * 3 + 1024, 200 * 1024], [arrayBytes - 4096, 4096]]) {
      const expected = sha256(lbaPatternBytes('clitst', offset, length));
      const whole = await runCli(['cat', '--offset', String(offset), '--length', String(length), ...paths]);
      expect(whole.code).toBe(0);
      expect(sha256(whole.stdoutBytes)).toBe(expected);
      const degraded = await runCli(['cat', '--run', '--offset', String(offset), '--length', String(length), ...paths.filter((_, i) => i !== 2)]);
      expect(degraded.code).toBe(0);
      expect(sha256(degraded.stdoutBytes), `degraded ${offset}+${length}`).toBe(expected);
    }
  });
});

describe('mdlab create and examine --json', () => {
  it('creates through the real command and examines the members as JSON facts', async () => {
    const target = path.join(dir, 'json');
    const c = runBin(['create', target, '-l', '5', '-n', '3', '-x', '1', '-c', '64', '-z', '8M', '--homehost', 'lab', '--name', 'j', '--json']);
    expect(c.stderr).toBe('');
    const created = JSON.parse(c.stdout.toString());
    expect(created.images).toEqual(['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img']);
    expect(created.spareTrickImage).toBe('disk2.img');
    const r = await runCli(['examine', '--json', ...created.images.map((i: string) => path.join(target, i))]);
    const facts = JSON.parse(r.stdout);
    expect(facts.map((f: { devNumber: number }) => f.devNumber)).toEqual([0, 1, 4, 3]);
    expect(facts[0]).toMatchObject({ name: 'lab:j', dataOffsetSectors: 2048, chunkKib: 64, arrayState: 'AA.', events: 0, state: 'clean' });
  });
});
