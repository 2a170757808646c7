import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { CodeField, useCodeEntry } from '../components/CodeField';
import { Stepper } from '../components/Stepper';
import { RecoveryCodeList, SavedCodesCheck, TotpKey } from '../components/TwoFactor';
import { Button, FormAlert, PasswordField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useDocumentTitle } from '../lib/useDocumentTitle';

type Enrollment = Schemas['TotpEnrollment'];

type Phase = { name: 'required' } | { name: 'confirm' } | { name: 'scan'; enrollment: Enrollment } | { name: 'recovery'; codes: string[] };

export function ActivateMfaPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.activateMfa'));
  const [phase, setPhase] = useState<Phase>({ name: 'required' });
  const headingRef = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (phase.name !== 'required') headingRef.current?.focus();
  }, [phase.name]);
  return (
    <>
      <Stepper current="activate_mfa" />
      <section className="panel panel--form" data-testid={`mfa-phase-${phase.name}`}>
        {phase.name === 'required' && <Required onStart={() => setPhase({ name: 'confirm' })} />}
        {phase.name === 'confirm' && <ConfirmPassword headingRef={headingRef} onConfirmed={(enrollment) => setPhase({ name: 'scan', enrollment })} />}
        {phase.name === 'scan' && (
          <Scan headingRef={headingRef} enrollment={phase.enrollment} onActivated={(codes) => setPhase({ name: 'recovery', codes })} />
        )}
        {phase.name === 'recovery' && <RecoveryCodes headingRef={headingRef} codes={phase.codes} />}
      </section>
      <p className="visually-hidden" aria-live="polite">
        {phase.name === 'recovery' ? t('mfa.done') : ''}
      </p>
    </>
  );
}

type HeadingRef = React.RefObject<HTMLHeadingElement | null>;

function Required({ onStart }: { onStart: () => void }) {
  const { t } = useI18n();
  const config = useConfig();
  return (
    <div className="panel__body result">
      <div className="result__icon result__icon--shield" aria-hidden="true" />
      <h1>{t('mfa.required.title')}</h1>
      <p className="muted">{t('mfa.required.body', { portal: config.portal_name })}</p>
      <Button onClick={onStart} data-testid="mfa-start">
        {t('mfa.required.start')}
      </Button>
    </div>
  );
}

function ConfirmPassword({ onConfirmed, headingRef }: { onConfirmed: (e: Enrollment) => void; headingRef: HeadingRef }) {
  const { t } = useI18n();
  const { me } = useAuth();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(['password']);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!password) {
      form.failLocal({ password: 'fielderr.required' });
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/me/mfa/totp', { body: { password } }));
    setBusy(false);
    if (result.data) {
      onConfirmed(result.data);
      return;
    }
    if (result.network) form.failNetwork();
    else if (result.error?.code === 'reauthentication_failed') {
      form.fail({ ...result.error, errors: [{ field: 'password', code: 'reauthentication_failed', message: result.error.detail ?? '' }] });
    } else form.fail(result.error);
  };
  return (
    <>
      <div className="panel__head">
        <div>
          <h1 ref={headingRef} tabIndex={-1}>
            {t('mfa.confirm.title')}
          </h1>
          <p>{t('mfa.confirm.body')}</p>
        </div>
      </div>
      <div className="panel__body">
        <form className="form" noValidate onSubmit={onSubmit} data-testid="mfa-confirm-form">
          <FormAlert message={form.field('password') ? null : form.errors.form} seq={form.seq} />
          {/* The account's email, for password managers. */}
          <input type="email" name="username" autoComplete="username" value={me?.email ?? ''} readOnly hidden />
          <PasswordField
            label={t('field.currentPassword')}
            value={password}
            onValue={(v) => {
              setPassword(v);
              form.clearField('password');
            }}
            errors={form.field('password')}
            autoComplete="current-password"
            required
            autoFocus
          />
          <div className="actions actions--end">
            <Button type="submit" busy={busy} data-testid="mfa-confirm">
              {t('mfa.confirm.submit')}
            </Button>
          </div>
        </form>
      </div>
    </>
  );
}

function Scan({ enrollment, onActivated, headingRef }: { enrollment: Enrollment; onActivated: (codes: string[]) => void; headingRef: HeadingRef }) {
  const { t } = useI18n();
  const entry = useCodeEntry(async (value) => {
    const result = await call(api.POST('/v1/me/mfa/totp/activate', { body: { code: value } }));
    if (result.data) {
      onActivated(result.data.recovery_codes);
      return;
    }
    if (result.network) entry.form.failNetwork();
    else if (result.error && ['invalid_code', 'reauthentication_failed'].includes(result.error.code)) {
      entry.failCode({ ...result.error, code: 'invalid_code' }, 'totp_invalid', result.error.detail ?? '');
    } else entry.form.fail(result.error);
    entry.focus();
  });

  const codeErrors = entry.form.field('code');
  return (
    <>
      <div className="panel__head">
        <div>
          <h1 ref={headingRef} tabIndex={-1}>
            {t('mfa.scan.title')}
          </h1>
          <p>{t('mfa.scan.apps')}</p>
        </div>
      </div>
      <div className="panel__body stack">
        <TotpKey enrollment={enrollment} />
        <hr className="divider" />
        <form className="form" noValidate onSubmit={entry.onSubmit} data-testid="mfa-activate-form">
          <FormAlert message={codeErrors ? null : entry.form.errors.form} seq={entry.form.seq} />
          <CodeField entry={entry} label={t('mfa.scan.code')} />
          <div className="actions actions--end">
            <Button type="submit" busy={entry.busy} data-testid="mfa-activate">
              {t('mfa.scan.submit')}
            </Button>
          </div>
        </form>
      </div>
    </>
  );
}

function RecoveryCodes({ codes, headingRef }: { codes: string[]; headingRef: HeadingRef }) {
  const { t } = useI18n();
  const { continueJourney } = useAuth();
  const [ack, setAck] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(['ack']);
  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!ack) {
      form.failLocal({ ack: 'mfa.recovery.ackNeeded' }, 'mfa.recovery.ackNeeded');
      return;
    }
    setBusy(true);
    await continueJourney();
  };
  const ackErrors = form.field('ack');
  return (
    <>
      <div className="panel__head">
        <div>
          <h1 ref={headingRef} tabIndex={-1}>
            {t('mfa.recovery.title')}
          </h1>
          <p>{t('mfa.recovery.body')}</p>
        </div>
      </div>
      <div className="panel__body">
        <form className="form" noValidate onSubmit={onSubmit}>
          <div className="alert alert--success" role="status">
            {t('mfa.done')}
          </div>
          <FormAlert message={ackErrors ? null : form.errors.form} seq={form.seq} />
          <RecoveryCodeList codes={codes} />
          <SavedCodesCheck
            checked={ack}
            onChange={(checked) => {
              setAck(checked);
              form.clearField('ack');
            }}
            errors={ackErrors}
          />
          <div className="actions actions--end">
            <Button type="submit" busy={busy} data-testid="recovery-continue">
              {t('mfa.recovery.continue')}
            </Button>
          </div>
        </form>
      </div>
    </>
  );
}
