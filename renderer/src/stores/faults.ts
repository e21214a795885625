import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useClient, type ApiError, type LabFaultInput, type LabTrigger, type MemberFaults } from '../api';
import { toApiError } from './errors';
import { useLogStore } from './log';

/** The fault layer under the open array's members and its timeline, as the engine host reports them. */
export const useFaultsStore = defineStore('faults', () => {
  const client = useClient();
  const members = ref<MemberFaults[]>([]);
  const error = ref<ApiError | null>(null);

  async function run(what: string, call: () => Promise<{ members: MemberFaults[] }>): Promise<boolean> {
    try {
      members.value = (await call()).members;
      error.value = null;
      return true;
    } catch (thrown) {
      error.value = toApiError(thrown);
      useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `${what}: ${error.value.message}` });
      return false;
    }
  }

  const refresh = () => run('fault layer', () => client.call('array.faults', {}));
  const inject = (member: number, fault: LabFaultInput, when?: LabTrigger) =>
    run(`${when ? 'schedule' : 'inject'} ${fault.kind} on disk${member}.img`, () => client.call('array.inject', when ? { member, fault, when } : { member, fault }));
  const clear = (member: number, id: number) => run(`clear fault #${id} on disk${member}.img`, () => client.call('array.clearFault', { member, id }));
  const cancel = (member: number, id: number) => run(`cancel scheduled fault #${id} on disk${member}.img`, () => client.call('array.clearFault', { member, id, pending: true }));

  return { members, error, refresh, inject, clear, cancel };
});
