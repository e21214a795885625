// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { afterEach, describe, expect, it, vi } from 'vitest';
import packageJson from '../../package.json';
import { createClient } from '../../core/api';
import type { HostConnection } from '../../core/host/connection';
import { startWorkerHost } from '../../core/host/worker';
import { installClient } from '../../renderer/src/api';
import EngineInfoPanel from '../../renderer/src/components/EngineInfoPanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';

/** Mount the panel against a real engine host in a worker, wired like the renderer wires it. */
function mountPanel(host: HostConnection) {
  installClient(createClient(host.transport()));
  return mount(EngineInfoPanel, { global: { plugins: [createPinia(), createMdlabI18n('en')] } });
}

/** Engine host start-up (a worker compiling TypeScript) is slow on a loaded machine: wait by time, not by tries. */
async function until(condition: () => boolean): Promise<void> {
  await vi.waitFor(
    async () => {
      await flushPromises();
      if (!condition()) throw new Error('not yet');
    },
    { timeout: 30_000, interval: 20 },
  );
}

describe('EngineInfoPanel', () => {
  let host: HostConnection | undefined;
  afterEach(async () => {
    await host?.close();
  });

  it('shows what the engine host reports about itself and the nonce of an answered ping', async () => {
    host = startWorkerHost();
    const wrapper = mountPanel(host);
    await until(() => wrapper.find('[data-testid="engine-version"]').exists());
    expect(wrapper.get('[data-testid="engine-version"]').text()).toBe(`mdlab ${packageJson.version}`);
    expect(wrapper.get('[data-testid="engine-host"]').text()).toMatch(/^worker, pid \d+, thread [1-9]\d*, Node /);
    expect(wrapper.text()).toContain('left-symmetric');

    await wrapper.get('[data-testid="ping-button"]').trigger('click');
    await until(() => wrapper.find('[data-testid="ping-result"]').exists());
    expect(wrapper.get('[data-testid="ping-result"]').text()).toMatch(/^Answered ping [0-9a-f]{12} in [\d.]+ ms$/);
  });

  it('replaces the info with the reason when the engine host stops, and offers to ask again', async () => {
    host = startWorkerHost();
    const wrapper = mountPanel(host);
    await until(() => wrapper.find('[data-testid="engine-info"]').exists());
    await host.close();
    await until(() => wrapper.find('[data-testid="engine-error"]').exists());
    expect(wrapper.find('[data-testid="engine-info"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="engine-error"]').text()).toContain('HOST_DOWN');

    await wrapper.get('[data-testid="retry-button"]').trigger('click');
    await flushPromises();
    expect(wrapper.get('[data-testid="engine-error"]').text()).toContain('HOST_DOWN');
  });
});
