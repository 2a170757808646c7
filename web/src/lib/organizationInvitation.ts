// An invitation to join an organization (`/organization-invitation?token=…`, from the email).
//
// Someone who opens the link signed out has to sign in (or sign up, verify the address and sign
// in) first. The token is kept for this tab meanwhile, and where the app goes after signing in
// (or after an onboarding step) leads back to the invitation before the person is asked to create
// an organization or a project of their own: joining makes those steps unnecessary. Accepting the
// legal documents still comes first (the API refuses the acceptance before that).

import type { MessageKey } from '../i18n/en';
import { hasMessage, type Translate, type Vars } from '../i18n/translate';
import { problemMessage } from '../api/problem';
import type { Problem } from '../api/client';
import { routeForStep, type OnboardingState } from '../api/onboarding';
import { paths } from '../app/paths';

export const INVITATION_PAGE = paths.organizationInvitation;
export const PENDING_INVITATION_KEY = 'portal.pendingOrganizationInvitation';

/** The longest token the API takes; anything longer is not an invitation token. */
const MAX_TOKEN_LENGTH = 128;

/** The onboarding steps that joining an organization replaces. */
const REPLACED_BY_JOINING: readonly string[] = ['create_organization', 'create_project'];

/** The part of `Storage` used here (tests pass a map). */
export type TokenStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

function tabStorage(): TokenStore | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    // Storage blocked (privacy settings): nothing is remembered.
    return null;
  }
}

/** The invitation page for `token`. */
export function invitationPath(token: string): string {
  return `${INVITATION_PAGE}?${new URLSearchParams({ token }).toString()}`;
}

function usable(token: string | null | undefined): token is string {
  return typeof token === 'string' && token.trim() !== '' && token.length <= MAX_TOKEN_LENGTH;
}

/** Remembers the invitation being accepted, for this tab only. */
export function savePendingInvitation(token: string, store: TokenStore | null = tabStorage()): void {
  if (!usable(token)) return;
  try {
    store?.setItem(PENDING_INVITATION_KEY, token);
  } catch {
    // Full or blocked: the person opens the emailed link again after signing in.
  }
}

/** The invitation waiting to be accepted in this tab, if any. */
export function loadPendingInvitation(store: TokenStore | null = tabStorage()): string | null {
  try {
    const token = store?.getItem(PENDING_INVITATION_KEY);
    return usable(token) ? token : null;
  } catch {
    return null;
  }
}

/**
 * Forgets the pending invitation (accepted, declined, or no longer usable). With `token`, only
 * when that is the one pending: another invitation opened in this tab stays.
 */
export function clearPendingInvitation(token?: string, store: TokenStore | null = tabStorage()): void {
  try {
    if (token !== undefined && store?.getItem(PENDING_INVITATION_KEY) !== token) return;
    store?.removeItem(PENDING_INVITATION_KEY);
  } catch {
    // nothing to clear
  }
}

/**
 * Where to go after signing in or after an onboarding step: the next onboarding step, except
 * that a pending invitation comes before the steps that joining replaces; once onboarding is
 * complete (or its state is unknown), the pending invitation, else `fallback`.
 */
export function nextRoute(state: OnboardingState | null, pendingToken: string | null, fallback: string = paths.projects): string {
  const pending = usable(pendingToken) ? invitationPath(pendingToken) : null;
  if (state && !state.complete && state.nextStep) {
    if (pending && REPLACED_BY_JOINING.includes(state.nextStep)) return pending;
    return routeForStep(state.nextStep);
  }
  return pending ?? fallback;
}

/** How the page treats a refusal of the lookup or of the acceptance. */
export type RefusalKind = 'unusable' | 'wrongAccount' | 'alreadyMember' | 'onboarding' | 'other';

/** The codes after which the link cannot be used any more (the stored token is dropped). */
const UNUSABLE = ['invitation_invalid', 'invitation_expired', 'invitation_used'];

export function refusalKind(code: string | null | undefined): RefusalKind {
  if (!code) return 'other';
  if (UNUSABLE.includes(code)) return 'unusable';
  if (code === 'invitation_wrong_account') return 'wrongAccount';
  if (code === 'already_member') return 'alreadyMember';
  if (code === 'onboarding_incomplete') return 'onboarding';
  return 'other';
}

/**
 * The message for a refused lookup or acceptance: the invitation page's own wording where the
 * general one is written for another situation (an expired enterprise invitation, a person
 * already a member, seen by whoever invites), else the app's message for the code.
 */
export function invitationProblemMessage(
  t: Translate,
  problem: Partial<Problem>,
  vars: { organization?: string; email?: string; current?: string } = {},
): string {
  // Each of these messages names what it needs; without it, the general message reads better.
  const needs: Record<string, (keyof typeof vars)[]> = {
    invitation_wrong_account: ['email', 'current'],
    already_member: ['organization'],
  };
  const filled: Vars = {};
  for (const [name, value] of Object.entries(vars)) if (value) filled[name] = value;
  const code = problem.code ?? '';
  const complete = (Object.hasOwn(needs, code) ? (needs[code] ?? []) : []).every((name) => name in filled);
  const key = `orgInvite.problem.${code}`;
  if (hasMessage(key) && complete) return t(key, filled);
  return problemMessage(t, problem);
}

/** The message keys of a role's name and description (a role this app does not know: null). */
export function roleMessages(role: string): { label: MessageKey; description: MessageKey } | null {
  const label = `orgRole.${role}`;
  const description = `orgRole.${role}.description`;
  if (!hasMessage(label) || !hasMessage(description)) return null;
  return { label, description };
}
