/**
 * Sandboxed preload (built as CommonJS: a sandboxed preload cannot be an ES module).
 * Exposes one function per contract request and an event subscription; ipcRenderer never leaks.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { BRIDGE_KEY, IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type MdlabBridge } from '../../core/api/bridge';
import { requestNames } from '../../core/api/requests';
import type { Reply } from '../../core/api/wire';

const requests = Object.fromEntries(
  requestNames.map((name) => [name, (params: unknown): Promise<Reply> => ipcRenderer.invoke(IPC_REQUEST_CHANNEL, name, params)]),
) as MdlabBridge['requests'];

const bridge: MdlabBridge = {
  requests,
  onEvent(listener) {
    // Pass only the payload: the IpcRendererEvent would hand the page a reference to ipcRenderer.
    const relay = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, relay);
    return () => {
      ipcRenderer.removeListener(IPC_EVENT_CHANNEL, relay);
    };
  },
};

contextBridge.exposeInMainWorld(BRIDGE_KEY, bridge);
