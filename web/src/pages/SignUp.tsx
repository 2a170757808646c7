import { useId, useRef, useState, type FormEvent } from 'react';
import { Link, useLocation, useNavigate } from 'react-router';
import { api } from '../api/client';
import { currentLegalVersions } from '../api/legal';
import { useConfig } from '../app/config';
import { Captcha } from '../components/Captcha';
import { LegalDialog, type LegalKind } from '../components/LegalDialog';
import { PasswordChecklist } from '../components/PasswordChecklist';
import { PhoneField, dialOf, type PhoneValue } from '../components/PhoneField';
import { Button, FormAlert, PasswordField, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { joinPhone } from '../lib/countries';
import { errorsBesideChecklist, passwordChecklist } from '../lib/password';
import { call, useFormErrors } from '../lib/forms';
import { invitationPath, loadPendingInvitation } from '../lib/organizationInvitation';
import { ResendVerification } from './ResendVerification';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

const FIELDS = ['full_name', 'email', 'password', 'phone_number', 'captcha', 'consents', 'terms', 'privacy'] as const;

interface Consent {
  /** The version read in the dialog (the one accepted), or null before it was read. */
  read: string | null;
  accepted: boolean;
}

export function SignUpPage() {
  const { t, lang } = useI18n();
  useDocumentTitle(t('title.signUp'));
  const config = useConfig();
  const location = useLocation();
  const [fullName, setFullName] = useState('');
  // Prefilled when another page sends the address along (an organization invitation names it).
  const [email, setEmail] = useState(() => (location.state as { email?: string } | null)?.email ?? '');
  // Reached from an organization invitation (kept for this tab): its token goes along, and a new
  // account for the invited address needs no verification email (the link proved the mailbox).
  const [invitation] = useState(() => loadPendingInvitation());
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [passwordTouched, setPasswordTouched] = useState(false);
  const [phone, setPhone] = useState<PhoneValue>({ dial: 'ID:62', number: '' });
  const [captcha, setCaptcha] = useState<string | null>(null);
  const [captchaReset, setCaptchaReset] = useState(0);
  const [consents, setConsents] = useState<Record<'terms' | 'privacy', Consent>>({
    terms: { read: null, accepted: false },
    privacy: { read: null, accepted: false },
  });
  // Documents refused as outdated: the version published meanwhile, to read again.
  const [outdated, setOutdated] = useState<Partial<Record<'terms' | 'privacy', string>>>({});
  const [dialog, setDialog] = useState<LegalKind | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const checklistId = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const policy = config.password_policy;
  const form = useFormErrors(FIELDS, { vars: { min: policy.min_length, max: policy.max_length } });

  // Rules already marked unmet in the checklist are not repeated as text under the field.
  const passwordErrors = (() => {
    const messages = form.field('password');
    if (!messages) return undefined;
    const items = passwordChecklist(policy, password, [fullName, email]);
    const { messages: rest, summary } = errorsBesideChecklist(form.codes('password'), messages, items);
    return summary ? [t('password.fixBelow'), ...rest] : rest;
  })();

  const versionOf = (kind: string) => config.legal_documents.find((d) => d.kind === kind)?.version ?? '';

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    // Every empty field is marked at once (the focus goes to the first), not only the last ones.
    const missing: Partial<Record<(typeof FIELDS)[number], 'fielderr.required' | 'signup.mustAccept' | 'captcha.required'>> = {};
    if (!fullName.trim()) missing.full_name = 'fielderr.required';
    if (!email.trim()) missing.email = 'fielderr.required';
    if (!password) missing.password = 'fielderr.required';
    if (!phone.number.trim()) missing.phone_number = 'fielderr.required';
    if (!consents.terms.accepted) missing.terms = 'signup.mustAccept';
    if (!consents.privacy.accepted) missing.privacy = 'signup.mustAccept';
    if (config.captcha.provider !== 'off' && !captcha) missing.captcha = 'captcha.required';
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(
      api.POST('/v1/accounts', {
        body: {
          full_name: fullName,
          email,
          password,
          phone_number: joinPhone(dialOf(phone.dial), phone.number),
          captcha: captcha ?? undefined,
          locale: lang,
          ...(invitation ? { organization_invitation: invitation } : {}),
          consents: (['terms', 'privacy'] as const).map((kind) => ({ kind, version: consents[kind].read ?? versionOf(kind) })),
        },
      }),
    );
    setBusy(false);
    if (result.data) {
      form.clear();
      if (result.data.status === 'email_verified' && invitation) {
        // Nothing to confirm: sign in with the address, and the invitation comes next.
        navigate(paths.signIn, { replace: true, state: { email: result.data.email, verified: true, from: invitationPath(invitation) } });
        return;
      }
      setDone(result.data.email);
      return;
    }
    // The captcha answer is spent (or refused): solve a fresh one; everything typed stays.
    setCaptcha(null);
    setCaptchaReset((n) => n + 1);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.error?.errors?.some((e) => e.code === 'consent_outdated')) {
      // A version was published since the document was read: which one is read from the list again.
      const fresh = await currentLegalVersions('en').catch(() => null);
      const stale = (['terms', 'privacy'] as const).filter((kind) => {
        const version = fresh?.find((d) => d.doc.kind === kind)?.doc.version;
        return version && consents[kind].read !== version;
      });
      setOutdated(Object.fromEntries(stale.map((kind) => [kind, fresh!.find((d) => d.doc.kind === kind)!.doc.version])));
      setConsents((c) => ({ ...c, ...Object.fromEntries(stale.map((kind) => [kind, { read: null, accepted: false }])) }));
    }
    form.fail(result.error);
  };

  if (done) return <SignUpDone email={done} />;

  const consentRow = (kind: 'terms' | 'privacy') => {
    const state = consents[kind];
    const hintId = `${checklistId}-${kind}-hint`;
    const stale = outdated[kind];
    const errors = stale
      ? [t('legal.outdated', { version: stale })]
      : (form.field(kind) ?? (kind === 'terms' && !Object.keys(outdated).length ? form.field('consents') : undefined));
    const linkText = kind === 'terms' ? t('signup.termsLink') : t('signup.privacyLink');
    return (
      <div>
        <div className="check">
          <input
            type="checkbox"
            id={`${checklistId}-${kind}`}
            checked={state.accepted && state.read !== null}
            aria-disabled={state.read === null || undefined}
            aria-describedby={hintId}
            aria-invalid={errors?.length ? true : undefined}
            data-testid={`consent-${kind}`}
            onChange={(e) => {
              if (state.read === null) {
                setDialog(kind);
                return;
              }
              form.clearField(kind);
              setConsents((c) => ({ ...c, [kind]: { ...c[kind], accepted: e.target.checked } }));
            }}
          />
          <label htmlFor={`${checklistId}-${kind}`}>
            {kind === 'terms' ? t('signup.agreeTerms') : t('signup.agreePrivacy')}{' '}
            <button type="button" className="link-button" onClick={() => setDialog(kind)} data-testid={`open-${kind}`}>
              {linkText}
            </button>
          </label>
        </div>
        {errors?.length ? (
          <p className="field__error" id={hintId}>
            {errors[0]}
          </p>
        ) : (
          <p className="field__hint" id={hintId}>
            {state.read !== null ? '' : t('signup.readFirst')}
          </p>
        )}
      </div>
    );
  };

  return (
    <div className="card card--wide">
      <h1 className="card__title">{t('signup.title')}</h1>
      <p className="card__subtitle">{t('signup.subtitle', { portal: config.portal_name })}</p>
      {invitation && (
        <div className="alert alert--info" data-testid="signup-from-invitation">
          {t('signup.fromInvitation')}
        </div>
      )}
      <form ref={formRef} className="form" noValidate onSubmit={onSubmit} data-testid="signup-form">
        <FormAlert message={form.errors.form} seq={form.seq} />
        <TextField
          label={t('field.fullName')}
          value={fullName}
          onValue={(v) => {
            setFullName(v);
            form.clearField('full_name');
          }}
          errors={form.field('full_name')}
          autoComplete="name"
          required
          maxLength={100}
          name="full_name"
        />
        <TextField
          label={t('field.email')}
          type="email"
          value={email}
          onValue={(v) => {
            setEmail(v);
            form.clearField('email');
          }}
          errors={form.field('email')}
          hint={config.corporate_email_only ? t('field.emailCorporate') : undefined}
          autoComplete="email"
          inputMode="email"
          spellCheck={false}
          required
          maxLength={254}
          name="email"
        />
        <PasswordField
          label={t('field.password')}
          value={password}
          onValue={(v) => {
            setPassword(v);
            form.clearField('password');
          }}
          onBlur={() => setPasswordTouched(true)}
          errors={passwordErrors}
          autoComplete="new-password"
          required
          name="password"
          aria-describedby={checklistId}
          after={<PasswordChecklist id={checklistId} password={password} personal={[fullName, email]} touched={passwordTouched} />}
        />
        <PhoneField
          label={t('field.phone')}
          value={phone}
          onChange={(v) => {
            setPhone(v);
            form.clearField('phone_number');
          }}
          errors={form.field('phone_number')}
          required
          testId="phone"
        />
        <Captcha onChange={setCaptcha} errors={form.field('captcha')} resetKey={captchaReset} />
        <div className="consents">
          {consentRow('terms')}
          {consentRow('privacy')}
        </div>
        <p className="small muted">{t('signup.sme')}</p>
        <Button type="submit" block busy={busy} data-testid="signup-submit">
          {t('signup.submit')}
        </Button>
      </form>
      <p className="card__foot">
        {t('signup.haveAccount')} <Link to={paths.signIn}>{t('signup.signIn')}</Link>
      </p>
      {dialog && (
        <LegalDialog
          kind={dialog}
          open
          onClose={() => setDialog(null)}
          onAccept={(version) => {
            const kind = dialog as 'terms' | 'privacy';
            setConsents((c) => ({ ...c, [kind]: { read: version, accepted: true } }));
            setOutdated(({ [kind]: _, ...rest }) => rest);
            form.clearField(kind as string);
            setDialog(null);
          }}
        />
      )}
    </div>
  );
}

function SignUpDone({ email }: { email: string }) {
  const { t } = useI18n();
  return (
    <div className="card result" data-testid="signup-done">
      <div className="result__icon result__icon--mail" aria-hidden="true" />
      <h1 className="card__title">{t('signup.done.title')}</h1>
      <p>{t('signup.done.body')}</p>
      <p className="muted">{t('signup.done.sentTo', { email })}</p>
      <ResendVerification email={email} initialWait={60} />
      <div className="card__foot">
        <Link to={paths.signIn} className="btn btn--primary btn--block">
          {t('signup.done.toSignIn')}
        </Link>
      </div>
    </div>
  );
}
