import { describe, expect, it } from 'vitest';
import {
  assignableRoles,
  createsProjects,
  deletesOrganization,
  formatVatId,
  managesMembers,
  managesProjects,
  mayAssign,
  pickCurrent,
  readsMembers,
  readsProjects,
  rememberOrganization,
  rememberedOrganization,
  settled,
  type Store,
} from './organizations';
import { noticeOf, withNotice } from './notice';

function memoryStore(): Store {
  const map = new Map<string, string>();
  return {
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => void map.set(k, v),
    removeItem: (k) => void map.delete(k),
  };
}

describe('roles', () => {
  it('lets owners act on anyone, admins on anyone but owners, and nobody else on anyone', () => {
    expect(assignableRoles('owner')).toEqual(['owner', 'admin', 'member', 'billing']);
    expect(assignableRoles('admin')).toEqual(['admin', 'member', 'billing']);
    expect(assignableRoles('member')).toEqual([]);
    expect(assignableRoles('billing')).toEqual([]);
    expect(mayAssign('admin', 'owner')).toBe(false);
    expect(mayAssign('owner', 'nonsense')).toBe(false);
  });

  it('shows billing the VAT data only, and members no management', () => {
    expect(readsMembers('billing')).toBe(false);
    expect(readsProjects('billing')).toBe(false);
    expect(createsProjects('billing')).toBe(false);
    expect(createsProjects('member')).toBe(true);
    expect(managesProjects('member')).toBe(false);
    expect(managesMembers('admin')).toBe(true);
    expect(deletesOrganization('admin')).toBe(false);
    expect(deletesOrganization('owner')).toBe(true);
    expect(readsMembers('unknown')).toBe(false);
  });
});

describe('the current organization', () => {
  const orgs = [{ id: 'a' }, { id: 'b' }];

  it('is the remembered one while it exists, else the first', () => {
    expect(pickCurrent(orgs, 'b')?.id).toBe('b');
    expect(pickCurrent(orgs, 'gone')?.id).toBe('a');
    expect(pickCurrent(orgs, null)?.id).toBe('a');
    expect(pickCurrent([], 'a')).toBeNull();
  });

  it('is remembered per account', () => {
    const store = memoryStore();
    rememberOrganization('me', 'b', store);
    expect(rememberedOrganization('me', store)).toBe('b');
    expect(rememberedOrganization('someone-else', store)).toBeNull();
    expect(rememberedOrganization('me', null)).toBeNull();
  });
});

describe('projects', () => {
  it('polls only while a cluster is changing', () => {
    expect(settled('pending')).toBe(false);
    expect(settled('provisioning')).toBe(false);
    expect(settled('deleting')).toBe(false);
    expect(settled('ready')).toBe(true);
    expect(settled('failed')).toBe(true);
    // Billing sees no status: nothing to wait for.
    expect(settled(undefined)).toBe(true);
  });

  it('writes a 15-digit NPWP with its dots and dash', () => {
    expect(formatVatId('012345678901000')).toBe('01.234.567.8-901.000');
    expect(formatVatId('0123456789012345')).toBe('0123456789012345');
  });
});

describe('notices', () => {
  it('carries a known message key and its values, and nothing else', () => {
    expect(noticeOf(withNotice('project.deleted', { project: 'X' }))).toEqual({ key: 'project.deleted', vars: { project: 'X' } });
    expect(noticeOf({ notice: { key: 'no.such.key' } })).toBeNull();
    expect(noticeOf(null)).toBeNull();
    expect(noticeOf({ created: 'id' })).toBeNull();
  });
});
