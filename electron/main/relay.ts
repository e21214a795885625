/**
 * What Electron main does with a renderer's request, without Electron itself (so it is tested under Node):
 * validate it against the one request table, answer `dialog.chooseFolder` with a native dialog, and relay
 * the rest to the engine host. A folder reaches the host only if main handed it to the renderer first (a
 * dialog's answer, Recent, a session reply): a compromised page cannot make the host open /etc.
 */
import * as path from 'node:path';
import { checkRequest, type DialogWords, ErrorCode, failure, type FolderPurpose, type Reply, type RequestName } from '../../core/api';

/** Folders main has shown the renderer; the only ones a request may name. */
export class FolderGrants {
  private readonly folders = new Set<string>();

  grant(folder: string): void {
    this.folders.add(path.resolve(folder));
  }

  has(folder: string): boolean {
    return this.folders.has(path.resolve(folder));
  }

  /** Learns the folders a reply shows the renderer: Recent's list, a session's folder. */
  learn(name: RequestName, result: unknown): void {
    const r = result as { folder?: unknown; session?: { folder?: unknown } | null; sessions?: { folder?: unknown }[] };
    if (name === 'session.recent') for (const s of r.sessions ?? []) if (typeof s.folder === 'string') this.grant(s.folder);
    if (typeof r.folder === 'string') this.grant(r.folder);
    if (r.session && typeof r.session.folder === 'string') this.grant(r.session.folder);
  }

  /** The folder a request names (a session place or a folder param), if any. */
  static folderOf(params: unknown): string | null {
    const p = params as { folder?: unknown; place?: { folder?: unknown } };
    if (typeof p?.folder === 'string') return p.folder;
    if (typeof p?.place?.folder === 'string') return p.place.folder;
    return null;
  }
}

export interface RelayDeps {
  /** The engine host (HostConnection.request). */
  request(name: RequestName, params: unknown): Promise<Reply>;
  /** Shows the native dialog; resolves to the chosen folder, or null when cancelled. */
  chooseFolder(purpose: FolderPurpose, suggestedName: string | undefined, words: DialogWords | undefined): Promise<string | null>;
  grants: FolderGrants;
}

export async function relayRequest(name: unknown, params: unknown, deps: RelayDeps): Promise<Reply> {
  const checked = checkRequest(name, params);
  if (!checked.ok) return checked;
  if (checked.name === 'dialog.chooseFolder') {
    const { purpose, suggestedName, words } = checked.params as { purpose: FolderPurpose; suggestedName?: string; words?: DialogWords };
    const folder = await deps.chooseFolder(purpose, suggestedName, words);
    if (folder === null) return { ok: true, result: { place: null } };
    deps.grants.grant(folder);
    return { ok: true, result: { place: { folder } } };
  }
  const folder = FolderGrants.folderOf(checked.params);
  if (folder !== null && !deps.grants.has(folder)) {
    return failure(ErrorCode.FORBIDDEN, 'mdlab only opens folders chosen in its own dialogs or listed in Recent.');
  }
  const reply = await deps.request(checked.name, checked.params);
  if (reply.ok) deps.grants.learn(checked.name, reply.result);
  return reply;
}
