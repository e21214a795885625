/**
 * Containment: every file a session touches is inside its folder, after following links. A manifest is
 * input from anyone (a download, a shared drive), so a name like "../x", "/etc/x" or a symlink leading out
 * must be refused before any file is opened, read or written.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SessionError } from './errors';

function isWithin(rootReal: string, candidate: string): boolean {
  const rel = path.relative(rootReal, candidate);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** The folder's real path, so every later comparison sees through links to the folder itself. */
export function realFolder(folder: string): string {
  try {
    const real = fs.realpathSync(folder);
    if (!fs.statSync(real).isDirectory()) throw new SessionError('NOT_A_SESSION', `${folder} is not a folder, so it is not an mdlab session.`);
    return real;
  } catch (err) {
    if (err instanceof SessionError) throw err;
    throw new SessionError('NOT_A_SESSION', `${folder} does not exist, so it is not an mdlab session.`);
  }
}

/**
 * The absolute path of `name` inside `rootReal`, refusing names that lead out of it lexically or through
 * a link. The deepest existing ancestor is resolved, so a file that does not exist yet is checked too.
 */
export function resolveInside(rootReal: string, name: string): string {
  const outside = new SessionError('PATH_OUTSIDE', `The session names "${name}", which lies outside its folder; mdlab refuses to touch it.`);
  if (path.isAbsolute(name) || name.split(/[\\/]/).includes('..')) throw outside;
  const lexical = path.resolve(rootReal, name);
  if (!isWithin(rootReal, lexical)) throw outside;
  let probe = lexical;
  const tail: string[] = [];
  for (;;) {
    try {
      const real = fs.realpathSync(probe);
      const resolved = path.join(real, ...tail);
      if (!isWithin(rootReal, resolved)) throw outside;
      return resolved;
    } catch (err) {
      if (err instanceof SessionError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // A dangling link is refused: following it later could create a file wherever it points.
      if (code !== 'ENOENT' || isDanglingLink(probe)) throw outside;
      tail.unshift(path.basename(probe));
      probe = path.dirname(probe);
    }
  }
}

function isDanglingLink(p: string): boolean {
  try {
    return fs.lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
}
