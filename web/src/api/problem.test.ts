import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/translate';
import { fieldMessage, isProblem, problemMessage, toFormErrors } from './problem';

const en = translator('en');
const id = translator('id');

const validation = {
  type: 'urn:service-portal:problem:validation_failed',
  title: 'The request is not valid',
  status: 422,
  code: 'validation_failed',
  errors: [
    { field: 'password', code: 'password_too_short', message: 'must be at least 14 characters' },
    { field: 'password', code: 'password_missing_symbol', message: 'must include a symbol' },
    { field: 'email', code: 'email_brand_new_rule', message: 'is on a list' },
    { field: 'consents.0.version', code: 'consent_brand_new', message: 'is not the current version' },
    { field: 'unknown_field', code: 'weird', message: 'is odd' },
  ],
};

describe('problem → messages', () => {
  it('puts each field error next to its field, in the chosen language', () => {
    const errors = toFormErrors(en, validation, ['password', 'email', 'consents'], { vars: { min: 14 } });
    expect(errors.fields.password).toEqual(['Must be at least 14 characters.', 'Must include a symbol.']);
    expect(toFormErrors(id, validation, ['password'], { vars: { min: 14 } }).fields.password).toEqual([
      'Minimal 14 karakter.',
      'Harus mengandung simbol.',
    ]);
  });

  it("falls back to the API's message for a code it does not know", () => {
    const errors = toFormErrors(en, validation, ['password', 'email', 'consents']);
    expect(errors.fields.email).toEqual(['Is on a list.']);
    expect(errors.fields.consents).toEqual(['Is not the current version.']);
  });

  it('sends errors about fields the form does not have to the top of the form', () => {
    const errors = toFormErrors(en, validation, ['password', 'email', 'consents']);
    expect(errors.form).toContain('Please correct the fields marked below.');
    expect(errors.form).toContain('unknown_field: Is odd.');
    expect(errors.code).toBe('validation_failed');
  });

  it('maps a field by alias', () => {
    const problem = { ...validation, errors: [{ field: 'phone_number', code: 'phone_invalid', message: 'x' }] };
    expect(toFormErrors(en, problem, ['phone'], { aliases: { phone_number: 'phone' } }).fields.phone).toEqual([
      'Please enter a valid phone number.',
    ]);
  });

  it('explains a refusal by its code, with the wait when throttled', () => {
    expect(problemMessage(en, { code: 'invalid_credentials', status: 401 })).toBe('The email address or password is incorrect.');
    expect(problemMessage(en, { code: 'too_many_requests', status: 429, retry_after: 42 })).toBe(
      'Too many attempts. Please try again in 42 seconds.',
    );
    expect(problemMessage(id, { code: 'verification_token_expired', status: 410 })).toBe('Tautan verifikasi ini sudah kedaluwarsa.');
    const errors = toFormErrors(en, { type: 'x', title: 't', status: 429, code: 'slow_down_new', retry_after: 7 }, []);
    expect(errors.form).toBe('Too many attempts. Please try again in 7 seconds.');
    expect(errors.retryAfter).toBe(7);
  });

  it('counts a long wait in minutes', () => {
    expect(problemMessage(en, { code: 'too_many_requests', status: 429, retry_after: 3599 })).toBe(
      'Too many attempts. Please try again in 60 minutes.',
    );
    expect(problemMessage(id, { code: 'too_many_requests', status: 429, retry_after: 150 })).toBe('Terlalu banyak percobaan. Coba lagi dalam 3 menit.');
    expect(problemMessage(en, { code: 'too_many_attempts', status: 429, retry_after: 119 })).toBe(
      'Too many attempts. Please try again in 119 seconds.',
    );
  });

  it("uses the API's detail for an unknown code, and a generic message for what is not a problem", () => {
    expect(problemMessage(en, { code: 'brand_new', status: 409, detail: 'Something specific.' })).toBe('Something specific.');
    expect(toFormErrors(en, 'Bad Gateway', ['email']).form).toBe('Something went wrong. Please try again.');
    expect(isProblem({ code: 'x', status: 400 })).toBe(true);
    expect(isProblem({ message: 'x' })).toBe(false);
  });

  it('names the organizations that keep an account open, read from the detail, in the chosen language', () => {
    const detail =
      'You are the only owner of organizations that have projects or other members (PT Maju Bersama, CV Sinar (Jakarta)): make another member an owner, or delete their projects and the organization, first.';
    const problem = { code: 'sole_owner', status: 409, title: 'Organizations would be left without an owner', detail };
    expect(problemMessage(en, problem)).toBe(detail);
    expect(problemMessage(id, problem)).toBe(
      'Anda satu-satunya pemilik organisasi yang memiliki proyek atau anggota lain (PT Maju Bersama, CV Sinar (Jakarta)): jadikan anggota lain sebagai pemilik, atau hapus proyeknya dan organisasinya, terlebih dahulu.',
    );
    expect(toFormErrors(id, { ...problem, type: 'x' }, ['password']).form).toContain('(PT Maju Bersama, CV Sinar (Jakarta))');
    // A detail worded otherwise is shown as it is, never a message with a hole in it.
    expect(problemMessage(id, { ...problem, detail: 'Hand over Acme first.' })).toBe('Hand over Acme first.');
    expect(problemMessage(id, { ...problem, detail: null })).toBe('Organizations would be left without an owner');
  });

  it('explains a closed account and a spent restore link', () => {
    expect(problemMessage(en, { code: 'account_closed', status: 403 })).toBe(
      'This account was closed. The email we sent when it was closed has a link that restores it until its data is erased.',
    );
    expect(problemMessage(id, { code: 'restore_link_invalid', status: 400 })).toMatch(/^Tautan ini tidak berlaku/);
  });

  it('translates known field codes and keeps unknown ones readable', () => {
    expect(fieldMessage(en, 'email_free_mail_domain', 'free mail')).toMatch(/company email/);
    expect(fieldMessage(en, 'nope', 'must be nice')).toBe('Must be nice.');
  });
});

describe('problem codes', () => {
  it('has an English and an Indonesian message for every code the API can send', async () => {
    const { readFileSync } = await import('node:fs');
    const spec = JSON.parse(
      readFileSync(new URL('../../../openapi/openapi.json', import.meta.url), 'utf8'),
    ) as { components: { schemas: { ProblemCode: { enum: string[] } } } };
    const codes = spec.components.schemas.ProblemCode.enum;
    expect(codes.length).toBeGreaterThan(50);
    const english: Record<string, string> = (await import('../i18n/en')).en;
    const indonesian: Record<string, string> = (await import('../i18n/id')).id;
    const missing = codes.filter(
      (code) => !(`problem.${code}` in english) || !(`problem.${code}` in indonesian),
    );
    expect(missing).toEqual([]);
  });
});
