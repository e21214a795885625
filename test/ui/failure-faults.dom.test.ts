// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { createPinia } from 'pinia';
import { describe, expect, it } from 'vitest';
import type { CreateChoices, MemberFaults } from '../../core/api';
import { installClient } from '../../renderer/src/api';
import FaultInjector from '../../renderer/src/components/failure/FaultInjector.vue';
import FaultTimeline from '../../renderer/src/components/failure/FaultTimeline.vue';
import { createMdlabI18n } from '../../renderer/src/i18n';
import { until, type TestHost } from './host';
import { testHosts } from './lifecycle';

const RAID5_WITH_SPARE: CreateChoices = {
  level: 5, raidDevices: 3, spareDevices: 1, layout: 2, chunkKib: 64, memberBytes: 16 * 1024 * 1024,
  bitmap: 'none', assumeClean: true, metadata: '1.2', name: 'faults',
};
const IMAGES = ['disk0.img', 'disk1.img', 'disk2.img', 'disk3.img'];

async function open(test: TestHost, locale: 'en' | 'zh-CN' = 'en') {
  installClient(test.client);
  await test.client.call('array.create', { id: 'faults', choices: RAID5_WITH_SPARE });
  return { plugins: [createPinia(), createMdlabI18n(locale)] };
}

describe('FaultTimeline renders what the host reports', () => {
  const startHost = testHosts();

  it('lists faults in force, scheduled ones with their trigger, and fired ones; its buttons name the member and id', async () => {
    const test = startHost();
    const global = await open(test);
    await test.client.call('array.inject', { member: 1, fault: { kind: 'delay', readMs: 1, writeMs: 2 } });
    await test.client.call('array.inject', { member: 1, fault: { kind: 'fail' }, when: { kind: 'nth-write', n: 1_000_000 } });
    await test.client.call('array.inject', { member: 2, fault: { kind: 'read-error', range: { startSector: 2048, lengthSectors: 8 } }, when: { kind: 'after', ms: 0 } });
    // The host fires time triggers on its next md pass.
    const reply = await untilReply(test, (m) => m.find((x) => x.image === 'disk2.img')!.fired.length === 1);
    const wrapper = mount(FaultTimeline, { props: { members: reply }, global });
    const disk1 = wrapper.get('[data-testid="timeline-disk1.img"]');
    expect(disk1.get('[data-testid="fault-list"]').text()).toContain('#1 latency: reads +1 ms, writes +2 ms, flushes +0 ms (dm-delay)');
    expect(disk1.get('[data-testid="fault-pending"]').text()).toContain('scheduled on the 1000000th write to member 1: every I/O fails with EIO (dm-error)');
    const disk2 = wrapper.get('[data-testid="timeline-disk2.img"]');
    expect(disk2.get('[data-testid="fault-fired"]').text()).toMatch(/^fired after 0 s \(t=\d+\.\d s\): reads of sectors 2048–2055 fail \(dm-dust, cleared by a write\)$/);
    expect(wrapper.find('[data-testid="timeline-disk0.img"]').exists()).toBe(false);

    await wrapper.get('[data-testid="fault-cancel-disk1.img-1"]').trigger('click');
    await wrapper.get('[data-testid="fault-clear-disk2.img-1"]').trigger('click');
    expect(wrapper.emitted('cancel')).toEqual([[1, 1]]);
    expect(wrapper.emitted('clear')).toEqual([[2, 1]]);
  });

  it('says so when nothing is injected or scheduled, in Chinese too', () => {
    const members = IMAGES.map((image) => ({ image, faults: [], pending: [], fired: [] }));
    expect(mount(FaultTimeline, { props: { members }, global: { plugins: [createMdlabI18n('zh-CN')] } }).text()).toBe('没有已注入或已计划的故障。');
  });
});

/** Asks the host until its fault report satisfies `ok`. */
async function untilReply(test: TestHost, ok: (members: MemberFaults[]) => boolean): Promise<MemberFaults[]> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { members } = await test.client.call('array.faults', {});
    if (ok(members)) return members;
    if (Date.now() > deadline) throw new Error('timed out waiting for the host to report the fault');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('FaultInjector: every fault, now or scheduled', () => {
  const startHost = testHosts();

  it('schedules a read error at 50% of recovery from the form, lists it as pending, and cancels it', async () => {
    const test = startHost();
    const global = await open(test);
    const wrapper = mount(FaultInjector, { props: { images: IMAGES }, global });
    await wrapper.get('[data-testid="fault-member"]').setValue('disk0.img');
    await wrapper.get('[data-testid="fault-kind"]').setValue('read-error');
    await wrapper.get('[data-testid="fault-start"]').setValue('4096');
    await wrapper.get('[data-testid="when-progress"]').setValue(true);
    await wrapper.get('[data-testid="when-percent"]').setValue('50');
    await wrapper.get('[data-testid="when-action"]').setValue('recover');
    expect(wrapper.get('[data-testid="fault-inject"]').text()).toBe('Schedule');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('[data-testid="fault-cancel-disk0.img-1"]').exists(), 'pending fault listed');
    expect(wrapper.get('[data-testid="fault-pending"]').text()).toContain('scheduled at 50% of recovery: reads of sectors 4096–4103 fail');
    expect(wrapper.find('[data-testid="fault-list"] li').exists()).toBe(false);
    await wrapper.get('[data-testid="fault-cancel-disk0.img-1"]').trigger('click');
    await until(() => !wrapper.find('[data-testid="fault-cancel-disk0.img-1"]').exists(), 'pending fault cancelled');
    expect((await test.client.call('array.faults', {})).members.every((m) => m.pending.length === 0)).toBe(true);
    wrapper.unmount();
  });

  it('injects dm-delay, a slow disk, seeded bit rot and dm-flakey drop_writes now, each explained before it is sent', async () => {
    const test = startHost();
    const global = await open(test);
    const wrapper = mount(FaultInjector, { props: { images: IMAGES }, global });
    const inject = async (member: string, kind: string, fill: () => Promise<void>, listed: string) => {
      await wrapper.get('[data-testid="fault-member"]').setValue(member);
      await wrapper.get('[data-testid="fault-kind"]').setValue(kind);
      await fill();
      await wrapper.get('form').trigger('submit');
      await until(() => wrapper.get('[data-testid="fault-timeline"]').text().includes(listed), `${kind} listed`);
    };
    await inject('disk0.img', 'delay', async () => {
      expect(wrapper.get('[data-testid="fault-explain"]').text()).toContain('dm-delay');
      await wrapper.get('[data-testid="fault-write-ms"]').setValue('30');
    }, 'writes +30 ms');
    await inject('disk1.img', 'slow', () => wrapper.get('[data-testid="fault-bandwidth"]').setValue('2048'), 'slow disk: 2048 KiB/s');
    await inject('disk2.img', 'bitrot', async () => {
      await wrapper.get('[data-testid="fault-bitrot-count"]').setValue('3');
      await wrapper.get('[data-testid="fault-bitrot-seed"]').setValue('42');
    }, '3 bit(s) flipped at random (seed 42)');
    await inject('disk3.img', 'flakey', async () => {
      await wrapper.get('[data-testid="fault-error-reads"]').setValue(false);
      await wrapper.get('[data-testid="fault-drop-writes"]').setValue(true);
    }, 'while down drop_writes');
    expect(wrapper.find('[data-testid="fault-error"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it("shows the host's refusal as a sentence (bit rot past the end of the member)", async () => {
    const test = startHost();
    const global = await open(test);
    const wrapper = mount(FaultInjector, { props: { images: IMAGES }, global });
    await wrapper.get('[data-testid="fault-kind"]').setValue('bitrot');
    await wrapper.get('[data-testid="fault-bitrot-by"]').setValue('chosen');
    await wrapper.get('[data-testid="fault-bitrot-sectors"]').setValue('2048, 99999999');
    await wrapper.get('form').trigger('submit');
    await until(() => wrapper.find('[data-testid="fault-error"]').exists(), 'refusal');
    expect(wrapper.get('[data-testid="fault-error"]').text()).toBe('Bit rot at byte 51199999488 lies past the end of the 16777216-byte member.');
    wrapper.unmount();
  });

  it('is usable from the keyboard: every control is a native, labelled form control and the button is the submit button (Enter sends the form)', async () => {
    const test = startHost();
    const global = await open(test, 'zh-CN');
    const wrapper = mount(FaultInjector, { props: { images: IMAGES }, global });
    for (const kind of ['read-error', 'flakey', 'delay', 'slow', 'bitrot']) {
      await wrapper.get('[data-testid="fault-kind"]').setValue(kind);
      for (const mode of ['now', 'after', 'progress', 'nth-write']) {
        await wrapper.get(`[data-testid="when-${mode}"]`).setValue(true);
        for (const control of wrapper.findAll('input, select')) {
          expect(control.element.closest('label'), `${kind}/${mode}: ${control.attributes('data-testid')}`).not.toBeNull();
        }
      }
    }
    expect(wrapper.get('[data-testid="fault-inject"]').attributes('type')).toBe('submit');
    expect(wrapper.get('[data-testid="fault-inject"]').text()).toBe('加入时间线');
    wrapper.unmount();
  });
});
