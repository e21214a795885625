// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { CreateChoices } from '../../core/api';
import { installClient } from '../../renderer/src/api';
import PowerCutCard from '../../renderer/src/components/failure/PowerCutCard.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { useArrayStore } from '../../renderer/src/stores/array';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

const RAID5: CreateChoices = {
  level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'power',
};
const IMAGES = ['disk0.img', 'disk1.img', 'disk2.img'];

async function open(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  const opened = await test.client.call('array.create', { id: 'power', choices: RAID5 });
  const pinia = createPinia();
  return { global: { plugins: [pinia, createMdlabI18n(locale)] }, pinia, opened };
}

describe('PowerCutCard: a real power cut, now or scheduled', () => {
  const startHost = testHosts();

  it('schedules a cut on the nth write to the chosen member, lists it as pending, and cancels it', async () => {
    const test = startHost();
    const { global } = await open(test);
    const wrapper = mount(PowerCutCard, { props: { images: IMAGES }, global });
    await wrapper.get('[data-testid="power-when-nth-write"]').setValue(true);
    await wrapper.get('[data-testid="power-when-nth"]').setValue('500');
    await wrapper.get('[data-testid="power-member"]').setValue('disk1.img');
    await wrapper.get('[data-testid="power-survival"]').setValue('0.25');
    expect(wrapper.get('[data-testid="power-cut-submit"]').text()).toBe('Schedule the power cut');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('[data-testid="power-cancel-1"]').exists(), 'pending power cut listed');
    expect(wrapper.get('[data-testid="power-pending"]').text()).toContain('scheduled on the 500th write to member 1: power cut (each write in flight survives with p=0.25)');
    await wrapper.get('[data-testid="power-cancel-1"]').trigger('click');
    await until(() => !wrapper.find('[data-testid="power-cancel-1"]').exists(), 'pending power cut cancelled');
    expect((await test.client.call('array.faults', {})).power.pending).toEqual([]);
    wrapper.unmount();
  });

  it('cuts the power now: shows the domain report line and the array store adopts the rebooted array', async () => {
    const test = startHost();
    const { global, pinia, opened } = await open(test);
    const wrapper = mount(PowerCutCard, { props: { images: IMAGES }, global });
    const array = useArrayStore(pinia);
    array.adopt(opened.id, opened.snapshot);
    const eventsBefore = opened.snapshot.events;
    expect(wrapper.get('[data-testid="power-cut-submit"]').text()).toBe('Cut the power now');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('[data-testid="power-report"]').exists(), 'power cut report');
    expect(wrapper.get('[data-testid="power-report"]').text()).toMatch(/^power cut at \d+ ms: \d+ member write\(s\) in flight lost.*, \d+ reached the disk$/);
    expect(array.snapshot!.events).toBeGreaterThanOrEqual(eventsBefore);
    expect(array.snapshot!.members.map((m) => m.image)).toEqual(IMAGES);
    wrapper.unmount();
  });

  it('explains the write hole in Chinese', async () => {
    const test = startHost();
    const { global } = await open(test, 'zh-CN');
    const wrapper = mount(PowerCutCard, { props: { images: IMAGES }, global });
    expect(wrapper.text()).toContain('RAID5 写洞');
    expect(wrapper.get('[data-testid="power-cut-submit"]').text()).toBe('立即断电');
    wrapper.unmount();
  });
});
