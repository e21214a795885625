import { createI18n } from 'vue-i18n';
import type { DialogWords, FolderPurpose } from '../api';
import en from './en.json';
import zhCN from './zh-CN.json';

/** en is the source catalogue; every other catalogue has exactly its keys (a test checks). */
export type MessageSchema = typeof en;
export const LOCALES = ['en', 'zh-CN'] as const;
export type Locale = (typeof LOCALES)[number];
/** Each language named in itself, so a reader can find theirs whatever the current locale. */
export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', 'zh-CN': '简体中文' };

export function isLocale(value: unknown): value is Locale {
  return LOCALES.includes(value as Locale);
}

export function createMdlabI18n(locale: Locale) {
  return createI18n<[MessageSchema], Locale>({
    legacy: false,
    locale,
    fallbackLocale: 'en',
    messages: CATALOGUES,
  });
}

const CATALOGUES: Record<Locale, MessageSchema> = { en, 'zh-CN': zhCN };

/** A native dialog's words in `locale`: the dialog is drawn by Electron main, which has no catalogue. */
export function dialogWords(locale: Locale, purpose: FolderPurpose): DialogWords {
  return CATALOGUES[locale].session.dialog[purpose];
}
