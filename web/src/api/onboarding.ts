// The onboarding journey after the first sign-in, as the API reports it (GET /v1/me/onboarding).

import { api } from './client';

export const STEPS = ['accept_legal_documents', 'create_organization', 'create_project', 'activate_mfa'] as const;

const ROUTES: Record<string, string> = {
  accept_legal_documents: '/onboarding/legal',
  create_organization: '/onboarding/organization',
  create_project: '/onboarding/project',
  activate_mfa: '/onboarding/mfa',
};

export interface OnboardingState {
  complete: boolean;
  nextStep: string | null;
  remaining: string[];
}

/** The page of an onboarding step (unknown steps: the start page, which asks again). */
export function routeForStep(step: string): string {
  return ROUTES[step] ?? '/';
}

/** The state of the journey, or null when it cannot be read. */
export async function fetchOnboarding(): Promise<OnboardingState | null> {
  try {
    const { data } = await api.GET('/v1/me/onboarding');
    if (!data) return null;
    return { complete: data.complete, nextStep: data.next_step ?? null, remaining: [...data.remaining_steps] };
  } catch {
    return null;
  }
}
