import { useEffect, useState } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, retryAfterSeconds } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { clearChallenge, loadChallenge, routeForChallenge, saveChallenge, type SignInChallenge } from '../app/challenge';
import { useConfig } from '../app/config';
import { CodeField, useCodeEntry } from '../components/CodeField';
import { Button, FormAlert } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call } from '../lib/forms';
import { useCountdown } from '../lib/useCountdown';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

/** The current sign-in challenge: from the page that sent us here, or this tab's storage. */
export function useChallenge(): { challenge: SignInChallenge | null; from?: string } {
  const location = useLocation();
  const state = location.state as { challenge?: SignInChallenge; from?: string } | null;
  return { challenge: state?.challenge ?? loadChallenge(), from: state?.from };
}

export function ChallengeMissing() {
  const { t } = useI18n();
  return (
    <div className="card result">
      <div className="result__icon result__icon--warn" aria-hidden="true" />
      <h1 className="card__title">{t('device.title')}</h1>
      <p role="alert">{t('device.missing')}</p>
      <Link to={paths.signIn} className="btn btn--primary btn--block">
        {t('signin.submit')}
      </Link>
    </div>
  );
}

export function DeviceCodePage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.deviceCode'));
  const { challenge, from } = useChallenge();
  if (!challenge) return <ChallengeMissing />;
  return <DeviceCodeForm challenge={challenge} from={from} />;
}

function DeviceCodeForm({ challenge, from }: { challenge: SignInChallenge; from?: string }) {
  const { t } = useI18n();
  const config = useConfig();
  const navigate = useNavigate();
  const { completeSignIn } = useAuth();
  const [notice, setNotice] = useState<string | null>(null);
  const [ended, setEnded] = useState(false);
  const { left, start } = useCountdown(60);
  const entry = useCodeEntry(async (value) => {
    setNotice(null);
    const result = await call(
      api.POST('/v1/sessions/{challenge_id}/device-code', {
        params: { path: { challenge_id: challenge.challenge_id } },
        body: { code: value },
      }),
    );
    if (result.network) {
      entry.form.failNetwork();
      return;
    }
    const data = result.data as Record<string, unknown> | undefined;
    if (data && 'access_token' in data) {
      clearChallenge();
      await completeSignIn(result.data as Parameters<typeof completeSignIn>[0], from);
      return;
    }
    if (data && 'challenge_id' in data) {
      // Another step follows (the MFA code).
      const next = data as unknown as SignInChallenge;
      saveChallenge(next);
      navigate(routeForChallenge(next.next_step), { replace: true, state: { challenge: next, from } });
      return;
    }
    const problem = result.error;
    if (problem?.code === 'invalid_code') {
      entry.failCode(problem, 'invalid_code', problemMessage(t, problem));
    } else {
      if (problem && ['challenge_expired', 'challenge_not_found', 'too_many_attempts'].includes(problem.code)) {
        setEnded(true);
        clearChallenge();
      }
      entry.form.fail(problem);
    }
    entry.focus();
  });

  useEffect(() => {
    entry.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const resend = async () => {
    setNotice(null);
    const result = await call(
      api.POST('/v1/sessions/{challenge_id}/device-code/resend', { params: { path: { challenge_id: challenge.challenge_id } } }),
    );
    if (result.data) {
      setNotice(t('device.resent'));
      start(60);
      entry.setCode('');
      entry.form.clear();
      entry.focus();
      return;
    }
    if (result.network) {
      entry.form.failNetwork();
      return;
    }
    const wait = retryAfterSeconds(result.response, result.error);
    if (wait) start(wait);
    if (result.error && ['challenge_expired', 'challenge_not_found', 'too_many_resends'].includes(result.error.code)) setEnded(true);
    entry.form.fail(result.error);
  };

  const codeErrors = entry.form.field('code');
  return (
    <div className="card">
      <div className="result">
        <div className="result__icon result__icon--shield" aria-hidden="true" />
      </div>
      <h1 className="card__title center">{t('device.title')}</h1>
      <p className="card__subtitle center">
        {t('device.body', { hint: challenge.email_hint })}
        <span className="subject-note">{t('device.subject', { portal: config.portal_name })}</span>
      </p>
      <form className="form" noValidate onSubmit={entry.onSubmit} data-testid="device-form">
        <FormAlert message={codeErrors ? null : entry.form.errors.form} seq={entry.form.seq} />
        <CodeField entry={entry} label={t('device.code')} center disabled={ended} />
        <Button type="submit" block busy={entry.busy} disabled={ended} data-testid="device-submit">
          {t('device.submit')}
        </Button>
        <div role="status" aria-live="polite" className="center">
          {notice && <div className="alert alert--success">{notice}</div>}
        </div>
        <div className="actions actions--between">
          <button type="button" className="link-button" onClick={() => void resend()} disabled={left > 0 || ended} data-testid="device-resend">
            {left > 0 ? t('device.resendIn', { seconds: left }) : t('device.resend')}
          </button>
          <Link to={paths.signIn} onClick={() => clearChallenge()}>
            {t('device.restart')}
          </Link>
        </div>
      </form>
    </div>
  );
}
