import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, type Problem } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { useI18n } from '../i18n/I18n';
import { useLinkToken } from '../lib/useLinkToken';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Outcome = { kind: 'checking' } | { kind: 'ok'; email: string } | { kind: 'failed'; problem: Partial<Problem> | null };

// A confirmation link is single-use: one request per token, however often the page renders.
const confirmations = new Map<string, Promise<Outcome>>();

function confirm(token: string): Promise<Outcome> {
  let pending = confirmations.get(token);
  if (!pending) {
    pending = api.POST('/v1/email-changes/confirm', { body: { token } }).then(
      ({ data, error }): Outcome => (data ? { kind: 'ok', email: data.email } : { kind: 'failed', problem: error ?? null }),
      (): Outcome => ({ kind: 'failed', problem: { code: 'network' } }),
    );
    confirmations.set(token, pending);
  }
  return pending;
}

/**
 * The link emailed to the new address lands here (`/confirm-email-change?token=…`): opening it
 * confirms the change, whether or not this browser is signed in.
 */
export function ConfirmEmailChangePage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.confirmEmailChange'));
  const { status, reloadMe } = useAuth();
  const token = useLinkToken();
  const [outcome, setOutcome] = useState<Outcome>(token ? { kind: 'checking' } : { kind: 'failed', problem: null });
  const reloaded = useRef(false);

  useEffect(() => {
    if (!token) return;
    let live = true;
    void confirm(token).then((o) => live && setOutcome(o));
    return () => {
      live = false;
    };
  }, [token]);

  // Signed in here: the account (and the address in the header) changed.
  useEffect(() => {
    if (outcome.kind === 'ok' && status === 'signedIn' && !reloaded.current) {
      reloaded.current = true;
      void reloadMe();
    }
  }, [outcome.kind, status, reloadMe]);

  // Which way to go next depends on whether this browser is signed in: known once the session is restored.
  if (outcome.kind === 'checking' || status === 'loading') {
    return (
      <div className="card result" role="status" aria-live="polite">
        <span className="btn__spinner" aria-hidden="true" />
        <h1 className="card__title">{t('emailChange.checking')}</h1>
      </div>
    );
  }
  if (outcome.kind === 'ok') {
    return (
      <div className="card result" data-testid="email-change-done">
        <div className="result__icon result__icon--ok" aria-hidden="true" />
        <h1 className="card__title">{t('emailChange.done.title')}</h1>
        <p role="status">{t('emailChange.done.body', { email: outcome.email })}</p>
        {status === 'signedIn' ? (
          <Link to={paths.account} className="btn btn--primary btn--block" data-testid="email-change-next">
            {t('emailChange.toAccount')}
          </Link>
        ) : (
          <Link to={paths.signIn} state={{ email: outcome.email }} className="btn btn--primary btn--block" data-testid="email-change-next">
            {t('signin.submit')}
          </Link>
        )}
      </div>
    );
  }
  const code = outcome.problem?.code;
  const reason = !token ? t('emailChange.missing') : code === 'network' ? t('problem.network') : problemMessage(t, outcome.problem ?? { code: 'email_change_link_invalid' });
  return (
    <div className="card result" data-testid="email-change-failed" data-code={code ?? 'missing'}>
      <div className="result__icon result__icon--warn" aria-hidden="true" />
      <h1 className="card__title">{t('emailChange.failed.title')}</h1>
      <p role="alert">{reason}</p>
      {code !== 'network' && <p className="muted small">{t('emailChange.failed.hint')}</p>}
      {status === 'signedIn' ? (
        <Link to={paths.account} className="btn btn--primary btn--block">
          {t('emailChange.toAccount')}
        </Link>
      ) : (
        <Link to={paths.signIn} className="btn btn--primary btn--block">
          {t('signin.submit')}
        </Link>
      )}
    </div>
  );
}
