import { useEffect, useId, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, type Problem, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useConfig } from '../app/config';
import { PasswordChecklist } from '../components/PasswordChecklist';
import { Button, FormAlert, PasswordField, Spinner, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Invitation = Schemas['InvitationInfo'];

/** The enterprise invitation: the emailed link lands here to set the first password. */
export function InvitationPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.invitation'));
  const config = useConfig();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [invitation, setInvitation] = useState<Invitation | null>(null);
  const [refusal, setRefusal] = useState<Partial<Problem> | null>(token ? null : { code: 'invitation_invalid' });
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [doneEmail, setDoneEmail] = useState<string | null>(null);
  const checklistId = useId();
  const policy = config.password_policy;
  const form = useFormErrors(['password', 'confirm'], { vars: { min: policy.min_length, max: policy.max_length } });

  useEffect(() => {
    if (!token) return;
    let live = true;
    api.POST('/v1/invitations/lookup', { body: { token } }).then(
      ({ data, error }) => {
        if (!live) return;
        if (data) setInvitation(data);
        else setRefusal(error ?? { code: 'invitation_invalid' });
      },
      () => live && setRefusal({ code: 'network' }),
    );
    return () => {
      live = false;
    };
  }, [token]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (password !== confirm) {
      form.failLocal({ confirm: 'password.mismatch' });
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/invitations/accept', { body: { token, password } }));
    setBusy(false);
    if (result.data) {
      setDoneEmail(result.data.email);
      return;
    }
    if (result.network) form.failNetwork();
    else if (result.error && ['invitation_expired', 'invitation_used', 'invitation_invalid'].includes(result.error.code)) setRefusal(result.error);
    else form.fail(result.error);
  };

  if (doneEmail) {
    return (
      <div className="card result" data-testid="invitation-done">
        <div className="result__icon result__icon--ok" aria-hidden="true" />
        <h1 className="card__title">{t('invite.done.title')}</h1>
        <p>{t('invite.done.body', { portal: config.portal_name })}</p>
        <Link to={paths.signIn} state={{ email: doneEmail }} className="btn btn--primary btn--block">
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  if (refusal) {
    return (
      <div className="card result" data-testid="invitation-refused" data-code={refusal.code}>
        <div className="result__icon result__icon--warn" aria-hidden="true" />
        <h1 className="card__title">{t('invite.title')}</h1>
        <p role="alert">{!token ? t('invite.missing') : refusal.code === 'network' ? t('problem.network') : problemMessage(t, refusal)}</p>
        <Link to={paths.signIn} className="btn btn--secondary btn--block">
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  if (!invitation) return <Spinner label={t('app.loading')} />;
  return (
    <div className="card">
      <h1 className="card__title">{t('invite.title')}</h1>
      <p className="card__subtitle">{t('invite.body')}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="invitation-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
        <TextField label={t('field.fullName')} value={invitation.full_name} onValue={() => {}} readOnly required />
        <TextField label={t('field.email')} value={invitation.email} onValue={() => {}} readOnly required autoComplete="username" />
        <PasswordField
          label={t('field.newPassword')}
          value={password}
          onValue={(v) => {
            setPassword(v);
            form.clearField('password');
          }}
          errors={form.field('password')}
          autoComplete="new-password"
          required
          aria-describedby={checklistId}
          after={<PasswordChecklist id={checklistId} password={password} personal={[invitation.full_name, invitation.email]} touched={false} />}
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
        />
        <Button type="submit" block busy={busy} data-testid="invitation-submit">
          {t('invite.submit')}
        </Button>
      </form>
    </div>
  );
}
