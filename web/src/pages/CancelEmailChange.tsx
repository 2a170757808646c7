import { useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, session, type Problem } from '../api/client';
import { problemMessage } from '../api/problem';
import { useConfig } from '../app/config';
import { Button, FormAlert } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useHeadingFocus, useLinkToken } from '../lib/useLinkToken';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Phase =
  | { name: 'ask' }
  | { name: 'done'; email: string; passwordResetSent: boolean }
  | { name: 'refused'; problem: Partial<Problem> | null };

/**
 * The notice emailed to the current address links here (`/cancel-email-change?token=…`). Nothing
 * happens until the button is pressed: a mail scanner that opens the link cancels nothing.
 */
export function CancelEmailChangePage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.cancelEmailChange'));
  const config = useConfig();
  const token = useLinkToken();
  const [phase, setPhase] = useState<Phase>(token ? { name: 'ask' } : { name: 'refused', problem: null });
  const [busy, setBusy] = useState(false);
  const form = useFormErrors([]);
  const headingRef = useHeadingFocus(phase.name);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await call(api.POST('/v1/email-changes/cancel', { body: { token } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      // Every session of the account was ended, this browser's too if it was signed in.
      if (session.signedIn()) session.set(null);
      setPhase({ name: 'done', email: result.data.email, passwordResetSent: result.data.password_reset_sent });
      return;
    }
    const problem = result.error;
    // Final answers: the link is spent, or the old address went to another account meanwhile.
    const final = problem?.code === 'email_change_link_invalid' || problem?.code === 'email_taken';
    if (final || problem?.errors?.some((e) => e.field === 'token')) {
      setPhase({ name: 'refused', problem });
      return;
    }
    form.fail(problem);
  };

  if (phase.name === 'done') {
    return (
      <div className="card result" data-testid="email-cancel-done">
        <div className="result__icon result__icon--ok" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('emailCancel.done.title')}
        </h1>
        <p>{t('emailCancel.done.body', { email: phase.email })}</p>
        {phase.passwordResetSent && (
          <p className="alert alert--warning" data-testid="email-cancel-reset">
            {t('emailCancel.done.reset', { email: phase.email })}
          </p>
        )}
        <Link to={paths.signIn} state={{ email: phase.email }} className="btn btn--primary btn--block">
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  if (phase.name === 'refused') {
    return (
      <div className="card result" data-testid="email-cancel-refused" data-code={phase.problem?.code ?? 'missing'}>
        <div className="result__icon result__icon--warn" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('emailCancel.invalid.title')}
        </h1>
        <p role="alert">{phase.problem ? problemMessage(t, phase.problem) : t('emailCancel.missing')}</p>
        <Link to={paths.signIn} className="btn btn--primary btn--block">
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  return (
    <div className="card">
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {t('emailCancel.title')}
      </h1>
      <p className="card__subtitle">{t('emailCancel.body', { portal: config.portal_name })}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="email-cancel-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
        <Button type="submit" variant="danger" block busy={busy} data-testid="email-cancel-submit">
          {t('emailCancel.submit')}
        </Button>
      </form>
      <p className="card__foot small muted">{t('emailCancel.hint')}</p>
    </div>
  );
}
