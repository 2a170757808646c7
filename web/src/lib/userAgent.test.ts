import { describe, expect, it } from 'vitest';
import { translator } from '../i18n/translate';
import { describeUserAgent, deviceLabel } from './userAgent';

describe('devices', () => {
  it('names a device in the chosen language', () => {
    expect(deviceLabel(translator('en'), 'Chrome on Linux')).toBe('Chrome on Linux');
    expect(deviceLabel(translator('id'), 'Chrome on Linux')).toBe('Chrome di Linux');
    expect(deviceLabel(translator('id'), 'API client on Windows')).toBe('Klien API di Windows');
    expect(deviceLabel(translator('id'), 'Unknown device')).toBe('Perangkat tidak dikenal');
    expect(deviceLabel(translator('id'), 'curl')).toBe('curl');
    expect(deviceLabel(translator('en'), null)).toBe('Unknown device');
  });

  it('describes a User-Agent briefly', () => {
    expect(describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36')).toBe('Chrome · Linux');
    expect(describeUserAgent(null)).toBe('');
  });
});
