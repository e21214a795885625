import type { Lab } from '../types';

/**
 * Checkpoints in the superblocks: a stopped sync resumes where it stopped, not from the start. mdadm builds
 * a new RAID5 by recovering its last member (the "spare trick"), so the initial sync is a recovery and its
 * checkpoint is that member's recovery_offset; a resync after an unclean stop keeps resync_offset the same way.
 */
export const interruptedResync: Lab = {
  name: 'interrupted-resync',
  title: { en: 'Interrupted resync resumed from its checkpoint', zh: '中断的重同步从检查点继续' },
  summary: {
    en: "Stop a new array in the middle of its initial sync, assemble it again and see the sync resume from the checkpoint md wrote, not from the start.",
    zh: '在新阵列初始同步进行到一半时停止它，重新组装后观察同步从 md 写下的检查点继续，而不是从头开始。',
  },
  seed: 103,
  array: { level: 5, 'raid-devices': 4, layout: 'left-symmetric', chunk: '64K', size: '16M', bitmap: 'none', 'assume-clean': false },
  steps: [
    {
      id: 'create-held',
      instruction: {
        en: 'Create the array and hold its initial sync at sync_max = 8192 sectors. (mdadm builds a new RAID5 by rebuilding the last member from parity, so md calls this sync a recovery.)',
        zh: '创建阵列，并用 sync_max = 8192 扇区让初始同步停住。（mdadm 通过由校验重建最后一个成员来构建新的 RAID5，所以 md 把这次同步称为 recovery。）',
      },
      actions: [{ create: null }, { set: { sync_max: 8192 } }, { wait: { progress: 'held' } }],
      checks: [{ expect: { sync_action: 'recover', sync_completed: '8192 / 30720', 'member.3.recovery_start': 8192 } }],
    },
    {
      id: 'stop',
      instruction: {
        en: "Stop the array. md writes the checkpoint into the superblocks (the rebuilding member's recovery_offset).",
        zh: '停止阵列。md 把检查点写入超级块（正在重建的成员的 recovery_offset）。',
      },
      actions: [{ stop: null }],
      checks: [{ expect: { array_state: 'inactive' } }],
    },
    {
      id: 'resume',
      instruction: {
        en: 'Assemble it again and hold the sync at 16384 sectors: only the 8192 sectors after the checkpoint were written to the rebuilding member (4 MiB, not 8).',
        zh: '重新组装并让同步停在 16384 扇区：只有检查点之后的 8192 个扇区被写入正在重建的成员（4 MiB，而不是 8 MiB）。',
      },
      actions: [{ assemble: null }, { set: { sync_max: 16384 } }, { wait: { progress: 'held' } }],
      checks: [{ expect: { sync_action: 'recover', sync_completed: '16384 / 30720', 'member.3.written_bytes_max': '5M' } }],
    },
    {
      id: 'finish',
      instruction: {
        en: 'Release sync_max and let the sync finish; a check then finds no mismatches.',
        zh: '解除 sync_max，让同步完成；随后的 check 找不到任何不一致。',
      },
      actions: [{ set: { sync_max: 'max' } }, { wait: 'idle' }, { 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { state: 'clean', degraded: 0, mismatch_cnt: 0 } }],
    },
  ],
};
