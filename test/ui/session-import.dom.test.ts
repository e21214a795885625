// @vitest-environment happy-dom
/**
 * "Import scenario…" against a real engine host (browser lab: no dialogs, so the workspace name chooser):
 * the page's file picker gives the scenario's text, the chooser offers a name from the file's, and the new
 * session opens in the bar. A scenario that does not parse is refused in the bar's message area with the
 * path the parser names, and nothing is created; one whose expectation fails still opens, and says so.
 */
import { mount } from '@vue/test-utils';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { installClient } from '../../renderer/src/api';
import SessionBar from '../../renderer/src/components/session/SessionBar.vue';
import WelcomeState from '../../renderer/src/components/session/WelcomeState.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { parseScenario } from '../../core/scenario/schema';
import { parseJournalText } from '../../core/session/journal';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

const repoRoot = path.resolve(__dirname, '..', '..');
const scenarioText = (name: string) => readFileSync(path.join(repoRoot, 'test', 'scenarios', name), 'utf8');

function mountShell(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  const Shell = defineComponent(() => () => h('div', [h(SessionBar), h(WelcomeState)]));
  return mount(Shell, { global: { plugins: [createPinia(), createMdlabI18n(locale)] }, attachTo: document.body });
}

/** What the browser does when the user picks a file in the page's own file dialog. */
async function pickFile(wrapper: ReturnType<typeof mountShell>, button: string, name: string, text: string): Promise<void> {
  // Each Import button has its own picker beside it (the bar's first, then the welcome screen's).
  const input = wrapper.findAll<HTMLInputElement>('[data-testid="import-file"]')[button === 'session-import' ? 0 : 1];
  expect(input.attributes('accept')).toBe('.yaml,.yml');
  let opened = false;
  input.element.addEventListener('click', () => (opened = true), { once: true });
  await wrapper.get(`[data-testid="${button}"]`).trigger('click');
  expect(opened).toBe(true);
  Object.defineProperty(input.element, 'files', { value: [new File([text], name, { type: 'application/yaml' })], configurable: true });
  await input.trigger('change');
}

describe('Import scenario… (browser lab)', () => {
  const startHost = testHosts();

  it('runs a picked scenario into a workspace session named by the chooser, showing its steps as they run, and opens it', async () => {
    const test = startHost();
    const wrapper = mountShell(test);
    const announced: [number, number][] = [];
    test.client.onEvent((event) => {
      if (event.type === 'import') announced.push([event.step, event.steps]);
    });
    // What the bar showed while the engine ran the scenario (the engine's events arrive one by one, and render).
    const shown: string[] = [];
    const observer = new MutationObserver(() => {
      const progress = document.querySelector('[data-testid="import-progress"]');
      if (progress?.textContent && shown.at(-1) !== progress.textContent.trim()) shown.push(progress.textContent.trim());
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    await pickFile(wrapper, 'session-import', 'Fail and Rebuild.yaml', scenarioText('fail-and-rebuild.yaml'));

    await until(() => wrapper.find('[data-testid="chooser-id"]').exists(), 'the workspace name chooser');
    expect((wrapper.get('[data-testid="chooser-id"]').element as HTMLInputElement).value).toBe('fail-and-rebuild');
    await wrapper.get('[data-testid="chooser-ok"]').trigger('click');
    await until(() => wrapper.find('[data-testid="session-name"]').exists(), 'the imported session open', 60_000);
    observer.disconnect();

    // The created array is assembled as step 1, then every step after the scenario's create.
    const steps = parseScenario(scenarioText('fail-and-rebuild.yaml'), 'fail-and-rebuild.yaml').steps.length;
    expect(announced).toEqual(Array.from({ length: steps }, (_, i) => [i + 1, steps]));
    expect(shown[0]).toBe('Importing Fail and Rebuild.yaml…');
    expect(shown.some((text) => new RegExp(`^Importing Fail and Rebuild.yaml: step \\d+ of ${steps}, `).test(text))).toBe(true);
    expect(wrapper.find('[data-testid="import-progress"]').exists()).toBe(false);

    expect(wrapper.get('[data-testid="session-name"]').text()).toBe('fail-and-rebuild');
    const current = (await test.client.call('session.current', {})).session;
    expect(current).toMatchObject({ id: 'fail-and-rebuild', place: { workspace: 'fail-and-rebuild' } });
    const journal = parseJournalText(readFileSync(path.join(test.workspace, 'fail-and-rebuild', 'journal.jsonl'), 'utf8')).entries;
    expect(journal.filter((e) => e.type === 'step').map((e) => Object.keys((e as { step: object }).step)[0])).toContain('fail');
    expect(wrapper.find('[data-testid="session-bar-error"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="session-import-stopped"]').exists()).toBe(false);
    await test.client.call('session.close', {});
  });

  it('refuses a malformed scenario in the bar, naming the file and the path, and creates nothing', async () => {
    const test = startHost();
    const wrapper = mountShell(test);
    const broken = scenarioText('fail-and-rebuild.yaml').replace('  - fail: 2', '  - explode: 2');
    await pickFile(wrapper, 'welcome-import', 'broken.yml', broken);
    await until(() => wrapper.find('[data-testid="chooser-id"]').exists(), 'the workspace name chooser');
    await wrapper.get('[data-testid="chooser-ok"]').trigger('click');

    await until(() => wrapper.find('[data-testid="session-bar-error"]').exists(), 'the refusal');
    expect(wrapper.get('[data-testid="session-bar-error"]').text()).toBe('broken.yml: steps.6: Unrecognized key: "explode"');
    expect(wrapper.find('[data-testid="session-none"]').exists()).toBe(true);
    expect(readdirSync(test.workspace).filter((name) => !name.startsWith('.'))).toEqual([]);
  });

  it('opens a scenario whose expectation fails and says where it stopped (zh-CN)', async () => {
    const test = startHost();
    const wrapper = mountShell(test, 'zh-CN');
    const wrong = scenarioText('fail-and-rebuild.yaml').replace('expect: { mismatch_cnt: 0, last_sync_action: check }', 'expect: { mismatch_cnt: 8 }');
    await pickFile(wrapper, 'session-import', 'wrong.yaml', wrong);
    await until(() => wrapper.find('[data-testid="chooser-id"]').exists(), 'the workspace name chooser');
    await wrapper.get('[data-testid="chooser-id"]').setValue('wrong-one');
    await wrapper.get('[data-testid="chooser-ok"]').trigger('click');

    await until(() => wrapper.find('[data-testid="session-import-stopped"]').exists(), 'the stopped notice', 60_000);
    // The wrong expectation fails: every step before it ran.
    const ran = parseScenario(wrong).steps.findIndex((step) => 'expect' in step && JSON.stringify(step.expect).includes('"mismatch_cnt":8'));
    expect(ran).toBeGreaterThan(10);
    expect(wrapper.get('[data-testid="session-import-stopped"]').text()).toBe(`wrong.yaml 运行 ${ran} 步后停止：expect mismatch_cnt: mismatch_cnt is 0, expected 8 会话保存了已经运行的步骤。`);
    expect(wrapper.get('[data-testid="session-name"]').text()).toBe('fail-and-rebuild');
    expect(existsSync(path.join(test.workspace, 'wrong-one', 'manifest.json'))).toBe(true);
    // The next session change clears the notice with the rest of the old session's state.
    await wrapper.get('[data-testid="session-close"]').trigger('click');
    await until(() => wrapper.find('[data-testid="session-none"]').exists(), 'closed', 30_000);
    expect(wrapper.find('[data-testid="session-import-stopped"]').exists()).toBe(false);
  });
});
