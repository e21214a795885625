/**
 * Electron main: windows, security policy and the relay between renderers and the engine host.
 * No engine code runs here; it lives in the utilityProcess started by startUtilityHost().
 */
import { app, BrowserWindow } from 'electron';
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

app.enableSandbox();

void app.whenReady().then(() => {
  hardenApp();
  const engine = startUtilityHost();
  wireIpc(engine, windows);
  openWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow();
  });
  app.on('will-quit', () => void engine.close());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
