// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { installClient } from '../../renderer/src/api';
import ArrayPanel from '../../renderer/src/components/array/ArrayPanel.vue';
import { useNavigation } from '../../renderer/src/composables/navigation';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { until } from './host';
import { testHosts } from './lifecycle';

const MiB = 1024 * 1024;
const choices = {
  level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * MiB,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'welcome',
} as const;

describe('the array view with no array open: the welcome screen', () => {
  const startHost = testHosts();

  it('sends the user on to the wizard and the guided labs', async () => {
    const test = startHost();
    installClient(test.client);
    const wrapper = mount(ArrayPanel, { global: { plugins: [createPinia(), createMdlabI18n('en')] } });
    const { activeId } = useNavigation();
    await wrapper.get('[data-testid="welcome-new"]').trigger('click');
    expect(activeId.value).toBe('create');
    await wrapper.get('[data-testid="welcome-labs"]').trigger('click');
    expect(activeId.value).toBe('labs');
    await until(() => wrapper.find('[data-testid="recent-empty"]').exists(), 'the empty recent list');
  });

  it('reopens a recent session live from its Open button, and the array view then draws its members', async () => {
    const test = startHost();
    installClient(test.client);
    const made = await test.client.call('session.new', { place: { workspace: 'kept' }, name: 'kept', choices });
    await test.client.call('session.close', {});
    const wrapper = mount(ArrayPanel, { global: { plugins: [createPinia(), createMdlabI18n('zh-CN')] } });
    await until(() => wrapper.find('[data-testid="recent-open-kept"]').exists(), 'the recent list');
    expect(wrapper.get('[data-testid="welcome"]').text()).toContain('最近的会话');
    await wrapper.get('[data-testid="recent-open-kept"]').trigger('click');
    await until(() => wrapper.find('[data-testid="member-disks"]').exists(), 'the reopened array', 30_000);
    expect(wrapper.findAll('[data-testid="member-disks"] > li')).toHaveLength(3);
    expect((await test.client.call('session.current', {})).session?.folder).toBe(made.session.folder);
  });
});
