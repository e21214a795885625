// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { CreateChoices } from '../../core/api';
import { installClient } from '../../renderer/src/api';
import StripeMap from '../../renderer/src/components/array/StripeMap.vue';
import FailurePanel from '../../renderer/src/components/failure/FailurePanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { useArrayStore } from '../../renderer/src/stores/array';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

const SMALL_RAID5: CreateChoices = {
  level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'ui',
};

/** A real array in a real engine host, open in the array store as the wizard would leave it. */
async function openArray(test: TestHost, locale: 'en' | 'zh-CN' = 'en', choices: Partial<CreateChoices> = {}) {
  installClient(test.client);
  const pinia = createPinia();
  const global = { plugins: [pinia, createMdlabI18n(locale)] };
  const opened = await test.client.call('array.create', { id: 'ui', choices: { ...SMALL_RAID5, ...choices } });
  const probe = mount({ template: '<div />' }, { global });
  const store = useArrayStore(pinia);
  store.adopt(opened.id, opened.snapshot);
  probe.unmount();
  return { global, store };
}

function status(wrapper: ReturnType<typeof mount>, image: string): string {
  return wrapper.get(`[data-testid="manage-${image}"] .status`).text();
}

describe('FailurePanel against the real engine', () => {
  const startHost = testHosts();

  it("shows md's refusal to remove a working member as a message, then fails and removes it as mdadm would", async () => {
    const test = startHost();
    const { global } = await openArray(test);
    const wrapper = mount(FailurePanel, { global });
    await until(() => wrapper.find('[data-testid="manage-disk0.img"]').exists(), 'member rows');

    await wrapper.get('[data-testid="remove-disk2.img"]').trigger('click');
    await until(() => wrapper.find('[data-testid="manage-refusal"]').exists(), 'refusal');
    expect(wrapper.get('[data-testid="manage-refusal"]').text()).toMatch(/^md refused mdadm --remove disk2\.img: .*disk2\.img.*busy/);

    await wrapper.get('[data-testid="fail-disk2.img"]').trigger('click');
    await until(() => wrapper.find('[data-testid="manage-done"]').exists() && status(wrapper, 'disk2.img') === 'faulty', 'disk2 faulty');

    await wrapper.get('[data-testid="remove-disk2.img"]').trigger('click');
    await until(() => status(wrapper, 'disk2.img') === 'removed', 'disk2 removed');
    expect(status(wrapper, 'disk0.img')).toBe('in sync');
  });

  it("lets a second failure break the array, as raid5 does, and says so in Chinese", async () => {
    const test = startHost();
    const { global, store } = await openArray(test, 'zh-CN');
    const wrapper = mount(FailurePanel, { global });
    await until(() => wrapper.find('[data-testid="manage-disk0.img"]').exists(), 'member rows');
    await wrapper.get('[data-testid="fail-disk0.img"]').trigger('click');
    await until(() => status(wrapper, 'disk0.img') === '故障', 'disk0 faulty');
    await wrapper.get('[data-testid="fail-disk1.img"]').trigger('click');
    await until(() => status(wrapper, 'disk1.img') === '故障', 'disk1 faulty');
    expect(store.snapshot?.arrayState).toBe('broken');
    expect(wrapper.get('[data-testid="manage-done"]').text()).toBe('mdadm --fail disk1.img：已完成');
  });
});

describe('Power cut against the real engine', () => {
  const startHost = testHosts();

  it('cuts the power mid-recovery once md has marked the array clean: it comes back, the recovery goes on, and every written sector reads back', async () => {
    const test = startHost();
    // Not assume-clean: mdadm's spare trick starts a recovery, held slow so the cut always finds it running.
    const { global, store } = await openArray(test, 'en', { assumeClean: false });
    await test.client.call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 1000 });
    const wrapper = mount(FailurePanel, { global });
    await until(() => wrapper.find('[data-testid="crash"]').exists(), 'crash button');
    const uuid = store.snapshot?.uuid;
    await test.client.call('array.pattern', { op: 'write', lengthBytes: 2 * 1024 * 1024 });
    // Cut only once md's safemode has marked the array clean again (array_state, not a timing guess): a cut
    // while it is still dirty finds a degraded dirty array, which md rightly refuses to start without --force.
    await until(() => store.snapshot?.arrayState === 'clean', 'array marked clean after the writes');
    expect(store.snapshot?.syncAction).toBe('recover');
    await wrapper.get('[data-testid="crash"]').trigger('click');
    await until(() => wrapper.find('[data-testid="manage-done"]').exists(), 'restarted');
    expect(wrapper.get('[data-testid="manage-done"]').text()).toBe('power cut + mdadm --assemble: done');
    expect(store.snapshot?.uuid).toBe(uuid);
    expect(store.snapshot?.lastSyncAction === 'recovery' || store.snapshot?.syncAction === 'recover').toBe(true);
    expect((await test.client.call('array.pattern', { op: 'verify', lengthBytes: 2 * 1024 * 1024 })).badSectors).toBe(0);
  });
});

describe('FaultInjector against the real engine', () => {
  const startHost = testHosts();

  it('puts unreadable sectors under a member; md reads around them from parity and rewrites them, as read error correction does', async () => {
    const test = startHost();
    const { global, store } = await openArray(test);
    await test.client.call('array.pattern', { op: 'write', lengthBytes: 1024 * 1024 });
    const map = await test.client.call('array.map', { arraySector: 300 });
    const wrapper = mount(FailurePanel, { global });
    await until(() => wrapper.find('[data-testid="fault-member"]').exists(), 'fault form');
    await wrapper.get('[data-testid="fault-member"]').setValue(map.dataImage);
    await wrapper.get('[data-testid="fault-kind"]').setValue('read-error');
    await wrapper.get('[data-testid="fault-start"]').setValue(String(map.imageSector));
    await wrapper.get('[data-testid="fault-length"]').setValue('8');
    await wrapper.get('form.fault-form').trigger('submit');
    await until(() => wrapper.find('[data-testid="fault-list"] li').exists(), 'injected fault listed');
    expect(wrapper.get('[data-testid="fault-list"]').text()).toContain('8 bad sector(s) left');

    // Reading the array hits the bad sectors; md must still return the pattern and repair the member.
    expect((await test.client.call('array.pattern', { op: 'verify', lengthBytes: 1024 * 1024 })).badSectors).toBe(0);
    await until(() => wrapper.get('[data-testid="fault-list"]').text().includes('0 bad sector(s) left'), 'sectors rewritten');
    await until(() => (store.snapshot?.members.find((m) => m.image === map.dataImage)?.errors ?? 0) > 0, 'corrected errors counted');
    expect(status(wrapper, map.dataImage)).toBe('in sync');

    await wrapper.get('[data-testid="fault-list"] button').trigger('click');
    await until(() => !wrapper.find('[data-testid="fault-list"] li').exists(), 'fault cleared');
  });
});

describe('StripeMap against the real engine', () => {
  const startHost = testHosts();

  it("places an array sector on the member and image sector md's layout gives, with the row's parity disk", async () => {
    const test = startHost();
    const { global } = await openArray(test);
    const wrapper = mount(StripeMap, { global });
    // left-symmetric, 4 disks, 64K chunks: sector 300 is chunk 2 (row 0, data index 2) -> disk 2; parity on disk 3.
    await wrapper.get('[data-testid="map-sector"]').setValue('300');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('[data-testid="map-result"]').exists(), 'map');
    expect(wrapper.get('[data-testid="map-data"]').text()).toMatch(/^disk 2 \(disk2\.img\), sector 44 of its data area = image sector \d+$/);
    expect(wrapper.get('[data-testid="map-parity"]').text()).toBe('disk 3 (disk3.img), same row');
    await wrapper.get('[data-testid="map-sector"]').setValue(String(10 ** 9));
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.text().includes('past the end of the array'), 'refusal past the end');
  });
});
