// @vitest-environment happy-dom
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { installClient } from '../../renderer/src/api';
import LabsPanel from '../../renderer/src/components/labs/LabsPanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

function mountPanel(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  return mount(LabsPanel, { global: { plugins: [createPinia(), createMdlabI18n(locale)] } });
}

type Wrapper = ReturnType<typeof mountPanel>;
const verdicts = (wrapper: Wrapper) => wrapper.findAll('[data-testid="lab-steps"] > li').map((step) => step.attributes('data-verdict'));

describe('a guided lab run live from the Guided labs panel, against the real engine host', () => {
  const startHost = testHosts();

  it('starts degraded-read as a session, ticks the write the student makes elsewhere, shows the rest on request and finishes', async () => {
    const test = startHost();
    const wrapper = mountPanel(test);
    await until(() => wrapper.find('[data-testid="lab-degraded-read"]').exists(), 'the lab list');
    await wrapper.get('[data-testid="lab-degraded-read"]').trigger('click');
    expect(wrapper.get('[data-testid="guided-lab"]').attributes('data-state')).toBe('idle');
    await wrapper.get('[data-testid="lab-start"]').trigger('click');

    // A session of its own in the workspace (the browser lab's place), created with the lab's array: create is ticked.
    await until(() => wrapper.find('[data-testid="guided-current"]').exists(), 'the lab to start', 30_000);
    expect(existsSync(path.join(test.workspace, 'degraded-read', 'manifest.json'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(test.workspace, 'degraded-read', 'lab.json'), 'utf8'))).toEqual({ lab: 'degraded-read', current: 1, acted: false });
    expect(verdicts(wrapper)).toEqual(['pass', 'current', 'pending', 'pending']);
    expect(wrapper.get('[data-testid="guided-current"]').attributes('data-step')).toBe('write');
    expect(wrapper.get('[data-testid="guided-current"]').text()).toContain('Step 2 of 4');
    expect(wrapper.get('[data-testid="lab-step-write"] [data-testid="lab-step-detail"]').text()).toMatch(/^not yet: .*lba pattern/);

    // The student writes the pattern in the Data panel: the panel sees the tick on its own.
    await test.client.call('array.pattern', { op: 'write', lengthBytes: 4 * 1024 * 1024 });
    await until(() => verdicts(wrapper)[1] === 'pass', 'the write to be ticked', 10_000);
    expect(wrapper.get('[data-testid="guided-current"]').attributes('data-step')).toBe('fail-member');

    // Show me: the fail is done for them, and the degraded read's checks hold at once.
    await wrapper.get('[data-testid="lab-show-me"]').trigger('click');
    await until(() => wrapper.find('[data-testid="guided-finished"]').exists(), 'the lab to finish', 30_000);
    expect(verdicts(wrapper)).toEqual(['pass', 'pass', 'pass', 'pass']);
    expect(wrapper.get('[data-testid="guided-lab"]').attributes('data-state')).toBe('finished');
    expect(wrapper.get('[data-testid="lab-degraded-read"] [data-testid="lab-live"]').text()).toBe('✓');
    const { snapshot } = await test.client.call('array.snapshot', {});
    expect(snapshot?.members.find((m) => m.image === 'disk2.img')?.state).toContain('faulty');
  });

  it('starting the same lab again makes a second session beside the first, and speaks Chinese in Chinese', async () => {
    const test = startHost();
    const wrapper = mountPanel(test, 'zh-CN');
    await until(() => wrapper.find('[data-testid="lab-start"]').exists(), 'the lab list');
    expect(wrapper.get('[data-testid="lab-start"]').text()).toBe('开始这个实验');
    await wrapper.get('[data-testid="lab-start"]').trigger('click');
    await until(() => wrapper.find('[data-testid="guided-current"]').exists(), 'the first start', 30_000);
    const first = wrapper.get('[data-testid="guided-lab"]').attributes('data-state');
    await wrapper.get('[data-testid="lab-start"]').trigger('click');
    await until(() => existsSync(path.join(test.workspace, 'degraded-read-2', 'lab.json')), 'the second session', 30_000);
    expect(first).toBe('running');
    expect(wrapper.get('[data-testid="guided-current"]').text()).toContain('第 2 步，共 4 步');
    expect(wrapper.get('[data-testid="lab-show-me"]').text()).toBe('演示给我看');
  });
});
