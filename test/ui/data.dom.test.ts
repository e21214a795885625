// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import { installClient } from '../../renderer/src/api';
import DataPanel from '../../renderer/src/components/data/DataPanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { useArrayStore } from '../../renderer/src/stores/array';
import { until } from './host';
import { testHosts } from './lifecycle';

describe('DataPanel against the real engine', () => {
  const startHost = testHosts();

  it('writes and verifies the lba pattern, then shows an offset through md next to the data member and parity behind it', async () => {
    const test = startHost();
    installClient(test.client);
    const pinia = createPinia();
    const opened = await test.client.call('array.create', {
      id: 'data',
      choices: {
        level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 32 * 1024 * 1024,
        bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'data',
      },
    });
    const wrapper = mount(DataPanel, { global: { plugins: [pinia, createMdlabI18n('en')] } });
    useArrayStore(pinia).adopt(opened.id, opened.snapshot);
    await until(() => wrapper.find('[data-testid="pattern-write"]').exists(), 'the data panel');

    await wrapper.get('[data-testid="pattern-extent"]').setValue(String(16 * 1024 * 1024));
    await wrapper.get('[data-testid="pattern-write"]').trigger('click');
    await until(() => wrapper.find('[data-testid="pattern-result"][data-op="write"]').exists(), 'pattern written');
    expect(wrapper.get('[data-testid="pattern-result"]').text()).toMatch(/^Wrote 16\.0 MiB in \d+ ms\.$/);
    await wrapper.get('[data-testid="pattern-verify"]').trigger('click');
    await until(() => wrapper.find('[data-testid="pattern-result"][data-op="verify"]').exists(), 'pattern verified');
    expect(wrapper.get('[data-testid="pattern-result"]').attributes('data-bad')).toBe('0');

    // Sector 300: chunk 2 of row 0 on disk2 for left-symmetric over 4 disks; parity on disk3.
    await wrapper.get('[data-testid="hex-offset"]').setValue(String(300 * 512));
    await wrapper.get('form.lab-row').trigger('submit');
    await until(() => wrapper.find('[data-testid="hex-map"]').exists(), 'hex view');
    expect(wrapper.get('[data-testid="hex-map"]').text()).toMatch(/^Array sector 300 lives in disk2\.img at image sector \d+; its parity row is on disk3\.img\.$/);
    const ascii = (testId: string) => wrapper.get(`[data-testid="${testId}"]`).text().split('\n').map((line) => line.slice(61)).join('');
    expect(ascii('hex-array')).toContain('mdlab1:s=000000000300:mdlab');
    expect(ascii('hex-data')).toBe(ascii('hex-array'));
    // Parity is the XOR of sectors 44, 172 and 300 of the row: shared bytes survive, the digits mix.
    expect(ascii('hex-parity')).toContain('mdlab1:s=000000000');
    expect(ascii('hex-parity')).not.toContain('000000000300');
  });
});
