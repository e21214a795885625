/** The lab's requests as scenario steps, and the anchors that tie each to md's logical position. */
import { describe, expect, it } from 'vitest';
import type { ArraySnapshot } from '../../core/api';
import { anchorSteps, livePosition, manageStep, patternStep } from '../../core/host/lab/journal-steps';
import { StepSchema } from '../../core/session/journal';

const syncing = { syncAction: 'recover', syncCompleted: { doneSectors: 4000, totalSectors: 65536 } } as ArraySnapshot;
const idle = { syncAction: 'idle', syncCompleted: null } as ArraySnapshot;

describe('journal steps of the live lab', () => {
  it('anchors an action taken mid-sync to the sector md had issued, preferring the exact one to the last progress', () => {
    expect(anchorSteps(livePosition(syncing, { action: 'recover', doneSectors: 4100 }, 4352, 5000))).toEqual([{ wait: { sync_action: 'recover', sector: 4352 } }]);
    // Without the exact position: the later of the last progress (if it is this sync's) and sync_completed.
    expect(livePosition(syncing, { action: 'recover', doneSectors: 4100 }, null, 0).sync).toEqual({ action: 'recover', sector: 4100 });
    expect(livePosition(syncing, { action: 'check', doneSectors: 9000 }, null, 0).sync).toEqual({ action: 'recover', sector: 4000 });
  });

  it('anchors an action on a quiet array to the time that passed (none right after the previous one) and to the end of any sync since', () => {
    expect(anchorSteps(livePosition(idle, null, null, 1234.4))).toEqual([{ sleep: '1234ms' }, { wait: 'idle' }]);
    expect(anchorSteps(livePosition(idle, null, null, 40))).toEqual([{ wait: 'idle' }]);
    // A frozen sync has not ended: the replay must not wait for it.
    expect(anchorSteps(livePosition({ syncAction: 'frozen', syncCompleted: null } as ArraySnapshot, null, null, 1234.4))).toEqual([{ sleep: '1234ms' }]);
  });

  it('names members by image and keeps a damaged verify replayable', () => {
    expect(manageStep('re-add', 3)).toEqual({ 're-add': 'disk3.img' });
    expect(patternStep('verify', 'mdlab1', 0, 4096, 2)).toEqual({ verify: { pattern: 'lba', tag: 'mdlab1', offset: 0, length: 4096, 'expect-wrong': true } });
    for (const step of [manageStep('fail', 0), patternStep('write', 'mdlab1', 512, 1024)]) expect(StepSchema.safeParse(step).success).toBe(true);
  });
});
