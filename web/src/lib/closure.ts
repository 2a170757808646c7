// Closing the account: before the button works, the person types the email address they sign in
// with (it is on the page, in every language, and it names the account that is about to close).

/** Whether `typed` is the sign-in address `email`: spaces around it and letter case do not count. */
export function confirmationMatches(typed: string, email: string): boolean {
  const want = email.trim().toLowerCase();
  return want !== '' && typed.trim().toLowerCase() === want;
}

/** What the account page hands to the page shown after the closure (`/account-closed`). */
export interface ClosedState {
  /** When the personal data is erased unless the emailed link restores the account first. */
  eraseAfter: string;
}

/** The state of `/account-closed`, or null when the page was opened without one. */
export function closedStateOf(state: unknown): ClosedState | null {
  const eraseAfter = (state as { eraseAfter?: unknown } | null)?.eraseAfter;
  return typeof eraseAfter === 'string' && !Number.isNaN(new Date(eraseAfter).getTime()) ? { eraseAfter } : null;
}
