// Pure translation functions (no React), so that they can be unit-tested and used anywhere.

import { en, type MessageKey } from './en';
import { id } from './id';

export type Lang = 'en' | 'id';
export const LANGS: readonly Lang[] = ['en', 'id'];
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const catalogs: Record<Lang, Record<MessageKey, string>> = { en, id };

/** Whether `key` names a message (for codes that come from the API). */
export function hasMessage(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

/** `{name}` placeholders are replaced by vars; unknown placeholders are left as they are. */
export function format(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(vars, name) ? String(vars[name]) : whole,
  );
}

export function translator(lang: Lang): Translate {
  const catalog = catalogs[lang];
  return (key, vars) => format(catalog[key] ?? en[key] ?? key, vars);
}

/** The language to start with: the stored choice, else the browser's, else English. */
export function initialLang(stored: string | null, browser: readonly string[]): Lang {
  if (stored === 'en' || stored === 'id') return stored;
  for (const tag of browser) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'id' || base === 'in' || base === 'ms') return 'id';
    if (base === 'en') return 'en';
  }
  return 'en';
}

const LOCALES: Record<Lang, string> = { en: 'en-GB', id: 'id-ID' };

/**
 * Dates and times in the chosen language. A time is shown with its time zone (the browser's):
 * "7 Dec 2026, 14:03 GMT+7" in English, "7 Des 2026, 14.03 WIB" in Bahasa Indonesia.
 */
export function formatDate(lang: Lang, iso: string | null | undefined, withTime = false): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  if (!withTime) return new Intl.DateTimeFormat(LOCALES[lang], { dateStyle: 'medium' }).format(date);
  // dateStyle/timeStyle cannot be combined with timeZoneName: the parts are named instead.
  return new Intl.DateTimeFormat(LOCALES[lang], {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  }).format(date);
}

/** The time of day with its time zone ("14:03 GMT+7", "14.03 WIB"), for a deadline within the hour. */
export function formatTime(lang: Lang, iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(LOCALES[lang], { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' }).format(date);
}
