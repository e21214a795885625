import type { Lab } from '../types';

/** resync_offset in the superblocks: a stopped resync resumes where it stopped, not from the start. */
export const interruptedResync: Lab = {
  name: 'interrupted-resync',
  title: { en: 'Interrupted resync resumed from its checkpoint', zh: '中断的重同步从检查点继续' },
  summary: {
    en: 'Stop an array in the middle of its initial resync, assemble it again and see the resync resume from the checkpoint md wrote.',
    zh: '在初始重同步进行到一半时停止阵列，重新组装后观察重同步从 md 写下的检查点继续。',
  },
  seed: 103,
  array: { level: 5, 'raid-devices': 4, layout: 'left-symmetric', chunk: '64K', size: '16M', bitmap: 'none', 'assume-clean': false },
  steps: [
    {
      id: 'create-held',
      instruction: {
        en: 'Set sync_max to 8192 sectors, then create the array: the resync runs up to that point and waits there.',
        zh: '先把 sync_max 设为 8192 个扇区，再创建阵列：重同步运行到该处后停下等待。',
      },
      actions: [{ create: null }, { set: { sync_max: 8192 } }, { wait: { progress: 'held' } }],
      checks: [{ expect: { sync_completed: '8192 / 30720' } }],
    },
    {
      id: 'stop',
      instruction: {
        en: 'Stop the array. md writes the checkpoint (resync_offset) into every superblock.',
        zh: '停止阵列。md 把检查点（resync_offset）写入每个超级块。',
      },
      actions: [{ stop: null }],
      checks: [{ expect: { array_state: 'inactive' } }],
    },
    {
      id: 'assemble',
      instruction: {
        en: 'Assemble the array again and hold the resync at 16384 sectors: it resumed at sector 8192, not at 0, and the trace shows md_do_sync starting there.',
        zh: '重新组装阵列，并让重同步停在 16384 扇区：它从第 8192 扇区继续，而不是从 0 开始，跟踪中可见 md_do_sync 从那里开始。',
      },
      actions: [{ assemble: null }, { set: { sync_max: 16384 } }, { wait: { progress: 'held' } }],
      checks: [{ expect: { sync_action: 'resync', sync_completed: '16384 / 30720' } }],
    },
    {
      id: 'finish',
      instruction: {
        en: 'Let the resync finish; a check then finds no mismatches.',
        zh: '等待重同步完成；随后的 check 找不到任何不一致。',
      },
      actions: [{ set: { sync_max: 'max' } }, { wait: 'idle' }, { 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { state: 'clean', mismatch_cnt: 0 } }],
    },
  ],
};
