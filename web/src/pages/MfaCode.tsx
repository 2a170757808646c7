import { useEffect, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { api } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { clearChallenge, type SignInChallenge } from '../app/challenge';
import { CodeField, useCodeEntry } from '../components/CodeField';
import { Button, FormAlert, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call } from '../lib/forms';
import { ChallengeMissing, useChallenge } from './DeviceCode';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

export function MfaCodePage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.mfaCode'));
  const { challenge, from } = useChallenge();
  if (!challenge) return <ChallengeMissing />;
  return <MfaCodeForm challenge={challenge} from={from} />;
}

function MfaCodeForm({ challenge, from }: { challenge: SignInChallenge; from?: string }) {
  const { t } = useI18n();
  const { completeSignIn } = useAuth();
  const [useRecovery, setUseRecovery] = useState(false);
  const [recovery, setRecovery] = useState('');
  const [ended, setEnded] = useState(false);
  const entry = useCodeEntry(
    async (value) => {
      const result = await call(
        api.POST('/v1/sessions/{challenge_id}/mfa-code', {
          params: { path: { challenge_id: challenge.challenge_id } },
          body: { code: value.trim() },
        }),
      );
      if (result.data) {
        clearChallenge();
        await completeSignIn(result.data, from);
        return;
      }
      if (result.network) {
        entry.form.failNetwork();
        return;
      }
      const problem = result.error;
      if (problem?.code === 'invalid_code') {
        entry.failCode(problem, useRecovery ? 'recovery_invalid' : 'totp_invalid', problemMessage(t, problem));
        if (!useRecovery) entry.focus();
      } else {
        if (problem && ['challenge_expired', 'challenge_not_found', 'too_many_attempts'].includes(problem.code)) {
          setEnded(true);
          clearChallenge();
        }
        entry.form.fail(problem);
      }
    },
    (value) => {
      if (!useRecovery) return /^\d{6}$/.test(value) ? null : 'fielderr.code_invalid';
      return value.trim().length < 6 ? 'fielderr.required' : null;
    },
  );

  useEffect(() => {
    if (!useRecovery) entry.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [useRecovery]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void entry.submit(useRecovery ? recovery : entry.code);
  };
  const codeErrors = entry.form.field('code');
  return (
    <div className="card">
      <div className="result">
        <div className="result__icon result__icon--shield" aria-hidden="true" />
      </div>
      <h1 className="card__title center">{t('mfa.signin.title')}</h1>
      <p className="card__subtitle center">{useRecovery ? t('mfa.signin.recoveryBody') : t('mfa.signin.body')}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="mfa-form">
        <FormAlert message={codeErrors ? null : entry.form.errors.form} seq={entry.form.seq} />
        {useRecovery ? (
          <TextField
            label={t('mfa.signin.recoveryCode')}
            value={recovery}
            onValue={(v) => {
              setRecovery(v);
              entry.form.clearField('code');
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
          <CodeField entry={entry} label={t('mfa.scan.code')} center disabled={ended} />
        )}
        <Button type="submit" block busy={entry.busy} disabled={ended} data-testid="mfa-submit">
          {t('device.submit')}
        </Button>
        <div className="actions actions--between">
          <button
            type="button"
            className="link-button"
            onClick={() => {
              setUseRecovery((r) => !r);
              entry.form.clear();
            }}
            data-testid="mfa-toggle-recovery"
          >
            {useRecovery ? t('mfa.signin.useApp') : t('mfa.signin.useRecovery')}
          </button>
          <Link to={paths.signIn} onClick={() => clearChallenge()}>
            {t('device.restart')}
          </Link>
        </div>
      </form>
    </div>
  );
}
