import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { RECENT_MAX, RecentSessions } from '../../core/session/recent';
import { tempDir } from './helpers';

describe('recent sessions', () => {
  it('keeps the newest first, each folder once, at most RECENT_MAX', () => {
    const recent = new RecentSessions(path.join(tempDir('recent'), 'config', 'recent.json'));
    for (let i = 0; i < RECENT_MAX + 3; i++) recent.touch(`/labs/s${i}`, `lab ${i}`, `2026-11-23T10:00:${String(i).padStart(2, '0')}Z`);
    recent.touch('/labs/s5', 'lab 5 again');
    const list = recent.list();
    expect(list).toHaveLength(RECENT_MAX);
    expect(list[0]).toMatchObject({ folder: '/labs/s5', name: 'lab 5 again' });
    expect(list.filter((e) => e.folder === '/labs/s5')).toHaveLength(1);
    expect(list[1].folder).toBe(`/labs/s${RECENT_MAX + 2}`);
  });

  it('reads a damaged file as an empty list and prunes sessions that are gone', () => {
    const dir = tempDir('recent');
    const file = path.join(dir, 'recent.json');
    fs.writeFileSync(file, '{"version":1,"sessions":[{"fol');
    const recent = new RecentSessions(file);
    expect(recent.list()).toEqual([]);
    fs.mkdirSync(path.join(dir, 'alive'));
    fs.writeFileSync(path.join(dir, 'alive', 'manifest.json'), '{}');
    recent.touch(path.join(dir, 'gone'), 'gone');
    recent.touch(path.join(dir, 'alive'), 'alive');
    expect(recent.prune().map((e) => e.name)).toEqual(['alive']);
  });
});
