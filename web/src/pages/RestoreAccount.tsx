import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, type Problem } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { Button, FormAlert } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useHeadingFocus, useLinkToken } from '../lib/useLinkToken';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Phase = { name: 'ask' } | { name: 'done'; email: string } | { name: 'refused'; problem: Partial<Problem> | null };

/**
 * The email sent when an account is closed links here (`/restore-account?token=…`). Nothing
 * happens until the button is pressed: a mail scanner that opens the link restores nothing.
 * Signed in or not, the link restores the account it was sent for.
 */
export function RestoreAccountPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.restoreAccount'));
  const config = useConfig();
  const { status, signOut } = useAuth();
  const token = useLinkToken();
  const [phase, setPhase] = useState<Phase>(token ? { name: 'ask' } : { name: 'refused', problem: null });
  const [busy, setBusy] = useState(false);
  const form = useFormErrors([]);
  const headingRef = useHeadingFocus(phase.name);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await call(api.POST('/v1/account-closures/restore', { body: { token } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      setPhase({ name: 'done', email: result.data.email });
      return;
    }
    const problem = result.error;
    // Final: the link was used, or the account's data is already erased.
    if (problem?.code === 'restore_link_invalid' || problem?.errors?.some((e) => e.field === 'token')) {
      setPhase({ name: 'refused', problem });
      return;
    }
    form.fail(problem);
  };

  if (phase.name === 'done') {
    return (
      <div className="card result" data-testid="restore-done">
        <div className="result__icon result__icon--ok" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('restore.done.title')}
        </h1>
        <p>{t('restore.done.body', { email: phase.email })}</p>
        {status === 'signedIn' ? (
          <>
            <p className="alert alert--info" data-testid="restore-signed-in">
              {t('restore.done.signedIn', { email: phase.email })}
            </p>
            <Button block onClick={() => void signOut()}>
              {t('app.signOut')}
            </Button>
          </>
        ) : (
          <Link to={paths.signIn} state={{ email: phase.email }} className="btn btn--primary btn--block">
            {t('signin.submit')}
          </Link>
        )}
      </div>
    );
  }
  if (phase.name === 'refused') {
    return (
      <div className="card result" data-testid="restore-refused" data-code={phase.problem?.code ?? 'missing'}>
        <div className="result__icon result__icon--warn" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('restore.invalid.title')}
        </h1>
        <p role="alert">{phase.problem ? problemMessage(t, phase.problem) : t('restore.missing')}</p>
        <Link to={paths.signIn} className="btn btn--primary btn--block">
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  return (
    <div className="card">
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {t('restore.title')}
      </h1>
      <p className="card__subtitle">{t('restore.body', { portal: config.portal_name })}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="restore-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
        <Button type="submit" block busy={busy} data-testid="restore-submit">
          {t('restore.submit')}
        </Button>
      </form>
      <p className="card__foot small muted">{t('restore.hint')}</p>
    </div>
  );
}
