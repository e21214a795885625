import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CreateChoices } from '../../core/api';
import { testHosts } from './lifecycle';

const CHOICES: CreateChoices = {
  level: 5, raidDevices: 3, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 32 * 1024 * 1024,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'host',
};

describe('the lab host: arrays by id inside one workspace, one open at a time', () => {
  const startHost = testHosts();

  it('never lets a request name a path: ids with slashes or dots are refused by the contract', async () => {
    const test = startHost();
    for (const id of ['../etc', 'a/b', '.hidden', '/tmp/x', 'UPPER']) {
      const reply = await test.host.request('array.open', { id });
      expect(reply.ok ? 'accepted' : reply.error.code, id).toBe('BAD_PARAMS');
    }
  });

  it('creates images in the workspace folder named by the id, refuses the same id twice, and lists it as open', async () => {
    const test = startHost();
    const created = await test.client.call('array.create', { id: 'one', choices: CHOICES });
    expect(created.snapshot.raidDisks).toBe(3);
    for (let i = 0; i < 4; i++) expect(existsSync(path.join(test.workspace, 'one', `disk${i}.img`))).toBe(true);
    const again = await test.host.request('array.create', { id: 'one', choices: CHOICES });
    expect(again.ok ? '' : again.error.message).toContain('already exists');
    expect((await test.client.call('array.list', {})).arrays).toEqual([
      { id: 'one', images: ['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img'], open: true },
    ]);
  });

  it('reports sparse images: nominal size in full, allocated blocks a small fraction after an assume-clean create', async () => {
    const test = startHost();
    await test.client.call('array.create', { id: 'sparse', choices: CHOICES });
    const { images } = await test.client.call('array.images', {});
    expect(images).toHaveLength(4);
    for (const image of images) {
      expect(image.sizeBytes).toBe(CHOICES.memberBytes);
      expect(image.allocatedBytes).toBeLessThan(CHOICES.memberBytes / 16);
    }
  });

  it('closes the array (mdadm --stop) and opens it again from its images with the same uuid and data', async () => {
    const test = startHost();
    const { snapshot } = await test.client.call('array.create', { id: 'again', choices: CHOICES });
    await test.client.call('array.pattern', { op: 'write', lengthBytes: 256 * 1024 });
    expect(await test.client.call('array.close', {})).toEqual({ closed: true });
    expect(await test.client.call('array.snapshot', {})).toEqual({ snapshot: null });
    const refused = await test.host.request('array.map', { arraySector: 0 });
    expect(refused.ok ? '' : refused.error.message).toContain('No array is open');
    const reopened = await test.client.call('array.open', { id: 'again' });
    expect(reopened.snapshot.uuid).toBe(snapshot.uuid);
    expect((await test.client.call('array.pattern', { op: 'verify', lengthBytes: 256 * 1024 })).badSectors).toBe(0);
  });

  it("answers the wizard's questions without writing anything", async () => {
    const test = startHost();
    const plan = await test.client.call('array.plan', CHOICES);
    expect(plan.initialSync).toBe('none');
    expect(plan.arraySizeKib).toBe((plan.componentSectors / 2) * 2);
    const refused = await test.host.request('array.plan', { ...CHOICES, raidDevices: 1 });
    expect(refused.ok ? '' : refused.error.message).toBe('raid5 needs at least 2 raid-devices, got 1.');
    expect((await test.client.call('array.list', {})).arrays).toEqual([]);
  });
});
