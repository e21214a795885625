/**
 * One temporary folder per `vitest` run, removed when the run ends: every test, engine host, lab host and
 * Chromium profile made with os.tmpdir() lands in it. Tests make sparse images, sessions and copies by the
 * hundred; left in the system temp folder they once filled a 252 GB disk over a few dozen runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mdlab-test-run-'));
  // Workers and the processes they start inherit the environment; os.tmpdir() reads it on every call.
  for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = root;
  return () => rmSync(root, { recursive: true, force: true });
}
