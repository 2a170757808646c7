// The sessions of this account (GET /v1/me/sessions), as the account page lists them.

import type { Schemas } from '../api/client';
import { describeUserAgent } from './userAgent';

export type SessionInfo = Schemas['SessionInfo'];

/** What to call a session: its device label, else browser and system from the User-Agent. */
export function sessionName(session: Pick<SessionInfo, 'device_label' | 'user_agent'>): string | null {
  const label = session.device_label?.trim();
  if (label) return label;
  return describeUserAgent(session.user_agent) || null;
}

/** This device first, then the most recently used. */
export function sortSessions<T extends Pick<SessionInfo, 'current' | 'last_used_at'>>(sessions: readonly T[]): T[] {
  const time = (iso: string) => {
    const ms = new Date(iso).getTime();
    return Number.isNaN(ms) ? 0 : ms;
  };
  return [...sessions].sort((a, b) => Number(b.current) - Number(a.current) || time(b.last_used_at) - time(a.last_used_at));
}
