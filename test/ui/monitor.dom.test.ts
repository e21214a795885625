// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import MonitorPanel from '../../renderer/src/components/monitor/MonitorPanel.vue';
import { useArrayStore } from '../../renderer/src/stores/array';
import { until } from './host';
import { testHosts } from './lifecycle';
import { mountOnHost } from './mount.dom';

describe('MonitorPanel against the real engine', () => {
  const startHost = testHosts();

  it('pauses a recovery with frozen, resumes it with idle, and applies speed limits md then reports', async () => {
    const test = startHost();
    const { wrapper, pinia } = mountOnHost(test, MonitorPanel);
    const store = useArrayStore(pinia);
    // The spare trick starts a recovery at once; a low ceiling keeps it running while the test watches.
    const opened = await test.client.call('array.create', {
      id: 'mon',
      choices: {
        level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 64 * 1024 * 1024,
        bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'mon',
      },
    });
    store.adopt(opened.id, opened.snapshot);
    await test.client.call('array.speedLimits', { minKibPerSec: 2000, maxKibPerSec: 2000 });
    const state = () => wrapper.find('[data-testid="sync-progress"]').attributes('data-state');
    await until(() => state() === 'running', 'a running recovery');

    await wrapper.get('[data-testid="limit-min"]').setValue('3000');
    await wrapper.get('[data-testid="limit-max"]').setValue('4000');
    await wrapper.get('form.limits').trigger('submit');
    await until(() => store.snapshot?.speedLimitMaxKibPerSec === 4000, 'the new limits reported by md');
    expect(store.snapshot?.speedLimitMinKibPerSec).toBe(3000);

    await wrapper.get('[data-testid="sync-frozen"]').trigger('click');
    await until(() => store.snapshot?.syncAction === 'frozen', 'sync_action frozen');
    // Frozen: once md_do_sync has stopped (sync_completed reads none), the rebuilding member's checkpoint stays put.
    await until(() => store.snapshot?.syncCompleted === null, 'md_do_sync interrupted', 20_000);
    const position = () => store.snapshot?.members.find((m) => m.image === 'disk2.img')?.recoveryStart;
    const pausedAt = position();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(position()).toBe(pausedAt);
    expect(wrapper.get('[data-testid="sync-action"]').text()).toBe('frozen (paused)');

    await wrapper.get('[data-testid="sync-idle"]').trigger('click');
    await until(() => state() === 'running' && store.snapshot?.syncAction === 'recover', 'recovery resumed');
    await test.client.call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 200000 });
    await until(() => state() === 'finished', 'recovery finished', 30_000);
    expect(wrapper.get('[data-testid="sync-percent"]').text()).toBe('100.0%');
    expect(Number(wrapper.get('[data-testid="monitor-panel"]').attributes('data-renders'))).toBeGreaterThan(0);
  });
});
