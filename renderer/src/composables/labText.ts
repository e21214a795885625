import type { Locale } from '../i18n';

/** A lab's text in the reader's language: labs carry English and Simplified Chinese side by side. */
export function labText(text: { en: string; zh: string }, locale: Locale | string): string {
  return locale === 'zh-CN' ? text.zh : text.en;
}

/** One scenario step as `mdlab run` spells it ("fail 2", "verify {pattern: lba, ...}"), for the step's detail line. */
export function scenarioStepText(step: Record<string, unknown>): string {
  return Object.entries(step)
    .map(([verb, value]) => (value === null ? verb : `${verb} ${typeof value === 'object' ? flow(value) : String(value)}`))
    .join(', ');
}

function flow(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(flow).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, inner]) => `${key}: ${flow(inner)}`).join(', ')}}`;
  }
  return String(value);
}
