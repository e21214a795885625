/**
 * Every test file gets its own Recent list: hosts started by tests (workers, lab hosts, crashed
 * processes) inherit this environment, so no test ever writes the user's ~/.config/mdlab/recent.json.
 * A test that names its own file keeps it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';

if (process.env.MDLAB_RECENT_FILE === undefined) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mdlab-test-recent-'));
  process.env.MDLAB_RECENT_FILE = path.join(dir, 'recent.json');
  afterAll(() => {
    delete process.env.MDLAB_RECENT_FILE;
    rmSync(dir, { recursive: true, force: true });
  });
}
