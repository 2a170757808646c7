import type { Translate } from '../i18n/translate';

/** "Chrome on Linux" from a User-Agent string, for the security event list. */
export function describeUserAgent(ua: string | null | undefined): string {
  if (!ua) return '';
  const browser =
    /Edg\//.test(ua) ? 'Edge'
    : /OPR\//.test(ua) ? 'Opera'
    : /Firefox\//.test(ua) ? 'Firefox'
    : /(Headless)?Chrom(e|ium)\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari'
    : /curl\//.test(ua) ? 'curl'
    : null;
  const os =
    /Android/.test(ua) ? 'Android'
    : /iPhone|iPad|iPod/.test(ua) ? 'iOS'
    : /Windows/.test(ua) ? 'Windows'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
    : /CrOS/.test(ua) ? 'ChromeOS'
    : /Linux/.test(ua) ? 'Linux'
    : null;
  if (browser && os) return `${browser} · ${os}`;
  return browser ?? os ?? (ua.length > 40 ? `${ua.slice(0, 40)}…` : ua);
}

/**
 * A device as the API names it ("Chrome on Linux", "Unknown device", "API client"), in the
 * person's language ("Chrome di Linux"). Browser and system names stay as they are.
 */
export function deviceLabel(t: Translate, label: string | null | undefined): string {
  const text = label?.trim() ?? '';
  const browser = (name: string) => (name === 'API client' ? t('device.apiClient') : name);
  if (!text || text === 'Unknown device') return t('device.unknown');
  const parts = /^(.+) on (.+)$/.exec(text);
  if (parts) return t('device.label', { browser: browser(parts[1]!), os: parts[2]! });
  return browser(text);
}
