// The onboarding journey after the first sign-in, as the API reports it (GET /v1/me/onboarding).

import { api } from './client';
import { paths } from '../app/paths';

export const STEPS = ['accept_legal_documents', 'create_organization', 'create_project', 'activate_mfa'] as const;

const ROUTES: Record<string, string> = {
  accept_legal_documents: paths.onboardingLegal,
  create_organization: paths.onboardingOrganization,
  create_project: paths.onboardingProject,
  activate_mfa: paths.onboardingMfa,
};

/** A legal document the account must accept (again): its current version, and what was accepted before. */
export interface PendingDocument {
  kind: string;
  version: string;
  publishedAt: string | null;
  /** The version of this kind the account accepted before, if any (then this is an update). */
  acceptedVersion: string | null;
  acceptedAt: string | null;
}

export interface OnboardingState {
  complete: boolean;
  nextStep: string | null;
  remaining: string[];
  /** The documents to accept (`legal_documents_to_accept`); absent when the API does not say. */
  legalDocuments?: PendingDocument[] | null;
}

/** `legal_documents_to_accept` of the onboarding answer, read defensively (newer than some servers). */
export function pendingDocumentsOf(data: unknown): PendingDocument[] | null {
  const items = (data as { legal_documents_to_accept?: unknown } | null)?.legal_documents_to_accept;
  if (!Array.isArray(items)) return null;
  const text = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return items
    .filter((d): d is Record<string, unknown> => typeof d === 'object' && d !== null && typeof d.kind === 'string' && typeof d.version === 'string')
    .map((d) => ({
      kind: d.kind as string,
      version: d.version as string,
      publishedAt: text(d.published_at),
      acceptedVersion: text(d.accepted_version),
      acceptedAt: text(d.accepted_at),
    }));
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
    return { complete: data.complete, nextStep: data.next_step ?? null, remaining: [...data.remaining_steps], legalDocuments: pendingDocumentsOf(data) };
  } catch {
    return null;
  }
}
