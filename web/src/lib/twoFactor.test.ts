import { describe, expect, it } from 'vitest';
import { groupKey, mfaStatus, recoveryCodesFileName, recoveryCodesFileText } from './twoFactor';

const activated = (at: string, replaced?: boolean) => ({
  kind: 'mfa_activated',
  occurred_at: at,
  details: replaced === undefined ? null : { method: 'totp', replaced },
});
const event = (kind: string, at: string) => ({ kind, occurred_at: at, details: null });

describe('two-factor status', () => {
  it('is on since the activation', () => {
    expect(mfaStatus([event('sign_in_succeeded', '2026-03-06T08:00:00Z'), activated('2026-03-05T10:00:00Z', false)])).toEqual({
      since: '2026-03-05T10:00:00Z',
      replacedAt: null,
    });
    // Events without details count as a first activation.
    expect(mfaStatus([activated('2026-03-05T10:00:00Z')]).since).toBe('2026-03-05T10:00:00Z');
  });

  it('stays on since the first activation when the authenticator is replaced, which is dated apart', () => {
    const status = mfaStatus([
      activated('2026-04-01T09:00:00Z', true),
      event('recovery_codes_regenerated', '2026-03-20T09:00:00Z'),
      activated('2026-03-10T09:00:00Z', true),
      activated('2026-03-05T10:00:00Z', false),
    ]);
    expect(status).toEqual({ since: '2026-03-05T10:00:00Z', replacedAt: '2026-04-01T09:00:00Z' });
  });

  it('reads the events in time order, whatever order they come in', () => {
    const status = mfaStatus([activated('2026-03-05T10:00:00Z', false), activated('2026-04-01T09:00:00Z', true)]);
    expect(status).toEqual({ since: '2026-03-05T10:00:00Z', replacedAt: '2026-04-01T09:00:00Z' });
  });

  it('starts again after MFA was switched off or reset', () => {
    expect(
      mfaStatus([activated('2026-05-01T09:00:00Z', false), event('mfa_reset', '2026-04-30T09:00:00Z'), activated('2026-03-05T10:00:00Z', false)]).since,
    ).toBe('2026-05-01T09:00:00Z');
    expect(mfaStatus([event('mfa_disabled', '2026-04-30T09:00:00Z'), activated('2026-03-05T10:00:00Z', false)])).toEqual({
      since: null,
      replacedAt: null,
    });
  });

  it('does not know when the activation is older than the events given', () => {
    expect(mfaStatus([])).toEqual({ since: null, replacedAt: null });
    expect(mfaStatus([activated('2026-04-01T09:00:00Z', true), event('sign_in_succeeded', '2026-03-30T09:00:00Z')])).toEqual({
      since: null,
      replacedAt: '2026-04-01T09:00:00Z',
    });
  });
});

describe('manual key', () => {
  it('is grouped by four', () => {
    expect(groupKey('JBSWY3DPEHPK3PXP')).toBe('JBSW Y3DP EHPK 3PXP');
    expect(groupKey('JBSWY3DPEH')).toBe('JBSW Y3DP EH');
    expect(groupKey('')).toBe('');
  });
});

describe('recovery codes file', () => {
  it('is named after the portal', () => {
    expect(recoveryCodesFileName('Service Portal')).toBe('service-portal-recovery-codes.txt');
    expect(recoveryCodesFileName('Service Portal AI.')).toBe('service-portal-ai-recovery-codes.txt');
    expect(recoveryCodesFileName('…')).toBe('recovery-codes.txt');
  });

  it('holds a header line, then one code a line', () => {
    const text = recoveryCodesFileText('Recovery codes for budi@example.co.id', ['AAAAAA-BBBBBB-CCCCCC-DDDDDD', 'EEEEEE-FFFFFF-GGGGGG-HHHHHH']);
    expect(text).toBe('Recovery codes for budi@example.co.id\n\nAAAAAA-BBBBBB-CCCCCC-DDDDDD\nEEEEEE-FFFFFF-GGGGGG-HHHHHH\n');
  });
});
