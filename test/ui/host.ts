/**
 * Component tests talk to a REAL engine host in a worker, wired as the renderer wires its client, and
 * with its own lab workspace in a temp folder so tests never share arrays.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createClient, type MdlabClient } from '../../core/api';
import type { HostConnection } from '../../core/host/connection';
import { startWorkerHost } from '../../core/host/worker';

export interface TestHost {
  host: HostConnection;
  client: MdlabClient;
  workspace: string;
  close(): Promise<void>;
}

/**
 * An engine host in a worker whose lab workspace is `workspace` (it reads it from the environment it inherits).
 * Recent sessions go to a file inside that workspace unless the caller chose one, so no test touches ~/.config.
 */
export function startWorkerHostIn(workspace: string): HostConnection {
  const previous = { MDLAB_WORKSPACE: process.env.MDLAB_WORKSPACE, MDLAB_RECENT_FILE: process.env.MDLAB_RECENT_FILE };
  process.env.MDLAB_WORKSPACE = workspace;
  process.env.MDLAB_RECENT_FILE ??= path.join(workspace, '.recent.json');
  try {
    return startWorkerHost();
  } finally {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

export function startTestHost(): TestHost {
  const workspace = mkdtempSync(path.join(os.tmpdir(), 'mdlab-ui-'));
  const host = startWorkerHostIn(workspace);
  const client = createClient({ invoke: (name, params) => host.request(name, params), subscribe: (l) => host.onEvent(l) });
  return {
    host,
    client,
    workspace,
    async close() {
      await host.close();
      rmSync(workspace, { recursive: true, force: true });
    },
  };
}

/** Polls with real time passing, for replies and events that cross the worker boundary. */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
