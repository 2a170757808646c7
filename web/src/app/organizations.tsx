// The caller's organizations and the one the console shows (see lib/organizations.ts).
//
// Loaded when the console opens (every page of GET /v1/organizations), and again whenever a page
// finds that an organization is gone (404: deleted, or the person was removed) or changed the
// list (created, left, deleted). A remembered choice that is no longer in the list falls back to
// the first organization without a word.

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { api, type Schemas } from '../api/client';
import { pickCurrent, rememberOrganization, rememberedOrganization } from '../lib/organizations';
import { useAuth } from './auth';

export type Organization = Schemas['Organization'];

interface OrganizationsValue {
  /** Null until the first answer. */
  organizations: Organization[] | null;
  /** The first load failed (offline): pages offer to try again. */
  failed: boolean;
  current: Organization | null;
  /** Shows `id` from now on (and remembers it in this browser). */
  select: (id: string) => void;
  /** Reads the list again; resolves to it (null when it could not be read). */
  reload: () => Promise<Organization[] | null>;
  /** Puts a changed organization in the list (after an edit). */
  replace: (organization: Organization) => void;
}

const OrganizationsContext = createContext<OrganizationsValue | null>(null);

/** Every page of the caller's organizations (100 at a time). */
async function fetchAll(): Promise<Organization[] | null> {
  const all: Organization[] = [];
  let after: string | undefined;
  for (let pages = 0; pages < 50; pages += 1) {
    const { data } = await api.GET('/v1/organizations', { params: { query: { limit: 100, ...(after ? { after } : {}) } } });
    if (!data) return null;
    all.push(...data.items);
    if (!data.next_cursor) break;
    after = data.next_cursor;
  }
  return all;
}

export function OrganizationsProvider({ children }: { children: ReactNode }) {
  const { me, onboarding } = useAuth();
  const accountId = me?.id ?? '';
  // The console's pages are reached once onboarding is complete; before that (a "page not found"
  // for someone still onboarding) the API would refuse the list.
  const ready = !!accountId && onboarding?.complete !== false;
  const [organizations, setOrganizations] = useState<Organization[] | null>(null);
  const [failed, setFailed] = useState(false);
  const [chosen, setChosen] = useState<string | null>(() => (accountId ? rememberedOrganization(accountId) : null));
  const accountRef = useRef(accountId);
  accountRef.current = accountId;

  const reload = useCallback(async () => {
    let list: Organization[] | null = null;
    try {
      list = await fetchAll();
    } catch {
      list = null;
    }
    if (list) {
      setOrganizations(list);
      setFailed(false);
    } else {
      setFailed(true);
    }
    return list;
  }, []);

  useEffect(() => {
    if (!ready) return;
    setChosen(rememberedOrganization(accountId));
    void reload();
  }, [ready, accountId, reload]);

  const select = useCallback((id: string) => {
    setChosen(id);
    if (accountRef.current) rememberOrganization(accountRef.current, id);
  }, []);

  const replace = useCallback((organization: Organization) => {
    setOrganizations((list) => list?.map((o) => (o.id === organization.id ? organization : o)) ?? list);
  }, []);

  const current = useMemo(() => (organizations ? pickCurrent(organizations, chosen) : null), [organizations, chosen]);

  const value = useMemo(
    () => ({ organizations, failed, current, select, reload, replace }),
    [organizations, failed, current, select, reload, replace],
  );
  return <OrganizationsContext.Provider value={value}>{children}</OrganizationsContext.Provider>;
}

/** The console's organizations (inside the console layout). */
export function useOrganizations(): OrganizationsValue {
  const value = useContext(OrganizationsContext);
  if (!value) throw new Error('useOrganizations outside OrganizationsProvider');
  return value;
}

/** The same, or null outside the console (the onboarding pages). */
export function useOptionalOrganizations(): OrganizationsValue | null {
  return useContext(OrganizationsContext);
}
