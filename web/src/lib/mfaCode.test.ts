import { describe, expect, it } from 'vitest';
import { mfaCodeKind } from './mfaCode';

describe('authenticator code field', () => {
  it('takes six digits, with the space apps show', () => {
    expect(mfaCodeKind('123456')).toBe('totp');
    expect(mfaCodeKind(' 123 456 ')).toBe('totp');
    expect(mfaCodeKind('12345')).toBeNull();
    expect(mfaCodeKind('1234567')).toBeNull();
  });

  it('takes a recovery code in any case, grouped or not, with look-alike digits', () => {
    expect(mfaCodeKind('ABCDEF-GHIJKL-MNOPQR-STUVWX')).toBe('recovery');
    expect(mfaCodeKind('abcdef ghijkl mnopqr stuvwx')).toBe('recovery');
    expect(mfaCodeKind('ABCDEFGHIJKLMN0PQRSTUVWX')).toBe('recovery');
    expect(mfaCodeKind('AB1DEF-GH8JKL-MNOPQR-234567')).toBe('recovery');
  });

  it('refuses anything else', () => {
    expect(mfaCodeKind('')).toBeNull();
    expect(mfaCodeKind('ABCDEF-GHIJKL-MNOPQR')).toBeNull();
    expect(mfaCodeKind('ABCDEF-GHIJKL-MNOPQR-STUVW9')).toBeNull();
    expect(mfaCodeKind('not a code')).toBeNull();
  });
});
