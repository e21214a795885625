import type { LabArray, LabStep } from '../types';

/** The array most labs start from: small, clean (no initial sync to wait for), md's default layout. */
export const CLEAN_RAID5: LabArray = {
  level: 5,
  'raid-devices': 4,
  layout: 'left-symmetric',
  chunk: '64K',
  size: '16M',
  bitmap: 'none',
  'assume-clean': true,
};

/** Create CLEAN_RAID5 and fill 4 MiB with the lba pattern, so later steps have data to lose or rot. */
export const CREATE_AND_WRITE_4M: LabStep = {
  id: 'create',
  instruction: { en: 'Create a clean 4-member RAID5 and write 4 MiB of the lba pattern.', zh: '创建干净的 4 成员 RAID5 并写入 4 MiB 的 lba 图样。' },
  actions: [{ create: null }, { write: { pattern: 'lba', offset: 0, length: '4M' } }],
  checks: [{ expect: { degraded: 0, mismatch_cnt: 0 } }],
};
