import type { Lab } from '../types';

/** The write-intent bitmap's payoff: a member that comes back is rebuilt only where writes happened. */
export const bitmapReAdd: Lab = {
  name: 'bitmap-re-add',
  title: { en: 'Bitmap re-add', zh: '借助位图重新加入' },
  summary: {
    en: 'Take a member out of an array with a write-intent bitmap, write while it is away, re-add it and see only the dirty regions rebuilt.',
    zh: '从带写意图位图的阵列中拿走一个成员，期间继续写入，再重新加入它，观察只有脏区域被重建。',
  },
  seed: 104,
  array: { level: 5, 'raid-devices': 4, layout: 'left-symmetric', chunk: '64K', size: '256M', bitmap: 'internal', 'assume-clean': true },
  steps: [
    {
      id: 'create',
      instruction: {
        en: 'Create a clean 4-member RAID5 with an internal write-intent bitmap and write 8 MiB of the lba pattern.',
        zh: '创建带内部写意图位图的干净 4 成员 RAID5，并写入 8 MiB 的 lba 图样。',
      },
      actions: [{ create: null }, { write: { pattern: 'lba', offset: 0, length: '8M' } }, { sleep: '20s' }],
      checks: [{ expect: { state: 'clean', degraded: 0, bitmap_dirty: 0 } }],
    },
    {
      id: 'take-out',
      instruction: {
        en: 'Fail and remove member 3, as if its cable came loose.',
        zh: '让成员 3 失效并移除，就像它的线缆松脱了一样。',
      },
      actions: [{ fail: 3 }, { remove: 3 }],
      checks: [{ expect: { state: 'clean, degraded', degraded: 1 } }],
    },
    {
      id: 'write-away',
      instruction: {
        en: 'Write 1 MiB at 128 MiB while member 3 is away: the bitmap remembers which regions it missed.',
        zh: '在成员 3 离开期间于 128 MiB 处写入 1 MiB：位图记住它错过了哪些区域。',
      },
      actions: [{ write: { pattern: 'lba', offset: '128M', length: '1M' } }],
      checks: [{ expect: { bitmap_dirty: 1 } }],
    },
    {
      id: 're-add',
      instruction: {
        en: 'Re-add member 3 (mdadm --re-add) and wait: recovery copies only the dirty bitmap chunks, not the whole member.',
        zh: '重新加入成员 3（mdadm --re-add）并等待：恢复只复制位图中的脏块，而不是整个成员。',
      },
      actions: [{ 're-add': 3 }, { wait: 'idle' }, { sleep: '1s' }],
      checks: [
        { expect: { state: 'clean', degraded: 0, 'member.3.state': 'in_sync' } },
        // One 64 MiB bitmap chunk of the 255 MiB member, plus metadata: not the whole member.
        { expect: { 'member.3.written_bytes_max': '65M' } },
        { verify: { pattern: 'lba', offset: 0, length: '8M' } },
        { verify: { pattern: 'lba', offset: '128M', length: '1M' } },
      ],
    },
  ],
};
