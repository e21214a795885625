import { defineStore } from 'pinia';
import { shallowRef } from 'vue';
import { useClient } from '../api';

/** Lines kept in the page, like dmesg's ring. */
export const LOG_KEEP_MAX = 1000;

export interface LogLine {
  timeMs: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  /** engine: said by the engine host; ui: an action the user took here and its outcome. */
  source: 'engine' | 'ui';
  message: string;
}

/** Everything that happened, from the engine's log events and the user's own actions. */
export const useLogStore = defineStore('log', () => {
  const client = useClient();
  const lines = shallowRef<LogLine[]>([]);

  function add(line: LogLine): void {
    const merged = lines.value.concat(line);
    lines.value = merged.length > LOG_KEEP_MAX ? merged.slice(merged.length - LOG_KEEP_MAX) : merged;
  }

  /** The log as plain text, one line each: what the copy button puts on the clipboard. */
  function text(): string {
    return lines.value.map((line) => `${new Date(line.timeMs).toISOString()} ${line.level.padEnd(5)} ${line.source.padEnd(6)} ${line.message}`).join('\n');
  }

  client.onEvent((event) => {
    if (event.type === 'log') add({ timeMs: event.timeMs, level: event.level, source: 'engine', message: event.message });
    else if (event.type === 'host') add({ timeMs: Date.now(), level: event.state === 'exited' ? 'error' : 'info', source: 'engine', message: event.message });
  });

  return { lines, add, text };
});
