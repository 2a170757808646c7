// The "authenticator code" field where a code from the app and a recovery code are both welcome.
// It accepts what the API accepts (api/src/auth/totp.rs, api/src/services/mfa.rs), so that a typo
// is caught before the request: six digits, spaces allowed ("123 456" as apps show it); or a
// recovery code of 24 base32 characters, in any case, with dashes and spaces, and the digits
// 0, 1 and 8 read as the letters O, I and B.

const RECOVERY_CHARS = 24;

export type MfaCodeKind = 'totp' | 'recovery';

/** What `input` looks like: a code from the app, a recovery code, or neither (null). */
export function mfaCodeKind(input: string): MfaCodeKind | null {
  const compact = input.replace(/\s/gu, '');
  if (/^\d{6}$/.test(compact)) return 'totp';
  const recovery = compact
    .replace(/-/g, '')
    .toUpperCase()
    .replace(/0/g, 'O')
    .replace(/1/g, 'I')
    .replace(/8/g, 'B');
  if (recovery.length === RECOVERY_CHARS && /^[A-Z2-7]+$/.test(recovery)) return 'recovery';
  return null;
}
