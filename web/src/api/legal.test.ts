import { describe, expect, it } from 'vitest';
import { pickCurrent } from './legal';

const en = (version: string) => ({ version, language: 'en', title: 'Terms and Conditions' });
const id = (version: string) => ({ version, language: 'id', title: 'Syarat dan Ketentuan' });

describe('current legal documents', () => {
  it('shows the translation of the current version', () => {
    expect(pickCurrent('id', id('2.0'), en('2.0'))).toEqual({ doc: id('2.0'), untranslated: false });
  });

  it('shows the current version in English, never an older translation', () => {
    expect(pickCurrent('id', id('1.0'), en('2.0'))).toEqual({ doc: en('2.0'), untranslated: true });
    // The API answering in English itself (no translation at all).
    expect(pickCurrent('id', en('2.0'), en('2.0'))).toEqual({ doc: en('2.0'), untranslated: true });
  });

  it('needs no note in English', () => {
    expect(pickCurrent('en', null, en('2.0'))).toEqual({ doc: en('2.0'), untranslated: false });
    expect(pickCurrent('en', null, null)).toBeNull();
  });
});
