// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { installClient } from '../../renderer/src/api';
import CreateWizard from '../../renderer/src/components/wizard/CreateWizard.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

function mountWizard(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  return mount(CreateWizard, { global: { plugins: [createPinia(), createMdlabI18n(locale)] } });
}

/** Row by row, what the layout picture shows: "P" or "D<chunk>" per disk. */
function pictureRows(wrapper: ReturnType<typeof mountWizard>): string[][] {
  return wrapper.findAll('[data-testid="layout-picture"] tbody tr').map((row) => row.findAll('td').map((cell) => cell.text()));
}

describe('CreateWizard', () => {
  const startHost = testHosts();

  it("draws left-symmetric's parity moving from the last disk leftwards, data starting right after it", async () => {
    const test = startHost();
    const wrapper = mountWizard(test);
    await until(() => wrapper.find('[data-testid="layout-picture"]').exists(), 'layout picture');
    // Spec §3.3's table for left-symmetric over 4 disks.
    expect(pictureRows(wrapper).slice(0, 4)).toEqual([
      ['D0', 'D1', 'D2', 'P'],
      ['D4', 'D5', 'P', 'D3'],
      ['D8', 'P', 'D6', 'D7'],
      ['P', 'D9', 'D10', 'D11'],
    ]);
  });

  it('redraws for another layout and member count as soon as they change', async () => {
    const test = startHost();
    const wrapper = mountWizard(test);
    await until(() => wrapper.find('[data-testid="layout-picture"]').exists(), 'layout picture');
    await wrapper.get('[data-testid="wz-devices"]').setValue('3');
    await until(() => wrapper.findAll('[data-testid="layout-picture"] thead th').length === 4, 'three disk columns');
    await until(() => wrapper.find('[data-testid="wz-layout"] option').exists(), 'layouts from engine.info');
    await wrapper.get('[data-testid="wz-layout"]').setValue('0');
    await until(() => pictureRows(wrapper)[1]?.join(' ') === 'D2 P D3', 'left-asymmetric row 1');
    expect(pictureRows(wrapper).slice(0, 3)).toEqual([
      ['D0', 'D1', 'P'],
      ['D2', 'P', 'D3'],
      ['P', 'D4', 'D5'],
    ]);
  });

  it("shows md's own refusal for a chunk that is not a power of two, and will not create", async () => {
    const test = startHost();
    const wrapper = mountWizard(test);
    await until(() => wrapper.find('[data-testid="wz-plan"]').exists(), 'plan');
    await wrapper.get('[data-testid="wz-chunk"]').setValue('48');
    await until(() => wrapper.find('[data-testid="wz-refusal"]').exists(), 'refusal');
    expect(wrapper.get('[data-testid="wz-refusal"]').text()).toContain('power of two');
    expect(wrapper.find('[data-testid="wz-plan"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="wz-create"]').attributes('disabled')).toBeDefined();
  });

  it("plans the spare trick for a fresh RAID5 and no initial sync with assume-clean, with mdadm's sizes", async () => {
    const test = startHost();
    const wrapper = mountWizard(test);
    await until(() => wrapper.find('[data-testid="wz-plan"]').exists(), 'plan');
    expect(wrapper.get('[data-testid="wz-initial-sync"]').text()).toContain('spare trick');
    // 256 MiB members: mdadm's headroom stops at four 512K chunks, so a 4096-sector data offset leaves 3 x 254 MiB.
    expect(wrapper.get('[data-testid="wz-array-size"]').text()).toBe('762 MiB');
    expect(wrapper.get('[data-testid="wz-nominal"]').text()).toBe('1.25 GiB');
    await wrapper.get('[data-testid="wz-clean"]').setValue(true);
    await until(() => wrapper.get('[data-testid="wz-initial-sync"]').text().includes('assumed'), 'assume-clean plan');
  });

  it('creates the member images in the lab workspace, refusing a second array of the same name', async () => {
    const test = startHost();
    const wrapper = mountWizard(test);
    await until(() => wrapper.find('[data-testid="wz-plan"]').exists(), 'plan');
    await wrapper.get('[data-testid="wz-id"]').setValue('first');
    await wrapper.get('form').trigger('submit');
    await until(() => !wrapper.text().includes('Creating'), 'create reply');
    await flushPromises();
    for (let i = 0; i < 5; i++) expect(existsSync(path.join(test.workspace, 'first', `disk${i}.img`))).toBe(true);
    await wrapper.get('form').trigger('submit');
    const refusal = () => wrapper.find('[data-testid="wz-create-error"]');
    await until(() => refusal().exists() && refusal().text().includes('already exists'), 'duplicate refusal');
  });

  it('explains every choice in Chinese when the locale is zh-CN', async () => {
    const test = startHost();
    const wrapper = mountWizard(test, 'zh-CN');
    await until(() => wrapper.find('[data-testid="wz-plan"]').exists(), 'plan');
    expect(wrapper.text()).toContain('热备盘');
    expect(wrapper.text()).toContain('校验');
    expect(wrapper.text()).not.toContain('Member size');
  });
});
