import { listPackage } from '@electron/asar';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const BUILDER_CLI = path.join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js');

/**
 * A stand-in for Electron's unpacked distribution: electron-builder only copies it and renames the
 * executable, so a shell script is enough to check what goes into the asar, without the real binary.
 */
function makeStubElectronDist(dir: string): void {
  mkdirSync(path.join(dir, 'resources'), { recursive: true });
  writeFileSync(path.join(dir, 'electron'), '#!/bin/sh\necho "stub Electron for packaging tests" >&2\nexit 1\n');
  chmodSync(path.join(dir, 'electron'), 0o755);
  writeFileSync(path.join(dir, 'version'), JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version);
  writeFileSync(path.join(dir, 'LICENSE'), 'stub\n');
}

describe('packaging smoke check (electron-builder --dir with a stub Electron)', () => {
  const work = mkdtempSync(path.join(os.tmpdir(), 'mdlab-pack-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('packs the main, preload, renderer and engine-host bundles into app.asar without downloading anything', () => {
    expect(existsSync(path.join(REPO_ROOT, 'out', 'main', 'index.js')), 'run `npm run build` first').toBe(true);
    const electronDist = path.join(work, 'electron-dist');
    const output = path.join(work, 'release');
    makeStubElectronDist(electronDist);
    const run = spawnSync(
      process.execPath,
      [BUILDER_CLI, '--dir', '--linux', '--config', 'build/electron-builder.yml',
        `-c.electronDist=${electronDist}`, `-c.directories.output=${output}`],
      {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        timeout: 120_000,
        // A dead proxy: any attempt to download (Electron, tools) fails instead of silently succeeding here.
        env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', https_proxy: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9' },
      },
    );
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);

    const appDir = path.join(output, 'linux-unpacked');
    expect(existsSync(path.join(appDir, 'mdlab')), 'the executable is renamed to productName').toBe(true);
    const files = listPackage(path.join(appDir, 'resources', 'app.asar'), { isPack: false }).map((file) => file.split(path.sep).join('/'));
    for (const bundle of ['/out/main/index.js', '/out/main/engine-host.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) {
      expect(files).toContain(bundle);
    }
    expect(files.some((file) => /^\/out\/renderer\/assets\/index-.*\.js$/.test(file))).toBe(true);
    expect(files.filter((file) => file.includes('node_modules'))).toEqual([]);
  });

  it('has a release config that extends the base one and sets the Electron fuses', () => {
    const release = parse(readFileSync(path.join(REPO_ROOT, 'build', 'electron-builder.release.yml'), 'utf8'));
    const base = parse(readFileSync(path.join(REPO_ROOT, 'build', 'electron-builder.yml'), 'utf8'));
    expect(release.extends).toBe('build/electron-builder.yml');
    expect(release.electronFuses).toMatchObject({ runAsNode: false, onlyLoadAppFromAsar: true, enableEmbeddedAsarIntegrityValidation: true });
    expect(base).toMatchObject({ productName: 'mdlab', linux: { target: ['AppImage', 'deb'] }, mac: { target: ['dmg'] }, win: { target: ['nsis'] } });
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(existsSync(path.join(REPO_ROOT, 'build', 'icons', `${size}x${size}.png`))).toBe(true);
  });
});
