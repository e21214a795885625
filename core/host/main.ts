/**
 * Entry point of the engine host process or thread. Electron main forks it as a utilityProcess
 * (built to out/main/engine-host.js); the lab host and tests start it as a worker_thread.
 */
import { allHandlers } from './handlers';
import { EngineHost } from './host';
import { detectParentPort } from './port';

new EngineHost(detectParentPort(), allHandlers).start();
