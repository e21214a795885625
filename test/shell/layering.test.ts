import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/*
 * Layers only look down (docs/ARCHITECTURE.md). core/ must run under plain Node: on Electron >= 42
 * `require('electron')` outside Electron tries to download the binary and throws. The renderer is
 * a sandboxed web page: it has no Node, and reaches the engine only through core/api.
 */

const REPO_ROOT = path.resolve(import.meta.dirname, '..', '..');
const SOURCE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.vue'];
const NODE_BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

function sourceFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(full);
    return SOURCE_EXTENSIONS.includes(path.extname(entry.name)) ? [full] : [];
  });
}

/** Every module specifier a file imports: static, dynamic, re-exports and require(). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  return info.importedFiles.map((imported) => imported.fileName);
}

function isInside(target: string, dir: string): boolean {
  const relative = path.relative(dir, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** Lists "file: rule" for every import that breaks the layering, for any repository root. */
function findLayerViolations(root: string): string[] {
  const violations: string[] = [];
  const dirs = { core: path.join(root, 'core'), renderer: path.join(root, 'renderer'), electron: path.join(root, 'electron'), api: path.join(root, 'core', 'api') };
  for (const file of sourceFiles(dirs.core)) {
    for (const specifier of importsOf(file)) {
      const where = `${path.relative(root, file)} imports '${specifier}'`;
      if (specifier === 'electron' || specifier.startsWith('electron/')) violations.push(`${where}: core/ must not import electron`);
      if (!specifier.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), specifier);
      if (isInside(target, dirs.renderer)) violations.push(`${where}: core/ must not import from renderer/`);
      if (isInside(target, dirs.electron)) violations.push(`${where}: core/ must not import from electron/`);
    }
  }
  for (const file of sourceFiles(path.join(dirs.renderer, 'src'))) {
    for (const specifier of importsOf(file)) {
      const where = `${path.relative(root, file)} imports '${specifier}'`;
      if (NODE_BUILTINS.has(specifier)) violations.push(`${where}: the renderer has no Node built-ins`);
      if (specifier === 'electron' || specifier.startsWith('electron/')) violations.push(`${where}: the renderer must not import electron`);
      if (!specifier.startsWith('.')) continue;
      const target = path.resolve(path.dirname(file), specifier);
      if (isInside(target, dirs.electron)) violations.push(`${where}: the renderer must not import from electron/`);
      if (isInside(target, path.join(root, 'core')) && !isInside(target, dirs.api)) {
        violations.push(`${where}: the renderer reaches core/ only through core/api`);
      }
    }
  }
  return violations;
}

describe('layering', () => {
  it('core/ imports neither electron nor renderer/ nor electron/, and renderer/ imports no Node built-ins', () => {
    expect(sourceFiles(path.join(REPO_ROOT, 'core')).length).toBeGreaterThan(10);
    expect(sourceFiles(path.join(REPO_ROOT, 'renderer', 'src')).length).toBeGreaterThan(5);
    expect(findLayerViolations(REPO_ROOT)).toEqual([]);
  });

  it('catches each kind of violation, including dynamic imports, require() and .vue files', () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'mdlab-layering-'));
    const write = (file: string, text: string) => {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    };
    write('core/engine/a.ts', "import { app } from 'electron';\n");
    write('core/engine/b.ts', "export * from '../../renderer/src/api';\n");
    write('core/host/c.mjs', "const m = await import('../../electron/main/ipc');\n");
    write('core/md/d.ts', "const e = require('electron/main');\n");
    write('renderer/src/e.ts', "import fs from 'node:fs';\n");
    write('renderer/src/f.vue', "<script setup lang=\"ts\">\nimport path from 'path';\n</script>\n");
    write('renderer/src/g.ts', "import { Mddev } from '../../core/engine/md/mddev';\n");
    write('renderer/src/ok.ts', "import { requests } from '../../core/api';\nimport { ref } from 'vue';\n");
    const found = findLayerViolations(root);
    expect(found).toHaveLength(7);
    for (const file of ['a.ts', 'b.ts', 'c.mjs', 'd.ts', 'e.ts', 'f.vue', 'g.ts']) {
      expect(found.some((violation) => violation.includes(file)), file).toBe(true);
    }
  });
});
