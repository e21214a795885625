import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useClient, type ApiError, type LabFaultInput, type MemberFaults } from '../api';
import { toApiError } from './errors';
import { useLogStore } from './log';

/** The fault layer under the open array's members, as the engine host reports it. */
export const useFaultsStore = defineStore('faults', () => {
  const client = useClient();
  const members = ref<MemberFaults[]>([]);
  const error = ref<ApiError | null>(null);

  async function run(what: string, call: () => Promise<{ members: MemberFaults[] }>): Promise<void> {
    try {
      members.value = (await call()).members;
      error.value = null;
    } catch (thrown) {
      error.value = toApiError(thrown);
      useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `${what}: ${error.value.message}` });
    }
  }

  const refresh = () => run('fault layer', () => client.call('array.faults', {}));
  const inject = (member: number, fault: LabFaultInput) => run(`inject ${fault.kind} on disk${member}.img`, () => client.call('array.inject', { member, fault }));
  const clear = (member: number, id: number) => run(`clear fault #${id} on disk${member}.img`, () => client.call('array.clearFault', { member, id }));

  return { members, error, refresh, inject, clear };
});
