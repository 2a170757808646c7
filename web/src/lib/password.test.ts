import { describe, expect, it } from 'vitest';
import { checkRule, codePoints, containsPersonalInfo, passwordChecklist, passwordLooksValid } from './password';

const rules = [
  ['password_too_short', 'must be at least 14 characters'],
  ['password_too_long', 'must be at most 128 characters'],
  ['password_missing_uppercase', 'must include an uppercase letter'],
  ['password_missing_lowercase', 'must include a lowercase letter'],
  ['password_missing_digit', 'must include a number'],
  ['password_missing_symbol', 'must include a symbol'],
  ['password_common', 'is too common; choose a less predictable password'],
  ['password_contains_personal_info', 'must not contain your name or email address'],
].map(([code, message]) => ({ code: code!, message: message! }));

const ai = {
  min_length: 14,
  max_length: 128,
  require_uppercase: true,
  require_lowercase: true,
  require_digit: true,
  require_symbol: true,
  reject_common: true,
  rules,
};

const states = (password: string, personal: string[] = []) =>
  Object.fromEntries(passwordChecklist(ai, password, personal).map((i) => [i.code, i.state]));

describe('password checklist', () => {
  it('follows the rules and order of GET /v1/config, hiding the upper bound until it is broken', () => {
    expect(passwordChecklist(ai, '').map((i) => i.code)).toEqual(rules.map((r) => r.code).filter((c) => c !== 'password_too_long'));
    expect(passwordChecklist(ai, 'a'.repeat(129)).map((i) => i.code)).toContain('password_too_long');
  });

  it('marks every rule of a strong password as met, and leaves the common list to the server', () => {
    expect(states('Kx7#mQ2!vR9$wL')).toEqual({
      password_too_short: 'met',
      password_missing_uppercase: 'met',
      password_missing_lowercase: 'met',
      password_missing_digit: 'met',
      password_missing_symbol: 'met',
      password_common: 'server',
      password_contains_personal_info: 'met',
    });
    expect(passwordLooksValid(passwordChecklist(ai, 'Kx7#mQ2!vR9$wL'))).toBe(true);
  });

  it('reports each missing kind of character separately', () => {
    const s = states('abcdefghijklmn');
    expect(s.password_missing_uppercase).toBe('unmet');
    expect(s.password_missing_digit).toBe('unmet');
    expect(s.password_missing_symbol).toBe('unmet');
    expect(s.password_missing_lowercase).toBe('met');
    expect(passwordLooksValid(passwordChecklist(ai, 'abcdefghijklmn'))).toBe(false);
  });

  it('counts length in characters, not UTF-16 units, as the API does', () => {
    expect(codePoints('😀😀')).toBe(2);
    expect(checkRule('password_too_short', ai, '😀'.repeat(13) + 'A')).toBe('met');
    expect(checkRule('password_too_short', ai, '😀'.repeat(13))).toBe('unmet');
  });

  it('treats spaces as neither letters nor symbols, and non-Latin letters as letters', () => {
    expect(checkRule('password_missing_symbol', ai, 'Abc def 123')).toBe('unmet');
    expect(checkRule('password_missing_symbol', ai, 'Abc-def')).toBe('met');
    expect(checkRule('password_missing_uppercase', ai, 'Ärger')).toBe('met');
    expect(checkRule('password_missing_digit', ai, 'abc٣')).toBe('met');
  });

  it('refuses passwords containing the name or the email, in fragments of four or more', () => {
    expect(containsPersonalInfo('xxSantoso!!', ['Budi Santoso'])).toBe(true);
    expect(containsPersonalInfo('Budi-1234567!', ['Budi Santoso'])).toBe(true);
    expect(containsPersonalInfo('Bud-1234567!', ['Bud Ng'])).toBe(false);
    expect(containsPersonalInfo('my-budi.santoso-pass', ['budi.santoso@example.co.id'])).toBe(true);
    expect(containsPersonalInfo('xxsantosoxx', ['budi.santoso@example.co.id'])).toBe(true);
    expect(states('Quiet-Harbor-Lantern-42', ['Budi Santoso', 'budi@example.co.id']).password_contains_personal_info).toBe('met');
  });

  it('shows an unknown rule as checked by the server', () => {
    expect(checkRule('password_breached', ai, 'whatever')).toBe('server');
  });
});

describe('errors beside the checklist', () => {
  it('leaves out what the checklist already marks unmet, and keeps what only the server knows', async () => {
    const { errorsBesideChecklist } = await import('./password');
    const items = passwordChecklist(ai, 'password');
    const result = errorsBesideChecklist(
      ['password_too_short', 'password_missing_symbol', 'password_common'],
      ['Must be at least 14 characters.', 'Must include a symbol.', 'Is too common.'],
      items,
    );
    expect(result).toEqual({ messages: ['Is too common.'], summary: true });
    expect(errorsBesideChecklist(['password_common'], ['Is too common.'], passwordChecklist(ai, 'Kx7#mQ2!vR9$wL'))).toEqual({
      messages: ['Is too common.'],
      summary: false,
    });
  });
});

describe('a password whose owner the page does not know', () => {
  it('leaves the name-and-email rule to the server, and checks the others as usual', () => {
    const items = passwordChecklist(ai, 'budi', null);
    const byCode = Object.fromEntries(items.map((i) => [i.code, i.state]));
    expect(byCode.password_contains_personal_info).toBe('server');
    expect(byCode.password_too_short).toBe('unmet');
    expect(checkRule('password_contains_personal_info', ai, '', null)).toBe('server');
    expect(passwordLooksValid(passwordChecklist(ai, 'Kx7#mQ2!vR9$wL', null))).toBe(true);
  });

  it("shows the API's refusal of the name or email as text, since the checklist could not", async () => {
    const { errorsBesideChecklist } = await import('./password');
    const items = passwordChecklist(ai, 'Dewi-Harbor-Lantern-42', null);
    expect(errorsBesideChecklist(['password_contains_personal_info'], ['Must not contain your name or email address.'], items)).toEqual({
      messages: ['Must not contain your name or email address.'],
      summary: false,
    });
  });
});
