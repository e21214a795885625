import type { Lab } from '../types';

/**
 * The RAID5 write hole: a power cut between the data write and the parity write leaves a stripe whose
 * parity no longer matches. md closes the hole by resyncing after an unclean shutdown; a member lost before
 * that resync would be rebuilt from wrong parity.
 */
export const writeHole: Lab = {
  name: 'write-hole',
  title: { en: 'The RAID5 write hole', zh: 'RAID5 写洞' },
  summary: {
    en: 'Cut the power in the middle of writes, assemble again and see md resync because the array was not clean.',
    zh: '在写入过程中切断电源，重新组装后观察 md 因阵列未干净关闭而进行重同步。',
  },
  seed: 106,
  array: { level: 5, 'raid-devices': 4, layout: 'left-symmetric', chunk: '64K', size: '16M', bitmap: 'none', 'assume-clean': true },
  steps: [
    {
      id: 'create',
      instruction: { en: 'Create a clean 4-member RAID5 and write 4 MiB of the lba pattern.', zh: '创建干净的 4 成员 RAID5 并写入 4 MiB 的 lba 图样。' },
      actions: [{ create: null }, { write: { pattern: 'lba', offset: 0, length: '4M' } }],
      checks: [{ expect: { degraded: 0 } }],
    },
    {
      id: 'power-cut',
      instruction: {
        en: 'Overwrite the first 2 MiB and cut the power on the 20th write to member 0: some members hold the new blocks, others the old.',
        zh: '覆盖前 2 MiB，并在对成员 0 的第 20 次写入时断电：部分成员保存新块，其余仍是旧块。',
      },
      actions: [
        { 'power-cut': { trigger: { kind: 'nth-write', member: 0, n: 20 } } },
        { write: { pattern: 'lba', tag: 'hole', offset: 0, length: '2M', 'expect-error': true } },
      ],
      checks: [{ expect: { array_state: 'inactive' } }],
    },
    {
      id: 'assemble',
      instruction: {
        en: 'Assemble again: the superblocks say the array was active (dirty), so md starts a resync that recomputes every parity block.',
        zh: '重新组装：超级块表明阵列处于 active（脏）状态，因此 md 启动重同步，重新计算所有校验块。',
      },
      actions: [{ assemble: null }],
      checks: [{ expect: { sync_action: 'resync' } }],
    },
    {
      id: 'closed',
      instruction: {
        en: 'Wait for the resync: the hole is closed and a check finds parity consistent again.',
        zh: '等待重同步完成：写洞被弥合，check 发现校验重新一致。',
      },
      actions: [{ wait: 'idle' }, { 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { state: 'clean', mismatch_cnt: 0 } }],
    },
  ],
};
