import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router';
import { api } from '../api/client';
import { Captcha } from '../components/Captcha';
import { Button, FormAlert, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

const FIELDS = ['email', 'captcha'] as const;

/**
 * "Forgot password?": asks for a link to set a new password. The answer is the same whether or
 * not the address has an account, and so is this page.
 */
export function ForgotPasswordPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.forgotPassword'));
  const location = useLocation();
  const [email, setEmail] = useState((location.state as { email?: string } | null)?.email ?? '');
  const [captchaNeeded, setCaptchaNeeded] = useState(false);
  const [captcha, setCaptcha] = useState<string | null>(null);
  const [captchaReset, setCaptchaReset] = useState(0);
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const form = useFormErrors(FIELDS);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const shownSent = useRef(sent);

  // The page's content changes in place: the heading takes the focus, and the reader with it.
  useEffect(() => {
    if (shownSent.current !== sent) headingRef.current?.focus();
    shownSent.current = sent;
  }, [sent]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!email.trim()) {
      form.failLocal({ email: 'fielderr.email_required' });
      return;
    }
    if (captchaNeeded && !captcha) {
      form.failLocal({ captcha: 'captcha.required' });
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/password-resets', { body: { email, ...(captcha ? { captcha } : {}) } }));
    // An answer is single-use: the next request needs a fresh one.
    if (captcha) {
      setCaptcha(null);
      setCaptchaReset((n) => n + 1);
    }
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.response?.ok) {
      form.clear();
      setSent(true);
      return;
    }
    const problem = result.error;
    if (problem?.errors?.some((e) => e.field === 'captcha') || problem?.code?.startsWith('captcha_')) {
      setCaptchaNeeded(true);
    }
    form.fail(problem);
  };

  if (sent) {
    return (
      <div className="card result" data-testid="forgot-sent">
        <div className="result__icon result__icon--mail" aria-hidden="true" />
        <h1 className="card__title" ref={headingRef} tabIndex={-1}>
          {t('forgot.sent.title')}
        </h1>
        <p>{t('forgot.sent.body')}</p>
        <p className="small muted">{t('forgot.sent.hint')}</p>
        <p>
          <button type="button" className="link-button" onClick={() => setSent(false)} data-testid="forgot-again">
            {t('forgot.again')}
          </button>
        </p>
        <div className="card__foot">
          <Link to={paths.signIn} state={{ email }} className="btn btn--primary btn--block">
            {t('forgot.back')}
          </Link>
        </div>
      </div>
    );
  }

  return (
    <div className="card">
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {t('forgot.title')}
      </h1>
      <p className="card__subtitle">{t('forgot.body')}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="forgot-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
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
          maxLength={254}
          name="email"
        />
        {captchaNeeded && <Captcha onChange={setCaptcha} errors={form.field('captcha')} resetKey={captchaReset} autoStart />}
        <Button type="submit" block busy={busy} data-testid="forgot-submit">
          {t('forgot.submit')}
        </Button>
      </form>
      <p className="card__foot">
        <Link to={paths.signIn} state={{ email }}>
          {t('forgot.back')}
        </Link>
      </p>
    </div>
  );
}
