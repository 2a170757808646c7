// The live password checklist. The rules and their order come from GET /v1/config
// (`password_policy.rules`); this file only knows how to check each rule code in the browser, the
// same way api/src/domain/password.rs does. The API decides: a rule this file cannot check (the
// common-password list) is shown as "checked when you submit", and an unknown code likewise; so
// is the name-and-email rule where the page does not know whose password it is (a reset link).

import type { components } from '../api/schema';

type PasswordPolicy = components['schemas']['PasswordPolicyInfo'];

export type RuleState = 'met' | 'unmet' | 'server';

export interface ChecklistItem {
  code: string;
  /** The API's message for the rule ("must include a symbol"), for unknown codes. */
  message: string;
  state: RuleState;
}

const MIN_PERSONAL_FRAGMENT = 4;

/** Length in Unicode code points, as Rust's `chars().count()`. */
export function codePoints(text: string): number {
  let n = 0;
  for (const _ of text) n += 1;
  return n;
}

function isSymbol(c: string): boolean {
  return !/[\p{L}\p{N}]/u.test(c) && !/\s/u.test(c);
}

/** Whether `password` contains the email, its local part or a piece of it, or a part of the name. */
export function containsPersonalInfo(password: string, personal: readonly string[]): boolean {
  const lowered = password.toLowerCase();
  const longEnough = (fragment: string) => codePoints(fragment) >= MIN_PERSONAL_FRAGMENT;
  return personal.some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (!entry) return false;
    const at = entry.lastIndexOf('@');
    if (at >= 0) {
      const local = entry.slice(0, at);
      return lowered.includes(entry) || [local, ...local.split(/[._+-]/)].filter(longEnough).some((f) => lowered.includes(f));
    }
    return entry.split(/\s+/u).filter(longEnough).some((part) => lowered.includes(part));
  });
}

/** The state of one rule for `password`; `personal` is null when the name and email are unknown. */
export function checkRule(
  code: string,
  policy: Pick<PasswordPolicy, 'min_length' | 'max_length'>,
  password: string,
  personal: readonly string[] | null = [],
): RuleState {
  const chars = [...password];
  switch (code) {
    case 'password_too_short':
      return chars.length >= policy.min_length ? 'met' : 'unmet';
    case 'password_too_long':
      return chars.length <= policy.max_length ? 'met' : 'unmet';
    case 'password_missing_uppercase':
      return chars.some((c) => /\p{Lu}/u.test(c)) ? 'met' : 'unmet';
    case 'password_missing_lowercase':
      return chars.some((c) => /\p{Ll}/u.test(c)) ? 'met' : 'unmet';
    case 'password_missing_digit':
      return chars.some((c) => /\p{N}/u.test(c)) ? 'met' : 'unmet';
    case 'password_missing_symbol':
      return chars.some(isSymbol) ? 'met' : 'unmet';
    case 'password_contains_personal_info':
      if (personal === null) return 'server';
      if (!password) return 'unmet';
      return containsPersonalInfo(password, personal) ? 'unmet' : 'met';
    default:
      return 'server';
  }
}

/** The checklist for `password`, in the policy's order. */
export function passwordChecklist(
  policy: PasswordPolicy,
  password: string,
  personal: readonly string[] | null = [],
): ChecklistItem[] {
  return policy.rules
    // The upper bound is only worth showing once it is broken.
    .filter((rule) => rule.code !== 'password_too_long' || codePoints(password) > policy.max_length)
    .map((rule) => ({
      code: rule.code,
      message: rule.message,
      state: checkRule(rule.code, policy, password, personal),
    }));
}

/** True when no rule that the browser can check is broken. */
export function passwordLooksValid(items: readonly ChecklistItem[]): boolean {
  return items.every((item) => item.state !== 'unmet');
}

/**
 * The password errors worth a line of text beside a checklist: those the checklist does not
 * already show as unmet (the common-password list, rules the browser cannot check). `summary` is
 * true when some were left out because the checklist shows them.
 */
export function errorsBesideChecklist(
  codes: readonly string[],
  messages: readonly string[],
  items: readonly ChecklistItem[],
): { messages: string[]; summary: boolean } {
  const shown = new Set(items.filter((i) => i.state === 'unmet').map((i) => i.code));
  const kept = messages.filter((_, i) => !shown.has(codes[i] ?? ''));
  return { messages: kept, summary: kept.length < messages.length };
}
