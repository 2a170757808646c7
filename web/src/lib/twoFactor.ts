// Two-factor authentication as the pages show it: since when it is on (read from the security
// events), the manual key in groups, and the recovery codes as a text file.

/** What is read of a security event (`GET /v1/me/security-events`). */
export interface MfaEvent {
  kind: string;
  occurred_at: string;
  details?: unknown;
}

export interface MfaStatus {
  /** When MFA was turned on, when the events given reach back that far. */
  since: string | null;
  /** When the authenticator app was last replaced by another one since then, if it was. */
  replacedAt: string | null;
}

/** Whether an `mfa_activated` event replaced an authenticator that was already active. */
function replacedAnother(details: unknown): boolean {
  return typeof details === 'object' && details !== null && (details as { replaced?: unknown }).replaced === true;
}

function timeOf(iso: string): number {
  const ms = new Date(iso).getTime();
  return Number.isNaN(ms) ? 0 : ms;
}

/**
 * Since when MFA is on, from security events (any order): the latest activation that did not
 * replace an active authenticator, unless MFA was switched off or reset after it. Replacing the
 * authenticator (an activation with `details.replaced`) keeps MFA on; its date is kept apart.
 */
export function mfaStatus(events: readonly MfaEvent[]): MfaStatus {
  const newestFirst = [...events].sort((a, b) => timeOf(b.occurred_at) - timeOf(a.occurred_at));
  let replacedAt: string | null = null;
  for (const event of newestFirst) {
    if (event.kind === 'mfa_disabled' || event.kind === 'mfa_reset') break;
    if (event.kind !== 'mfa_activated') continue;
    if (!replacedAnother(event.details)) return { since: event.occurred_at, replacedAt };
    replacedAt ??= event.occurred_at;
  }
  return { since: null, replacedAt };
}

/** "JBSW Y3DP EHPK 3PXP": the manual key in groups of four, easier to type. */
export function groupKey(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** "service-portal-recovery-codes.txt", named after the portal. */
export function recoveryCodesFileName(portalName: string): string {
  const slug = portalName
    .replace(/\W+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase();
  return slug ? `${slug}-recovery-codes.txt` : 'recovery-codes.txt';
}

/** The recovery codes file: a line that says what they are, then one code a line. */
export function recoveryCodesFileText(header: string, codes: readonly string[]): string {
  return [header, '', ...codes, ''].join('\n');
}
