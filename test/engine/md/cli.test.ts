import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../../core/cli/main';
import { repoRoot } from '../../helpers/golden';
import { openGoldenCase } from '../../helpers/golden';
import { tempDir } from './helpers';

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += String(d)));
  stderr.on('data', (d) => (err += String(d)));
  const code = await main(args, { stdout, stderr });
  return { code, stdout: out, stderr: err };
}

describe('mdlab run and mdlab mdstat', () => {
  it('run exits 0 and prints mdstat progress for a scenario whose expectations hold', async () => {
    const dir = tempDir('cli-run');
    try {
      const r = await cli(['run', path.join(repoRoot, 'test', 'scenarios', 'recovery-resume.yaml'), '--dir', dir]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/recovery = +\d+\.\d% \(\d+\/15360\)/);
      expect(r.stdout).toContain('every expectation held');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('run exits 1 naming the expectation that failed', async () => {
    const dir = tempDir('cli-fail');
    try {
      const file = path.join(dir, 'bad.yaml');
      fs.writeFileSync(file, 'name: bad\narray: { dir: a, level: 5, raid-devices: 3, size: 8M, chunk: 64K, assume-clean: true }\nsteps:\n  - create: null\n  - expect: { mismatch_cnt: 8 }\n');
      const r = await cli(['run', file, '--quiet']);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('mdlab run: step 2: expect mismatch_cnt: mismatch_cnt is 0, expected 8\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('mdstat shows the interrupted golden array as the kernel would, read-only, without writing', async () => {
    const golden = openGoldenCase('r5-ls-3d-resync-interrupted');
    try {
      const before = golden.images.map((p) => fs.readFileSync(p));
      const r = await cli(['mdstat', ...golden.images]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(
        'Personalities : [raid6] [raid5] [raid4] \n' +
          'md0 : active (auto-read-only) raid5 disk0.img[0] disk2.img[2] disk1.img[1]\n' +
          '      63488 blocks super 1.2 level 5, 64k chunk, algorithm 2 [3/3] [UUU]\n' +
          '      \tresync=PENDING\n' +
          '      \n' +
          'unused devices: <none>\n',
      );
      golden.images.forEach((p, i) => expect(fs.readFileSync(p).equals(before[i])).toBe(true));
    } finally {
      golden.cleanup();
    }
  });
});
