import type { Lab } from '../types';
import { CLEAN_RAID5 } from './common';

/**
 * resync_offset in the superblocks: an array that was not shut down cleanly is resynced, and a stopped
 * resync resumes where it stopped, not from the start.
 */
export const interruptedResync: Lab = {
  name: 'interrupted-resync',
  title: { en: 'Interrupted resync resumed from its checkpoint', zh: '中断的重同步从检查点继续' },
  summary: {
    en: 'Shut an active array down uncleanly, watch md resync it, stop the resync halfway and see it resume from the checkpoint in the superblocks.',
    zh: '非正常关闭一个活动阵列，观察 md 对其重同步；在中途停止重同步，再看它从超级块中的检查点继续。',
  },
  seed: 103,
  array: CLEAN_RAID5,
  steps: [
    {
      id: 'write',
      instruction: {
        en: 'Create a clean RAID5 and write 4 MiB: while writes are recent the array is active and its superblocks say so (not clean).',
        zh: '创建干净的 RAID5 并写入 4 MiB：写入刚发生时阵列处于 active 状态，超级块也如此记录（不是 clean）。',
      },
      actions: [{ create: null }, { write: { pattern: 'lba', offset: 0, length: '4M' } }],
      checks: [{ expect: { array_state: 'active' } }],
    },
    {
      id: 'unclean-shutdown',
      instruction: {
        en: 'Crash the machine while the array is active: nothing marks the superblocks clean. Assemble again: md cannot trust parity and starts a resync.',
        zh: '在阵列处于 active 状态时让机器崩溃：没有任何操作把超级块标记为 clean。重新组装：md 无法信任校验，开始重同步。',
      },
      actions: [{ crash: null }, { assemble: null }],
      checks: [{ expect: { sync_action: 'resync' } }],
    },
    {
      id: 'hold',
      instruction: {
        en: 'Hold the resync at sync_max = 8192 sectors.',
        zh: '用 sync_max = 8192 扇区让重同步停住。',
      },
      actions: [{ set: { sync_max: 8192 } }, { wait: { progress: 'held' } }],
      checks: [{ expect: { sync_action: 'resync', sync_completed: '8192 / 30720' } }],
    },
    {
      id: 'resume',
      instruction: {
        en: 'Stop the array (md writes resync_offset = 8192 into every superblock), assemble it and hold the resync at 16384: it resumed at 8192, so each member was read for 4 MiB, not 8.',
        zh: '停止阵列（md 把 resync_offset = 8192 写入每个超级块），重新组装并让重同步停在 16384：它从 8192 继续，所以每个成员只被读取了 4 MiB，而不是 8 MiB。',
      },
      actions: [{ stop: null }, { assemble: null }, { set: { sync_max: 16384 } }, { wait: { progress: 'held' } }],
      checks: [{ expect: { sync_action: 'resync', sync_completed: '16384 / 30720', 'member.0.read_bytes_max': '5M' } }],
    },
    {
      id: 'finish',
      instruction: {
        en: 'Release sync_max and let the resync finish; a check finds no mismatches and the data is intact.',
        zh: '解除 sync_max，让重同步完成；check 找不到任何不一致，数据完好。',
      },
      actions: [{ set: { sync_max: 'max' } }, { wait: 'idle' }, { 'sync-action': 'check' }, { wait: 'idle' }, { sleep: '1s' }],
      checks: [{ expect: { state: 'clean', mismatch_cnt: 0 } }, { verify: { pattern: 'lba', offset: 0, length: '4M' } }],
    },
  ],
};
