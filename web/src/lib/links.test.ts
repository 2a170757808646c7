import { describe, expect, it } from 'vitest';
import { searchWithout } from './links';

describe('links', () => {
  it('takes one parameter out of a query and keeps the others', () => {
    expect(searchWithout('?token=abc', 'token')).toBe('');
    expect(searchWithout('?token=abc&lang=id', 'token')).toBe('?lang=id');
    expect(searchWithout('?lang=id', 'token')).toBe('?lang=id');
    expect(searchWithout('', 'token')).toBe('');
  });
});
