import { useRef } from 'react';
import { Link, Navigate, Outlet, Route, Routes, useLocation } from 'react-router';
import { loadPendingInvitation, nextRoute } from '../lib/organizationInvitation';
import { Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { AccountPage } from '../pages/Account';
import { AccountClosedPage } from '../pages/AccountClosed';
import { AcceptLegalPage } from '../pages/AcceptLegal';
import { ActivateMfaPage } from '../pages/ActivateMfa';
import { CancelEmailChangePage } from '../pages/CancelEmailChange';
import { ConfirmEmailChangePage } from '../pages/ConfirmEmailChange';
import { CreateOrganizationPage } from '../pages/CreateOrganization';
import { CreateProjectPage } from '../pages/CreateProject';
import { DeviceCodePage } from '../pages/DeviceCode';
import { DeviceApprovalPage } from '../pages/DeviceApproval';
import { ForgotPasswordPage } from '../pages/ForgotPassword';
import { InvitationPage } from '../pages/Invitation';
import { MfaCodePage } from '../pages/MfaCode';
import { OrganizationPage } from '../pages/Organization';
import { OrganizationInvitationPage } from '../pages/OrganizationInvitation';
import { ProjectPage } from '../pages/Project';
import { ProjectsPage } from '../pages/Projects';
import { ResetPasswordPage } from '../pages/ResetPassword';
import { RestoreAccountPage } from '../pages/RestoreAccount';
import { SignInPage } from '../pages/SignIn';
import { SignUpPage } from '../pages/SignUp';
import { VerifyEmailPage } from '../pages/VerifyEmail';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { useAuth } from './auth';
import { AuthLayout, ConsoleLayout, OnboardingLayout } from './layouts';
import { paths } from './paths';

/** Signed-in pages: wait for the session to be restored, else go to sign-in. */
function RequireSignedIn() {
  const { status, endedReason } = useAuth();
  const { t } = useI18n();
  const location = useLocation();
  const wasSignedIn = useRef(false);
  if (status === 'signedIn') wasSignedIn.current = true;
  if (status === 'loading') return <Spinner label={t('app.loading')} />;
  if (status === 'signedOut') {
    // Signed out on purpose (Sign Out, a closed account): that action goes where it goes, and
    // signing in again does not come back here.
    if (wasSignedIn.current && endedReason === null) return null;
    return <Navigate to={paths.signIn} replace state={{ from: location.pathname + location.search + location.hash }} />;
  }
  return <Outlet />;
}

/** Sign-in and sign-up pages: someone already signed in goes on with the journey. */
function SignedOutOnly() {
  const { status } = useAuth();
  const { t } = useI18n();
  const location = useLocation();
  if (status === 'loading') return <Spinner label={t('app.loading')} />;
  if (status === 'signedIn') {
    // Already signed in (another tab signed in, the back button): the page the sign-in was meant to
    // reach (`/device?user_code=…`, `/account#tokens`), else the start page. A sign-in completed
    // here does not pass this way: `completeSignIn` moves on in the same render.
    const from = (location.state as { from?: unknown } | null)?.from;
    const back = typeof from === 'string' && from.startsWith('/') && !from.startsWith('//') ? from : '/';
    return <Navigate to={back} replace />;
  }
  return <Outlet />;
}

/** The console: only once onboarding is complete (the API enforces it too). */
function RequireOnboarded() {
  const { onboarding } = useAuth();
  if (onboarding && !onboarding.complete && onboarding.nextStep) return <Navigate to={nextRoute(onboarding, loadPendingInvitation())} replace />;
  return <Outlet />;
}

/**
 * An onboarding page shows only its own step; the others lead to the step that is next. They lead
 * where `continueJourney` goes (an organization invitation pending in this tab included), as both
 * react to the same change of the onboarding state.
 */
function OnboardingStep({ step, children }: { step: string; children: React.ReactNode }) {
  const { onboarding } = useAuth();
  if (onboarding?.complete) return <Navigate to={nextRoute(onboarding, loadPendingInvitation())} replace />;
  if (onboarding && onboarding.nextStep && onboarding.nextStep !== step) {
    return <Navigate to={nextRoute(onboarding, loadPendingInvitation())} replace />;
  }
  return <>{children}</>;
}

function Home() {
  const { status, onboarding } = useAuth();
  const { t } = useI18n();
  if (status === 'loading') return <Spinner label={t('app.loading')} />;
  if (status === 'signedOut') return <Navigate to={paths.signIn} replace />;
  // The next onboarding step, or an organization invitation this tab is accepting, or the console.
  return <Navigate to={nextRoute(onboarding, loadPendingInvitation(), paths.projects)} replace />;
}

/** An address the app does not know. */
function NotFound({ console = false }: { console?: boolean }) {
  const { t } = useI18n();
  useDocumentTitle(t('app.notFound.title'));
  const body = (
    <>
      <h1 className={console ? undefined : 'card__title'}>{t('app.notFound.title')}</h1>
      <p>{t('app.notFound.body')}</p>
      <Link to={paths.home} className={console ? 'btn btn--primary' : 'btn btn--primary btn--block'}>
        {t('app.notFound.home')}
      </Link>
    </>
  );
  if (console) {
    return (
      <section className="panel" data-testid="not-found">
        <div className="panel__body result stack">{body}</div>
      </section>
    );
  }
  return (
    <div className="card result" data-testid="not-found">
      {body}
    </div>
  );
}

/** Not found inside the console (top bar and navigation) for someone signed in, else beside sign-in. */
function NotFoundPage() {
  const { status } = useAuth();
  const { t } = useI18n();
  if (status === 'loading') return <Spinner label={t('app.loading')} />;
  if (status === 'signedIn') {
    return (
      <ConsoleLayout>
        <NotFound console />
      </ConsoleLayout>
    );
  }
  return (
    <AuthLayout>
      <NotFound />
    </AuthLayout>
  );
}

export function App() {
  return (
    <Routes>
      <Route path={paths.home} element={<Home />} />
      <Route element={<AuthLayout />}>
        <Route path={paths.verifyEmail} element={<VerifyEmailPage />} />
        <Route path={paths.acceptInvitation} element={<InvitationPage />} />
        <Route path={paths.organizationInvitation} element={<OrganizationInvitationPage />} />
        <Route path={paths.resetPassword} element={<ResetPasswordPage />} />
        <Route path={paths.confirmEmailChange} element={<ConfirmEmailChangePage />} />
        <Route path={paths.cancelEmailChange} element={<CancelEmailChangePage />} />
        <Route path={paths.restoreAccount} element={<RestoreAccountPage />} />
        <Route path={paths.accountClosed} element={<AccountClosedPage />} />
        <Route element={<SignedOutOnly />}>
          <Route path={paths.signUp} element={<SignUpPage />} />
          <Route path={paths.signIn} element={<SignInPage />} />
          <Route path={paths.signInDevice} element={<DeviceCodePage />} />
          <Route path={paths.signInMfa} element={<MfaCodePage />} />
          <Route path={paths.forgotPassword} element={<ForgotPasswordPage />} />
        </Route>
      </Route>
      <Route element={<RequireSignedIn />}>
        {/* A program's sign-in by device code: beside the journey, so that an unfinished set-up is explained there. */}
        <Route element={<AuthLayout />}>
          <Route path={paths.device} element={<DeviceApprovalPage />} />
        </Route>
        <Route element={<OnboardingLayout />}>
          <Route path={paths.onboardingLegal} element={<OnboardingStep step="accept_legal_documents"><AcceptLegalPage /></OnboardingStep>} />
          <Route path={paths.onboardingOrganization} element={<OnboardingStep step="create_organization"><CreateOrganizationPage /></OnboardingStep>} />
          <Route path={paths.onboardingProject} element={<OnboardingStep step="create_project"><CreateProjectPage onboarding /></OnboardingStep>} />
          <Route path={paths.onboardingMfa} element={<OnboardingStep step="activate_mfa"><ActivateMfaPage /></OnboardingStep>} />
        </Route>
        <Route element={<RequireOnboarded />}>
          <Route element={<ConsoleLayout />}>
            <Route path={paths.projects} element={<ProjectsPage />} />
            <Route path={paths.newProject} element={<CreateProjectPage />} />
            <Route path={paths.projectPattern} element={<ProjectPage />} />
            <Route path={paths.organization} element={<OrganizationPage />} />
            <Route path={paths.newOrganization} element={<CreateOrganizationPage console />} />
            <Route path={paths.account} element={<AccountPage />} />
          </Route>
        </Route>
      </Route>
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  );
}
