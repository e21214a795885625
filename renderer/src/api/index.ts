/**
 * The renderer's only door to the engine: a typed client over whichever transport this page has.
 * Components and stores import from here, never from core/ directly and never from Node.
 */
import { createClient, validateWithoutEval, type MdlabClient } from '../../../core/api';
import { preloadTransport } from './preload-transport';
import { labSocketUrl, socketTransport } from './socket-transport';

export type * from '../../../core/api';
export { RequestError, ErrorCode, NEEDS_FORCE, NO_DIALOG, NOTES_MAX_CHARS, SCENARIO_IMPORT_MAX_CHARS, ArrayIdSchema } from '../../../core/api';
export type { MdlabClient };

validateWithoutEval();

let current: MdlabClient | null = null;

/** Electron's preload bridge when present, else the lab host's WebSocket. */
export function connectClient(): MdlabClient {
  const transport = window.mdlab ? preloadTransport(window.mdlab) : socketTransport(labSocketUrl(window.location));
  return createClient(transport);
}

/** Called once at boot (or by a test with its own client) before any store is used. */
export function installClient(client: MdlabClient): void {
  current = client;
}

export function useClient(): MdlabClient {
  if (current === null) throw new Error('mdlab: installClient() must run before the stores are used.');
  return current;
}
