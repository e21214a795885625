/**
 * The lab monitor's feed (issue #6): state events per second a window receives from the engine host during
 * a full-speed rebuild (target >= 10), and the longest gap between two of them (target <= 100 ms), measured
 * on the relay side of a real worker host, as the lab host's WebSocket sees them. Nothing asserts.
 */
import type { ArraySnapshot } from '../../core/api';
import { startTestHost } from '../ui/host';

const MiB = 1024 * 1024;
const TARGET_EVENTS_PER_SEC = 10;
const TARGET_GAP_MS = 100;

async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((resolve) => setTimeout(resolve, 20));
}

export async function bench(): Promise<void> {
  const test = startTestHost();
  try {
    let latest: ArraySnapshot | null = null;
    const arrivalsMs: number[] = [];
    test.client.onEvent((event) => {
      if (event.type !== 'state') return;
      latest = event.snapshot;
      if (event.snapshot.syncAction === 'recover') arrivalsMs.push(performance.now());
    });
    await test.client.call('array.create', {
      id: 'bench',
      choices: {
        level: 5, raidDevices: 4, spareDevices: 1, layout: 2, chunkKib: 512, memberBytes: 512 * MiB,
        bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'bench',
      },
    });
    await test.client.call('array.manage', { action: 'fail', member: 1 });
    await until(() => latest !== null && latest.syncAction === 'idle' && latest.degraded === 0);
    const spanSec = (arrivalsMs[arrivalsMs.length - 1] - arrivalsMs[0]) / 1000;
    const perSec = (arrivalsMs.length - 1) / spanSec;
    const gapMs = Math.max(...arrivalsMs.slice(1).map((t, i) => t - arrivalsMs[i]));
    console.log(`rebuild of a 512 MiB member: ${spanSec.toFixed(2)} s, ${arrivalsMs.length} state events`);
    console.log(`state events/s  ${perSec.toFixed(1)}  vs target ${TARGET_EVENTS_PER_SEC}: ${(perSec / TARGET_EVENTS_PER_SEC).toFixed(2)}x`);
    console.log(`longest gap     ${gapMs.toFixed(0)} ms vs target ${TARGET_GAP_MS} ms: ${(TARGET_GAP_MS / gapMs).toFixed(2)}x`);
  } finally {
    await test.close();
  }
}
