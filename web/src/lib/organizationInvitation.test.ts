import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import { translator } from '../i18n/translate';
import {
  PENDING_INVITATION_KEY,
  clearPendingInvitation,
  invitationPath,
  invitationProblemMessage,
  loadPendingInvitation,
  nextRoute,
  refusalKind,
  roleMessages,
  savePendingInvitation,
  type TokenStore,
} from './organizationInvitation';

function memoryStore(): TokenStore & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => void items.set(key, value),
    removeItem: (key) => void items.delete(key),
  };
}

const brokenStore: TokenStore = {
  getItem: () => {
    throw new Error('SecurityError');
  },
  setItem: () => {
    throw new Error('QuotaExceededError');
  },
  removeItem: () => {
    throw new Error('SecurityError');
  },
};

const incomplete = (nextStep: string) => ({ complete: false, nextStep, remaining: [nextStep] });
const complete = { complete: true, nextStep: null, remaining: [] };

describe('organization invitation: the pending token', () => {
  it('is kept under its own key for this tab, and read back', () => {
    const store = memoryStore();
    expect(loadPendingInvitation(store)).toBeNull();
    savePendingInvitation('tok-1', store);
    expect(store.items.get(PENDING_INVITATION_KEY)).toBe('tok-1');
    expect(PENDING_INVITATION_KEY).toBe('portal.pendingOrganizationInvitation');
    expect(loadPendingInvitation(store)).toBe('tok-1');
  });

  it('keeps no empty or oversized token, and ignores one stored by hand', () => {
    const store = memoryStore();
    savePendingInvitation('', store);
    savePendingInvitation('   ', store);
    savePendingInvitation('x'.repeat(129), store);
    expect(store.items.size).toBe(0);
    store.items.set(PENDING_INVITATION_KEY, 'x'.repeat(500));
    expect(loadPendingInvitation(store)).toBeNull();
  });

  it('is cleared, or only when it is the given one', () => {
    const store = memoryStore();
    savePendingInvitation('tok-1', store);
    clearPendingInvitation('tok-2', store);
    expect(loadPendingInvitation(store)).toBe('tok-1');
    clearPendingInvitation('tok-1', store);
    expect(loadPendingInvitation(store)).toBeNull();
    savePendingInvitation('tok-3', store);
    clearPendingInvitation(undefined, store);
    expect(loadPendingInvitation(store)).toBeNull();
  });

  it('does without storage when there is none or it refuses', () => {
    expect(() => savePendingInvitation('tok', brokenStore)).not.toThrow();
    expect(loadPendingInvitation(brokenStore)).toBeNull();
    expect(() => clearPendingInvitation('tok', brokenStore)).not.toThrow();
    expect(() => savePendingInvitation('tok', null)).not.toThrow();
    expect(loadPendingInvitation(null)).toBeNull();
    // Vitest runs in Node, without sessionStorage: the defaults cope.
    expect(loadPendingInvitation()).toBeNull();
  });

  it('leads to the invitation page with the token in the query', () => {
    expect(invitationPath('abc')).toBe('/organization-invitation?token=abc');
    expect(invitationPath('a+b/c=')).toBe('/organization-invitation?token=a%2Bb%2Fc%3D');
    expect(new URLSearchParams(invitationPath('a+b/c=').split('?')[1]).get('token')).toBe('a+b/c=');
  });
});

describe('organization invitation: where to go next', () => {
  it('goes on as before when no invitation is pending', () => {
    expect(nextRoute(incomplete('accept_legal_documents'), null)).toBe('/onboarding/legal');
    expect(nextRoute(incomplete('create_organization'), null)).toBe('/onboarding/organization');
    expect(nextRoute(incomplete('create_project'), null)).toBe('/onboarding/project');
    expect(nextRoute(incomplete('activate_mfa'), null)).toBe('/onboarding/mfa');
    expect(nextRoute(complete, null)).toBe('/projects');
    expect(nextRoute(complete, null, '/account')).toBe('/account');
    expect(nextRoute(null, null, '/account')).toBe('/account');
  });

  it('accepts the legal documents before the invitation', () => {
    expect(nextRoute(incomplete('accept_legal_documents'), 'tok')).toBe('/onboarding/legal');
  });

  it('shows the invitation instead of asking for an organization or a project', () => {
    expect(nextRoute(incomplete('create_organization'), 'tok')).toBe('/organization-invitation?token=tok');
    expect(nextRoute(incomplete('create_project'), 'tok')).toBe('/organization-invitation?token=tok');
  });

  it('asks for MFA first when that is all that is left (joining does not replace it)', () => {
    expect(nextRoute(incomplete('activate_mfa'), 'tok')).toBe('/onboarding/mfa');
  });

  it('shows the invitation once onboarding is complete, or when its state is unknown', () => {
    expect(nextRoute(complete, 'tok')).toBe('/organization-invitation?token=tok');
    expect(nextRoute(complete, 'tok', '/account')).toBe('/organization-invitation?token=tok');
    expect(nextRoute(null, 'tok')).toBe('/organization-invitation?token=tok');
  });

  it('ignores a pending token that cannot be one', () => {
    expect(nextRoute(incomplete('create_organization'), '')).toBe('/onboarding/organization');
    expect(nextRoute(complete, ' ')).toBe('/projects');
  });
});

describe('organization invitation: refusals and wording', () => {
  const t = translator('en');
  const tid = translator('id');

  it('sorts the codes the page handles', () => {
    expect(refusalKind('invitation_invalid')).toBe('unusable');
    expect(refusalKind('invitation_expired')).toBe('unusable');
    expect(refusalKind('invitation_used')).toBe('unusable');
    expect(refusalKind('invitation_wrong_account')).toBe('wrongAccount');
    expect(refusalKind('already_member')).toBe('alreadyMember');
    expect(refusalKind('onboarding_incomplete')).toBe('onboarding');
    expect(refusalKind('network')).toBe('other');
    expect(refusalKind(undefined)).toBe('other');
  });

  it("uses the page's own wording, with the names it needs", () => {
    expect(invitationProblemMessage(t, { code: 'invitation_expired', status: 410 })).toBe(en['orgInvite.problem.invitation_expired']);
    expect(invitationProblemMessage(t, { code: 'already_member', status: 409 }, { organization: 'PT Maju' })).toBe(
      'You are already a member of PT Maju.',
    );
    expect(
      invitationProblemMessage(t, { code: 'invitation_wrong_account', status: 403 }, { email: 'rina@maju.example', current: 'budi@lain.example' }),
    ).toBe('This invitation is for rina@maju.example, but you are signed in as budi@lain.example. Sign out, then sign in with rina@maju.example to accept it.');
    expect(invitationProblemMessage(tid, { code: 'already_member', status: 409 }, { organization: 'PT Maju' })).toBe(
      'Anda sudah menjadi anggota PT Maju.',
    );
  });

  it('falls back to the general message when a name is missing, and for other codes', () => {
    expect(invitationProblemMessage(t, { code: 'invitation_wrong_account', status: 403 }, { email: 'rina@maju.example' })).toBe(
      en['problem.invitation_wrong_account'],
    );
    expect(invitationProblemMessage(t, { code: 'network' })).toBe(en['problem.network']);
    expect(invitationProblemMessage(t, { code: 'brand_new', status: 400, detail: 'Something new.' })).toBe('Something new.');
    expect(invitationProblemMessage(t, { code: 'constructor', status: 400 })).toBe(t('problem.unknown'));
  });

  it('names the four roles in both languages, and describes them', () => {
    expect(['owner', 'admin', 'member', 'billing'].map((r) => t(roleMessages(r)!.label))).toEqual(['Owner', 'Administrator', 'Member', 'Billing']);
    expect(['owner', 'admin', 'member', 'billing'].map((r) => tid(roleMessages(r)!.label))).toEqual([
      'Pemilik',
      'Administrator',
      'Anggota',
      'Penagihan',
    ]);
    expect(t(roleMessages('billing')!.description)).toContain('VAT');
    expect(roleMessages('auditor')).toBeNull();
  });
});
