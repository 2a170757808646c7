// What programs get to act for a person: personal access tokens (the account page) and sign-in by
// device code (the /device page). The scopes in plain words, the lifetime chosen in the form, the
// user code as a person types it, and the names of the programs that sign in.

import type { MessageKey } from '../i18n/en';

/** The scopes a token or a program may be given (the API's list, in the order the form shows). */
export const SCOPES = ['organizations:read', 'projects:read', 'projects:write', 'account:read'] as const;
export type Scope = (typeof SCOPES)[number];

const SCOPE_TEXT: Record<Scope, MessageKey> = {
  'organizations:read': 'scope.organizations_read',
  'projects:read': 'scope.projects_read',
  'projects:write': 'scope.projects_write',
  'account:read': 'scope.account_read',
};

/** What a scope allows, in plain words; null for a scope newer than this app (shown as it is). */
export function scopeText(scope: string): MessageKey | null {
  return Object.prototype.hasOwnProperty.call(SCOPE_TEXT, scope) ? SCOPE_TEXT[scope as Scope] : null;
}

/** The scopes in the order of `SCOPES` (unknown ones last, as given). */
export function sortScopes(scopes: readonly string[]): string[] {
  const rank = (s: string) => {
    const i = (SCOPES as readonly string[]).indexOf(s);
    return i === -1 ? SCOPES.length : i;
  };
  return [...scopes].sort((a, b) => rank(a) - rank(b));
}

/** The lifetimes offered, in days; "custom" asks for a number. */
export const LIFETIMES = [7, 30, 90, 365] as const;
export const DEFAULT_LIFETIME = '30';
export const MAX_LIFETIME_DAYS = 365;

/** The lifetime chosen in the form, in days, or null when a custom one is not a whole number of 1–365. */
export function lifetimeDays(choice: string, custom: string): number | null {
  const raw = choice === 'custom' ? custom.trim() : choice;
  if (!/^\d{1,3}$/.test(raw)) return null;
  const days = Number(raw);
  return days >= 1 && days <= MAX_LIFETIME_DAYS ? days : null;
}

/** When a token made at `now` with this lifetime expires. */
export function expiryOf(days: number, now: Date = new Date()): Date {
  return new Date(now.getTime() + days * 24 * 60 * 60 * 1000);
}

/** The letters of a user code as typed: case, dashes and spaces do not matter. */
function userCodeLetters(raw: string): string {
  return raw.toUpperCase().replace(/[^A-Z]/g, '');
}

/**
 * A user code as the field shows it while typing: capitals, a dash after the fourth letter
 * ("bcdfg" → "BCDF-G"), at most eight letters.
 */
export function formatUserCode(raw: string): string {
  const letters = userCodeLetters(raw).slice(0, 8);
  return letters.length > 4 ? `${letters.slice(0, 4)}-${letters.slice(4)}` : letters;
}

/** Whether the field holds a whole code (eight letters); which letters exist is the API's call. */
export function userCodeComplete(raw: string): boolean {
  return userCodeLetters(raw).length === 8 && !/[^A-Za-z\s-]/.test(raw);
}

/** The programs the portal knows by name; another registered client is shown by its id. */
const CLIENT_NAMES: Record<string, string> = {
  portal: 'Service Portal CLI',
};

export function clientName(clientId: string): string {
  return Object.prototype.hasOwnProperty.call(CLIENT_NAMES, clientId) ? CLIENT_NAMES[clientId]! : clientId;
}

/** "Service Portal CLI · organizations:read, projects:read": a program's session, as the session list names it. */
export function programSessionName(clientId: string, scopes: readonly string[] | null | undefined): string {
  const name = clientName(clientId);
  return scopes?.length ? `${name} · ${sortScopes(scopes).join(', ')}` : name;
}

/** Whole minutes to wait, at least one, for a throttled request. */
export function waitMinutes(seconds: number | null | undefined): number {
  return Math.max(1, Math.ceil((seconds ?? 0) / 60));
}
