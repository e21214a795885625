import { defineStore } from 'pinia';
import { ref } from 'vue';
import { useClient, type ApiError, type ResultOf, type SessionInfo } from '../api';
import { downloadText, fileNameOf } from '../composables/download';
import { toApiError } from './errors';
import { useLogStore } from './log';

export type RecentSession = ResultOf<'session.recent'>['sessions'][number];

/**
 * Saved sessions as the host reports them. The renderer only ever holds folders the host named (Recent,
 * an Open dialog, the open session): it never makes a path up.
 */
export const useSessionStore = defineStore('session', () => {
  const client = useClient();
  const recent = ref<RecentSession[]>([]);
  /** The saved session the Sessions panel is looking at (read-only summary). */
  const inspected = ref<SessionInfo | null>(null);
  const error = ref<ApiError | null>(null);
  /** What an export just did, for a one-line notice beside the buttons. */
  const exported = ref<'report' | 'scenario' | 'scenario-copied' | null>(null);

  async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | null> {
    try {
      const result = await run();
      error.value = null;
      return result;
    } catch (thrown) {
      error.value = toApiError(thrown);
      useLogStore().add({ timeMs: Date.now(), level: 'warn', source: 'ui', message: `${what}: ${error.value.message}` });
      return null;
    }
  }

  async function refreshRecent(): Promise<void> {
    const reply = await attempt('session.recent', () => client.call('session.recent', {}));
    if (reply) recent.value = reply.sessions;
  }

  async function inspect(folder: string): Promise<SessionInfo | null> {
    exported.value = null;
    const info = await attempt(`inspect ${folder}`, () => client.call('session.inspect', { folder }));
    inspected.value = info;
    return info;
  }

  async function exportReport(folder: string, name: string): Promise<void> {
    const reply = await attempt('export report', () => client.call('session.report', { folder }));
    if (!reply) return;
    downloadText(fileNameOf(name, 'html'), reply.html, 'text/html');
    exported.value = 'report';
  }

  async function scenarioYaml(folder: string): Promise<string | null> {
    const reply = await attempt('export scenario', () => client.call('session.exportScenario', { folder }));
    return reply?.yaml ?? null;
  }

  async function exportScenario(folder: string, name: string): Promise<void> {
    const yaml = await scenarioYaml(folder);
    if (yaml === null) return;
    downloadText(fileNameOf(name, 'yaml'), yaml, 'application/yaml');
    exported.value = 'scenario';
  }

  async function copyScenario(folder: string): Promise<void> {
    const yaml = await scenarioYaml(folder);
    if (yaml === null) return;
    await navigator.clipboard.writeText(yaml);
    exported.value = 'scenario-copied';
  }

  return { recent, inspected, error, exported, refreshRecent, inspect, exportReport, exportScenario, copyScenario };
});
