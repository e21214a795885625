import { utilityProcess } from 'electron';
import { HostConnection, type HostChannel } from '../../core/host/connection';
import { ENGINE_HOST_PATH } from './paths';

/**
 * Fork the engine host as a utilityProcess: a full-speed resync with synchronous member I/O then
 * runs in its own process and can never block main or a window. Main only relays.
 */
export function startUtilityHost(): HostConnection {
  const child = utilityProcess.fork(ENGINE_HOST_PATH, [], { serviceName: 'mdlab engine host', stdio: 'inherit' });
  let exited = false;
  const exitListeners: ((reason: string) => void)[] = [];
  const channel: HostChannel = {
    post: (message) => child.postMessage(message),
    onMessage: (listener) => child.on('message', listener),
    onExit: (listener) => exitListeners.push(listener),
    terminate: async () => {
      if (!exited) child.kill();
    },
  };
  child.on('exit', (code) => {
    exited = true;
    for (const listener of exitListeners) listener(`it exited with code ${code}`);
  });
  return new HostConnection(channel);
}
