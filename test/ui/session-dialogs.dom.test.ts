// @vitest-environment happy-dom
/**
 * The native folder dialogs speak the UI's language: the renderer is wired as in Electron (its client goes
 * through main's relay, electron/main/relay.ts, to a real engine host), and the relay's dialog is scripted
 * to record what it was asked to show. Main has no catalogue; the words come from the renderer's.
 */
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { createClient, type DialogWords, type FolderPurpose } from '../../core/api';
import { FolderGrants, relayRequest } from '../../electron/main/relay';
import { installClient } from '../../renderer/src/api';
import SessionBar from '../../renderer/src/components/session/SessionBar.vue';
import { createMdlabI18n, type Locale } from '../../renderer/src/i18n';
import { usePreferencesStore } from '../../renderer/src/stores/preferences';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

interface Shown {
  purpose: FolderPurpose;
  words: DialogWords | undefined;
}

/** The renderer as Electron wires it; every dialog is cancelled after being recorded. */
function mountAsInElectron(test: TestHost, locale: Locale, shown: Shown[]) {
  const deps = {
    request: (name: Parameters<typeof test.host.request>[0], params: unknown) => test.host.request(name, params),
    chooseFolder: async (purpose: FolderPurpose, _suggested: string | undefined, words: DialogWords | undefined) => {
      shown.push({ purpose, words });
      return null;
    },
    grants: new FolderGrants(),
  };
  installClient(createClient({ invoke: (name, params) => relayRequest(name, params, deps), subscribe: (listener) => test.client.onEvent(listener) }));
  const pinia = createPinia();
  usePreferencesStore(pinia).locale = locale;
  return mount(SessionBar, { global: { plugins: [pinia, createMdlabI18n(locale)] } });
}

describe('native folder dialogs', () => {
  const startHost = testHosts();

  it.each([
    ['zh-CN', { title: '打开 mdlab 会话文件夹', button: '打开' }],
    ['en', { title: 'Open an mdlab session folder', button: 'Open' }],
  ] as const)('Open… in %s asks main for a dialog in that language; cancelling it opens nothing', async (locale, words) => {
    const test = startHost();
    const shown: Shown[] = [];
    const wrapper = mountAsInElectron(test, locale, shown);
    await wrapper.get('[data-testid="session-open"]').trigger('click');
    await until(() => shown.length === 1, 'the dialog shown');
    expect(shown[0]).toEqual({ purpose: 'open', words });
    await until(() => !wrapper.get('[data-testid="session-open"]').attributes('disabled'), 'the bar idle again');
    expect(wrapper.find('[data-testid="session-bar-error"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="session-none"]').exists()).toBe(true);
    expect((await test.client.call('session.current', {})).session).toBeNull();
  });
});
