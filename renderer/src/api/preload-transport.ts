import type { MdlabBridge, Transport } from '../../../core/api';

/** Inside Electron: each request is the preload's function of the same name. */
export function preloadTransport(bridge: MdlabBridge): Transport {
  return {
    invoke: (name, params) => bridge.requests[name](params),
    subscribe: (listener) => bridge.onEvent(listener),
  };
}
