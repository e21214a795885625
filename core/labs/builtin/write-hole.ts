import type { Lab } from '../types';
import { CLEAN_RAID5, CREATE_AND_WRITE_4M } from './common';

/**
 * The RAID5 write hole: a crash between the data writes and the parity write of a stripe leaves parity that
 * no longer matches the data. Nothing shows until a member is lost: then its blocks are rebuilt from the
 * wrong parity. md closes the hole by resyncing parity after an unclean shutdown (or with a bitmap, the
 * dirty regions), which `repair` does here by hand.
 *
 * The lost parity write is made with dm-flakey's drop_writes over the parity chunk of row 0 (member 3 holds
 * it in left-symmetric): exactly what the crash leaves behind. The same hole made by a real power cut mid-write
 * (the scenario step power-cut, a delayed parity member) is test/scenarios/write-hole.yaml.
 */
export const writeHole: Lab = {
  name: 'write-hole',
  title: { en: 'The RAID5 write hole', zh: 'RAID5 写洞' },
  summary: {
    en: 'Lose the parity write of a stripe as a crash would, find the silent mismatch with check, and close the hole with repair before a member is lost.',
    zh: '像崩溃那样丢失一个条带的校验写入，用 check 发现无声的不一致，并在成员丢失之前用 repair 弥合写洞。',
  },
  seed: 106,
  array: CLEAN_RAID5,
  steps: [
    CREATE_AND_WRITE_4M,
    {
      id: 'lose-parity-write',
      instruction: {
        en: "Overwrite row 0 (192 KiB: one chunk on each data member) while member 3's parity chunk silently drops writes (dm-flakey drop_writes): the new data lands, the new parity does not — the state a crash between the writes leaves.",
        zh: '覆盖第 0 行（192 KiB：每个数据成员一个块），同时让成员 3 上的校验块静默丢弃写入（dm-flakey drop_writes）：新数据落盘，新校验没有——正是两次写入之间崩溃留下的状态。',
      },
      actions: [
        { inject: { member: 3, fault: { kind: 'flakey', upMs: 0, downMs: 86400000, features: { dropWrites: true }, range: { startSector: 2048, lengthSectors: 128 } } } },
        { write: { pattern: 'lba', tag: 'hole', offset: 0, length: '192K' } },
        { clear: { member: 3 } },
      ],
      checks: [{ verify: { pattern: 'lba', tag: 'hole', offset: 0, length: '192K' } }],
    },
    {
      id: 'find-the-hole',
      instruction: {
        en: 'Reads look fine, yet parity is wrong: a check counts the 16 stripes (128 sectors) of row 0. Were a member lost now, its blocks of row 0 would be rebuilt from this parity, wrongly.',
        zh: '读取看起来正常，但校验是错的：check 统计出第 0 行的 16 个条带（128 个扇区）。如果此时丢失一个成员，它在第 0 行的块将由这个错误的校验重建。',
      },
      actions: [{ 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { mismatch_cnt: 128 } }],
    },
    {
      id: 'close-the-hole',
      instruction: {
        en: 'Run repair (what md does by itself when it resyncs after an unclean shutdown): parity is recomputed from the data and a second check finds nothing.',
        zh: '运行 repair（md 在非正常关机后重同步时会自动这样做）：校验由数据重新计算，再次 check 时什么也找不到。',
      },
      actions: [{ 'sync-action': 'repair' }, { wait: 'idle' }, { 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { mismatch_cnt: 0 } }],
    },
    {
      id: 'lose-a-member',
      instruction: {
        en: 'Now fail member 0: its blocks are rebuilt from the repaired parity and the new data reads back exactly.',
        zh: '现在让成员 0 失效：它的块由修复后的校验重建，新数据被准确读回。',
      },
      actions: [{ fail: 0 }],
      checks: [{ expect: { degraded: 1 } }, { verify: { pattern: 'lba', tag: 'hole', offset: 0, length: '192K' } }],
    },
  ],
};
