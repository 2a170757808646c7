// The organization the console shows, and what the caller's role in it allows.
//
// Someone may belong to several organizations; the console works in one at a time (the top bar's
// switcher). The choice is remembered in this browser, per account, and falls back to the first
// organization when the remembered one is gone (deleted, or the person was removed). The role
// rules mirror the API's (services/teams.rs), which enforces them: here they only decide which
// buttons are shown.

export const ROLES = ['owner', 'admin', 'member', 'billing'] as const;
export type Role = (typeof ROLES)[number];

export function asRole(raw: string | null | undefined): Role | null {
  return (ROLES as readonly string[]).includes(raw ?? '') ? (raw as Role) : null;
}

/** Invite people, change roles, remove members, see the organization's events. */
export function managesMembers(role: string | null | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

/** See the member list (everyone but billing). */
export function readsMembers(role: string | null | undefined): boolean {
  return asRole(role) !== null && role !== 'billing';
}

/** See projects in full: description, cluster status, history (billing sees VAT data only). */
export function readsProjects(role: string | null | undefined): boolean {
  return asRole(role) !== null && role !== 'billing';
}

export function createsProjects(role: string | null | undefined): boolean {
  return readsProjects(role);
}

/** Change and delete projects, change the organization's details. */
export function managesProjects(role: string | null | undefined): boolean {
  return role === 'owner' || role === 'admin';
}

/** Delete the organization. */
export function deletesOrganization(role: string | null | undefined): boolean {
  return role === 'owner';
}

/**
 * Whether `mine` may give `role` to someone, or act on (change, remove) someone who has it:
 * owners on anyone, admins on anyone but owners, nobody else on anyone.
 */
export function mayAssign(mine: string | null | undefined, role: string): boolean {
  if (mine === 'owner') return asRole(role) !== null;
  if (mine === 'admin') return asRole(role) !== null && role !== 'owner';
  return false;
}

/** The roles `mine` may give, in the order they are offered. */
export function assignableRoles(mine: string | null | undefined): Role[] {
  return ROLES.filter((role) => mayAssign(mine, role));
}

/** The part of `Storage` used here (tests pass a map). */
export type Store = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const KEY_PREFIX = 'portal.currentOrganization.';

function browserStorage(): Store | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    // Storage blocked (privacy settings): nothing is remembered.
    return null;
  }
}

/** The organization last chosen by `accountId` in this browser, if any. */
export function rememberedOrganization(accountId: string, store: Store | null = browserStorage()): string | null {
  try {
    return store?.getItem(KEY_PREFIX + accountId) || null;
  } catch {
    return null;
  }
}

export function rememberOrganization(accountId: string, organizationId: string, store: Store | null = browserStorage()): void {
  try {
    store?.setItem(KEY_PREFIX + accountId, organizationId);
  } catch {
    // Full or blocked: the first organization is shown next time.
  }
}

/** The organization to show: the chosen one while it is still among `organizations`, else the first. */
export function pickCurrent<T extends { id: string }>(organizations: readonly T[], chosen: string | null): T | null {
  return organizations.find((o) => o.id === chosen) ?? organizations[0] ?? null;
}

/** Statuses after which nothing changes by itself (no polling needed). */
export function settled(status: string | null | undefined): boolean {
  return status !== 'pending' && status !== 'provisioning' && status !== 'deleting';
}

/**
 * A VAT ID as stored (digits only) as people write it: a 15-digit Indonesian NPWP as
 * "01.234.567.8-901.000"; anything else as it is.
 */
export function formatVatId(vatId: string): string {
  const m = /^(\d{2})(\d{3})(\d{3})(\d)(\d{3})(\d{3})$/.exec(vatId);
  return m ? `${m[1]}.${m[2]}.${m[3]}.${m[4]}-${m[5]}.${m[6]}` : vatId;
}
