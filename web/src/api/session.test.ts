import { describe, expect, it, vi } from 'vitest';
import { createSession, type IssuedToken } from './session';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

const noTimers = { setTimer: () => 0, clearTimer: () => {} };

describe('session refresh', () => {
  it('sends one refresh for any number of simultaneous callers', async () => {
    const pending = deferred<IssuedToken | null>();
    const refresh = vi.fn(() => pending.promise);
    const session = createSession({ refresh, ...noTimers });
    const calls = [session.refresh(), session.refresh(), session.refreshAfter(null), session.refresh()];
    expect(refresh).toHaveBeenCalledTimes(1);
    pending.resolve({ accessToken: 'new', expiresIn: 900 });
    expect(await Promise.all(calls)).toEqual([true, true, true, true]);
    expect(session.token()).toBe('new');
  });

  it('refreshes again once the previous refresh has finished', async () => {
    let n = 0;
    const refresh = vi.fn(async () => ({ accessToken: `t${++n}`, expiresIn: 900 }));
    const session = createSession({ refresh, ...noTimers });
    await session.refresh();
    await session.refresh();
    expect(refresh).toHaveBeenCalledTimes(2);
    expect(session.token()).toBe('t2');
  });

  it('does not refresh for a request whose token was already replaced', async () => {
    const refresh = vi.fn(async () => ({ accessToken: 'fresh', expiresIn: 900 }));
    const session = createSession({ refresh, ...noTimers });
    session.set({ accessToken: 'fresh', expiresIn: 900 });
    expect(await session.refreshAfter('stale')).toBe(true);
    expect(refresh).not.toHaveBeenCalled();
    expect(await session.refreshAfter('fresh')).toBe(true);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('runs the refresh under the cross-tab lock', async () => {
    const order: string[] = [];
    const lock = async <T,>(name: string, task: () => Promise<T>): Promise<T> => {
      order.push(`lock ${name}`);
      const result = await task();
      order.push('unlock');
      return result;
    };
    const session = createSession({
      refresh: async () => {
        order.push('refresh');
        return { accessToken: 'a', expiresIn: 900 };
      },
      lock,
      ...noTimers,
    });
    await Promise.all([session.refresh(), session.refresh()]);
    expect(order).toEqual(['lock portal-session-refresh', 'refresh', 'unlock']);
  });

  it('signs out when the refresh is refused, and tells the listeners', async () => {
    const session = createSession({ refresh: async () => null, ...noTimers });
    session.set({ accessToken: 'a', expiresIn: 900 });
    const seen: boolean[] = [];
    session.subscribe((signedIn) => seen.push(signedIn));
    expect(await session.refresh()).toBe(false);
    expect(session.token()).toBeNull();
    expect(seen).toEqual([false]);
  });

  it('keeps the token when the refresh failed on the network', async () => {
    const session = createSession({
      refresh: async () => {
        throw new Error('offline');
      },
      ...noTimers,
    });
    session.set({ accessToken: 'a', expiresIn: 900 });
    expect(await session.refresh()).toBe(true);
    expect(session.token()).toBe('a');
  });

  it('schedules the next refresh a minute before the token expires', async () => {
    const timers: { fn: () => void; ms: number }[] = [];
    const refresh = vi.fn(async () => ({ accessToken: 'b', expiresIn: 900 }));
    const session = createSession({ refresh, setTimer: (fn, ms) => timers.push({ fn, ms }), clearTimer: () => {} });
    session.set({ accessToken: 'a', expiresIn: 900 });
    expect(timers.at(-1)?.ms).toBe(840_000);
    timers.at(-1)!.fn();
    await vi.waitFor(() => expect(session.token()).toBe('b'));
    expect(refresh).toHaveBeenCalledTimes(1);
  });
});
