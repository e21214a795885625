import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HostConnection } from '../../core/host/connection';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUNDLE = path.join(REPO_ROOT, 'out', 'main', 'engine-host.js');

/*
 * Electron's utilityProcess hands its child `process.parentPort` (message events carry `.data`).
 * Without the Electron binary, a Node child given the same two methods over its IPC channel runs
 * the very bundle Electron main forks, so the built engine host is exercised as shipped.
 */
const UTILITY_PROCESS_SHIM = `
  process.parentPort = {
    on: (event, listener) => process.on(event, (data) => listener({ data })),
    postMessage: (message) => process.send(message),
  };
  await import(process.argv[1]);
`;

function forkBundleAsUtilityProcess(): HostConnection {
  const child = spawn(process.execPath, ['--input-type=module', '-e', UTILITY_PROCESS_SHIM, pathToFileURL(BUNDLE).href], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new HostConnection({
    post: (message) => child.send(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => child.on('exit', (code) => listener(`it exited with code ${code}`)),
    terminate: async () => {
      child.kill();
    },
  });
}

describe('the built engine-host bundle', () => {
  let host: HostConnection | undefined;
  afterEach(async () => {
    await host?.close();
  });

  it('answers through process.parentPort the way Electron forks it, from its own process', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first').toBe(true);
    host = forkBundleAsUtilityProcess();
    const reply = await host.request('engine.info', {});
    expect(reply.ok, JSON.stringify(reply)).toBe(true);
    const info = (reply as { ok: true; result: { host: { kind: string; pid: number } } }).result;
    expect(info.host.kind).toBe('utilityProcess');
    expect(info.host.pid).not.toBe(process.pid);
    expect(await host.request('engine.ping', { nonce: 'from-test' })).toMatchObject({ ok: true, result: { nonce: 'from-test' } });
  });
});
