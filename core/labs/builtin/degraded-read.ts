import type { Lab } from '../types';
import { CLEAN_RAID5 } from './common';

/** RAID5's promise: lose any one member and every byte still reads, rebuilt from parity on the fly. */
export const degradedRead: Lab = {
  name: 'degraded-read',
  title: { en: 'Degraded read', zh: '降级读取' },
  summary: {
    en: 'Fail one member of a RAID5 and read all the data back, rebuilt from parity on every read.',
    zh: '让 RAID5 的一个成员失效，再读回全部数据：每次读取都由校验实时重建。',
  },
  seed: 101,
  array: CLEAN_RAID5,
  steps: [
    {
      id: 'create',
      instruction: {
        en: 'Create a clean 4-member RAID5 (left-symmetric, 64K chunks).',
        zh: '创建一个干净的 4 成员 RAID5（left-symmetric 布局，64K 块）。',
      },
      actions: [{ create: null }],
      checks: [{ expect: { state: 'clean', degraded: 0 } }],
    },
    {
      id: 'write',
      instruction: {
        en: 'Write 4 MiB of the lba pattern, so every sector says which sector it is, and wait a second: md marks the array clean again once no write has come for its safemode delay.',
        zh: '写入 4 MiB 的 lba 图样，让每个扇区都写明自己的编号，然后等一秒：在 safemode 延迟内没有新的写入后，md 会把阵列重新标记为 clean。',
      },
      actions: [{ write: { pattern: 'lba', offset: 0, length: '4M' } }, { sleep: '1s' }],
      checks: [{ verify: { pattern: 'lba', offset: 0, length: '4M' } }],
    },
    {
      id: 'fail-member',
      instruction: {
        en: 'Fail member 2 (mdadm --fail). md marks it faulty and the array runs degraded.',
        zh: '让成员 2 失效（mdadm --fail）。md 将其标记为 faulty，阵列进入降级运行。',
      },
      actions: [{ fail: 2 }],
      checks: [{ expect: { state: 'clean, degraded', degraded: 1, failed_devices: 1 } }],
    },
    {
      id: 'degraded-read',
      instruction: {
        en: 'Read the data again: blocks of member 2 are computed as the XOR of the other members. Not one byte differs.',
        zh: '再次读取数据：成员 2 上的块由其他成员异或算出，没有一个字节不同。',
      },
      actions: [],
      checks: [{ verify: { pattern: 'lba', offset: 0, length: '4M' } }, { expect: { degraded: 1 } }],
    },
  ],
};
