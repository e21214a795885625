// @vitest-environment happy-dom
/**
 * A power cut that leaves the array dirty and degraded, against the real engine: md will not start it again,
 * the session bar says so in mdadm's words and offers --force, and --force starts it (marked clean, still
 * degraded, the rebuild resuming).
 */
import { describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import type { CreateChoices } from '../../core/api';
import PowerCutCard from '../../renderer/src/components/failure/PowerCutCard.vue';
import SessionBar from '../../renderer/src/components/session/SessionBar.vue';
import { useArrayStore } from '../../renderer/src/stores/array';
import { useSessionStore } from '../../renderer/src/stores/session';
import { until } from './host';
import { testHosts } from './lifecycle';
import { mountOnHost } from './mount.dom';

const CHOICES: CreateChoices = {
  level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 32 * 1024 * 1024,
  bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'cut',
};

describe('a power cut md will not recover from without --force', () => {
  const startHost = testHosts();

  it.each(['now', 'scheduled'] as const)('cut %s: is explained in the session bar, and --force starts the array again', async (when) => {
    const test = startHost();
    const Shell = defineComponent(() => () => h('div', [h(SessionBar), h(PowerCutCard, { images: ['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img'] })]));
    const { wrapper, pinia } = mountOnHost(test, Shell, { attach: true });
    const session = useSessionStore(pinia);
    expect(await session.create('cut', CHOICES)).toBe(true);
    // The spare trick's rebuild runs slowly while the pattern is written: the array is dirty and degraded.
    await test.client.call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 2000 });
    if (when === 'now') {
      await test.client.call('array.pattern', { op: 'write', lengthBytes: 2 * 1024 * 1024 });
      expect(wrapper.get('[data-testid="power-cut-submit"]').text()).toBe('Cut the power now');
      await wrapper.get('[data-testid="power-cut"]').trigger('submit');
    } else {
      // No request waits for a scheduled cut's reboot: the bar learns of it from the engine's event.
      await test.client.call('array.powerCut', { survival: 0, when: { kind: 'nth-write', n: 2 }, member: 0 });
      await expect(test.client.call('array.pattern', { op: 'write', lengthBytes: 16 * 1024 * 1024 })).rejects.toThrow(/power/i);
    }
    await until(() => wrapper.find('[data-testid="session-force-offer"]').exists(), 'the offer of --force');
    expect(wrapper.get('[data-testid="session-bar-error"]').text()).toBe('md0 assembled from 3 drives - not enough to start the array while not clean - consider --force.');
    expect(wrapper.get('[data-testid="session-force-offer"]').text()).toContain('mdadm --assemble --force marks it clean');
    expect(wrapper.find('[data-testid="session-none"]').exists()).toBe(true);

    await wrapper.get('[data-testid="session-force"]').trigger('click');
    await until(() => wrapper.find('[data-testid="session-name"]').exists(), 'the session open again');
    expect(wrapper.find('[data-testid="session-force-offer"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="session-bar-error"]').exists()).toBe(false);
    expect(useArrayStore(pinia).snapshot).toMatchObject({ degraded: 1, syncAction: 'recover' });
    await test.client.call('session.close', {});
    wrapper.unmount();
  });
});
