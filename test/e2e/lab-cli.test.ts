import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './harness';

const LAB_MAIN = path.join(REPO_ROOT, 'core', 'lab', 'main.ts');

/** Run the lab host's command line (tsx as a loader, so the signal reaches the lab host itself) until it prints its URL, then stop it with SIGTERM as a service manager would. */
function labUrl(args: string[]): Promise<{ url: string; exitCode: number | null }> {
  const child = spawn(process.execPath, ['--import', 'tsx', LAB_MAIN, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no URL printed within 30 s:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.once('exit', (exitCode) => resolve({ url: match[0], exitCode }));
      child.kill('SIGTERM');
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

describe('npm run lab', () => {
  it('prints a 127.0.0.1 URL with a fresh token on a random port, and a different token each run', async () => {
    const first = await labUrl([]);
    const second = await labUrl([]);
    expect(first.exitCode).toBe(0);
    expect(new URL(first.url).searchParams.get('token')).not.toBe(new URL(second.url).searchParams.get('token'));
  });

  it('listens on the port given with --port', async () => {
    const port = await freePort();
    const { url } = await labUrl(['--port', String(port)]);
    expect(new URL(url).port).toBe(String(port));
  });
});
