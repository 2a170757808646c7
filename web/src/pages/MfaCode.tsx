import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { clearChallenge, type SignInChallenge } from '../app/challenge';
import { CodeInput, type CodeInputHandle } from '../components/CodeInput';
import { Button, FormAlert, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { ChallengeMissing, useChallenge } from './DeviceCode';
import { useDocumentTitle } from '../lib/useDocumentTitle';

export function MfaCodePage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.mfaCode'));
  const { challenge, from } = useChallenge();
  if (!challenge) return <ChallengeMissing />;
  return <MfaCodeForm challenge={challenge} from={from} />;
}

function MfaCodeForm({ challenge, from }: { challenge: SignInChallenge; from?: string }) {
  const { t } = useI18n();
  const { completeSignIn, continueJourney } = useAuth();
  const [useRecovery, setUseRecovery] = useState(false);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState('');
  const [busy, setBusy] = useState(false);
  const [ended, setEnded] = useState(false);
  const labelId = useId();
  const errorId = useId();
  const codeRef = useRef<CodeInputHandle>(null);
  const form = useFormErrors(['code']);
  const submitting = useRef(false);

  useEffect(() => {
    if (!useRecovery) codeRef.current?.focus();
  }, [useRecovery]);

  const submit = async (value: string) => {
    if (submitting.current) return;
    if (!useRecovery && !/^\d{6}$/.test(value)) {
      form.failLocal({ code: 'fielderr.code_invalid' });
      return;
    }
    if (useRecovery && value.trim().length < 6) {
      form.failLocal({ code: 'fielderr.required' });
      return;
    }
    submitting.current = true;
    setBusy(true);
    const result = await call(
      api.POST('/v1/sessions/{challenge_id}/mfa-code', {
        params: { path: { challenge_id: challenge.challenge_id } },
        body: { code: value.trim() },
      }),
    );
    submitting.current = false;
    if (result.data) {
      clearChallenge();
      await completeSignIn(result.data);
      setBusy(false);
      await continueJourney(from);
      return;
    }
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    const problem = result.error;
    if (problem?.code === 'invalid_code') {
      form.fail({ ...problem, errors: [{ field: 'code', code: useRecovery ? 'recovery_invalid' : 'totp_invalid', message: problemMessage(t, problem) }] });
      if (!useRecovery) codeRef.current?.focus();
    } else {
      if (problem && ['challenge_expired', 'challenge_not_found', 'too_many_attempts'].includes(problem.code)) {
        setEnded(true);
        clearChallenge();
      }
      form.fail(problem);
    }
  };

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void submit(useRecovery ? recovery : code);
  };
  const codeErrors = form.field('code');
  return (
    <div className="card">
      <div className="result">
        <div className="result__icon result__icon--shield" aria-hidden="true" />
      </div>
      <h1 className="card__title center">{t('mfa.signin.title')}</h1>
      <p className="card__subtitle center">{useRecovery ? t('mfa.signin.recoveryBody') : t('mfa.signin.body')}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="mfa-form">
        <FormAlert message={codeErrors ? null : form.errors.form} seq={form.seq} />
        {useRecovery ? (
          <TextField
            label={t('mfa.signin.recoveryCode')}
            value={recovery}
            onValue={(v) => {
              setRecovery(v);
              form.clearField('code');
            }}
            errors={codeErrors}
            autoComplete="off"
            spellCheck={false}
            autoCapitalize="characters"
            required
            autoFocus
            className="input secret"
            data-testid="recovery-code"
          />
        ) : (
          <div className="field">
            <span className="field__label center" id={labelId}>
              {t('mfa.scan.code')}
            </span>
            <CodeInput
              ref={codeRef}
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
        )}
        <Button type="submit" block busy={busy} disabled={ended} data-testid="mfa-submit">
          {t('device.submit')}
        </Button>
        <div className="actions actions--between">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setUseRecovery((r) => !r);
              form.clear();
            }}
            data-testid="mfa-toggle-recovery"
          >
            {useRecovery ? t('mfa.signin.useApp') : t('mfa.signin.useRecovery')}
          </button>
          <Link to="/sign-in" onClick={() => clearChallenge()}>
            {t('device.restart')}
          </Link>
        </div>
      </form>
    </div>
  );
}
