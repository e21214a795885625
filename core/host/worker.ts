import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { HostConnection, type HostChannel } from './connection';

// Paths, not `new URL(..)`: under a DOM test environment the global URL is not Node's, and Worker refuses it.
const hostDir = path.dirname(fileURLToPath(import.meta.url));
const BOOT_PATH = path.join(hostDir, 'worker-boot.mjs');
/** The TypeScript entry, compiled by tsx inside the worker: always current, but seconds to start. */
export const SOURCE_ENTRY_PATH = path.join(hostDir, 'main.ts');

/**
 * Start the engine host in a worker_thread: the lab host's event loop (and a test's) stays free
 * while the engine runs synchronous member I/O. `entryPath` may name the built bundle
 * (out/main/engine-host.js), which starts in a fraction of the time the sources take.
 */
export function startWorkerHost(entryPath: string = SOURCE_ENTRY_PATH): HostConnection {
  const worker = new Worker(BOOT_PATH, { workerData: { entry: pathToFileURL(entryPath).href } });
  let exited = false;
  const exitListeners: ((reason: string) => void)[] = [];
  const exit = (reason: string) => {
    if (exited) return;
    exited = true;
    for (const listener of exitListeners) listener(reason);
  };
  worker.on('error', (error) => exit(`it crashed: ${error.message}`));
  worker.on('exit', (code) => exit(`it exited with code ${code}`));
  const channel: HostChannel = {
    post: (message) => worker.postMessage(message),
    onMessage: (listener) => worker.on('message', listener),
    onExit: (listener) => exitListeners.push(listener),
    terminate: async () => {
      await worker.terminate();
    },
  };
  return new HostConnection(channel);
}
