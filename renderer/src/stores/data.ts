import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useClient, type ApiError, type HexView, type PatternResult } from '../api';
import { toApiError } from './errors';
import { useLogStore } from './log';

/** The data panel: the lba pattern written and verified by the engine, and hex views of array offsets. */
export const useDataStore = defineStore('data', () => {
  const client = useClient();
  const running = ref<'write' | 'verify' | null>(null);
  const lastPattern = ref<PatternResult | null>(null);
  const hex = ref<HexView | null>(null);
  const error = ref<ApiError | null>(null);

  /** null: the whole array. */
  const extentBytes = ref<number | null>(null);

  async function pattern(op: 'write' | 'verify'): Promise<void> {
    running.value = op;
    error.value = null;
    try {
      lastPattern.value = await client.call('array.pattern', extentBytes.value === null ? { op } : { op, lengthBytes: extentBytes.value });
    } catch (thrown) {
      error.value = toApiError(thrown);
      useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `lba pattern ${op}: ${error.value.message}` });
    } finally {
      running.value = null;
    }
  }

  async function showHex(offsetBytes: number, lengthBytes: number): Promise<void> {
    try {
      hex.value = await client.call('array.hex', { offsetBytes, lengthBytes });
      error.value = null;
    } catch (thrown) {
      hex.value = null;
      error.value = toApiError(thrown);
    }
  }

  return { running, lastPattern, hex, error, extentBytes, pattern, showHex };
});
