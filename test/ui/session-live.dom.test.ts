// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { existsSync, readFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { installClient } from '../../renderer/src/api';
import SessionBar from '../../renderer/src/components/session/SessionBar.vue';
import SessionsPanel from '../../renderer/src/components/session/SessionsPanel.vue';
import CreateWizard from '../../renderer/src/components/wizard/CreateWizard.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { NOTES_DEBOUNCE_MS } from '../../renderer/src/stores/session';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

/** The session bar over the Sessions panel and the wizard, as the shell shows them, on one real host. */
function mountShell(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  const Shell = defineComponent(() => () => h('div', [h(SessionBar), h(SessionsPanel), h(CreateWizard)]));
  return mount(Shell, { global: { plugins: [createPinia(), createMdlabI18n(locale)] }, attachTo: document.body });
}

async function createSession(wrapper: ReturnType<typeof mountShell>, id: string): Promise<void> {
  await until(() => wrapper.find('[data-testid="wz-plan"]').exists(), 'the plan');
  await wrapper.get('[data-testid="wz-size"]').setValue('16');
  await wrapper.get('[data-testid="wz-spares"]').setValue('0');
  await wrapper.get('[data-testid="wz-clean"]').setValue(true);
  await wrapper.get('[data-testid="wz-id"]').setValue(id);
  await until(() => wrapper.get('[data-testid="wz-nominal"]').text() === '64.0 MiB', 'the plan for 4 x 16 MiB');
  await wrapper.get('form').trigger('submit');
  await until(() => wrapper.find('[data-testid="session-name"]').exists(), 'the new session in the bar', 30_000);
}

async function closeSession(wrapper: ReturnType<typeof mountShell>): Promise<void> {
  await wrapper.get('[data-testid="session-close"]').trigger('click');
  await until(() => wrapper.find('[data-testid="session-none"]').exists(), 'the session closed', 30_000);
}

describe('the live session: wizard, bar, notes, Save As, Close, Open (browser lab: workspace names, no dialogs)', () => {
  const startHost = testHosts();

  it('creates the array as a session in the workspace, autosaves notes after typing stops, and keeps them through Save As, Close and Open', async () => {
    const test = startHost();
    const wrapper = mountShell(test);
    await createSession(wrapper, 'exp-a');
    expect(wrapper.get('[data-testid="session-name"]').text()).toBe('exp-a');
    expect(existsSync(path.join(test.workspace, 'exp-a', 'manifest.json'))).toBe(true);
    expect(wrapper.get('[data-testid="session-saved"]').attributes('data-autosaved')).toBe('true');

    // Notes: nothing is sent while typing; one save once typing stops.
    const notes = wrapper.get('[data-testid="session-notes"]');
    await notes.setValue('disk1 will fail');
    expect(wrapper.get('[data-testid="notes-state"]').attributes('data-state')).toBe('editing');
    await new Promise((resolve) => setTimeout(resolve, NOTES_DEBOUNCE_MS / 3));
    expect((await test.client.call('session.getNotes', {})).text).toBe('');
    await until(() => wrapper.get('[data-testid="notes-state"]').attributes('data-state') === 'saved', 'the notes saved');
    expect((await test.client.call('session.getNotes', {})).text).toBe('disk1 will fail');
    expect(readFileSync(path.join(test.workspace, 'exp-a', 'notes.md'), 'utf8')).toBe('disk1 will fail');

    // Save As: the browser lab asks for a workspace name instead of a folder dialog; a taken name is refused here.
    await wrapper.get('[data-testid="session-save-as"]').trigger('click');
    await until(() => wrapper.find('[data-testid="place-chooser"]').exists(), 'the chooser');
    await until(() => wrapper.find('[data-testid="chooser-id"]').exists(), 'the name field');
    await wrapper.get('[data-testid="chooser-id"]').setValue('exp-a');
    await until(() => wrapper.get('[data-testid="chooser-ok"]').attributes('disabled') !== undefined, 'the taken name refused');
    await wrapper.get('[data-testid="chooser-id"]').setValue('exp-b');
    await wrapper.get('[data-testid="chooser-ok"]').trigger('click');
    await until(() => wrapper.get('[data-testid="current-session"]').text().includes(path.join(test.workspace, 'exp-b')), 'the copy open', 30_000);
    expect(readFileSync(path.join(test.workspace, 'exp-b', 'notes.md'), 'utf8')).toBe('disk1 will fail');

    await closeSession(wrapper);
    expect((await test.client.call('session.current', {})).session).toBeNull();

    // Open: the workspace's sessions by name; Escape cancels like a dialog.
    await wrapper.get('[data-testid="session-open"]').trigger('click');
    await until(() => wrapper.find('[data-testid="choose-exp-a"]').exists(), 'the workspace sessions');
    expect(wrapper.find('[data-testid="choose-exp-b"]').exists()).toBe(true);
    await wrapper.get('[data-testid="place-chooser"]').trigger('keydown', { key: 'Escape' });
    await flushPromises();
    expect(wrapper.find('[data-testid="place-chooser"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="session-none"]').exists()).toBe(true);
    await wrapper.get('[data-testid="session-open"]').trigger('click');
    await until(() => wrapper.find('[data-testid="choose-exp-b"]').exists(), 'the workspace sessions');
    await wrapper.get('[data-testid="choose-exp-b"]').trigger('click');
    await until(() => wrapper.find('[data-testid="session-name"]').exists(), 'the session reopened', 30_000);
    await until(() => (wrapper.get('[data-testid="session-notes"]').element as HTMLTextAreaElement).value === 'disk1 will fail', 'the notes back');
    wrapper.unmount();
  }, 90_000);

  it("shows md's refusal when the wizard's name is already a session in the workspace, and opens nothing", async () => {
    const test = startHost();
    const wrapper = mountShell(test);
    await createSession(wrapper, 'twice');
    await closeSession(wrapper);
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('[data-testid="wz-create-error"]').exists(), 'the refusal', 30_000);
    expect(wrapper.get('[data-testid="wz-create-error"]').text()).toMatch(/already exists/);
    expect(wrapper.find('[data-testid="session-none"]').exists()).toBe(true);
    wrapper.unmount();
  }, 60_000);

  it("keeps the host's one-sentence refusal of a damaged session in the bar, through the bar's own refreshes", async () => {
    const test = startHost();
    const wrapper = mountShell(test);
    await createSession(wrapper, 'damaged');
    await closeSession(wrapper);
    truncateSync(path.join(test.workspace, 'damaged', 'disk2.img'), 4 * 1024 * 1024);
    await wrapper.get('[data-testid="session-open"]').trigger('click');
    await until(() => wrapper.find('[data-testid="choose-damaged"]').exists(), 'the workspace sessions');
    await wrapper.get('[data-testid="choose-damaged"]').trigger('click');
    await until(() => wrapper.find('[data-testid="session-bar-error"]').exists(), 'the refusal', 30_000);
    const refusal = wrapper.get('[data-testid="session-bar-error"]').text();
    expect(refusal).toMatch(/disk2\.img/);
    // The bar asks the host again every 2 s; that must not wipe a refusal the user has not read.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(wrapper.get('[data-testid="session-bar-error"]').text()).toBe(refusal);
    expect(wrapper.find('[data-testid="session-none"]').exists()).toBe(true);
    wrapper.unmount();
  }, 60_000);
});
