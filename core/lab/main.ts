/**
 * `npm run lab`: the browser lab host, for classrooms without Electron and for E2E tests.
 * Usage: tsx core/lab/main.ts [--port N] [--workspace DIR]
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startWorkerHost } from '../host/worker';
import { startLabHost } from './server';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const rendererDir = path.join(repoRoot, 'out', 'renderer');
/** `npm run lab` builds first, so the engine host starts from its bundle, as the desktop app runs it. */
const engineBundle = path.join(repoRoot, 'out', 'main', 'engine-host.js');

const { values } = parseArgs({ options: { port: { type: 'string' }, workspace: { type: 'string' } } });
// The engine host keeps the lab's arrays here (default: a fresh temp folder); its worker inherits the variable.
if (values.workspace !== undefined) process.env.MDLAB_WORKSPACE = path.resolve(values.workspace);
const port = values.port === undefined ? 0 : Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a TCP port number, not "${values.port}".`);
  process.exit(2);
}
if (!existsSync(path.join(rendererDir, 'index.html')) || !existsSync(engineBundle)) {
  console.error('The renderer or the engine host is not built yet: run `npm run build` first.');
  process.exit(1);
}

const lab = await startLabHost({ rendererDir, port, startEngine: () => startWorkerHost(engineBundle) });
let closing = false;
lab.engine.onEvent((event) => {
  if (event.type === 'host' && event.state === 'exited' && !closing) console.error(event.message);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    closing = true;
    void lab.close().then(() => process.exit(0));
  });
}
// Printed last: whoever reads the URL may stop us at once, and the handlers above must already be in place.
console.log(`mdlab lab host: open ${lab.url}`);
