// The signed-in state of this tab: the access token, in memory only (never in storage, where a
// script could read it). The refresh token lives in an HttpOnly cookie that only the API sees.
//
// Refreshes are serialized: the API rotates the refresh token on every use and treats a reused
// one as theft (it ends the whole session), so two concurrent refreshes would sign the person
// out. Within a tab one promise is shared by every caller; across tabs of the same browser a Web
// Lock (navigator.locks) makes each tab wait for the other, and the second one then sends the
// cookie that the first one received.

export interface IssuedToken {
  accessToken: string;
  /** Seconds until the access token expires. */
  expiresIn: number;
}

export interface SessionOptions {
  /** Performs POST /v1/sessions/refresh; resolves to null when there is no session (any 4xx). */
  refresh: () => Promise<IssuedToken | null>;
  /** Runs `task` under a cross-tab lock when the platform has one. */
  lock?: <T>(name: string, task: () => Promise<T>) => Promise<T>;
  /** Timer functions (tests pass fakes). */
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

export type SessionListener = (signedIn: boolean) => void;

export interface Session {
  /** The current access token, or null. */
  token(): string | null;
  signedIn(): boolean;
  /** Stores a token just issued by sign-in (or clears it with null). */
  set(issued: IssuedToken | null): void;
  /** Refreshes once, however many callers ask at the same time. Resolves to "signed in". */
  refresh(): Promise<boolean>;
  /**
   * After a request made with `usedToken` was refused as expired: refreshes unless another
   * caller already replaced that token, and resolves to whether a fresh token is available.
   */
  refreshAfter(usedToken: string | null): Promise<boolean>;
  subscribe(listener: SessionListener): () => void;
}

/** Refresh this long before the access token expires, so that requests rarely meet a 401. */
export const REFRESH_MARGIN_SECONDS = 60;

export function createSession(options: SessionOptions): Session {
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h as ReturnType<typeof setTimeout>));
  let token: string | null = null;
  let inFlight: Promise<boolean> | null = null;
  let timer: unknown = null;
  const listeners = new Set<SessionListener>();

  function notify(): void {
    for (const listener of listeners) listener(token !== null);
  }

  function schedule(expiresIn: number): void {
    if (timer !== null) clearTimer(timer);
    timer = null;
    const seconds = Math.max(expiresIn - REFRESH_MARGIN_SECONDS, expiresIn / 2, 5);
    timer = setTimer(() => {
      timer = null;
      void session.refresh();
    }, seconds * 1000);
  }

  const session: Session = {
    token: () => token,
    signedIn: () => token !== null,
    set(issued) {
      const before = token;
      token = issued?.accessToken ?? null;
      if (issued) {
        schedule(issued.expiresIn);
      } else if (timer !== null) {
        clearTimer(timer);
        timer = null;
      }
      if ((before === null) !== (token === null) || before !== token) notify();
    },
    refresh() {
      if (inFlight) return inFlight;
      const run = async (): Promise<boolean> => {
        let issued: IssuedToken | null;
        try {
          issued = await options.refresh();
        } catch {
          // A network failure is not a sign-out: keep what we have and let the caller retry.
          return token !== null;
        }
        session.set(issued);
        return issued !== null;
      };
      const locked = options.lock ? options.lock('portal-session-refresh', run) : run();
      inFlight = locked.finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    async refreshAfter(usedToken) {
      if (inFlight) return inFlight;
      if (token !== null && token !== usedToken) return true;
      return session.refresh();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
  return session;
}

/** navigator.locks when the browser has it (all current ones do, in secure contexts). */
export function browserLock(): SessionOptions['lock'] {
  const locks = typeof navigator !== 'undefined' ? navigator.locks : undefined;
  if (!locks) return undefined;
  return (name, task) => locks.request(name, { mode: 'exclusive' }, task) as ReturnType<typeof task>;
}
