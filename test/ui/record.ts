/**
 * Records what the REAL engine reports at each stage of a lab session, for the component tests:
 * `npx tsx test/ui/record.ts` rewrites test/ui/fixtures/recorded.json. Nothing in the fixture is
 * hand-written; re-record when the engine's snapshot changes (the tests re-validate it against the
 * contract, so a drift fails loudly).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ArraySnapshot, CreateChoices, ImageUsage, TraceEntry } from '../../core/api';
import { startTestHost } from './host';

export interface Recording {
  recordedWith: string;
  stages: {
    /** Just created: the spare trick rebuilding the last slot. */
    initialRecovery: ArraySnapshot;
    clean: ArraySnapshot;
    /** disk1 failed, the spare (disk4) rebuilding into its slot. */
    rebuilding: ArraySnapshot;
    rebuilt: ArraySnapshot;
    /** disk1 removed after the rebuild. */
    removed: ArraySnapshot;
  };
  /** The workspace's images after the removal: the removed one is still a file, no longer a member. */
  images: ImageUsage[];
  trace: TraceEntry[];
  logs: string[];
}

const CHOICES: CreateChoices = {
  level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 64 * 1024 * 1024,
  bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'lab',
};

export async function recordLabSession(): Promise<Recording> {
  const test = startTestHost();
  const states: ArraySnapshot[] = [];
  const trace: TraceEntry[] = [];
  const logs: string[] = [];
  test.client.onEvent((event) => {
    if (event.type === 'state') states.push(event.snapshot);
    if (event.type === 'trace') trace.push(...event.entries);
    if (event.type === 'log') logs.push(event.message);
  });
  const waitFor = async (what: string, ok: (s: ArraySnapshot) => boolean): Promise<ArraySnapshot> => {
    for (let i = 0; i < 3000; i++) {
      const found = states.find(ok);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error(`the engine never reported ${what}`);
  };
  const rebuildingMember = (s: ArraySnapshot) => s.members.some((m) => m.slot !== null && !m.state.includes('in_sync') && (m.recoveryStart ?? 0) > 0);
  try {
    // Slow syncs down so a snapshot mid-rebuild is certain to be caught.
    await test.client.call('array.create', { id: 'rec', choices: CHOICES });
    await test.client.call('array.speedLimits', { minKibPerSec: 8000, maxKibPerSec: 8000 });
    const initialRecovery = await waitFor('the initial recovery', (s) => s.syncAction === 'recover' && rebuildingMember(s));
    await test.client.call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 200000 });
    const clean = await waitFor('a clean array', (s) => s.syncAction === 'idle' && s.degraded === 0);
    await test.client.call('array.speedLimits', { minKibPerSec: 8000, maxKibPerSec: 8000 });
    states.length = 0;
    await test.client.call('array.manage', { action: 'fail', member: 1 });
    const rebuilding = await waitFor('a rebuild onto the spare', (s) => s.syncAction === 'recover' && rebuildingMember(s));
    await test.client.call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 200000 });
    const rebuilt = await waitFor('the rebuilt array', (s) => s.syncAction === 'idle' && s.degraded === 0);
    const removed = await test.client.call('array.manage', { action: 'remove', member: 1 });
    const { images } = await test.client.call('array.images', {});
    // Every rare decision, and a sample of the per-stripe steps that surround them.
    const rare = trace.filter((e) => e.fn !== 'handle_stripe' && e.fn !== 'sync_request');
    const hot = trace.filter((e) => e.fn === 'handle_stripe' || e.fn === 'sync_request').slice(-200);
    return {
      recordedWith: 'test/ui/record.ts',
      stages: { initialRecovery, clean, rebuilding, rebuilt, removed },
      images,
      trace: [...rare, ...hot].sort((a, b) => a.seq - b.seq),
      logs,
    };
  } finally {
    await test.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.dirname, 'record.ts')) {
  const recording = await recordLabSession();
  const file = path.join(import.meta.dirname, 'fixtures', 'recorded.json');
  writeFileSync(file, `${JSON.stringify(recording, null, 1)}\n`);
  console.log(`recorded ${Object.keys(recording.stages).length} stages and ${recording.trace.length} trace steps into ${file}`);
}
