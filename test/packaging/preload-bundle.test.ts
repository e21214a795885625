import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BRIDGE_KEY, IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, requestNames, type MdlabBridge } from '../../core/api';

const BUNDLE = path.join(import.meta.dirname, '..', '..', 'out', 'preload', 'index.cjs');

/**
 * Run the built preload the way a sandboxed renderer does: CommonJS, with `require('electron')` as
 * the only module on offer. Electron's contextBridge and ipcRenderer are replaced by recorders.
 */
function loadPreload() {
  const exposed: Record<string, unknown> = {};
  const invoked: unknown[][] = [];
  const listeners = new Map<string, (...args: unknown[]) => void>();
  const electron = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
    ipcRenderer: {
      invoke: (...args: unknown[]) => {
        invoked.push(args);
        return Promise.resolve({ ok: true, result: null });
      },
      on: (channel: string, listener: (...args: unknown[]) => void) => listeners.set(channel, listener),
      removeListener: (channel: string) => listeners.delete(channel),
    },
  };
  const required: string[] = [];
  const module = { exports: {} };
  const sandboxRequire = (name: string) => {
    required.push(name);
    if (name !== 'electron') throw new Error(`a sandboxed preload cannot require '${name}'`);
    return electron;
  };
  vm.runInNewContext(readFileSync(BUNDLE, 'utf8'), { require: sandboxRequire, module, exports: module.exports, console });
  return { bridge: exposed[BRIDGE_KEY] as MdlabBridge, exposedKeys: Object.keys(exposed), invoked, listeners, required };
}

describe('the built preload bundle', () => {
  it('is CommonJS that requires only electron and exposes one function per request, never ipcRenderer', async () => {
    expect(existsSync(BUNDLE), 'run `npm run build` first').toBe(true);
    const { bridge, exposedKeys, invoked, required } = loadPreload();
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(exposedKeys).toEqual([BRIDGE_KEY]);
    expect(Object.keys(bridge.requests).sort()).toEqual([...requestNames].sort());
    expect(Object.keys(bridge).sort()).toEqual(['onEvent', 'requests']);

    await bridge.requests['engine.ping']({ nonce: 'n1' });
    expect(invoked).toEqual([[IPC_REQUEST_CHANNEL, 'engine.ping', { nonce: 'n1' }]]);
  });

  it('hands event listeners the payload only, not the IPC event that would leak ipcRenderer', () => {
    const { bridge, listeners } = loadPreload();
    const received: unknown[] = [];
    const unsubscribe = bridge.onEvent((event) => received.push(event));
    const fakeIpcEvent = { sender: 'ipcRenderer itself' };
    listeners.get(IPC_EVENT_CHANNEL)?.(fakeIpcEvent, { type: 'log', level: 'info', timeMs: 1, message: 'hi' });
    expect(received).toEqual([{ type: 'log', level: 'info', timeMs: 1, message: 'hi' }]);
    unsubscribe();
    expect(listeners.has(IPC_EVENT_CHANNEL)).toBe(false);
  });
});
