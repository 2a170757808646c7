import { useEffect, useState, type FormEvent } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api } from '../api/client';
import { problemMessage } from '../api/problem';
import { useConfig } from '../app/config';
import { Button, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import type { Problem } from '../api/client';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Outcome = { kind: 'checking' } | { kind: 'ok'; email: string } | { kind: 'failed'; problem: Partial<Problem> | null };

// A verification token is single-use: one request per token, however often the page renders.
const confirmations = new Map<string, Promise<Outcome>>();

function confirm(token: string): Promise<Outcome> {
  let pending = confirmations.get(token);
  if (!pending) {
    pending = api.POST('/v1/email-verifications', { body: { token } }).then(
      ({ data, error }): Outcome => (data ? { kind: 'ok', email: data.email } : { kind: 'failed', problem: error ?? null }),
      (): Outcome => ({ kind: 'failed', problem: { code: 'network' } }),
    );
    confirmations.set(token, pending);
  }
  return pending;
}

export function VerifyEmailPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.verifyEmail'));
  const config = useConfig();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [outcome, setOutcome] = useState<Outcome>(token ? { kind: 'checking' } : { kind: 'failed', problem: null });

  useEffect(() => {
    if (!token) return;
    let live = true;
    void confirm(token).then((o) => live && setOutcome(o));
    return () => {
      live = false;
    };
  }, [token]);

  if (outcome.kind === 'checking') {
    return (
      <div className="card result" role="status" aria-live="polite">
        <span className="btn__spinner" aria-hidden="true" />
        <h1 className="card__title">{t('verify.checking')}</h1>
      </div>
    );
  }
  if (outcome.kind === 'ok') {
    return (
      <div className="card result" data-testid="verify-success">
        <div className="result__icon result__icon--ok" aria-hidden="true" />
        <h1 className="card__title">{t('verify.success.title')}</h1>
        <p>{t('verify.success.body', { portal: config.portal_name })}</p>
        <p className="muted small">{outcome.email}</p>
        <Link to={paths.signIn} className="btn btn--primary btn--block" state={{ email: outcome.email }}>
          {t('signin.submit')}
        </Link>
      </div>
    );
  }
  const code = outcome.problem?.code;
  const reason =
    !token ? t('verify.missing') : code === 'network' ? t('problem.network') : problemMessage(t, outcome.problem ?? { code: 'verification_token_invalid' });
  const alreadyDone = code === 'email_already_verified' || code === 'verification_token_used';
  return (
    <div className="card" data-testid="verify-failed" data-code={code ?? 'missing'}>
      <div className="result">
        <div className="result__icon result__icon--warn" aria-hidden="true" />
        <h1 className="card__title">{t('verify.failed.title')}</h1>
        <p role="alert">{reason}</p>
      </div>
      {alreadyDone && (
        <p>
          <Link to={paths.signIn} className="btn btn--primary btn--block">
            {t('signin.submit')}
          </Link>
        </p>
      )}
      {code !== 'email_already_verified' && <NewLinkForm />}
    </div>
  );
}

function NewLinkForm() {
  const { t } = useI18n();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<string[] | undefined>();
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      setFieldError([t('fielderr.email_required')]);
      return;
    }
    setBusy(true);
    setError(null);
    setFieldError(undefined);
    try {
      const { data, error: problem } = await api.POST('/v1/email-verifications/resend', { body: { email } });
      if (data) setSent(true);
      else setError(problemMessage(t, problem ?? {}));
    } catch {
      setError(t('problem.network'));
    }
    setBusy(false);
  };
  return (
    <form className="form card__foot" onSubmit={onSubmit} noValidate>
      <h2>{t('verify.newLink')}</h2>
      <p className="muted small">{t('verify.newLinkHint')}</p>
      <div role="status" aria-live="polite">
        {sent && <div className="alert alert--success">{t('verify.sent')}</div>}
        {error && <div className="alert alert--error">{error}</div>}
      </div>
      <TextField label={t('field.email')} type="email" value={email} onValue={setEmail} autoComplete="email" required errors={fieldError} />
      <Button type="submit" variant="secondary" block busy={busy}>
        {t('verify.send')}
      </Button>
    </form>
  );
}
