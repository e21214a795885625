/**
 * Recent sessions: a small JSON file in the user's config folder (the caller chooses where; Electron's
 * userData). Bounded, newest first, and forgiving: a damaged file reads as an empty list, because losing
 * the list of recent sessions must never stop anyone from opening one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { writeFileAtomic } from './files';

export const RECENT_MAX = 10;

const RecentSchema = z.object({
  version: z.literal(1),
  sessions: z.array(z.object({ folder: z.string().min(1).max(4096), name: z.string().max(200), openedAt: z.string() }).strict()).max(RECENT_MAX),
});
export type RecentEntry = z.infer<typeof RecentSchema>['sessions'][number];

export class RecentSessions {
  constructor(private readonly file: string) {}

  list(): RecentEntry[] {
    try {
      const parsed = RecentSchema.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.sessions : [];
    } catch {
      return [];
    }
  }

  /** Moves (or adds) a session to the top. */
  touch(folder: string, name: string, openedAt = new Date().toISOString()): RecentEntry[] {
    const sessions = [{ folder, name, openedAt }, ...this.list().filter((e) => e.folder !== folder)].slice(0, RECENT_MAX);
    this.save(sessions);
    return sessions;
  }

  /** Drops sessions whose folder is gone (moved or deleted since). */
  prune(): RecentEntry[] {
    const listed = this.list();
    const sessions = listed.filter((e) => fs.existsSync(path.join(e.folder, 'manifest.json')));
    // Asked on every page load: rewrite the file only when something really went away.
    if (sessions.length !== listed.length) this.save(sessions);
    return sessions;
  }

  private save(sessions: RecentEntry[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    writeFileAtomic(this.file, `${JSON.stringify({ version: 1, sessions }, null, 2)}\n`);
  }
}
