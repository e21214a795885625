// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { createPinia, setActivePinia, type Pinia } from 'pinia';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Component } from 'vue';
import { installClient } from '../../renderer/src/api';
import MemberDisks from '../../renderer/src/components/array/MemberDisks.vue';
import EventLog from '../../renderer/src/components/log/EventLog.vue';
import SyncProgress from '../../renderer/src/components/monitor/SyncProgress.vue';
import TracePanel from '../../renderer/src/components/trace/TracePanel.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { useLogStore } from '../../renderer/src/stores/log';
import { useMonitorStore } from '../../renderer/src/stores/monitor';
import { useTraceStore } from '../../renderer/src/stores/trace';
import { startTestHost, type TestHost } from './host';
import { loadRecording } from './recorded';

const recording = loadRecording();
const { stages } = recording;

describe('panels rendering what the real engine reported (test/ui/fixtures/recorded.json)', () => {
  let test: TestHost;
  let pinia: Pinia;
  beforeAll(() => {
    // Stores talk to a real engine host; these tests feed them the recording instead of live events.
    test = startTestHost();
    installClient(test.client);
  });
  afterAll(async () => {
    await test.close();
  });
  beforeEach(() => {
    pinia = createPinia();
    setActivePinia(pinia);
  });

  function render(component: Component, props: Record<string, unknown> = {}, locale: 'en' | 'zh-CN' = 'en') {
    return mount(component, { props, global: { plugins: [pinia, createMdlabI18n(locale)] } });
  }

  function diskStatus(wrapper: ReturnType<typeof render>, image: string): string | undefined {
    return wrapper.get(`[data-testid="disk-${image}"]`).attributes('data-status');
  }

  it('draws the failed member faulty and the spare rebuilding into its slot at the position md reports', () => {
    const wrapper = render(MemberDisks, { snapshot: stages.rebuilding, images: recording.images });
    expect(diskStatus(wrapper, 'disk1.img')).toBe('faulty');
    expect(diskStatus(wrapper, 'disk4.img')).toBe('rebuilding');
    const member = stages.rebuilding.members.find((m) => m.image === 'disk4.img')!;
    const percent = ((member.recoveryStart! / (stages.rebuilding.componentSizeKib * 2)) * 100).toFixed(1);
    expect(wrapper.get('[data-testid="disk-disk4.img"] [data-testid="disk-recovery"]').text()).toBe(`${percent}%`);
    expect(wrapper.get('[data-testid="disk-disk4.img"]').text()).toContain('slot 1');
  });

  it('shows an idle spare as a spare without a recovery position, even though md reports recovery_start 0 for it', () => {
    const wrapper = render(MemberDisks, { snapshot: stages.clean, images: recording.images });
    expect(diskStatus(wrapper, 'disk4.img')).toBe('spare');
    expect(wrapper.find('[data-testid="disk-disk4.img"] [data-testid="disk-recovery"]').exists()).toBe(false);
  });

  it('keeps a removed member on screen as removed, from the workspace images md no longer lists', () => {
    const wrapper = render(MemberDisks, { snapshot: stages.removed, images: recording.images });
    expect(stages.removed.members.map((m) => m.image)).not.toContain('disk1.img');
    expect(diskStatus(wrapper, 'disk1.img')).toBe('removed');
    expect(diskStatus(wrapper, 'disk4.img')).toBe('in_sync');
  });

  it('says in Chinese what each disk is doing', () => {
    const wrapper = render(MemberDisks, { snapshot: stages.rebuilding, images: recording.images }, 'zh-CN');
    expect(wrapper.get('[data-testid="disk-disk1.img"]').text()).toContain('故障');
    expect(wrapper.get('[data-testid="disk-disk4.img"]').text()).toContain('重建中');
  });

  it("shows a running recovery's position, speed and percent exactly as md's sync_completed and sync_speed say", () => {
    const wrapper = render(SyncProgress, { snapshot: stages.rebuilding, run: null });
    const { doneSectors, totalSectors } = stages.rebuilding.syncCompleted!;
    expect(wrapper.get('[data-testid="sync-position"]').text()).toBe(`${doneSectors} / ${totalSectors}`);
    expect(wrapper.get('[data-testid="sync-percent"]').text()).toBe(`${((doneSectors / totalSectors) * 100).toFixed(1)}%`);
    expect(wrapper.get('[data-testid="sync-progress"]').attributes('data-state')).toBe('running');
    expect(wrapper.get('[data-testid="mismatch-cnt"]').text()).toBe(String(stages.rebuilding.mismatchCnt));
  });

  it("shows /proc/mdstat's finer position once a progress event for the same sync has come, never going back to an older one", () => {
    const { doneSectors, totalSectors } = stages.rebuilding.syncCompleted!;
    const ahead = { action: stages.rebuilding.syncAction, doneSectors: doneSectors + 4096, totalSectors };
    const wrapper = render(SyncProgress, { snapshot: stages.rebuilding, run: null, progress: ahead });
    expect(wrapper.get('[data-testid="sync-position"]').text()).toBe(`${doneSectors + 4096} / ${totalSectors}`);
    const stale = { ...ahead, doneSectors: doneSectors - 8 };
    const behind = render(SyncProgress, { snapshot: stages.rebuilding, run: null, progress: stale });
    expect(behind.get('[data-testid="sync-position"]').text()).toBe(`${doneSectors} / ${totalSectors}`);
    const other = render(SyncProgress, { snapshot: stages.rebuilding, run: null, progress: { ...ahead, action: 'check' } });
    expect(other.get('[data-testid="sync-position"]').text()).toBe(`${doneSectors} / ${totalSectors}`);
  });

  it('calls a recovery finished at 100% only once md reports the array no longer degraded', () => {
    const monitor = useMonitorStore();
    monitor.record(stages.rebuilding, 1000);
    expect(monitor.run?.state).toBe('running');
    monitor.record({ ...stages.rebuilding, syncCompleted: null, syncAction: 'idle' }, 1100);
    expect(monitor.run?.state).toBe('ended');
    monitor.record(stages.rebuilding, 1200);
    monitor.record(stages.rebuilt, 1300);
    expect(monitor.run?.state).toBe('finished');
    const wrapper = render(SyncProgress, { snapshot: stages.rebuilt, run: monitor.run });
    expect(wrapper.get('[data-testid="sync-percent"]').text()).toBe('100.0%');
    expect(wrapper.get('[data-testid="sync-action"]').text()).toBe('recovery finished');
  });

  it('derives per-member rates from the byte counters md reports, over half a second', () => {
    const monitor = useMonitorStore();
    const before = stages.initialRecovery;
    const after = { ...before, members: before.members.map((m) => ({ ...m, readBytes: m.readBytes + 1024 * 1024, writtenBytes: m.writtenBytes })) };
    monitor.record(before, 0);
    monitor.record(after, 500);
    expect(monitor.memberRates.map((r) => r.readBytesPerSec)).toEqual(before.members.map(() => 2 * 1024 * 1024));
  });

  it("keeps md's rare decisions in the timeline and explains the selected step's kernel function", async () => {
    const trace = useTraceStore();
    trace.add(recording.trace);
    const wrapper = render(TracePanel);
    await wrapper.get('[data-testid="trace-fn"]').setValue('md_error');
    const rows = wrapper.findAll('[data-testid="trace-table"] tbody tr');
    expect(rows).toHaveLength(recording.trace.filter((e) => e.fn === 'md_error').length);
    expect(rows[0].text()).toContain('disk1.img Faulty');
    await rows[0].trigger('click');
    expect(wrapper.get('[data-testid="trace-explain-text"]').text()).toMatch(/^md_error is called when a member fails/);
  });

  it('filters the timeline by stripe sector', async () => {
    const trace = useTraceStore();
    trace.add(recording.trace);
    const stripe = recording.trace.find((e) => e.fn === 'handle_stripe' && e.sector !== null)!;
    const wrapper = render(TracePanel);
    await wrapper.get('[data-testid="trace-sector"]').setValue(String(stripe.sector));
    const rows = wrapper.findAll('[data-testid="trace-table"] tbody tr');
    expect(rows.length).toBe(recording.trace.filter((e) => e.sector === stripe.sector).length);
    expect(rows.every((row) => row.findAll('td')[3].text() === String(stripe.sector))).toBe(true);
  });

  it('explains the kernel steps in Chinese too', async () => {
    useTraceStore().add(recording.trace);
    const wrapper = render(TracePanel, {}, 'zh-CN');
    await wrapper.get('[data-testid="trace-fn"]').setValue('md_check_recovery');
    await wrapper.findAll('[data-testid="trace-table"] tbody tr')[0].trigger('click');
    expect(wrapper.get('[data-testid="trace-explain-text"]').text()).toContain('md_check_recovery 是 md 的例行维护');
  });

  it('lists the engine log with timestamps and copies it as text', async () => {
    const log = useLogStore();
    recording.logs.forEach((message, i) => log.add({ timeMs: Date.UTC(2026, 0, 1, 12, 0, i), level: 'info', source: 'engine', message }));
    const wrapper = render(EventLog);
    expect(wrapper.findAll('[data-testid="log-lines"] li')).toHaveLength(recording.logs.length);
    expect(log.text().split('\n')[0]).toBe(`2026-01-01T12:00:00.000Z info  engine ${recording.logs[0]}`);
    await wrapper.get('[data-testid="log-copy"]').trigger('click');
    await flushPromises();
    expect(await navigator.clipboard.readText()).toBe(log.text());
  });
});
