import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en';
import {
  SCOPES,
  clientName,
  expiryOf,
  formatUserCode,
  lifetimeDays,
  programSessionName,
  scopeText,
  sortScopes,
  userCodeComplete,
  waitMinutes,
} from './accessTokens';

describe('access tokens', () => {
  it('explains every scope the API knows, and leaves a newer one as it is', () => {
    for (const scope of SCOPES) expect(en[scopeText(scope)!], scope).toBeTruthy();
    expect(scopeText('billing:read')).toBeNull();
    expect(scopeText('toString')).toBeNull();
    expect(sortScopes(['account:read', 'x:y', 'projects:read', 'organizations:read'])).toEqual([
      'organizations:read',
      'projects:read',
      'account:read',
      'x:y',
    ]);
  });

  it('reads the lifetime from the choice, a custom one only as a whole number of 1 to 365 days', () => {
    expect(lifetimeDays('30', '')).toBe(30);
    expect(lifetimeDays('365', '12')).toBe(365);
    expect(lifetimeDays('custom', ' 45 ')).toBe(45);
    expect(lifetimeDays('custom', '1')).toBe(1);
    for (const bad of ['', '0', '366', '1.5', '-3', 'abc', '1e2']) expect(lifetimeDays('custom', bad), bad).toBeNull();
  });

  it('computes the expiry from now', () => {
    const now = new Date('2026-03-01T10:00:00Z');
    expect(expiryOf(30, now).toISOString()).toBe('2026-03-31T10:00:00.000Z');
  });
});

describe('device sign-in', () => {
  it('shows a user code however it is typed: capitals, a dash after four letters, eight at most', () => {
    expect(formatUserCode('bcdfghjk')).toBe('BCDF-GHJK');
    expect(formatUserCode('BCDF GHJK')).toBe('BCDF-GHJK');
    expect(formatUserCode('bcdf')).toBe('BCDF');
    expect(formatUserCode('bcdfg')).toBe('BCDF-G');
    expect(formatUserCode('BCDF-GHJKLM')).toBe('BCDF-GHJK');
    expect(formatUserCode('')).toBe('');
  });

  it('knows a whole code from a partial or a mistyped one', () => {
    expect(userCodeComplete('BCDF-GHJK')).toBe(true);
    expect(userCodeComplete('bcdf ghjk')).toBe(true);
    expect(userCodeComplete('BCDF-GHJ')).toBe(false);
    expect(userCodeComplete('BCDF-GHJ1')).toBe(false);
  });

  it('names programs and their sessions', () => {
    expect(clientName('portal')).toBe('Service Portal CLI');
    expect(clientName('billing-sync')).toBe('billing-sync');
    expect(programSessionName('portal', ['projects:read', 'organizations:read'])).toBe(
      'Service Portal CLI · organizations:read, projects:read',
    );
    expect(programSessionName('portal', null)).toBe('Service Portal CLI');
  });

  it('counts a wait in whole minutes', () => {
    expect(waitMinutes(900)).toBe(15);
    expect(waitMinutes(61)).toBe(2);
    expect(waitMinutes(null)).toBe(1);
  });
});
