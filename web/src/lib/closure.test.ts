import { describe, expect, it } from 'vitest';
import { closedStateOf, confirmationMatches } from './closure';

describe('closing the account', () => {
  it('opens once the sign-in address is typed, in any case, with spaces around it', () => {
    expect(confirmationMatches('budi@example.co.id', 'budi@example.co.id')).toBe(true);
    expect(confirmationMatches('  Budi@Example.CO.ID ', 'budi@example.co.id')).toBe(true);
    expect(confirmationMatches('budi@example.co', 'budi@example.co.id')).toBe(false);
    expect(confirmationMatches('budi @example.co.id', 'budi@example.co.id')).toBe(false);
    expect(confirmationMatches('', 'budi@example.co.id')).toBe(false);
  });

  it('stays shut while the address is not known', () => {
    expect(confirmationMatches('', '')).toBe(false);
    expect(confirmationMatches('  ', ' ')).toBe(false);
  });

  it('reads the date of the erasure handed to the page that follows', () => {
    expect(closedStateOf({ eraseAfter: '2027-01-05T10:00:00Z' })).toEqual({ eraseAfter: '2027-01-05T10:00:00Z' });
    expect(closedStateOf({ eraseAfter: 'soon' })).toBeNull();
    expect(closedStateOf({ eraseAfter: 5 })).toBeNull();
    expect(closedStateOf(null)).toBeNull();
    expect(closedStateOf(undefined)).toBeNull();
  });
});
