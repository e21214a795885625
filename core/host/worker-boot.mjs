// Starts the engine host in a worker_thread. From source (lab host, tests) the entry is TypeScript,
// so tsx's loader is registered inside the worker first: on Node 20 a parent's --import does not
// reach workers reliably.
import { workerData } from 'node:worker_threads';

if (workerData.entry.endsWith('.ts')) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
