/** status_resync's arithmetic against progress lines the kernel printed for the golden arrays. */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../core/engine/clock';
import type { Mddev } from '../../../core/engine/md/mddev';
import { statusResync } from '../../../core/engine/md/mdstat';
import { readGoldenInfo } from '../../helpers/golden';

/** Just the state status_resync reads, at a moment the kernel's mdstat was taken. */
function syncState(o: { nowMs: number; currResync: number; ioSectors: number; maxSectors: number }): Mddev {
  const clock = new VirtualClock(o.nowMs);
  return {
    clock,
    recovery: new Set(['RUNNING', 'SYNC']),
    currResync: o.currResync,
    recoveryActive: 0,
    recoveryCp: 0,
    syncThread: { maxSectors: o.maxSectors, ioSectors: o.ioSectors, speed: { resyncMarkMs: 0, resyncMarkSectors: 0 } },
  } as unknown as Mddev;
}

function progressLine(mdstat: string): string {
  return mdstat.split('\n').find((l) => l.includes('resync ='))!.trim();
}

describe('status_resync', () => {
  const golden = readGoldenInfo('r5-ls-3d-resync-interrupted');

  it('prints a just-started resync as the kernel did after create', () => {
    const line = statusResync(syncState({ nowMs: 500, currResync: 0, ioSectors: 0, maxSectors: 63488 }));
    expect(line).toBe(progressLine(golden.boot1.mdstat_after_create));
  });

  it('prints bar, percent, KiB done, finish estimate and speed with the kernel arithmetic', () => {
    // 7040 KiB done; 2346 KiB/s over a 3 s window.
    const line = statusResync(syncState({ nowMs: 3000, currResync: 14080, ioSectors: 2346 * 2 * 3, maxSectors: 63488 }));
    expect(line).toBe(progressLine(golden.boot1.mdstat_at_stop));
  });
});
