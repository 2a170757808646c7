import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api, retryAfterSeconds } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { clearChallenge, loadChallenge, routeForChallenge, saveChallenge, type SignInChallenge } from '../app/challenge';
import { useConfig } from '../app/config';
import { CodeInput, type CodeInputHandle } from '../components/CodeInput';
import { Button, FormAlert } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useCountdown } from '../lib/useCountdown';
import { useDocumentTitle } from '../lib/useDocumentTitle';

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
      <Link to="/sign-in" className="btn btn--primary btn--block">
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
  const { completeSignIn, continueJourney } = useAuth();
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [ended, setEnded] = useState(false);
  const { left, start } = useCountdown(60);
  const labelId = useId();
  const errorId = useId();
  const inputRef = useRef<CodeInputHandle>(null);
  const form = useFormErrors(['code']);
  const submitting = useRef(false);

  useEffect(() => {
    inputRef.current?.focus();
  }, []);

  const submit = async (value: string) => {
    if (submitting.current) return;
    if (!/^\d{6}$/.test(value)) {
      form.failLocal({ code: 'fielderr.code_invalid' });
      return;
    }
    submitting.current = true;
    setBusy(true);
    setNotice(null);
    const result = await call(
      api.POST('/v1/sessions/{challenge_id}/device-code', {
        params: { path: { challenge_id: challenge.challenge_id } },
        body: { code: value },
      }),
    );
    submitting.current = false;
    if (result.network) {
      setBusy(false);
      form.failNetwork();
      return;
    }
    const data = result.data as Record<string, unknown> | undefined;
    if (data && 'access_token' in data) {
      clearChallenge();
      await completeSignIn(result.data as Parameters<typeof completeSignIn>[0]);
      setBusy(false);
      await continueJourney(from);
      return;
    }
    if (data && 'challenge_id' in data) {
      // Another step follows (the MFA code).
      const next = data as unknown as SignInChallenge;
      saveChallenge(next);
      setBusy(false);
      navigate(routeForChallenge(next.next_step), { replace: true, state: { challenge: next, from } });
      return;
    }
    setBusy(false);
    const problem = result.error;
    if (problem?.code === 'invalid_code') {
      form.fail({ ...problem, errors: [{ field: 'code', code: 'invalid_code', message: problemMessage(t, problem) }] });
    } else {
      if (problem && ['challenge_expired', 'challenge_not_found', 'too_many_attempts'].includes(problem.code)) {
        setEnded(true);
        clearChallenge();
      }
      form.fail(problem);
    }
    inputRef.current?.focus();
  };

  const resend = async () => {
    setNotice(null);
    const result = await call(
      api.POST('/v1/sessions/{challenge_id}/device-code/resend', { params: { path: { challenge_id: challenge.challenge_id } } }),
    );
    if (result.data) {
      setNotice(t('device.resent'));
      start(60);
      setCode('');
      form.clear();
      inputRef.current?.focus();
      return;
    }
    if (result.network) {
      form.failNetwork();
      return;
    }
    const wait = retryAfterSeconds(result.response, result.error);
    if (wait) start(wait);
    if (result.error && ['challenge_expired', 'challenge_not_found', 'too_many_resends'].includes(result.error.code)) setEnded(true);
    form.fail(result.error);
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(code);
  };

  const codeErrors = form.field('code');
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
      <form className="form" noValidate onSubmit={onSubmit} data-testid="device-form">
        <FormAlert message={codeErrors ? null : form.errors.form} seq={form.seq} />
        <div className="field">
          <span className="field__label center" id={labelId}>
            {t('device.code')}
          </span>
          <CodeInput
            ref={inputRef}
            value={code}
            onChange={(v) => {
              setCode(v);
              form.clearField('code');
            }}
            onComplete={(v) => void submit(v)}
            labelledBy={labelId}
            describedBy={codeErrors ? errorId : undefined}
            invalid={!!codeErrors}
            disabled={busy || ended}
          />
          {codeErrors && (
            <p className="field__error" id={errorId} role="alert">
              {codeErrors[0]}
            </p>
          )}
        </div>
        <Button type="submit" block busy={busy} disabled={ended} data-testid="device-submit">
          {t('device.submit')}
        </Button>
        <div role="status" aria-live="polite" className="center">
          {notice && <div className="alert alert--success">{notice}</div>}
        </div>
        <div className="actions actions--between">
          <button type="button" className="link-button" onClick={() => void resend()} disabled={left > 0 || ended} data-testid="device-resend">
            {left > 0 ? t('device.resendIn', { seconds: left }) : t('device.resend')}
          </button>
          <Link to="/sign-in" onClick={() => clearChallenge()}>
            {t('device.restart')}
          </Link>
        </div>
      </form>
    </div>
  );
}
