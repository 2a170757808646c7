// The typed API client. Every path, body and answer comes from `schema.d.ts`, which
// openapi-typescript generates from ../openapi/openapi.json (`npm run gen:api`); nothing here
// restates a request or response shape.
//
// `api` adds the bearer token and the language to every request, refreshes once and retries when
// the API answers 401 `token_expired`, and tells the app when the API says that onboarding is not
// finished (403 `onboarding_incomplete` with `next_step`).

import createClient from 'openapi-fetch';
import type { components, paths } from './schema';
import { browserLock, createSession } from './session';

export type Schemas = components['schemas'];
/** Every code the API can send (the OpenAPI document's enum). */
export type ProblemCode = Schemas['ProblemCode'];
/** A problem as the app handles it: from the API, `network` when the server could not be reached,
 * or a code newer than this app (still a string, shown with the API's own text). */
export type Problem = Omit<Schemas['Problem'], 'code'> & { code: ProblemCode | 'network' | (string & {}) };

/** Base URL of the API, fixed at build time; empty = the origin that served the app. */
export const API_BASE: string = (import.meta.env.VITE_API_BASE_URL ?? '').replace(/\/+$/, '');
const credentials: RequestCredentials = API_BASE ? 'include' : 'same-origin';

let language = 'en';
/** The language sent as Accept-Language (emails and legal texts follow it). */
export function setApiLanguage(lang: string): void {
  language = lang;
}

function withHeaders(request: Request, token: string | null): Request {
  const headers = new Headers(request.headers);
  headers.set('Accept-Language', language);
  if (token) headers.set('Authorization', `Bearer ${token}`);
  else headers.delete('Authorization');
  return new Request(request, { headers, credentials });
}

/** The client for calls that must not trigger a refresh (the refresh itself). */
const bare = createClient<paths>({
  baseUrl: API_BASE,
  credentials,
  fetch: (request: Request) => fetch(withHeaders(request, null)),
});

export const session = createSession({
  lock: browserLock(),
  refresh: async () => {
    const { data, response } = await bare.POST('/v1/sessions/refresh', { body: {} });
    if (data) return { accessToken: data.access_token, expiresIn: data.expires_in };
    if (response.status >= 500) throw new Error(`refresh failed: ${response.status}`);
    return null;
  },
});

type OnboardingListener = (nextStep: string) => void;
const onboardingListeners = new Set<OnboardingListener>();
/** Called with the next step whenever the API refuses a request with `onboarding_incomplete`. */
export function onOnboardingIncomplete(listener: OnboardingListener): () => void {
  onboardingListeners.add(listener);
  return () => onboardingListeners.delete(listener);
}

async function problemOf(response: Response): Promise<Partial<Problem> | null> {
  if (!(response.headers.get('content-type') ?? '').includes('json')) return null;
  try {
    return (await response.clone().json()) as Partial<Problem>;
  } catch {
    return null;
  }
}

async function authFetch(request: Request): Promise<Response> {
  const retry = request.clone();
  const used = session.token();
  const response = await fetch(withHeaders(request, used));
  if (response.status === 401) {
    const problem = await problemOf(response);
    if (problem?.code === 'token_expired' || (problem?.code === 'missing_token' && used === null)) {
      if (await session.refreshAfter(used)) {
        return fetch(withHeaders(retry, session.token()));
      }
    } else if (used !== null && session.token() === used) {
      // Revoked, ended or unreadable: this session is over.
      session.set(null);
    }
  } else if (response.status === 403) {
    const problem = (await problemOf(response)) as (Partial<Problem> & { next_step?: string }) | null;
    if (problem?.code === 'onboarding_incomplete' && typeof problem.next_step === 'string') {
      for (const listener of onboardingListeners) listener(problem.next_step);
    }
  }
  return response;
}

/** The client for everything else. */
export const api = createClient<paths>({ baseUrl: API_BASE, credentials, fetch: authFetch });

/** Seconds to wait from a `Retry-After` header or the problem's `retry_after`. */
export function retryAfterSeconds(response: Response | undefined, problem?: Partial<Problem> | null): number | null {
  const fromBody = problem?.retry_after;
  if (typeof fromBody === 'number' && fromBody > 0) return fromBody;
  const header = response?.headers.get('Retry-After');
  if (header && /^\d+$/.test(header)) return Number(header);
  return null;
}
