import type { Lab } from '../types';

/** md_check_recovery's duties in action: a failed member is removed and a hot spare is rebuilt in its place. */
export const rebuildSpare: Lab = {
  name: 'rebuild-spare',
  title: { en: 'Rebuild onto a spare', zh: '在热备盘上重建' },
  summary: {
    en: 'Fail a member of a RAID5 with a hot spare and watch md rebuild the spare until the array is whole again.',
    zh: '让带热备盘的 RAID5 中一个成员失效，观察 md 在热备盘上重建，直到阵列恢复完整。',
  },
  seed: 102,
  array: { level: 5, 'raid-devices': 4, 'spare-devices': 1, layout: 'left-symmetric', chunk: '64K', size: '16M', bitmap: 'none', 'assume-clean': true },
  steps: [
    {
      id: 'create',
      instruction: {
        en: 'Create a clean 4-member RAID5 with one hot spare (disk4.img).',
        zh: '创建一个干净的 4 成员 RAID5，外加一块热备盘（disk4.img）。',
      },
      actions: [{ create: null }],
      checks: [{ expect: { state: 'clean', degraded: 0 } }],
    },
    {
      id: 'write',
      instruction: { en: 'Write 4 MiB of the lba pattern.', zh: '写入 4 MiB 的 lba 图样。' },
      actions: [{ write: { pattern: 'lba', offset: 0, length: '4M' } }],
      checks: [{ verify: { pattern: 'lba', offset: 0, length: '4M' } }],
    },
    {
      id: 'fail-member',
      instruction: {
        en: 'Fail member 1. md_check_recovery sees a degraded array with a spare and starts recovery onto it by itself.',
        zh: '让成员 1 失效。md_check_recovery 发现阵列降级且有热备盘，会自动开始向热备盘恢复。',
      },
      actions: [{ fail: 1 }],
      checks: [{ expect: { degraded: 1 } }],
    },
    {
      id: 'wait-recovery',
      instruction: {
        en: 'Wait for the recovery to finish: the spare takes slot 1 and the array is no longer degraded.',
        zh: '等待恢复完成：热备盘接替槽位 1，阵列不再降级。',
      },
      actions: [{ wait: 'idle' }, { sleep: '1s' }],
      checks: [{ expect: { state: 'clean', degraded: 0, sync_action: 'idle', last_sync_action: 'recovery', 'member.4.slot': 1 } }],
    },
    {
      id: 'remove-failed',
      instruction: {
        en: 'Remove the failed member (mdadm --remove) and read the data again.',
        zh: '移除失效成员（mdadm --remove），再读一遍数据。',
      },
      actions: [{ remove: 1 }],
      checks: [{ verify: { pattern: 'lba', offset: 0, length: '4M' } }, { expect: { state: 'clean', degraded: 0, failed_devices: 0 } }],
    },
  ],
};
