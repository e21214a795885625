/**
 * `npm run bench`: runs every test/bench/*.bench.ts in turn. Each bench measures mdlab side by side with
 * a reference in the same run and prints the ratio; nothing here asserts on time.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = fs
  .readdirSync(benchDir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

for (const file of files) {
  console.log(`\n== ${file}`);
  const mod = (await import(pathToFileURL(path.join(benchDir, file)).href)) as { bench: () => Promise<void> };
  await mod.bench();
}
