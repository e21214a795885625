/**
 * Electron main: windows, security policy and the relay between renderers and the engine host.
 * No engine code runs here; it lives in the utilityProcess started by startUtilityHost().
 */
import * as path from 'node:path';
import { app, BrowserWindow } from 'electron';
import type { HostConnection } from '../../core/host/connection';
import { startUtilityHost } from './engine-host';
import { wireIpc } from './ipc';
import { hardenApp } from './security';
import { createMainWindow } from './window';

const windows = new Set<BrowserWindow>();

function openWindow(): void {
  const window = createMainWindow();
  windows.add(window);
  window.on('closed', () => windows.delete(window));
}

/** Longest a quit waits for the open session to stop cleanly (a multi-TiB hash is skipped by the host). */
const CLOSE_SESSION_TIMEOUT_MS = 30_000;

/**
 * The engine host keeps its workspace and the Recent list in the user's data folder; the utilityProcess
 * inherits these variables. Set before the host starts, and only if the user has not chosen otherwise.
 */
function pointHostAtUserData(): void {
  const userData = app.getPath('userData');
  process.env.MDLAB_WORKSPACE ??= path.join(userData, 'workspace');
  process.env.MDLAB_RECENT_FILE ??= path.join(userData, 'recent.json');
}

/** Stops the open session cleanly (superblocks clean, journal close, fsync); a dead host has nothing to close. */
function closeSession(engine: HostConnection): Promise<unknown> {
  const timeout = new Promise((resolve) => setTimeout(resolve, CLOSE_SESSION_TIMEOUT_MS));
  return Promise.race([engine.request('session.close', {}), timeout]);
}

app.enableSandbox();

void app.whenReady().then(() => {
  hardenApp();
  pointHostAtUserData();
  const engine = startUtilityHost();
  wireIpc(engine, windows);
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  let sessionClosed = false;
  app.on('before-quit', (event) => {
    if (sessionClosed) return;
    // Quitting waits for the session to close cleanly, then quits for real.
    event.preventDefault();
    void closeSession(engine).finally(() => {
      sessionClosed = true;
      app.quit();
    });
  });
  app.on('window-all-closed', () => {
    // Closing the last window closes the session, even where the app itself stays (macOS).
    void closeSession(engine).finally(() => {
      if (process.platform !== 'darwin') app.quit();
    });
  });
  app.on('will-quit', () => void engine.close());
});
