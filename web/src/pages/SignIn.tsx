import { useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { useAuth } from '../app/auth';
import { routeForChallenge, saveChallenge, type SignInChallenge } from '../app/challenge';
import { useConfig } from '../app/config';
import { Captcha } from '../components/Captcha';
import { Dialog } from '../components/Dialog';
import { Button, FormAlert, PasswordField, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { ResendVerification } from './ResendVerification';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

const FIELDS = ['email', 'password', 'captcha'] as const;

export function SignInPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.signIn'));
  const config = useConfig();
  const navigate = useNavigate();
  const location = useLocation();
  const { completeSignIn, endedReason } = useAuth();
  const initialEmail = (location.state as { email?: string } | null)?.email ?? '';
  const from = (location.state as { from?: string } | null)?.from;
  // Signed up from an organization invitation: the address is verified already.
  const verified = (location.state as { verified?: boolean } | null)?.verified === true;
  const [email, setEmail] = useState(initialEmail);
  const [password, setPassword] = useState('');
  const [captchaNeeded, setCaptchaNeeded] = useState(false);
  const [captcha, setCaptcha] = useState<string | null>(null);
  const [captchaReset, setCaptchaReset] = useState(0);
  const [busy, setBusy] = useState(false);
  const [unverified, setUnverified] = useState<string | null>(null);
  const [newDevice, setNewDevice] = useState<SignInChallenge | null>(null);
  const okRef = useRef<HTMLButtonElement>(null);
  const form = useFormErrors(FIELDS);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (captchaNeeded && !captcha) {
      form.failLocal({ captcha: 'captcha.required' });
      return;
    }
    setBusy(true);
    setUnverified(null);
    const result = await call(
      api.POST('/v1/sessions', {
        body: { email, password, use_cookies: true, ...(captcha ? { captcha } : {}) },
      }),
    );
    if (captcha) {
      setCaptcha(null);
      setCaptchaReset((n) => n + 1);
    }
    if (result.network) {
      setBusy(false);
      form.failNetwork();
      return;
    }
    const status = result.response?.status;
    if (status === 200 && result.data && 'access_token' in result.data) {
      form.clear();
      await completeSignIn(result.data, from);
      setBusy(false);
      return;
    }
    setBusy(false);
    if (status === 202 && result.data && 'challenge_id' in result.data) {
      form.clear();
      saveChallenge(result.data);
      if (result.data.next_step === 'device_code') setNewDevice(result.data);
      else navigate(routeForChallenge(result.data.next_step), { state: { challenge: result.data, from } });
      return;
    }
    const problem = result.error;
    if (problem?.errors?.some((e) => e.field === 'captcha') || problem?.code?.startsWith('captcha_')) {
      setCaptchaNeeded(true);
    }
    if (problem?.code === 'email_not_verified') setUnverified(email);
    form.fail(problem);
  };

  return (
    <div className="card">
      <h1 className="card__title">{t('signin.title')}</h1>
      <p className="card__subtitle">{t('signin.subtitle', { portal: config.portal_name })}</p>
      {endedReason === 'expired' && !form.errors.form && <div className="alert alert--info">{t('signin.expired')}</div>}
      {verified && !form.errors.form && (
        <div className="alert alert--success" role="status" data-testid="signin-verified">
          {t('signin.emailVerified')}
        </div>
      )}
      {endedReason === 'deviceRemoved' && !form.errors.form && (
        <div className="alert alert--info" role="status" data-testid="signin-device-removed">
          {t('signin.deviceRemoved')}
        </div>
      )}
      <form className="form" noValidate onSubmit={onSubmit} data-testid="signin-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
        {unverified && <ResendVerification email={unverified} />}
        <TextField
          label={t('field.email')}
          type="email"
          value={email}
          onValue={(v) => {
            setEmail(v);
            form.clearField('email');
          }}
          errors={form.field('email')}
          autoComplete="username"
          inputMode="email"
          spellCheck={false}
          required
          name="email"
        />
        <PasswordField
          label={t('field.password')}
          value={password}
          onValue={(v) => {
            setPassword(v);
            form.clearField('password');
          }}
          errors={form.field('password')}
          autoComplete="current-password"
          required
          name="password"
          after={
            <p className="field__aside">
              <Link to={paths.forgotPassword} state={{ email }} data-testid="forgot-password">
                {t('signin.forgot')}
              </Link>
            </p>
          }
        />
        {captchaNeeded && <Captcha onChange={setCaptcha} errors={form.field('captcha')} resetKey={captchaReset} autoStart />}
        <Button type="submit" block busy={busy} data-testid="signin-submit">
          {t('signin.submit')}
        </Button>
      </form>
      <p className="card__foot">
        {t('signin.noAccount')} <Link to={paths.signUp}>{t('signin.signUp')}</Link>
      </p>
      <Dialog
        open={!!newDevice}
        small
        title={t('signin.newDevice.title')}
        onClose={() => setNewDevice(null)}
        initialFocus={okRef}
        testId="new-device-dialog"
        footer={
          <div className="actions actions--end">
            <Button
              ref={okRef}
              onClick={() => {
                const challenge = newDevice;
                setNewDevice(null);
                if (challenge) navigate(paths.signInDevice, { state: { challenge, from } });
              }}
              data-testid="new-device-ok"
            >
              {t('signin.newDevice.ok')}
            </Button>
          </div>
        }
      >
        <div className="result">
          <div className="result__icon result__icon--shield" aria-hidden="true" />
        </div>
        <p>{t('signin.newDevice.body', { hint: newDevice?.email_hint ?? '' })}</p>
      </Dialog>
    </div>
  );
}
