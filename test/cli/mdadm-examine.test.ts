/**
 * Debian's mdadm 4.2 (the version that made the golden arrays) reads every image `mdlab create` makes,
 * and `mdlab examine` prints exactly what `mdadm --examine` prints, line for line. mdadm must be
 * installed (CI's .ci/run installs it): without it these tests fail rather than skip.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileBlockDevice } from '../../core/format/blockdev';
import { FEATURE, readSuperblock, ROLE_FAULTY, type Superblock1, superOffsetSectors, writeSuperblock } from '../../core/format/superblock';
import { mdadm, runCli } from '../helpers/cli';

process.env.TZ = 'UTC';
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mdlab-mdadm-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const LAYOUTS = ['left-asymmetric', 'right-asymmetric', 'left-symmetric', 'right-symmetric', 'parity-first', 'parity-last'];

/** Several layouts, chunk sizes, member counts and member sizes, each made by the real `mdlab create`. */
const CONFIGS: { label: string; args: string[] }[] = [
  ...LAYOUTS.map((layout, i) => ({
    label: `raid5 ${layout}`,
    args: ['--level', '5', '--raid-devices', String([2, 3, 4, 5, 8, 16][i]), '--layout', layout, '--chunk', ['4', '64K', '512K', '1M', '32', '128K'][i], '--size', ['8M', '10000000', '100M', '1G', '20G', '1T'][i]],
  })),
  { label: 'raid4 with two spares', args: ['--level', '4', '--raid-devices', '3', '--spare-devices', '2', '--chunk', '128', '--size', '64M'] },
  { label: 'internal bitmap on small members', args: ['--level', '5', '--raid-devices', '4', '--bitmap', 'internal', '--size', '300M'] },
  { label: '1 TiB members, bitmap by mdadm default', args: ['--level', '5', '--raid-devices', '4', '--size', '1T'] },
  { label: '1 TiB members without bitmap', args: ['--level', '5', '--raid-devices', '3', '--bitmap', 'none', '--size', '1T', '--chunk', '64'] },
  { label: '300 GiB members, forced (resync instead of spare trick)', args: ['--level', '5', '--raid-devices', '3', '--force', '--size', '300G'] },
  { label: 'assume-clean raid4', args: ['--level', '4', '--raid-devices', '5', '--assume-clean', '--size', '12G', '--chunk', '256'] },
];

async function create(name: string, args: string[]): Promise<string[]> {
  const target = path.join(dir, name);
  // --no-sync: the superblocks exactly as mdadm --create writes them, before md starts the array.
  const r = await runCli(['create', target, '--no-sync', '--homehost', 'mdlab', '--name', name, ...args]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return fs.readdirSync(target).sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0])).map((f) => path.join(target, f));
}

async function expectSameExamine(image: string): Promise<void> {
  const ours = await runCli(['examine', image]);
  expect(ours.code).toBe(0);
  expect(ours.stdout).toBe(mdadm(['--examine', image]));
}

describe('mdadm --examine and mdlab examine agree', () => {
  it.each(CONFIGS.map((c, i) => [c.label, i] as const))('on every member of a created array: %s', async (_label, i) => {
    const images = await create(`c${i}`, CONFIGS[i].args);
    for (const image of images) await expectSameExamine(image);
  });

  function rewrite(image: string, change: (sb: Superblock1) => Superblock1): void {
    const dev = FileBlockDevice.open(image);
    const { sb } = readSuperblock(dev);
    writeSuperblock(dev, change(sb));
    dev.close();
  }

  it('on superblocks carrying a recovery offset, bad blocks, write-mostly, a faulty role and a resync checkpoint', async () => {
    const images = await create('states', ['--level', '5', '--raid-devices', '4', '--chunk', '64', '--size', '32M']);
    rewrite(images[0], (sb) => ({ ...sb, featureMap: sb.featureMap | FEATURE.RECOVERY_OFFSET, recoveryOffset: 4096n, devflags: 1 }));
    rewrite(images[1], (sb) => ({ ...sb, featureMap: sb.featureMap | FEATURE.BAD_BLOCKS, devflags: 3, events: 41n, resyncOffset: 8192n }));
    rewrite(images[2], (sb) => ({ ...sb, devRoles: sb.devRoles.map((r, i) => (i === 1 ? ROLE_FAULTY : r)) }));
    rewrite(images[3], (sb) => ({ ...sb, devRoles: sb.devRoles.map((r, i) => (i === sb.devNumber ? 3 : r)) }));
    for (const image of images) await expectSameExamine(image);
  });

  it('on a superblock whose checksum is wrong', async () => {
    const [image] = await create('csum', ['--level', '5', '--raid-devices', '3', '--size', '16M']);
    const bytes = fs.readFileSync(image);
    bytes[4096 + 200] ^= 0x01; // events
    fs.writeFileSync(image, bytes);
    await expectSameExamine(image);
    expect((await runCli(['examine', image])).stdout).toMatch(/Checksum : [0-9a-f]+ - expected [0-9a-f]+/);
  });

  it('on metadata 1.1 (superblock at the start) and 1.0 (at the end) members', async () => {
    const [image11, image10] = await create('versions', ['--level', '5', '--raid-devices', '3', '--size', '40M', '--chunk', '64']);
    rewrite(image11, (sb) => ({ ...sb, superOffset: 0n, bblogOffset: 8, dataSize: sb.dataSize + 0n }));
    const sectors = fs.statSync(image10).size / 512;
    const superOffset = superOffsetSectors('1.0', sectors);
    const dev = FileBlockDevice.open(image10);
    const { sb } = readSuperblock(dev);
    dev.write(new Uint8Array(4096), 4096);
    writeSuperblock(dev, { ...sb, superOffset: BigInt(superOffset), dataOffset: 0n, dataSize: BigInt(superOffset - 16), bblogOffset: -8 });
    dev.close();
    await expectSameExamine(image11);
    await expectSameExamine(image10);
  });
});
