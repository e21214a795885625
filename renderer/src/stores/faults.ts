import { defineStore } from 'pinia';
import { ref } from 'vue';
import { NEEDS_FORCE, useClient, type ApiError, type FaultsReply, type LabFaultInput, type LabTrigger, type MemberFaults, type PowerTimeline } from '../api';
import { useArrayStore } from './array';
import { toApiError } from './errors';
import { useLogStore } from './log';
import { useSessionStore } from './session';

/** The fault layer under the open array's members and its timeline, as the engine host reports them. */
export const useFaultsStore = defineStore('faults', () => {
  const client = useClient();
  const members = ref<MemberFaults[]>([]);
  /** Power cuts on the timeline (pending, fired), and the domain's report line of the last cut made now. */
  const power = ref<PowerTimeline>({ pending: [], fired: [] });
  const lastPowerCut = ref<string | null>(null);
  const error = ref<ApiError | null>(null);

  async function run(what: string, call: () => Promise<FaultsReply>): Promise<boolean> {
    try {
      const reply = await call();
      members.value = reply.members;
      power.value = reply.power;
      error.value = null;
      return true;
    } catch (thrown) {
      error.value = toApiError(thrown);
      // The cut happened; md would not start what it left, and the host closed the session.
      if (error.value.code === NEEDS_FORCE) useSessionStore().refusedStart(error.value, null);
      useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `${what}: ${error.value.message}` });
      return false;
    }
  }

  const refresh = () => run('fault layer', () => client.call('array.faults', {}));
  const inject = (member: number, fault: LabFaultInput, when?: LabTrigger) =>
    run(`${when ? 'schedule' : 'inject'} ${fault.kind} on disk${member}.img`, () => client.call('array.inject', when ? { member, fault, when } : { member, fault }));
  const clear = (member: number, id: number) => run(`clear fault #${id} on disk${member}.img`, () => client.call('array.clearFault', { member, id }));
  const cancel = (member: number, id: number) => run(`cancel scheduled fault #${id} on disk${member}.img`, () => client.call('array.clearFault', { member, id, pending: true }));

  /** A power cut now (the array reboots: the array store adopts what assembled) or scheduled (`when`). */
  const powerCut = (survival: number, when?: LabTrigger, member = 0) =>
    run(when ? 'schedule a power cut' : 'power cut', async () => {
      const reply = await client.call('array.powerCut', { survival, ...(when ? { when, member } : {}) });
      if (reply.report !== null) {
        lastPowerCut.value = reply.report;
        useArrayStore().adopt(reply.id, reply.snapshot);
      }
      return reply;
    });
  /** A scheduled power cut belongs to no member: the host takes it off the timeline from any member's cancel. */
  const cancelPowerCut = (id: number) => run(`cancel scheduled power cut #${id}`, () => client.call('array.clearFault', { member: 0, id, pending: true }));

  return { members, power, lastPowerCut, error, refresh, inject, clear, cancel, powerCut, cancelPowerCut };
});
