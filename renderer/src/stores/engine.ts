import { defineStore } from 'pinia';
import { ref } from 'vue';
import { RequestError, useClient, type ApiError, type EngineInfo } from '../api';

export interface PingRecord {
  nonce: string;
  roundTripMs: number;
}

function toApiError(thrown: unknown): ApiError {
  if (thrown instanceof RequestError) return { code: thrown.code, message: thrown.message };
  return { code: 'INTERNAL', message: thrown instanceof Error ? thrown.message : String(thrown) };
}

function newNonce(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** What the engine host says about itself; the shell's first round trip. */
export const useEngineStore = defineStore('engine', () => {
  const client = useClient();
  const info = ref<EngineInfo | null>(null);
  const loading = ref(false);
  const error = ref<ApiError | null>(null);
  const lastPing = ref<PingRecord | null>(null);

  async function refresh(): Promise<void> {
    loading.value = true;
    try {
      info.value = await client.call('engine.info', {});
      error.value = null;
    } catch (thrown) {
      info.value = null;
      error.value = toApiError(thrown);
    } finally {
      loading.value = false;
    }
  }

  async function ping(): Promise<void> {
    const nonce = newNonce();
    const startedMs = performance.now();
    try {
      const reply = await client.call('engine.ping', { nonce });
      lastPing.value = { nonce: reply.nonce, roundTripMs: performance.now() - startedMs };
    } catch (thrown) {
      error.value = toApiError(thrown);
    }
  }

  client.onEvent((event) => {
    if (event.type === 'host' && event.state === 'exited') {
      info.value = null;
      error.value = { code: 'HOST_DOWN', message: event.message };
    }
  });

  return { info, loading, error, lastPing, refresh, ping };
});
