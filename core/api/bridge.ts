import type { RequestName } from './requests';
import type { Reply } from './wire';

/*
 * What Electron's preload exposes to the renderer as window.mdlab: one function per request in
 * the table (never ipcRenderer itself) and an event subscription. Main answers on these channels.
 */

export const IPC_REQUEST_CHANNEL = 'mdlab:request';
export const IPC_EVENT_CHANNEL = 'mdlab:event';

/** The global name the preload bridge lives under. */
export const BRIDGE_KEY = 'mdlab';

export interface MdlabBridge {
  readonly requests: { readonly [N in RequestName]: (params: unknown) => Promise<Reply> };
  /** Returns an unsubscribe function. */
  onEvent(listener: (event: unknown) => void): () => void;
}
