// A message one page leaves for the next in the router's state ("Project X was deleted."), kept
// as a message key and its values so that switching the language re-translates it.

import type { MessageKey } from '../i18n/en';
import { hasMessage, type Vars } from '../i18n/translate';

export interface Notice {
  key: MessageKey;
  vars?: Vars;
}

/** The notice in a location's state, if it is one this app wrote. */
export function noticeOf(state: unknown): Notice | null {
  const notice = (state as { notice?: unknown } | null)?.notice as { key?: unknown; vars?: unknown } | undefined;
  if (!notice || typeof notice.key !== 'string' || !hasMessage(notice.key)) return null;
  const vars = typeof notice.vars === 'object' && notice.vars !== null ? (notice.vars as Vars) : undefined;
  return { key: notice.key, vars };
}

/** The router state that carries `notice`. */
export function withNotice(key: MessageKey, vars?: Vars): { notice: Notice } {
  return { notice: { key, vars } };
}
