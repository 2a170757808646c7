import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type Problem, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { Button, FormAlert, Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import { call } from '../lib/forms';
import {
  clearPendingInvitation,
  invitationPath,
  invitationProblemMessage,
  refusalKind,
  roleMessages,
  savePendingInvitation,
} from '../lib/organizationInvitation';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Preview = Schemas['OrganizationInvitationPreview'];

/** The page an organization invitation email links to: `/organization-invitation?token=…`. */
export function OrganizationInvitationPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.organizationInvitation'));
  const [params] = useSearchParams();
  const token = (params.get('token') ?? '').trim();
  // Another invitation's link opened in this tab starts afresh.
  return <OrganizationInvitation key={token} token={token} />;
}

function OrganizationInvitation({ token }: { token: string }) {
  const { t, lang } = useI18n();
  const { status, me, continueJourney, signOut } = useAuth();
  const [preview, setPreview] = useState<Preview | null>(null);
  // Why the link cannot be used (lookup refused, or acceptance refused for good).
  const [refusal, setRefusal] = useState<Partial<Problem> | null>(token ? null : { code: 'invitation_invalid' });
  // Why the last acceptance was refused, when the invitation itself is still usable.
  const [acceptError, setAcceptError] = useState<Partial<Problem> | null>(null);
  const [seq, setSeq] = useState(0);
  const [busy, setBusy] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const refusalRef = useRef<HTMLParagraphElement>(null);
  const refusedByAccept = useRef(false);

  useEffect(() => {
    if (!token) return;
    let live = true;
    void call(api.POST('/v1/organization-invitations/lookup', { body: { token } })).then((result) => {
      if (!live) return;
      if (result.data) {
        setPreview(result.data);
        setRefusal(null);
        return;
      }
      const problem: Partial<Problem> = result.network ? { code: 'network' } : (result.error ?? { code: 'invitation_invalid' });
      if (refusalKind(problem.code) === 'unusable') clearPendingInvitation(token);
      setRefusal(problem);
    });
    return () => {
      live = false;
    };
  }, [token, attempt]);

  // The acceptance found the link unusable: the page changed in place, the message takes the focus.
  useEffect(() => {
    if (refusal && refusedByAccept.current) refusalRef.current?.focus();
  }, [refusal]);

  const onAccept = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    // Kept until it is accepted: the API may first send the person to the legal documents, and
    // the journey comes back here afterwards.
    savePendingInvitation(token);
    setBusy(true);
    const result = await call(api.POST('/v1/organization-invitations/accept', { body: { token } }));
    if (result.data) {
      clearPendingInvitation(token);
      // Whoever joined is not asked for an organization or a project: MFA or the console is next.
      await continueJourney();
      return;
    }
    setBusy(false);
    const problem: Partial<Problem> = result.network ? { code: 'network' } : (result.error ?? {});
    const kind = refusalKind(problem.code);
    if (kind === 'unusable' || kind === 'alreadyMember') clearPendingInvitation(token);
    if (kind === 'unusable') {
      refusedByAccept.current = true;
      setRefusal(problem);
      return;
    }
    // `onboarding`: the app has already gone to the missing step (see app/auth.tsx).
    setAcceptError(problem);
    setSeq((s) => s + 1);
  };

  const later = () => clearPendingInvitation(token);

  if (status === 'loading' || (!preview && !refusal)) return <Spinner label={t('app.loading')} />;

  const consoleOrSignIn =
    status === 'signedIn' ? (
      <Link to={paths.home} className="btn btn--secondary btn--block">
        {t('orgInvite.toConsole')}
      </Link>
    ) : (
      <Link to={paths.signIn} className="btn btn--secondary btn--block">
        {t('signin.submit')}
      </Link>
    );

  if (refusal || !preview) {
    const problem = refusal ?? { code: 'invitation_invalid' };
    const network = problem.code === 'network';
    const unusable = refusalKind(problem.code) === 'unusable';
    return (
      <div className="card result" data-testid="org-invitation-refused" data-code={token ? problem.code : 'missing'}>
        <div className="result__icon result__icon--warn" aria-hidden="true" />
        <h1 className="card__title">{unusable ? t('orgInvite.refused.title') : t('orgInvite.title')}</h1>
        <p role="alert" tabIndex={-1} ref={refusalRef}>
          {!token ? t('invite.missing') : invitationProblemMessage(t, problem)}
        </p>
        <div className="stack">
          {network && (
            <Button block onClick={() => setAttempt((a) => a + 1)}>
              {t('common.retry')}
            </Button>
          )}
          {consoleOrSignIn}
        </div>
      </div>
    );
  }

  const organization = preview.organization_name;
  const role = roleMessages(preview.role);
  const roleName = role ? t(role.label) : preview.role;
  const inviter = preview.invited_by?.trim();
  const kind = acceptError ? refusalKind(acceptError.code) : null;
  const acceptMessage = acceptError
    ? invitationProblemMessage(t, acceptError, { organization, email: preview.email, current: me?.email })
    : null;

  return (
    <div className="card card--wide" data-testid="org-invitation" data-role={preview.role}>
      <h1 className="card__title">{t('orgInvite.heading', { organization })}</h1>
      <p className="card__subtitle">
        {inviter
          ? t('orgInvite.byInviter', { inviter, organization, role: roleName })
          : t('orgInvite.noInviter', { organization, role: roleName })}
      </p>
      <div className="stack">
        <dl className="dl" data-testid="org-invitation-details">
          <dt>{t('orgInvite.role')}</dt>
          <dd>
            {roleName}
            {role && <div className="muted small">{t(role.description)}</div>}
          </dd>
          <dt>{t('orgInvite.email')}</dt>
          <dd>{preview.email}</dd>
          <dt>{t('orgInvite.expires')}</dt>
          <dd>
            <time dateTime={preview.expires_at}>{formatDate(lang, preview.expires_at, true)}</time>
          </dd>
        </dl>
        {status === 'signedIn' ? (
          <form className="form" noValidate onSubmit={onAccept} data-testid="org-invitation-form">
            <FormAlert
              message={acceptMessage}
              seq={seq}
              tone={kind === 'alreadyMember' ? 'info' : kind === 'wrongAccount' ? 'warning' : 'error'}
            />
            {me && <p className="muted small">{t('app.userMenu', { email: me.email })}</p>}
            {kind === 'wrongAccount' ? (
              <Button
                block
                busy={busy}
                onClick={() => {
                  setBusy(true);
                  // The token stays: after signing in with the invited address, the journey comes back here.
                  savePendingInvitation(token);
                  void signOut({ email: preview.email, from: invitationPath(token) });
                }}
                data-testid="org-invitation-switch"
              >
                {t('orgInvite.switchAccount')}
              </Button>
            ) : kind === 'alreadyMember' ? (
              <Link to={paths.home} className="btn btn--primary btn--block">
                {t('orgInvite.toConsole')}
              </Link>
            ) : (
              <Button type="submit" block busy={busy} data-testid="org-invitation-accept">
                {t('orgInvite.accept', { organization })}
              </Button>
            )}
            {kind !== 'alreadyMember' && (
              <div className="center">
                <Link to={paths.home} onClick={later} data-testid="org-invitation-later">
                  {t('orgInvite.later')}
                </Link>
              </div>
            )}
          </form>
        ) : (
          <>
            <p>{t('orgInvite.signedOutHint', { email: preview.email })}</p>
            <Link
              to={paths.signIn}
              state={{ email: preview.email, from: invitationPath(token) }}
              onClick={() => savePendingInvitation(token)}
              className="btn btn--primary btn--block"
              data-testid="org-invitation-sign-in"
            >
              {t('orgInvite.signIn')}
            </Link>
            <Link
              to={paths.signUp}
              state={{ email: preview.email }}
              onClick={() => savePendingInvitation(token)}
              className="btn btn--secondary btn--block"
              data-testid="org-invitation-sign-up"
            >
              {t('orgInvite.signUp')}
            </Link>
          </>
        )}
      </div>
    </div>
  );
}
