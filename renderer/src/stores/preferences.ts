import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { isLocale, type Locale } from '../i18n';

export const THEMES = ['system', 'light', 'dark'] as const;
export type Theme = (typeof THEMES)[number];

const STORAGE_KEY = 'mdlab.preferences';

interface Saved {
  theme?: unknown;
  locale?: unknown;
}

function load(): Saved {
  try {
    return JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}') as Saved;
  } catch {
    return {};
  }
}

function defaultLocale(): Locale {
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Look and language, remembered per machine; "system" theme follows prefers-color-scheme in CSS. */
export const usePreferencesStore = defineStore('preferences', () => {
  const saved = load();
  const theme = ref<Theme>(THEMES.includes(saved.theme as Theme) ? (saved.theme as Theme) : 'system');
  const locale = ref<Locale>(isLocale(saved.locale) ? saved.locale : defaultLocale());

  watch([theme, locale], () => {
    localStorage.setItem(STORAGE_KEY, JSON.stringify({ theme: theme.value, locale: locale.value }));
  });

  return { theme, locale };
});
