import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Where electron-vite puts the bundles, relative to this one (out/main/index.js). */
const mainDir = path.dirname(fileURLToPath(import.meta.url));

export const ENGINE_HOST_PATH = path.join(mainDir, 'engine-host.js');
export const PRELOAD_PATH = path.join(mainDir, '..', 'preload', 'index.cjs');
export const RENDERER_INDEX_PATH = path.join(mainDir, '..', 'renderer', 'index.html');
export const RENDERER_INDEX_URL = pathToFileURL(RENDERER_INDEX_PATH).href;
/** Set by `electron-vite dev` only; the packaged app always loads the built files. */
export const DEV_RENDERER_URL = process.env.ELECTRON_RENDERER_URL ?? null;
