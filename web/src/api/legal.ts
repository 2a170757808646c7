// The legal documents in force (GET /v1/legal-documents, GET /v1/legal-documents/{kind}).
//
// What must be accepted is the latest version of each kind, and every version has an English
// text; a translation may come later. Asked for a language, the API may answer with the latest
// text it has in that language, which can be an older version: the English answer tells which
// version is current, and when the translation is not of that version, the English text is
// the one to show.

import { api, type Schemas } from './client';
import type { Lang } from '../i18n/translate';

export type LegalDocument = Schemas['LegalDocument'];
export type LegalSummary = Schemas['LegalDocumentSummary'];

/** Of `translated` and `english` (the same kind), the text of the current version to show. */
export function pickCurrent<T extends { version: string; language: string }>(
  lang: Lang,
  translated: T | null | undefined,
  english: T | null | undefined,
): { doc: T; untranslated: boolean } | null {
  if (!english) return translated ? { doc: translated, untranslated: translated.language !== lang } : null;
  if (translated && translated.version === english.version && translated.language === lang) return { doc: translated, untranslated: false };
  return { doc: english, untranslated: lang !== 'en' };
}

/** The current version of one document, in `lang` when translated, else in English. */
export async function currentLegalDocument(kind: 'terms' | 'privacy' | 'eula', lang: Lang): Promise<{ doc: LegalDocument; untranslated: boolean } | null> {
  const get = (language: Lang) => api.GET('/v1/legal-documents/{kind}', { params: { path: { kind }, query: { language } } }).then(({ data }) => data ?? null);
  const [translated, english] = await Promise.all([lang === 'en' ? null : get(lang), get('en')]);
  if (!english && lang !== 'en') return null;
  return pickCurrent(lang, translated, english);
}

/** The current version of every document, each in `lang` when translated, else in English; null when unreadable. */
export async function currentLegalVersions(lang: Lang): Promise<{ doc: LegalSummary; untranslated: boolean }[] | null> {
  const list = (language: Lang) => api.GET('/v1/legal-documents', { params: { query: { language } } }).then(({ data }) => data?.items ?? null);
  const [translated, english] = await Promise.all([lang === 'en' ? null : list(lang), list('en')]);
  if (!english) return null;
  return english
    .map((en) => pickCurrent(lang, translated?.find((d) => d.kind === en.kind), en))
    .filter((d): d is { doc: LegalSummary; untranslated: boolean } => d !== null);
}
