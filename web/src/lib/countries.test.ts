import { describe, expect, it } from 'vitest';
import { formatPhone, joinPhone, splitPhone } from './countries';

describe('phone numbers', () => {
  it('joins a country code and a national number, without the trunk 0', () => {
    expect(joinPhone('62', '0812-3456-7890')).toBe('+62 81234567890');
    expect(joinPhone('39', '06 1234 5678')).toBe('+39 0612345678');
    expect(joinPhone('62', '')).toBe('');
  });

  it('splits a stored number into its country and national digits', () => {
    expect(splitPhone('+6281234567890')).toEqual({ code: 'ID', dial: '62', national: '81234567890' });
    expect(splitPhone('+62 812 3456 7890')).toEqual({ code: 'ID', dial: '62', national: '81234567890' });
    expect(splitPhone('+6591234567')).toEqual({ code: 'SG', dial: '65', national: '91234567' });
  });

  it('takes the longest code, and the usual country of a shared one', () => {
    expect(splitPhone('+12684601234')).toEqual({ code: 'AG', dial: '1268', national: '4601234' });
    expect(splitPhone('+14155550123')?.code).toBe('US');
    expect(splitPhone('+447700900123')?.code).toBe('GB');
    expect(splitPhone('+74951234567')?.code).toBe('RU');
  });

  it('gives up on a number without its country code', () => {
    expect(splitPhone('081234567890')).toBeNull();
    expect(splitPhone('')).toBeNull();
    expect(splitPhone('+')).toBeNull();
  });

  it('shows a stored number in groups, the way people write it', () => {
    expect(formatPhone('+622151501234')).toBe('+62 21 5150 1234');
    expect(formatPhone('+62 21 5790 1234')).toBe('+62 21 5790 1234');
    expect(formatPhone('+6281234567890')).toBe('+62 812 3456 7890');
    expect(formatPhone('+62274512345')).toBe('+62 274 512 345');
    expect(formatPhone('+6591234567')).toBe('+65 9123 4567');
    expect(formatPhone('+14155550123')).toBe('+1 415 555 0123');
    expect(formatPhone('081234567890')).toBe('081234567890');
    expect(formatPhone('')).toBe('');
  });
});
