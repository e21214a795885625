// @vitest-environment happy-dom
/**
 * The kernel-flow chain above the trace timeline, against the real engine: a recovery runs every step of
 * raid5d -> md_check_recovery -> md_do_sync -> sync_request -> handle_stripe, the counts are the engine's
 * exact ones (sync_request once per stripe of a member), and a step clicked is followed in the timeline.
 */
import { describe, expect, it } from 'vitest';
import TracePanel from '../../renderer/src/components/trace/TracePanel.vue';
import { useTraceStore } from '../../renderer/src/stores/trace';
import { until } from './host';
import { testHosts } from './lifecycle';
import { mountOnHost } from './mount.dom';

const CHAIN = ['raid5d', 'md_check_recovery', 'md_do_sync', 'sync_request', 'handle_stripe'];

describe('KernelFlow against the real engine', () => {
  const startHost = testHosts();

  it('counts every step of a recovery exactly, lights up the running ones, and follows a clicked one', async () => {
    const test = startHost();
    const { wrapper, pinia } = mountOnHost(test, TracePanel);
    const trace = useTraceStore(pinia);
    let totalSectors = 0;
    let finished = false;
    test.client.onEvent((event) => {
      if (event.type !== 'state') return;
      const sync = event.snapshot.syncCompleted;
      if (sync !== null) totalSectors = sync.totalSectors;
      finished ||= totalSectors > 0 && sync === null && event.snapshot.syncAction === 'idle';
    });
    // The spare trick starts a recovery at once; a ceiling keeps it running for a few updates.
    await test.client.call('array.create', {
      id: 'flow',
      choices: {
        level: 5, raidDevices: 3, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 32 * 1024 * 1024,
        bitmap: 'none', assumeClean: false, metadata: '1.2', name: 'flow',
      },
    });
    await test.client.call('array.speedLimits', { minKibPerSec: 8000, maxKibPerSec: 8000 });

    const count = (fn: string) => Number(wrapper.get(`[data-step="${fn}"] [data-testid="flow-count"]`).text().replace(/\D/g, ''));
    await until(() => CHAIN.every((fn) => count(fn) > 0), 'every step of the chain counted');
    const early = count('handle_stripe');
    await until(() => count('handle_stripe') > early, 'handle_stripe counted on as the recovery runs');
    expect(wrapper.get('[data-step="handle_stripe"]').classes()).toContain('ran');
    expect(wrapper.get('[data-step="handle_stripe"] [data-testid="flow-last"]').text()).not.toBe('not yet');
    expect(wrapper.get('[data-step="md_error"]').text()).toBe('md_error 0 member errors');

    await test.client.call('array.speedLimits', { minKibPerSec: 1000, maxKibPerSec: 200000 });
    await until(() => finished, 'the recovery finished', 30_000);
    await until(() => count('sync_request') === totalSectors / 8, 'sync_request counted once per stripe of a member');
    // Each stripe is handled to read what the rebuild needs, again to write the rebuilt block, and once more to finish.
    expect(count('handle_stripe')).toBeGreaterThanOrEqual(2 * count('sync_request'));
    const kept = trace.entries.filter((entry) => entry.fn === 'handle_stripe').length;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThan(count('handle_stripe'));

    await wrapper.get('[data-step="md_check_recovery"]').trigger('click');
    expect(wrapper.get('[data-step="md_check_recovery"]').attributes('aria-pressed')).toBe('true');
    const rows = wrapper.findAll('[data-testid="trace-table"] tbody tr');
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.attributes('data-fn') === 'md_check_recovery')).toBe(true);
    await wrapper.get('[data-step="md_check_recovery"]').trigger('click');
    expect(trace.filter.fn).toBe('');
  });
});
