/** Calls the engine host's request handlers in-process, as the host does: params and results through the contract. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { type ArraySnapshot, checkRequest, type EngineEvent, type RequestName, requests } from '../../core/api';
import { toApiError } from '../../core/host/errors';
import { allHandlers } from '../../core/host/handlers';
import { labState } from '../../core/host/lab/lab';

/** The log lines the host emitted (md's kernel messages, the lab's own), oldest first. */
export const hostLog: string[] = [];
/** Events no request answers (a session the engine closed by itself), oldest first. */
export const hostNotices: EngineEvent[] = [];

export const hostContext = {
  emit: (event: EngineEvent) => {
    if (event.type === 'log') hostLog.push(event.message);
    if (event.type === 'session-closed') hostNotices.push(event);
  },
  host: { kind: 'worker' as const, pid: process.pid, threadId: 0, nodeVersion: process.version, startedAtMs: 0 },
};

/** A handler's reply, parsed by the contract's result schema; a refusal throws as the handler threw it. */
export async function call(name: RequestName, params: unknown): Promise<any> {
  const parsed = requests[name].params.parse(params);
  const handler = allHandlers[name] as (p: unknown, c: typeof hostContext) => unknown;
  return requests[name].result.parse(await handler(parsed, hostContext));
}

/** The contract's refusal (BAD_PARAMS...) or the handler's, as the host would answer it. */
export async function refusal(name: RequestName, params: unknown): Promise<{ code: string; message: string }> {
  const checked = checkRequest(name, params);
  if (!checked.ok) return checked.error;
  return call(name, params).then(
    () => ({ code: 'NONE', message: 'it was not refused' }),
    (e: unknown) => toApiError(e),
  );
}

/** Lets the lab's loop run (real time) until the open array's snapshot satisfies `done`. */
export async function untilSnapshot(done: (s: ArraySnapshot) => boolean, what: string, timeoutMs = 60_000): Promise<ArraySnapshot> {
  const start = Date.now();
  for (;;) {
    const { snapshot } = await call('array.snapshot', {});
    if (snapshot && done(snapshot)) return snapshot;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(snapshot?.syncCompleted)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * For a test file: the host's lab keeps its workspace and Recent in a temp folder of its own; afterwards
 * the open session is closed and the folder removed. Returns the workspace's path (once beforeAll ran).
 */
export function labWorkspace(tag: string): () => string {
  let workspace = '';
  beforeAll(() => {
    workspace = mkdtempSync(path.join(os.tmpdir(), `mdlab-${tag}-`));
    process.env.MDLAB_WORKSPACE = workspace;
    process.env.MDLAB_RECENT_FILE = path.join(workspace, '.recent.json');
    expect(labState(hostContext.emit).workspace.root).toBe(workspace);
  });
  afterAll(async () => {
    await call('session.close', {});
    rmSync(workspace, { recursive: true, force: true });
  });
  return () => workspace;
}
