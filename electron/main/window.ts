import { BrowserWindow } from 'electron';
import { DEV_RENDERER_URL, PRELOAD_PATH, RENDERER_INDEX_PATH } from './paths';

export function createMainWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 500,
    title: 'mdlab',
    show: false,
    webPreferences: {
      preload: PRELOAD_PATH,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  if (DEV_RENDERER_URL) void window.loadURL(DEV_RENDERER_URL);
  else void window.loadFile(RENDERER_INDEX_PATH);
  return window;
}
