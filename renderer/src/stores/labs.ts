import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { useClient, type ApiError, type LabInfo, type ResultOf } from '../api';
import { toApiError } from './errors';
import { useLogStore } from './log';

export type LabRunResult = ResultOf<'labs.run'>;

/** The built-in guided labs (core/labs) and the verdicts of their headless runs, as the host reports them. */
export const useLabsStore = defineStore('labs', () => {
  const client = useClient();
  const labs = ref<LabInfo[]>([]);
  const loaded = ref(false);
  const selectedName = ref<string | null>(null);
  /** Last headless verdict per lab name. */
  const results = ref<Record<string, LabRunResult>>({});
  const running = ref<string | null>(null);
  const error = ref<ApiError | null>(null);

  const selected = computed(() => labs.value.find((lab) => lab.name === selectedName.value) ?? null);

  async function refresh(): Promise<void> {
    try {
      labs.value = (await client.call('labs.list', {})).labs;
      error.value = null;
      if (selectedName.value === null || !labs.value.some((lab) => lab.name === selectedName.value)) {
        selectedName.value = labs.value[0]?.name ?? null;
      }
    } catch (thrown) {
      error.value = toApiError(thrown);
    } finally {
      loaded.value = true;
    }
  }

  /** Runs one lab headless on the host (the same grader as `mdlab run --lab NAME`). */
  async function run(name: string): Promise<void> {
    running.value = name;
    error.value = null;
    try {
      const result = await client.call('labs.run', { name });
      results.value = { ...results.value, [name]: result };
      const passed = result.steps.filter((step) => step.verdict === 'pass').length;
      useLogStore().add({
        timeMs: Date.now(), level: result.ok ? 'info' : 'warn', source: 'ui',
        message: `mdlab run --lab ${name}: ${result.ok ? 'PASSED' : 'FAILED'} (${passed}/${result.steps.length} steps)`,
      });
    } catch (thrown) {
      error.value = toApiError(thrown);
    } finally {
      running.value = null;
    }
  }

  return { labs, loaded, selectedName, selected, results, running, error, refresh, run };
});
