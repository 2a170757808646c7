// Who is signed in, and where the onboarding journey stands.
//
// On load the app asks for a fresh access token with the refresh cookie (POST
// /v1/sessions/refresh with `{}`), so that a reload keeps the person signed in. The access token
// stays in memory (api/session.ts). Where to go after signing in is the API's call: GET
// /v1/me/onboarding, or the `next_step` of an `onboarding_incomplete` refusal.

import { createContext, startTransition, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useNavigate } from 'react-router';
import { api, onOnboardingIncomplete, session, type Schemas } from '../api/client';
import { fetchOnboarding, routeForStep, type OnboardingState } from '../api/onboarding';
import { loadPendingInvitation, nextRoute } from '../lib/organizationInvitation';
import { paths } from './paths';

export type Me = Schemas['Me'];
export type Tokens = Schemas['SessionTokens'];

type Status = 'loading' | 'signedOut' | 'signedIn';
/** Why a session ended without the person signing out: it expired or was revoked, or this device was removed. */
export type EndedReason = 'expired' | 'deviceRemoved';

interface AuthValue {
  status: Status;
  me: Me | null;
  onboarding: OnboardingState | null;
  /**
   * Stores the tokens of a completed sign-in, loads the account and goes on with the journey
   * (`from`, else the project list, unless a step or an invitation comes first) in the same
   * render as the person becomes signed in: nothing navigates after a later network answer, so
   * a click made once the next page shows is never undone.
   */
  completeSignIn: (tokens: Tokens, from?: string) => Promise<void>;
  /** Ends the session on the server and here, then shows the sign-in page (with `signIn` as its state). */
  signOut: (signIn?: { email?: string; from?: string }) => Promise<void>;
  /**
   * The API ended this session on purpose: forgets it here, without "your session has ended" —
   * with `reason`, the sign-in page says why instead (this device was removed from the trusted ones).
   */
  forgetSession: (reason?: EndedReason) => void;
  reloadMe: () => Promise<Me | null>;
  /**
   * Re-reads the onboarding state and goes to the next step (or the project list); an
   * organization invitation waiting in this tab comes before creating an organization or project.
   */
  continueJourney: (fallback?: string) => Promise<void>;
  /** Why the last session ended, for the sign-in page. */
  endedReason: EndedReason | null;
}

const AuthContext = createContext<AuthValue | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const navigate = useNavigate();
  const [status, setStatus] = useState<Status>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [onboarding, setOnboarding] = useState<OnboardingState | null>(null);
  const [endedReason, setEndedReason] = useState<EndedReason | null>(null);
  const signingOut = useRef(false);

  const reloadMe = useCallback(async (): Promise<Me | null> => {
    try {
      const { data } = await api.GET('/v1/me');
      if (data) setMe(data);
      return data ?? null;
    } catch {
      return null;
    }
  }, []);

  const reloadOnboarding = useCallback(async (): Promise<OnboardingState | null> => {
    const state = await fetchOnboarding();
    if (state) setOnboarding(state);
    return state;
  }, []);

  // Restore the session from the refresh cookie.
  useEffect(() => {
    let live = true;
    session.refresh().then(async (ok) => {
      if (!live) return;
      if (ok) {
        await Promise.all([reloadMe(), reloadOnboarding()]);
        if (live) setStatus('signedIn');
      } else {
        setStatus('signedOut');
      }
    });
    return () => {
      live = false;
    };
  }, [reloadMe, reloadOnboarding]);

  // The session can end under our feet (revoked, refresh refused).
  useEffect(
    () =>
      session.subscribe((signedIn) => {
        if (!signedIn) {
          setStatus((before) => {
            if (before === 'signedIn' && !signingOut.current) setEndedReason('expired');
            return 'signedOut';
          });
          setMe(null);
          setOnboarding(null);
        }
      }),
    [],
  );

  // The API says a step is missing: go there.
  useEffect(
    () =>
      onOnboardingIncomplete((step) => {
        setOnboarding((before) => ({ complete: false, nextStep: step, remaining: before?.remaining.includes(step) ? before.remaining : [step] }));
        navigate(routeForStep(step), { replace: true });
      }),
    [navigate],
  );

  const completeSignIn = useCallback(
    async (tokens: Tokens, from?: string) => {
      signingOut.current = false;
      setEndedReason(null);
      session.set({ accessToken: tokens.access_token, expiresIn: tokens.expires_in });
      const [, state] = await Promise.all([reloadMe(), reloadOnboarding()]);
      // One batch: the sign-in page never renders signed in, so its own redirect does not race this.
      startTransition(() => {
        setStatus('signedIn');
        navigate(nextRoute(state, loadPendingInvitation(), from ?? paths.projects), { replace: true });
      });
    },
    [navigate, reloadMe, reloadOnboarding],
  );

  const signOut = useCallback(async (signIn?: { email?: string; from?: string }) => {
    signingOut.current = true;
    try {
      await api.DELETE('/v1/sessions/current');
    } catch {
      // Offline: the token is dropped here anyway and expires on its own.
    }
    session.set(null);
    setEndedReason(null);
    navigate(paths.signIn, { replace: true, state: signIn });
  }, [navigate]);

  const forgetSession = useCallback((reason?: EndedReason) => {
    signingOut.current = true;
    session.set(null);
    setEndedReason(reason ?? null);
  }, []);

  const continueJourney = useCallback(
    async (fallback: string = paths.projects) => {
      const state = await reloadOnboarding();
      navigate(nextRoute(state, loadPendingInvitation(), fallback), { replace: true });
    },
    [navigate, reloadOnboarding],
  );

  const value = useMemo(
    () => ({ status, me, onboarding, completeSignIn, signOut, forgetSession, reloadMe, continueJourney, endedReason }),
    [status, me, onboarding, completeSignIn, signOut, forgetSession, reloadMe, continueJourney, endedReason],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}
