/** Runs the mdlab command: in-process through main() (fast), or as a real process through bin/mdlab.mjs. */
import { execFileSync, spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../core/cli/main';
import { repoRoot } from './golden';

export interface CliResult {
  code: number;
  stdout: string;
  /** stdout as raw bytes, for binary output such as cat. */
  stdoutBytes: Buffer;
  stderr: string;
}

export async function runCli(args: string[]): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  // Copy: a PassThrough hands on the writer's buffer, which cat reuses for its next window.
  stdout.on('data', (b: Buffer) => out.push(Buffer.from(b)));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await main(args, { stdout, stderr });
  const stdoutBytes = Buffer.concat(out);
  return { code, stdout: stdoutBytes.toString('utf8'), stdoutBytes, stderr: Buffer.concat(err).toString('utf8') };
}

/** The installed command exactly as a user runs it: node bin/mdlab.mjs, stdout as raw bytes. */
export function runBin(args: string[], env: NodeJS.ProcessEnv = {}): { code: number; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'mdlab.mjs'), ...args], {
    env: { ...process.env, TZ: 'UTC', ...env },
    maxBuffer: 1 << 30,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** Debian's mdadm, run on an image file (it needs no kernel md for --examine). Throws if missing. */
export function mdadm(args: string[]): string {
  return execFileSync('mdadm', args, { env: { ...process.env, TZ: 'UTC' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
