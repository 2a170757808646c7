import { describe, expect, it } from 'vitest';
import { en } from './en';
import { id } from './id';
import { format, formatDate, hasMessage, initialLang, translator } from './translate';

describe('i18n', () => {
  it('has every English message in Bahasa Indonesia, with the same placeholders', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(id[key], key).toBeTruthy();
      const holders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      expect(holders(id[key]), key).toEqual(holders(en[key]));
    }
    expect(Object.keys(id).sort()).toEqual(Object.keys(en).sort());
  });

  it('uses the wording of the seeds', () => {
    const t = translator('en');
    expect(t('signup.done.title')).toBe('Congratulations');
    expect(t('verify.success.title')).toBe('Verification Successful');
    expect(t('legal.submit')).toBe('Accept & Continue');
    expect(t('signin.newDevice.title')).toBe("We don't recognize the device");
    expect(translator('id')('signin.submit')).toBe('Masuk');
  });

  it('fills placeholders and leaves unknown ones alone', () => {
    expect(format('Resend in {seconds} s', { seconds: 5 })).toBe('Resend in 5 s');
    expect(format('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(translator('id')('device.resendIn', { seconds: 9 })).toBe('Kirim ulang kode dalam 9 dtk');
  });

  it('starts in the stored language, else the browser language, else English', () => {
    expect(initialLang('id', ['en-US'])).toBe('id');
    expect(initialLang(null, ['id-ID', 'en'])).toBe('id');
    expect(initialLang(null, ['fr-FR', 'en-GB'])).toBe('en');
    expect(initialLang('xx', ['de'])).toBe('en');
  });

  it('knows which keys exist', () => {
    expect(hasMessage('problem.invalid_code')).toBe(true);
    expect(hasMessage('problem.nope')).toBe(false);
  });

  it('formats dates in the chosen language', () => {
    expect(formatDate('en', '2026-03-05T10:00:00Z')).toMatch(/Mar 2026/);
    expect(formatDate('id', '2026-03-05T10:00:00Z')).toMatch(/Mar 2026/);
    expect(formatDate('en', null)).toBe('');
  });
});
