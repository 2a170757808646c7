import { describe, expect, it } from 'vitest';
import { sessionName, sortSessions } from './sessions';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36';

describe('sessions', () => {
  it('names a session by its device label, else by browser and system, else not at all', () => {
    expect(sessionName({ device_label: 'Work laptop', user_agent: CHROME_LINUX })).toBe('Work laptop');
    expect(sessionName({ device_label: '  ', user_agent: CHROME_LINUX })).toBe('Chrome · Linux');
    expect(sessionName({ device_label: null, user_agent: 'curl/8.5.0' })).toBe('curl');
    expect(sessionName({ device_label: null, user_agent: null })).toBeNull();
  });

  it('lists this device first, then the most recently used', () => {
    const sessions = [
      { id: 'a', current: false, last_used_at: '2026-03-01T10:00:00Z' },
      { id: 'b', current: false, last_used_at: '2026-03-03T10:00:00Z' },
      { id: 'c', current: true, last_used_at: '2026-02-01T10:00:00Z' },
      { id: 'd', current: false, last_used_at: 'not a date' },
    ];
    expect(sortSessions(sessions).map((s) => s.id)).toEqual(['c', 'b', 'a', 'd']);
    expect(sessions.map((s) => s.id)).toEqual(['a', 'b', 'c', 'd']);
  });
});
