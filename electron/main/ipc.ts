import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { ErrorCode, failure, IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, type Reply } from '../../core/api';
import type { HostConnection } from '../../core/host/connection';
import { chooseFolder, windowOf } from './dialogs';
import { DEV_RENDERER_URL, RENDERER_INDEX_URL } from './paths';
import { FolderGrants, relayRequest } from './relay';
import { isOwnRendererUrl } from './trust';

/**
 * Only the top frame of one of our windows, showing our own renderer, may reach the engine:
 * a frame that navigated elsewhere, or an iframe, gets FORBIDDEN.
 */
function isTrustedSender(event: IpcMainInvokeEvent, windows: ReadonlySet<BrowserWindow>): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  const owner = [...windows].find((window) => window.webContents.id === event.sender.id);
  const main = owner?.webContents.mainFrame;
  if (!main || frame.processId !== main.processId || frame.routingId !== main.routingId) return false;
  return isOwnRendererUrl(frame.url, RENDERER_INDEX_URL, DEV_RENDERER_URL);
}

/**
 * Relay requests to the engine host and events to every window. Main validates every request against the
 * contract itself, answers the folder dialogs, and lets through only folders it handed out (relay.ts).
 */
export function wireIpc(engine: HostConnection, windows: ReadonlySet<BrowserWindow>): void {
  const grants = new FolderGrants();
  ipcMain.handle(IPC_REQUEST_CHANNEL, (event, name: unknown, params: unknown): Promise<Reply> | Reply => {
    if (!isTrustedSender(event, windows)) return failure(ErrorCode.FORBIDDEN, 'This frame may not talk to the engine.');
    return relayRequest(name, params, {
      request: (n, p) => engine.request(n, p),
      chooseFolder: (purpose, suggestedName, words) => chooseFolder(windowOf(event.sender), purpose, suggestedName, words),
      grants,
    });
  });
  engine.onEvent((event) => {
    for (const window of windows) {
      if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
    }
  });
}
