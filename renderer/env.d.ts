/// <reference types="vite/client" />
import type { MdlabBridge } from '../core/api/bridge';

declare global {
  interface Window {
    /** Present only inside Electron, where the preload exposes it; the browser lab uses a WebSocket. */
    readonly mdlab?: MdlabBridge;
  }
}

export {};
