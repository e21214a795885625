import { isMainThread, parentPort, threadId } from 'node:worker_threads';
import type { HostKind, HostMessage } from '../api';

/** The host's end of its channel to whoever started it; the host loop never knows which container it is in. */
export interface HostPort {
  readonly kind: HostKind;
  readonly threadId: number;
  post(message: HostMessage): void;
  onMessage(listener: (raw: unknown) => void): void;
}

/** Electron's utilityProcess adds process.parentPort; @types/node does not know it, and core/ must not import electron. */
interface UtilityParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
}

/**
 * Find the channel the host was started with: an Electron utilityProcess (process.parentPort) or a
 * worker_thread (tests, lab host). Anything else is a bug in the launcher, not an operating error.
 */
export function detectParentPort(): HostPort {
  const utilityPort = (process as unknown as { parentPort?: UtilityParentPort }).parentPort;
  if (utilityPort) {
    return {
      kind: 'utilityProcess',
      threadId,
      post: (message) => utilityPort.postMessage(message),
      onMessage: (listener) => utilityPort.on('message', (event) => listener(event.data)),
    };
  }
  if (!isMainThread && parentPort) {
    const port = parentPort;
    return {
      kind: 'worker',
      threadId,
      post: (message) => port.postMessage(message),
      onMessage: (listener) => port.on('message', listener),
    };
  }
  throw new Error('The engine host must be started as an Electron utilityProcess or a worker_thread.');
}
