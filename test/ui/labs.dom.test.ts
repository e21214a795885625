// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { GuidedLabStateSchema, LabInfoSchema, LabRunResultSchema } from '../../core/api';
import { installClient } from '../../renderer/src/api';
import LabSteps from '../../renderer/src/components/labs/LabSteps.vue';
import LabsPanel from '../../renderer/src/components/labs/LabsPanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

function mountPanel(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  return mount(LabsPanel, { global: { plugins: [createPinia(), createMdlabI18n(locale)] } });
}

describe('LabsPanel against the real engine host', () => {
  const startHost = testHosts();

  it('lists every built-in lab the host offers and shows the first one with its steps, none judged yet', async () => {
    const test = startHost();
    const { labs } = await test.client.call('labs.list', {});
    const wrapper = mountPanel(test);
    await until(() => wrapper.find('[data-testid="lab-detail"]').exists(), 'the lab list');
    expect(labs.map((lab) => lab.name)).toEqual(expect.arrayContaining(['degraded-read', 'rebuild-spare', 'write-hole']));
    expect(wrapper.findAll('nav button').map((b) => b.attributes('data-testid'))).toEqual(labs.map((lab) => `lab-${lab.name}`));
    expect(wrapper.get('[data-testid="lab-title"]').text()).toBe(labs[0].title.en);
    const steps = wrapper.findAll('[data-testid="lab-steps"] > li');
    expect(steps.map((step) => step.attributes('data-testid'))).toEqual(labs[0].steps.map((step) => `lab-step-${step.id}`));
    expect(steps.every((step) => step.attributes('data-verdict') === 'pending')).toBe(true);
    expect(steps[0].text()).toContain(labs[0].steps[0].instruction.en);
  });

  it("runs the rebuild lab headless on the host and ticks every step as the grader judged it", async () => {
    const test = startHost();
    const wrapper = mountPanel(test);
    await until(() => wrapper.find('[data-testid="lab-rebuild-spare"]').exists(), 'the lab list');
    await wrapper.get('[data-testid="lab-rebuild-spare"]').trigger('click');
    expect(wrapper.get('[data-testid="lab-title"]').text()).toBe('Rebuild onto a spare');
    await wrapper.get('[data-testid="lab-run"]').trigger('click');
    await until(() => wrapper.find('[data-testid="lab-result"]').exists(), 'the headless run', 60_000);
    expect(wrapper.get('[data-testid="lab-result"]').attributes('data-ok')).toBe('true');
    const verdicts = wrapper.findAll('[data-testid="lab-steps"] > li').map((step) => step.attributes('data-verdict'));
    expect(verdicts.length).toBeGreaterThan(2);
    expect(verdicts.every((verdict) => verdict === 'pass')).toBe(true);
    expect(wrapper.get('[data-testid="lab-rebuild-spare"] [data-testid="lab-outcome"]').text()).toBe('✓');
  });

  it('reads the labs in Chinese when the UI is in Chinese', async () => {
    const test = startHost();
    const { labs } = await test.client.call('labs.list', {});
    const wrapper = mountPanel(test, 'zh-CN');
    await until(() => wrapper.find('[data-testid="lab-detail"]').exists(), 'the lab list');
    expect(wrapper.get('[data-testid="lab-title"]').text()).toBe(labs[0].title.zh);
    expect(wrapper.get('[data-testid="lab-summary"]').text()).toBe(labs[0].summary.zh);
    expect(wrapper.get('[data-testid="lab-run"]').text()).toBe('运行无界面检查');
  });
});

describe('LabSteps', () => {
  // A failed grading as labs.run reports one (checked against the contract so the fixture cannot drift).
  const lab = LabInfoSchema.parse({
    name: 'rebuild-spare',
    title: { en: 'Rebuild onto a spare', zh: '重建到备用盘' },
    summary: { en: 'Fail a member and watch the spare rebuild.', zh: '让成员失效，观察备用盘重建。' },
    steps: [
      { id: 'create', instruction: { en: 'Create the array.', zh: '创建阵列。' }, actions: [{ create: null }], checks: [{ expect: { degraded: 0 } }] },
      { id: 'fail-member', instruction: { en: 'Fail member 1.', zh: '让成员 1 失效。' }, actions: [{ fail: 1 }], checks: [{ expect: { degraded: 1 } }] },
      { id: 'wait-recovery', instruction: { en: 'Wait for the rebuild.', zh: '等待重建。' }, actions: [{ wait: 'idle' }], checks: [{ expect: { degraded: 0 } }] },
    ],
  });
  const result = LabRunResultSchema.parse({
    lab: 'rebuild-spare',
    ok: false,
    steps: [
      { id: 'create', verdict: 'pass', detail: '' },
      { id: 'fail-member', verdict: 'fail', detail: 'expected degraded 1, md reports 0' },
      { id: 'wait-recovery', verdict: 'not-reached', detail: '' },
    ],
  });

  it("marks each step with the grader's verdict and shows why the failed one failed", () => {
    const wrapper = mount(LabSteps, { props: { lab, result }, global: { plugins: [createMdlabI18n('en')] } });
    const steps = wrapper.findAll('li');
    expect(steps.map((step) => step.attributes('data-verdict'))).toEqual(['pass', 'fail', 'not-reached']);
    expect(steps.map((step) => step.get('.mark').text())).toEqual(['✓', '✗', '·']);
    expect(steps[1].get('[data-testid="lab-step-detail"]').text()).toBe('expected degraded 1, md reports 0');
    // What the step does and checks, spelled as a `mdlab run` scenario says it.
    expect(steps[1].text()).toContain('does: fail 1');
    expect(steps[1].text()).toContain('checks: expect {degraded: 1}');
    expect(steps[0].text()).toContain('does: create');
  });

  it('shows the Chinese instruction and verdict names in Chinese', () => {
    const wrapper = mount(LabSteps, { props: { lab, result }, global: { plugins: [createMdlabI18n('zh-CN')] } });
    expect(wrapper.findAll('li')[1].text()).toContain('让成员 1 失效。');
    expect(wrapper.findAll('li')[1].get('.mark').attributes('aria-label')).toBe('失败');
  });

  // As labs.state reports it, checked against the contract so the fixture cannot drift.
  const live = GuidedLabStateSchema.parse({
    name: 'rebuild-spare',
    current: 1,
    finished: false,
    steps: [
      { id: 'create', verdict: 'pass', detail: '' },
      { id: 'fail-member', verdict: 'current', detail: 'expect degraded: degraded is 0, expected 1' },
      { id: 'wait-recovery', verdict: 'pending', detail: '' },
    ],
  });

  it('ticks the steps done, marks the current one with why it does not hold yet, and leaves the rest open', () => {
    const wrapper = mount(LabSteps, { props: { lab, result: null, live }, global: { plugins: [createMdlabI18n('en')] } });
    const steps = wrapper.findAll('li');
    expect(steps.map((step) => step.attributes('data-verdict'))).toEqual(['pass', 'current', 'pending']);
    expect(steps.map((step) => step.get('.mark').text())).toEqual(['✓', '▶', '○']);
    expect(steps[1].get('[data-testid="lab-step-detail"]').text()).toBe('not yet: expect degraded: degraded is 0, expected 1');
    expect(steps[1].get('[data-testid="lab-step-detail"]').classes()).not.toContain('refusal');
    expect(steps[1].get('.mark').attributes('aria-label')).toBe('current step');
  });
});
