// Every page's path, in one place: the route table, links and redirects use these names. The
// server builds the links in its emails from the same paths (`/verify-email?token=…` and the
// others in `api/src/mail/templates/README.md`): a path renamed here must be renamed there.

export const paths = {
  home: '/',
  signIn: '/sign-in',
  signInDevice: '/sign-in/device',
  signInMfa: '/sign-in/mfa',
  signUp: '/sign-up',
  forgotPassword: '/forgot-password',
  resetPassword: '/reset-password',
  verifyEmail: '/verify-email',
  acceptInvitation: '/accept-invitation',
  organizationInvitation: '/organization-invitation',
  confirmEmailChange: '/confirm-email-change',
  cancelEmailChange: '/cancel-email-change',
  restoreAccount: '/restore-account',
  accountClosed: '/account-closed',
  device: '/device',
  onboardingLegal: '/onboarding/legal',
  onboardingOrganization: '/onboarding/organization',
  onboardingProject: '/onboarding/project',
  onboardingMfa: '/onboarding/mfa',
  projects: '/projects',
  newProject: '/projects/new',
  /** The route pattern of one project's page; link to it with `project(id)`. */
  projectPattern: '/projects/:id',
  project: (id: string) => `/projects/${encodeURIComponent(id)}`,
  organization: '/organization',
  newOrganization: '/organizations/new',
  account: '/account',
  accountTokens: '/account#tokens',
} as const;
