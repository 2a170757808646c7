import { describe, expect, it } from 'vitest';
import { exportFileName, exportFileText } from './download';

describe('data export file', () => {
  it('is named by the local date, zero-padded', () => {
    expect(exportFileName(new Date(2026, 2, 5, 10, 30))).toBe('service-portal-data-2026-03-05.json');
    expect(exportFileName(new Date(2026, 11, 31, 23, 59))).toBe('service-portal-data-2026-12-31.json');
    expect(exportFileName(new Date(2027, 0, 1, 0, 0))).toBe('service-portal-data-2027-01-01.json');
  });

  it('holds the document as indented JSON', () => {
    const text = exportFileText({ account: { email: 'budi@example.co.id' } });
    expect(text.endsWith('\n')).toBe(true);
    expect(JSON.parse(text)).toEqual({ account: { email: 'budi@example.co.id' } });
    expect(text).toContain('\n  "account": {');
  });
});
