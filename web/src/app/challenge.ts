// The sign-in step in progress (device code or MFA code), kept for this tab only so that a
// reload of the code page does not lose it.

import type { Schemas } from '../api/client';
import { paths } from './paths';

export type SignInChallenge = Schemas['SignInChallenge'];

const KEY = 'portal.signin.challenge';

export function saveChallenge(challenge: SignInChallenge): void {
  try {
    sessionStorage.setItem(KEY, JSON.stringify(challenge));
  } catch {
    // Storage unavailable: the page keeps it in memory through the router state.
  }
}

export function loadChallenge(): SignInChallenge | null {
  try {
    const raw = sessionStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as SignInChallenge;
    if (new Date(parsed.expires_at).getTime() < Date.now()) return null;
    return parsed;
  } catch {
    return null;
  }
}

export function clearChallenge(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // nothing to clear
  }
}

/** The page for a sign-in step. */
export function routeForChallenge(step: string): string {
  return step === 'mfa_code' ? paths.signInMfa : paths.signInDevice;
}
