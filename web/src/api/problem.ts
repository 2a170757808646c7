// From an RFC 9457 problem (application/problem+json) to what a form shows: one message per field
// next to that field, and one message at the top of the form. Messages are chosen by the stable
// `code` in the person's language; the API's English text is the fallback for codes this app does
// not know yet.

import type { Problem } from './client';
import { hasMessage, type Translate, type Vars } from '../i18n/translate';


export interface FormErrors {
  /** The message shown at the top of the form, if any. */
  form: string | null;
  /** Messages by form field name. */
  fields: Record<string, string[]>;
  /** The API's codes by form field name, in the order of `fields`. */
  fieldCodes?: Record<string, string[]>;
  /** The problem's code ("network" when the server could not be reached). */
  code: string | null;
  /** Seconds to wait, when the API said so. */
  retryAfter: number | null;
}

export const NO_ERRORS: FormErrors = { form: null, fields: {}, code: null, retryAfter: null };

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { code?: unknown }).code === 'string' &&
    typeof (value as { status?: unknown }).status === 'number'
  );
}

function capitalize(text: string): string {
  const trimmed = text.trim();
  if (!trimmed) return trimmed;
  const sentence = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(sentence) ? sentence : `${sentence}.`;
}

/** The message for one field error: ours for a known code, else the API's. */
export function fieldMessage(t: Translate, code: string, apiMessage: string, vars?: Vars): string {
  const key = `fielderr.${code}`;
  if (hasMessage(key)) return t(key, vars);
  // `name_required`, `city_required`, …: one message for every empty required field.
  if (code.endsWith('_required')) return t('fielderr.required');
  return capitalize(apiMessage);
}

// Problems whose `detail` names things the message repeats (the API writes it in English): the
// names are read from it, and the message is ours. A detail that does not read as expected is
// shown as it is.
const NAMES_IN_DETAIL: Record<string, (detail: string) => Vars | null> = {
  // "You are the only owner of organizations that have projects (PT A, PT B): delete their …"
  sole_owner: (detail) => {
    const names = /\((.+)\):[^()]*$/s.exec(detail)?.[1]?.trim();
    return names ? { organizations: names } : null;
  },
};

/** The message for a problem code at the top of a form. */
export function problemMessage(t: Translate, problem: Partial<Problem>, vars?: Vars): string {
  const code = problem.code ?? '';
  const key = `problem.${code}`;
  const seconds = problem.retry_after ?? 0;
  const names = Object.prototype.hasOwnProperty.call(NAMES_IN_DETAIL, code) ? NAMES_IN_DETAIL[code] : undefined;
  if (names && hasMessage(key)) {
    const found = problem.detail ? names(problem.detail) : null;
    if (found) return t(key, { ...vars, ...found });
    return problem.detail || problem.title || t('problem.unknown');
  }
  // A wait of an hour reads better in minutes than as 3599 seconds.
  const throttled = code === 'too_many_requests' || code === 'too_many_attempts' || (problem.status === 429 && !hasMessage(key));
  if (throttled && seconds >= 120) return t('problem.waitMinutes', { minutes: Math.ceil(seconds / 60) });
  if (hasMessage(key)) return t(key, { seconds: Math.max(1, seconds), ...vars });
  if (problem.status === 429 && seconds) return t('problem.too_many_requests', { seconds });
  if (problem.detail) return problem.detail;
  if (problem.title) return problem.title;
  return t('problem.unknown');
}

/**
 * Maps `problem` onto a form with the given `fields`. A field error whose `field` is one of them
 * (or starts with one of them followed by "." or "[") goes next to it; the others go to the top.
 * `aliases` renames API fields to form fields (e.g. `{ phone_number: 'phone' }`).
 */
export function toFormErrors(
  t: Translate,
  problem: unknown,
  fields: readonly string[],
  options: { vars?: Vars; aliases?: Record<string, string> } = {},
): FormErrors {
  if (!isProblem(problem)) {
    return { form: t('problem.unknown'), fields: {}, code: null, retryAfter: null };
  }
  const byField: Record<string, string[]> = {};
  const codes: Record<string, string[]> = {};
  const loose: string[] = [];
  for (const error of problem.errors ?? []) {
    const apiField = error.field ?? '';
    const renamed = options.aliases?.[apiField] ?? apiField;
    const target = fields.find((f) => renamed === f || renamed.startsWith(`${f}.`) || renamed.startsWith(`${f}[`));
    const message = fieldMessage(t, error.code, error.message, options.vars);
    if (target) {
      (byField[target] ??= []).push(message);
      (codes[target] ??= []).push(error.code);
    } else {
      loose.push(apiField ? `${apiField}: ${message}` : message);
    }
  }
  const hasFieldErrors = Object.keys(byField).length > 0;
  let form: string | null;
  if (problem.code === 'validation_failed') {
    form = loose.length ? [t('common.formHasErrors'), ...loose].join(' ') : hasFieldErrors ? t('common.formHasErrors') : problemMessage(t, problem, options.vars);
  } else {
    form = [problemMessage(t, problem, options.vars), ...loose].join(' ');
  }
  return { form, fields: byField, fieldCodes: codes, code: problem.code, retryAfter: problem.retry_after ?? null };
}

/** What to show when fetch itself failed (offline, DNS, CORS). */
export function networkError(t: Translate): FormErrors {
  return { form: t('problem.network'), fields: {}, code: 'network', retryAfter: null };
}
