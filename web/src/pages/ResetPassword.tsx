import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api, session, type Problem } from '../api/client';
import { problemMessage } from '../api/problem';
import { useConfig } from '../app/config';
import { PasswordChecklist } from '../components/PasswordChecklist';
import { Button, FormAlert, PasswordField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useHeadingFocus, useLinkToken } from '../lib/useLinkToken';
import { errorsBesideChecklist, passwordChecklist } from '../lib/password';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

const FIELDS = ['password', 'confirm'] as const;

type Phase = { name: 'form' } | { name: 'done' } | { name: 'refused'; problem: Partial<Problem> | null };

/** The emailed link to set a new password lands here (`/reset-password?token=…`). */
export function ResetPasswordPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.resetPassword'));
  const config = useConfig();
  const token = useLinkToken();
  const [phase, setPhase] = useState<Phase>(token ? { name: 'form' } : { name: 'refused', problem: null });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [passwordTouched, setPasswordTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const checklistId = useId();
  const headingRef = useHeadingFocus(phase.name);
  const policy = config.password_policy;
  const form = useFormErrors(FIELDS, { vars: { min: policy.min_length, max: policy.max_length } });

  // Whose password this is, the page does not know: the name-and-email rule is the API's to check.
  const passwordErrors = (() => {
    const messages = form.field('password');
    if (!messages) return undefined;
    const items = passwordChecklist(policy, password, null);
    const { messages: rest, summary } = errorsBesideChecklist(form.codes('password'), messages, items);
    return summary ? [t('password.fixBelow'), ...rest] : rest;
  })();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      form.failLocal({ confirm: 'password.mismatch' });
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/password-resets/confirm', { body: { token, password } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.response?.ok) {
      form.clear();
      // Every session of the account was ended, this browser's too if it was signed in.
      if (session.signedIn()) session.set(null);
      setPhase({ name: 'done' });
      return;
    }
    const problem = result.error;
    if (problem?.code === 'reset_link_invalid' || problem?.errors?.some((e) => e.field === 'token')) {
      setPhase({ name: 'refused', problem });
      return;
    }
    form.fail(problem);
  };

  if (phase.name === 'done') {
    return (
      <div className="card result" data-testid="reset-done">
        <div className="result__icon result__icon--ok" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('reset.done.title')}
        </h1>
        <p>{t('reset.done.body')}</p>
        <Link to={paths.signIn} className="btn btn--primary btn--block" data-testid="reset-sign-in">
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  if (phase.name === 'refused') {
    return (
      <div className="card result" data-testid="reset-refused" data-code={phase.problem?.code ?? 'missing'}>
        <div className="result__icon result__icon--warn" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('reset.invalid.title')}
        </h1>
        <p role="alert">{phase.problem ? problemMessage(t, phase.problem) : t('reset.missing')}</p>
        <Link to={paths.forgotPassword} className="btn btn--primary btn--block" data-testid="reset-new-link">
          {t('reset.newLink')}
        </Link>
        <p className="card__foot">
          <Link to={paths.signIn}>{t('forgot.back')}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="card">
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {t('reset.title')}
      </h1>
      <p className="card__subtitle">{t('reset.body')}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="reset-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
        <PasswordField
          label={t('field.newPassword')}
          value={password}
          onValue={(v) => {
            setPassword(v);
            form.clearField('password');
          }}
          onBlur={() => setPasswordTouched(true)}
          errors={passwordErrors}
          autoComplete="new-password"
          required
          name="password"
          aria-describedby={checklistId}
          after={<PasswordChecklist id={checklistId} password={password} personal={null} touched={passwordTouched} />}
        />
        <PasswordField
          label={t('field.confirmPassword')}
          value={confirm}
          onValue={(v) => {
            setConfirm(v);
            form.clearField('confirm');
          }}
          errors={form.field('confirm')}
          autoComplete="new-password"
          required
          name="confirm"
        />
        <Button type="submit" block busy={busy} data-testid="reset-submit">
          {t('reset.submit')}
        </Button>
      </form>
      <p className="card__foot">
        <Link to={paths.signIn}>{t('forgot.back')}</Link>
      </p>
    </div>
  );
}
