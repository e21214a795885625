// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPinia } from 'pinia';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SessionInfoSchema } from '../../core/api';
import { MdArrayDriver } from '../../core/session/md-driver';
import { Session } from '../../core/session/session';
import { installClient } from '../../renderer/src/api';
import ReplayStepper from '../../renderer/src/components/replay/ReplayStepper.vue';
import SessionSummary from '../../renderer/src/components/session/SessionSummary.vue';
import SessionsPanel from '../../renderer/src/components/session/SessionsPanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { useReplayStore } from '../../renderer/src/stores/replay';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

const MiB = 1024 * 1024;

/** A saved session made by core/session itself: write the pattern, fail member 1, a note, closed cleanly. */
async function recordSession(folder: string): Promise<void> {
  const session = await Session.create(folder, {
    name: 'failed-one',
    array: { level: 5, raidDevices: 4, spareDevices: 0, layout: 2, chunkKib: 64, memberBytes: 8 * MiB, bitmap: 'none', assumeClean: true },
    seed: 7,
    driver: new MdArrayDriver(),
  });
  await session.perform({ write: { pattern: 'lba', offset: 0, length: '1M' } });
  await session.perform({ fail: 1 });
  session.writeNotes('member 1 failed on purpose');
  await session.close();
}

describe('Sessions panel and replay against the real engine host', () => {
  const startHost = testHosts();
  let root: string;
  let folder: string;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'mdlab-ui-sessions-'));
    folder = path.join(root, 'failed-one');
    await recordSession(folder);
    // The worker host reads where Recent lives from the environment it starts with.
    process.env.MDLAB_RECENT_FILE = path.join(root, 'recent.json');
  });
  afterAll(() => {
    delete process.env.MDLAB_RECENT_FILE;
    rmSync(root, { recursive: true, force: true });
  });

  function mountPanel(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
    installClient(test.client);
    return mount(SessionsPanel, { global: { plugins: [createPinia(), createMdlabI18n(locale)] } });
  }

  it('lists a recently opened session, shows what its folder holds, and replays its journal forwards and back', async () => {
    const test = startHost();
    await test.client.call('session.inspect', { folder });
    const wrapper = mountPanel(test);
    await until(() => wrapper.find('[data-testid="recent-failed-one"]').exists(), 'the recent list');
    await wrapper.get('[data-testid="recent-failed-one"]').trigger('click');
    await until(() => wrapper.find('[data-testid="session-summary"]').exists(), 'the session summary');
    expect(wrapper.get('[data-testid="session-summary-name"]').text()).toBe('failed-one');
    expect(wrapper.get('[data-testid="session-summary-steps"]').text()).toBe('2');
    await wrapper.get('[data-testid="journal-show"]').trigger('click');
    await until(() => wrapper.find('[data-testid="journal-text"]').exists(), 'the journal');
    expect(wrapper.get('[data-testid="journal-text"]').text()).toMatch(/- write:[\s\S]*- fail: 1$/m);

    await wrapper.get('[data-testid="replay-open"]').trigger('click');
    const position = () => wrapper.find('[data-testid="replay-position"]');
    await until(() => position().exists() && wrapper.get('[data-testid="replay"]').attributes('data-busy') === 'false', 'replay at the start');
    expect(position().attributes('data-position')).toBe('0');
    expect(position().attributes('data-length')).toBe('2');
    expect(wrapper.get('[data-testid="replay-last"]').text()).toContain('assembled from the initial images');
    expect(wrapper.get('[data-testid="disk-disk1.img"]').attributes('data-status')).toBe('in_sync');

    const stepTo = async (expected: string) => {
      await until(() => position().attributes('data-position') === expected && wrapper.get('[data-testid="replay"]').attributes('data-busy') === 'false', `replay at ${expected}`, 30_000);
    };
    await wrapper.get('[data-testid="replay-end"]').trigger('click');
    await stepTo('2');
    expect(wrapper.get('[data-testid="replay-last"]').text()).toContain('fail 1');
    expect(wrapper.get('[data-testid="disk-disk1.img"]').attributes('data-status')).toBe('faulty');
    expect(wrapper.get('[data-testid="replay-mdstat"]').text()).toContain('[4/3]');
    expect(wrapper.find('[data-testid="replay-failure"]').exists()).toBe(false);

    // The keyboard steps too: left arrow goes back one step, replayed again from the initial images.
    await wrapper.get('[data-testid="replay"]').trigger('keydown', { key: 'ArrowLeft' });
    await stepTo('1');
    expect(wrapper.get('[data-testid="replay-last"]').text()).toMatch(/^Last step:\s*write /);
    expect(wrapper.get('[data-testid="disk-disk1.img"]').attributes('data-status')).toBe('in_sync');
    await wrapper.get('[data-testid="replay-forward"]').trigger('click');
    await stepTo('2');
    expect(wrapper.get('[data-testid="disk-disk1.img"]').attributes('data-status')).toBe('faulty');
  }, 60_000);

  it('exports the report as an HTML download and the journal as a scenario, downloaded or copied', async () => {
    const test = startHost();
    const wrapper = mountPanel(test);
    await test.client.call('session.inspect', { folder });
    await until(() => wrapper.find('[data-testid="recent-failed-one"]').exists(), 'the recent list');
    await wrapper.get('[data-testid="recent-failed-one"]').trigger('click');
    await until(() => wrapper.find('[data-testid="export-report"]').exists(), 'the session summary');

    const blobs: Blob[] = [];
    const created = vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
      blobs.push(blob as Blob);
      return 'blob:mdlab-test';
    });
    const names: string[] = [];
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      names.push(this.download);
    });
    try {
      await wrapper.get('[data-testid="export-report"]').trigger('click');
      await until(() => blobs.length === 1, 'the report download', 30_000);
      const html = await blobs[0].text();
      expect(names[0]).toBe('failed-one.html');
      expect(html).toMatch(/^<!doctype html>/i);
      expect(html).toContain('member 1 failed on purpose');
      expect(wrapper.get('[data-testid="export-done"]').text()).toBe('Report saved as a download.');

      await wrapper.get('[data-testid="export-scenario"]').trigger('click');
      await until(() => blobs.length === 2, 'the scenario download');
      const { yaml } = await test.client.call('session.exportScenario', { folder });
      expect(names[1]).toBe('failed-one.yaml');
      expect(await blobs[1].text()).toBe(yaml);
      expect(yaml).toContain('fail: 1');
    } finally {
      created.mockRestore();
      clicked.mockRestore();
    }
    await wrapper.get('[data-testid="copy-scenario"]').trigger('click');
    await until(() => wrapper.get('[data-testid="export-done"]').text() === 'Scenario copied to the clipboard.', 'the copy');
    expect(await navigator.clipboard.readText()).toContain('fail: 1');
  }, 60_000);

  it("shows the host's one-sentence refusal for a folder that is not a session, and no replay", async () => {
    const test = startHost();
    installClient(test.client);
    const pinia = createPinia();
    const wrapper = mount(ReplayStepper, { global: { plugins: [pinia, createMdlabI18n('en')] } });
    await useReplayStore(pinia).load({ folder: root, name: 'not a session', members: [] });
    await flushPromises();
    expect(wrapper.get('[data-testid="replay-error"]').text()).toMatch(/manifest/i);
    expect(wrapper.find('[data-testid="replay-position"]').exists()).toBe(false);
  });
});

describe('SessionSummary', () => {
  const info = SessionInfoSchema.parse({
    folder: '/home/student/labs/failed-one',
    name: 'failed-one',
    createdAt: '2026-11-23T12:00:00.000Z',
    arrayUuid: '3f0c1d2e:4b5a6978:8796a5b4:c3d2e1f0',
    members: ['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img'],
    steps: 2,
    messages: ['The journal\'s last line was torn by a crash and was dropped.'],
  });

  it('lists the folder, members and journal length, and says what the host noticed when opening', () => {
    const wrapper = mount(SessionSummary, { props: { info }, global: { plugins: [createMdlabI18n('zh-CN')] } });
    expect(wrapper.text()).toContain('disk0.img disk1.img disk2.img disk3.img');
    expect(wrapper.get('[data-testid="session-summary-steps"]').text()).toBe('2');
    expect(wrapper.get('[data-testid="session-message"]').text()).toContain('torn');
    expect(wrapper.text()).toContain('日志步骤');
  });
});
