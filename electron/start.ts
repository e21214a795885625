/**
 * `npm start`: build, then open the Electron app. Where the Electron binary cannot be obtained
 * (no access to its download, as on machines without internet), say so in one sentence and start
 * the browser lab host instead. Runs under plain Node (tsx), never inside Electron.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronPackageDir = path.join(repoRoot, 'node_modules', 'electron');
/** Long enough to fetch Electron on a normal link; short enough that an offline machine falls back quickly. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

function build(): void {
  const cli = path.join(repoRoot, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js');
  const result = spawnSync(process.execPath, [cli, 'build'], { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

function installedElectron(): string | null {
  const pathFile = path.join(electronPackageDir, 'path.txt');
  if (!existsSync(pathFile)) return null;
  const executable = path.join(electronPackageDir, 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(executable) ? executable : null;
}

/** The binary's path, or why it could not be had; tries electron's own lazy installer once. */
function obtainElectron(): { executable: string } | { reason: string } {
  const ready = installedElectron();
  if (ready) return { executable: ready };
  const attempt = spawnSync(process.execPath, [path.join(electronPackageDir, 'install.js')], {
    cwd: electronPackageDir,
    encoding: 'utf8',
    timeout: DOWNLOAD_TIMEOUT_MS,
  });
  const installed = installedElectron();
  if (attempt.status === 0 && installed) return { executable: installed };
  const firstError = `${attempt.error?.message ?? ''}\n${attempt.stderr ?? ''}`
    .split('\n')
    .map((line) => line.trim())
    .find((line) => /error|timed out|ETIMEDOUT|ENOTFOUND|ECONNREFUSED/i.test(line));
  return { reason: firstError ?? `its installer exited with status ${attempt.status}` };
}

build();
const electron = obtainElectron();
if ('executable' in electron) {
  const child = spawn(electron.executable, [repoRoot], { cwd: repoRoot, stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 1));
} else {
  console.log(
    `The Electron binary could not be downloaded on this machine (${electron.reason}), so mdlab starts its browser lab host instead: open the URL below.`,
  );
  await import('../core/lab/main');
}
