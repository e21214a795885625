import type { Lab } from '../types';
import { CLEAN_RAID5, CREATE_AND_WRITE_4M } from './common';

/** Silent corruption is invisible to reads; only a parity check finds it, and repair rewrites parity. */
export const bitrotCheckRepair: Lab = {
  name: 'bitrot-check-repair',
  title: { en: 'Bit rot found by check, fixed by repair', zh: '用 check 发现位衰减，用 repair 修复' },
  summary: {
    en: 'Flip a bit inside a member, find it with a check (mismatch_cnt), fix parity with repair and check again.',
    zh: '翻转成员中的一个比特，用 check 发现它（mismatch_cnt），用 repair 修正校验后再检查一次。',
  },
  seed: 105,
  array: CLEAN_RAID5,
  steps: [
    CREATE_AND_WRITE_4M,
    {
      id: 'rot',
      instruction: {
        en: 'Flip one bit of parity on member 3 (in its data area, 1 MiB in): reads of the data still look fine.',
        zh: '翻转成员 3 上校验数据的一个比特（数据区内 1 MiB 处）：读取数据看起来仍然正常。',
      },
      actions: [{ inject: { member: 3, fault: { kind: 'bitrot', placement: { by: 'chosen', flips: [{ offsetBytes: 2097152, bit: 3 }] } } } }],
      checks: [{ verify: { pattern: 'lba', offset: 0, length: '4M' } }],
    },
    {
      id: 'check',
      instruction: {
        en: 'Run a check (echo check > sync_action): md reads every stripe, compares parity and counts the mismatched sectors.',
        zh: '运行 check（echo check > sync_action）：md 读取每个条带、比对校验，并统计不一致的扇区。',
      },
      actions: [{ 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { mismatch_cnt: 8 } }],
    },
    {
      id: 'repair',
      instruction: {
        en: 'Run repair: md rewrites the parity of the stripes that disagree. A second check finds nothing.',
        zh: '运行 repair：md 重写不一致条带的校验。再次 check 时什么也找不到。',
      },
      actions: [{ 'sync-action': 'repair' }, { wait: 'idle' }, { 'sync-action': 'check' }, { wait: 'idle' }],
      checks: [{ expect: { mismatch_cnt: 0 } }, { verify: { pattern: 'lba', offset: 0, length: '4M' } }],
    },
  ],
};
