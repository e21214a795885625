import { Worker } from 'node:worker_threads';
import { HostConnection, type HostChannel } from './connection';

const BOOT_URL = new URL('./worker-boot.mjs', import.meta.url);
const ENTRY_URL = new URL('./main.ts', import.meta.url);

/**
 * Start the engine host in a worker_thread: the lab host's event loop (and a test's) stays free
 * while the engine runs synchronous member I/O.
 */
export function startWorkerHost(): HostConnection {
  const worker = new Worker(BOOT_URL, { workerData: { entry: ENTRY_URL.href } });
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
