import { startTransition, useCallback, useEffect, useId, useRef, useState, type FormEvent, type Ref } from 'react';
import { useNavigate } from 'react-router';
import { api, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth, type Me } from '../app/auth';
import { useConfig } from '../app/config';
import { AccessTokens } from '../components/AccessTokens';
import { CodeField, useCodeEntry } from '../components/CodeField';
import { Dialog } from '../components/Dialog';
import { PasswordChecklist } from '../components/PasswordChecklist';
import { PhoneField, dialOf, type PhoneValue } from '../components/PhoneField';
import { RecoveryCodeList, SavedCodesCheck, TotpKey } from '../components/TwoFactor';
import { Button, FormAlert, PasswordField, Spinner, TextField } from '../components/ui';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/I18n';
import { formatDate, formatTime, hasMessage, type Lang, type Translate } from '../i18n/translate';
import { formatPhone, joinPhone, splitPhone } from '../lib/countries';
import { exportFileName, exportFileText, saveFile } from '../lib/download';
import { confirmationMatches, type ClosedState } from '../lib/closure';
import { call, useFormErrors } from '../lib/forms';
import { mfaCodeKind } from '../lib/mfaCode';
import { errorsBesideChecklist, passwordChecklist } from '../lib/password';
import { programSessionName } from '../lib/accessTokens';
import { sessionName, sortSessions, type SessionInfo } from '../lib/sessions';
import { mfaStatus, type MfaStatus } from '../lib/twoFactor';
import { describeUserAgent, deviceLabel } from '../lib/userAgent';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Device = Schemas['DeviceInfo'];
type SecurityEvent = Schemas['SecurityEventInfo'];
type Enrollment = Schemas['TotpEnrollment'];

export function AccountPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.account'));
  const { signOut } = useAuth();
  // Bumped when other sessions were ended elsewhere on the page (a password change).
  const [sessionsVersion, setSessionsVersion] = useState(0);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('account.title')}</h1>
        </div>
      </div>
      <Profile />
      <ChangePassword onChanged={() => setSessionsVersion((v) => v + 1)} />
      <TwoFactor />
      <Sessions version={sessionsVersion} />
      <YourData />
      <AccessTokens />
      <Devices />
      <SecurityEvents />
      <section className="panel" aria-labelledby="account-signout">
        <div className="panel__head">
          <div>
            <h2 id="account-signout">{t('app.signOut')}</h2>
            <p>{t('account.signOutHint')}</p>
          </div>
          <Button variant="secondary" onClick={() => void signOut()} data-testid="account-sign-out">
            {t('app.signOut')}
          </Button>
        </div>
      </section>
      <CloseAccount />
    </>
  );
}

/** A message at the top of a section, kept as a function of the language (switching re-translates it). */
type Note = { tone: 'success' | 'error'; text: (t: Translate, lang: Lang) => string };

/** "+6281234567890" as the phone field shows it: the country picked, the national digits typed. */
function phoneValueOf(phone: string): PhoneValue {
  const parts = splitPhone(phone);
  return parts ? { dial: `${parts.code}:${parts.dial}`, number: parts.national } : { dial: 'ID:62', number: phone };
}


/** What the authenticator code field holds, checked before the request: a message key or null. */
function mfaCodeError(code: string): MessageKey | null {
  if (!code.trim()) return 'fielderr.mfa_code_required';
  if (!mfaCodeKind(code)) return 'fielderr.mfa_code_format';
  return null;
}

/** A code from the authenticator app or a recovery code (MFA is always on here). */
function MfaCodeField({
  value,
  onValue,
  errors,
  hint,
}: {
  value: string;
  onValue: (value: string) => void;
  errors?: readonly string[];
  hint?: string;
}) {
  const { t } = useI18n();
  return (
    <TextField
      label={t('field.mfaCode')}
      hint={hint ?? t('field.mfaCodeHint')}
      value={value}
      onValue={onValue}
      errors={errors}
      autoComplete="one-time-code"
      spellCheck={false}
      autoCapitalize="characters"
      maxLength={40}
      required
      name="mfa_code"
      className="input secret"
    />
  );
}

/** What every sensitive change asks: the current password and a code from the authenticator
 * (or a recovery code), each clearing its own error as it is edited. */
function ReauthFields({
  form,
  password,
  onPassword,
  passwordRef,
  code,
  onCode,
  codeField = 'mfa_code',
  codeHint,
}: {
  form: ReturnType<typeof useFormErrors>;
  password: string;
  onPassword: (value: string) => void;
  passwordRef?: Ref<HTMLInputElement>;
  code: string;
  onCode: (value: string) => void;
  /** The API's name for the code in this request. */
  codeField?: 'mfa_code' | 'code';
  codeHint?: string;
}) {
  const { t } = useI18n();
  return (
    <>
      <PasswordField
        ref={passwordRef}
        label={t('field.currentPassword')}
        value={password}
        onValue={(v) => {
          onPassword(v);
          form.clearField('password');
        }}
        errors={form.field('password')}
        autoComplete="current-password"
        required
        name="password"
      />
      <MfaCodeField
        value={code}
        onValue={(v) => {
          onCode(v);
          form.clearField(codeField);
        }}
        errors={form.field(codeField)}
        hint={codeHint}
      />
    </>
  );
}

type ProfileForm = 'details' | 'email';

/** Who the account is: name and phone, edited in place; the sign-in email, changed by a link sent to the new address. */
function Profile() {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const [open, setOpen] = useState<ProfileForm | null>(null);
  const [message, setMessage] = useState<Note | null>(null);
  const detailsButton = useRef<HTMLButtonElement>(null);
  const emailButton = useRef<HTMLButtonElement>(null);
  const formId = useId();

  const toggle = (which: ProfileForm) => {
    setMessage(null);
    setOpen((before) => (before === which ? null : which));
  };
  // A form closes on success or Cancel; the focus goes back to the button that opened it.
  const close = (which: ProfileForm, note: Note | null) => {
    setOpen(null);
    setMessage(note);
    (which === 'details' ? detailsButton : emailButton).current?.focus();
  };

  return (
    <section className="panel" aria-labelledby="account-profile">
      <div className="panel__head">
        <div>
          <h2 id="account-profile">{t('account.profile')}</h2>
          <p>{t('account.profileIntro')}</p>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {message && (
          <div className={`alert alert--${message.tone} panel-note`} data-testid="profile-message">
            {message.text(t, lang)}
          </div>
        )}
      </div>
      <div className="panel__body">
        {me ? (
          <>
            <dl className="dl" data-testid="profile">
              <dt>{t('field.fullName')}</dt>
              <dd data-testid="profile-name">{me.full_name}</dd>
              <dt>{t('field.email')}</dt>
              <dd data-testid="profile-email">{me.email}</dd>
              <dt>{t('field.phone')}</dt>
              <dd data-testid="profile-phone">{formatPhone(me.phone_number)}</dd>
              <dt>{t('account.type')}</dt>
              <dd>{me.account_type === 'enterprise' ? t('account.type.enterprise') : t('account.type.sme')}</dd>
              <dt>{t('account.mfa')}</dt>
              <dd>
                <span className="badge badge--ready">{t('account.mfaOn')}</span>
              </dd>
              <dt>{t('account.memberSince')}</dt>
              <dd>{formatDate(lang, me.created_at)}</dd>
            </dl>
            <div className="actions profile-actions">
              <Button
                ref={detailsButton}
                variant="secondary"
                onClick={() => toggle('details')}
                aria-expanded={open === 'details'}
                aria-controls={open === 'details' ? formId : undefined}
                data-testid="profile-edit"
              >
                {t('account.profile.edit')}
              </Button>
              <Button
                ref={emailButton}
                variant="secondary"
                onClick={() => toggle('email')}
                aria-expanded={open === 'email'}
                aria-controls={open === 'email' ? formId : undefined}
                data-testid="email-change"
              >
                {t('account.email.change')}
              </Button>
            </div>
          </>
        ) : (
          <Spinner label={t('app.loading')} />
        )}
      </div>
      {me && open === 'details' && (
        <div className="panel__body panel__body--rule" id={formId}>
          <DetailsForm
            me={me}
            onDone={(saved) => close('details', saved ? { tone: 'success', text: (tr) => tr('account.profile.saved') } : null)}
          />
        </div>
      )}
      {me && open === 'email' && (
        <div className="panel__body panel__body--rule" id={formId}>
          <ChangeEmailForm
            me={me}
            onDone={(sent) =>
              close(
                'email',
                sent
                  ? {
                      tone: 'success',
                      text: (tr, lg) => tr('account.email.sent', { email: sent.new_email, time: formatTime(lg, sent.expires_at) }),
                    }
                  : null,
              )
            }
          />
        </div>
      )}
    </section>
  );
}

const DETAILS_FIELDS = ['full_name', 'phone_number'] as const;

/** Name and phone number, with the same rules (and messages) as at sign-up. */
function DetailsForm({ me, onDone }: { me: Me; onDone: (saved: boolean) => void }) {
  const { t } = useI18n();
  const { reloadMe } = useAuth();
  const [fullName, setFullName] = useState(me.full_name);
  const [phone, setPhone] = useState<PhoneValue>(() => phoneValueOf(me.phone_number));
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(DETAILS_FIELDS);
  const nameRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    nameRef.current?.focus();
  }, []);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<(typeof DETAILS_FIELDS)[number], MessageKey>> = {};
    if (!fullName.trim()) missing.full_name = 'fielderr.full_name_required';
    if (!phone.number.trim()) missing.phone_number = 'fielderr.required';
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(
      api.PATCH('/v1/me', { body: { full_name: fullName, phone_number: joinPhone(dialOf(phone.dial), phone.number) } }),
    );
    if (result.data) await reloadMe();
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      onDone(true);
      return;
    }
    form.fail(result.error);
  };

  return (
    <form className="form form--narrow" noValidate onSubmit={onSubmit} data-testid="profile-form">
      <FormAlert message={form.errors.form} seq={form.seq} />
      <TextField
        ref={nameRef}
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
      <PhoneField
        label={t('field.phone')}
        value={phone}
        onChange={(v) => {
          setPhone(v);
          form.clearField('phone_number');
        }}
        errors={form.field('phone_number')}
        required
        testId="profile-phone-input"
      />
      <div className="actions">
        <Button type="submit" busy={busy} data-testid="profile-submit">
          {t('account.profile.save')}
        </Button>
        <Button variant="secondary" onClick={() => onDone(false)} disabled={busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

const EMAIL_FIELDS = ['new_email', 'password', 'mfa_code'] as const;

/**
 * A new sign-in email: the current password and an authenticator code, then a link to the new
 * address confirms it (the current one gets a notice with a link to cancel).
 */
function ChangeEmailForm({ me, onDone }: { me: Me; onDone: (sent: { new_email: string; expires_at: string } | null) => void }) {
  const { t } = useI18n();
  const config = useConfig();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(EMAIL_FIELDS);
  const headingId = useId();
  const emailRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    emailRef.current?.focus();
  }, []);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<(typeof EMAIL_FIELDS)[number], MessageKey>> = {};
    if (!email.trim()) missing.new_email = 'fielderr.email_required';
    else if (email.trim().toLowerCase() === me.email.toLowerCase()) missing.new_email = 'fielderr.email_unchanged';
    if (!password) missing.password = 'fielderr.required';
    const codeError = mfaCodeError(code);
    if (codeError) missing.mfa_code = codeError;
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/me/email-changes', { body: { new_email: email.trim(), password, mfa_code: code.trim() } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      onDone({ new_email: result.data.new_email, expires_at: result.data.expires_at });
      return;
    }
    // A code is good once: after any refusal, the next attempt needs the app's next one.
    if (result.error?.errors?.some((e) => e.field === 'mfa_code')) setCode('');
    form.fail(result.error);
  };

  return (
    <form className="form form--narrow" noValidate onSubmit={onSubmit} aria-labelledby={headingId} data-testid="email-form">
      <div className="form-head">
        <h3 id={headingId}>{t('account.email.title')}</h3>
        <p className="muted small">{t('account.email.intro', { email: me.email })}</p>
      </div>
      <FormAlert message={form.errors.form} seq={form.seq} />
      {/* The account's current email, for password managers. */}
      <input type="email" name="username" autoComplete="username" value={me.email} readOnly hidden />
      <TextField
        ref={emailRef}
        label={t('account.email.new')}
        type="email"
        value={email}
        onValue={(v) => {
          setEmail(v);
          form.clearField('new_email');
        }}
        errors={form.field('new_email')}
        hint={config.corporate_email_only ? t('field.emailCorporate') : undefined}
        autoComplete="email"
        inputMode="email"
        spellCheck={false}
        required
        maxLength={254}
        name="new_email"
      />
      <ReauthFields
        form={form}
        password={password}
        onPassword={setPassword}
        code={code}
        onCode={setCode}
      />
      <div className="actions">
        <Button type="submit" busy={busy} data-testid="email-submit">
          {t('account.email.submit')}
        </Button>
        <Button variant="secondary" onClick={() => onDone(null)} disabled={busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

const PASSWORD_FIELDS = ['current_password', 'new_password', 'confirm', 'mfa_code'] as const;

/** The password, changed with the current one and a code from the authenticator (MFA is always on here). */
function ChangePassword({ onChanged }: { onChanged: () => void }) {
  const { t } = useI18n();
  const config = useConfig();
  const { me } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [changed, setChanged] = useState(false);
  const checklistId = useId();
  const policy = config.password_policy;
  const personal = me ? [me.full_name, me.email] : [];
  const form = useFormErrors(PASSWORD_FIELDS, { vars: { min: policy.min_length, max: policy.max_length } });

  // Rules already marked unmet in the checklist are not repeated as text under the field.
  const newPasswordErrors = (() => {
    const messages = form.field('new_password');
    if (!messages) return undefined;
    const items = passwordChecklist(policy, next, personal);
    const { messages: rest, summary } = errorsBesideChecklist(form.codes('new_password'), messages, items);
    return summary ? [t('password.fixBelow'), ...rest] : rest;
  })();

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setChanged(false);
    const missing: Partial<Record<(typeof PASSWORD_FIELDS)[number], MessageKey>> = {};
    if (!current) missing.current_password = 'fielderr.required';
    if (!next) missing.new_password = 'fielderr.required';
    else if (next !== confirm) missing.confirm = 'password.mismatch';
    const codeError = mfaCodeError(code);
    if (codeError) missing.mfa_code = codeError;
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(api.PUT('/v1/me/password', { body: { current_password: current, new_password: next, mfa_code: code.trim() } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.response?.ok) {
      form.clear();
      setCurrent('');
      setNext('');
      setConfirm('');
      setCode('');
      setTouched(false);
      setChanged(true);
      onChanged();
      return;
    }
    // A code is good once: after any refusal, the next attempt needs the app's next one.
    if (result.error?.errors?.some((e) => e.field === 'mfa_code')) setCode('');
    form.fail(result.error);
  };

  return (
    <section className="panel" aria-labelledby="account-password">
      <div className="panel__head">
        <div>
          <h2 id="account-password">{t('account.password')}</h2>
          <p>{t('account.passwordIntro')}</p>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {changed && (
          <div className="alert alert--success panel-note" data-testid="password-changed">
            {t('account.password.changed')}
          </div>
        )}
      </div>
      <div className="panel__body">
        <form className="form form--narrow" noValidate onSubmit={onSubmit} data-testid="password-form">
          <FormAlert message={form.errors.form} seq={form.seq} />
          {/* The account's email, for password managers. */}
          <input type="email" name="username" autoComplete="username" value={me?.email ?? ''} readOnly hidden />
          <PasswordField
            label={t('field.currentPassword')}
            value={current}
            onValue={(v) => {
              setCurrent(v);
              form.clearField('current_password');
            }}
            errors={form.field('current_password')}
            autoComplete="current-password"
            required
            name="current_password"
          />
          <PasswordField
            label={t('field.newPassword')}
            value={next}
            onValue={(v) => {
              setNext(v);
              form.clearField('new_password');
            }}
            onBlur={() => setTouched(true)}
            errors={newPasswordErrors}
            autoComplete="new-password"
            required
            name="new_password"
            aria-describedby={checklistId}
            after={<PasswordChecklist id={checklistId} password={next} personal={personal} touched={touched} />}
          />
          <PasswordField
            label={t('field.confirmPassword')}
            value={confirm}
            onValue={(v) => {
              setConfirm(v);
              form.clearField('confirm');
            }}
            errors={form.field('confirm')}
            autoComplete="new-password"
            required
            name="confirm_password"
          />
          <MfaCodeField
            value={code}
            onValue={(v) => {
              setCode(v);
              form.clearField('mfa_code');
            }}
            errors={form.field('mfa_code')}
          />
          <div>
            <Button type="submit" busy={busy} data-testid="password-submit">
              {t('account.password.submit')}
            </Button>
          </div>
        </form>
      </div>
    </section>
  );
}

type TwoFactorForm = 'codes' | 'replace';
/** Recovery codes just made, shown this once; `from` says which form made them. */
type FreshCodes = { codes: string[]; from: TwoFactorForm };

/**
 * Two-factor authentication, always on here: since when, new recovery codes (the earlier ones
 * stop working) and another authenticator app (a new phone), each after the password and a code.
 */
function TwoFactor() {
  const { t, lang } = useI18n();
  const [status, setStatus] = useState<MfaStatus | null>(null);
  const [open, setOpen] = useState<TwoFactorForm | null>(null);
  const [fresh, setFresh] = useState<FreshCodes | null>(null);
  const [message, setMessage] = useState<Note | null>(null);
  const codesButton = useRef<HTMLButtonElement>(null);
  const replaceButton = useRef<HTMLButtonElement>(null);
  // The button that gets the focus back once the new codes are put away (it is enabled again then).
  const focusAfterCodes = useRef<TwoFactorForm | null>(null);
  const formId = useId();
  const buttonOf = (which: TwoFactorForm) => (which === 'codes' ? codesButton : replaceButton);

  useEffect(() => {
    let live = true;
    void (async () => {
      try {
        const { data } = await api.GET('/v1/me/security-events', { params: { query: { limit: 100 } } });
        if (live) setStatus(mfaStatus(data?.items ?? []));
      } catch {
        if (live) setStatus(mfaStatus([]));
      }
    })();
    return () => {
      live = false;
    };
  }, []);

  useEffect(() => {
    if (fresh || !focusAfterCodes.current) return;
    buttonOf(focusAfterCodes.current).current?.focus();
    focusAfterCodes.current = null;
  }, [fresh]);

  const toggle = (which: TwoFactorForm) => {
    setMessage(null);
    setOpen((before) => (before === which ? null : which));
  };
  // Cancel: the form closes and the focus goes back to the button that opened it.
  const cancel = (which: TwoFactorForm) => {
    setOpen(null);
    buttonOf(which).current?.focus();
  };
  const made = (from: TwoFactorForm, codes: string[], activatedAt?: string) => {
    setOpen(null);
    setFresh({ codes, from });
    if (activatedAt) setStatus((before) => ({ since: before?.since ?? null, replacedAt: activatedAt }));
    setMessage({ tone: 'success', text: (tr) => tr(from === 'replace' ? 'account.mfa.replace.done' : 'account.mfa.codes.made') });
  };
  const putAway = () => {
    focusAfterCodes.current = fresh?.from ?? null;
    setFresh(null);
  };

  return (
    <section className="panel" aria-labelledby="account-mfa">
      <div className="panel__head">
        <div>
          <h2 id="account-mfa">{t('account.mfa.title')}</h2>
          <p>{t('account.mfa.intro')}</p>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {message && (
          <div className={`alert alert--${message.tone} panel-note`} data-testid="mfa-message">
            {message.text(t, lang)}
          </div>
        )}
      </div>
      <div className="panel__body">
        <dl className="dl" data-testid="mfa-status">
          <dt>{t('account.mfa.status')}</dt>
          <dd>
            <span className="badge badge--ready" data-testid="mfa-since">
              {status?.since ? t('account.mfa.onSince', { date: formatDate(lang, status.since) }) : t('account.mfaOn')}
            </span>
          </dd>
          {status?.replacedAt && (
            <>
              <dt>{t('account.mfa.app')}</dt>
              <dd data-testid="mfa-replaced">{t('account.mfa.appReplaced', { date: formatDate(lang, status.replacedAt) })}</dd>
            </>
          )}
        </dl>
        <div className="actions profile-actions">
          <Button
            ref={codesButton}
            variant="secondary"
            onClick={() => toggle('codes')}
            disabled={!!fresh}
            aria-expanded={open === 'codes'}
            aria-controls={open === 'codes' ? formId : undefined}
            data-testid="mfa-codes-start"
          >
            {t('account.mfa.codes.start')}
          </Button>
          <Button
            ref={replaceButton}
            variant="secondary"
            onClick={() => toggle('replace')}
            disabled={!!fresh}
            aria-expanded={open === 'replace'}
            aria-controls={open === 'replace' ? formId : undefined}
            data-testid="mfa-replace-start"
          >
            {t('account.mfa.replace.start')}
          </Button>
        </div>
      </div>
      {open === 'codes' && (
        <div className="panel__body panel__body--rule" id={formId}>
          <NewRecoveryCodesForm onCancel={() => cancel('codes')} onMade={(codes) => made('codes', codes)} />
        </div>
      )}
      {open === 'replace' && (
        <div className="panel__body panel__body--rule" id={formId}>
          <ReplaceAuthenticator onCancel={() => cancel('replace')} onReplaced={(codes, activatedAt) => made('replace', codes, activatedAt)} />
        </div>
      )}
      {fresh && (
        <div className="panel__body panel__body--rule">
          <FreshRecoveryCodes codes={fresh.codes} onDone={putAway} />
        </div>
      )}
    </section>
  );
}

const CODES_FIELDS = ['password', 'mfa_code'] as const;

/** New recovery codes: the password and a code, then a last confirmation (the earlier codes stop working). */
function NewRecoveryCodesForm({ onCancel, onMade }: { onCancel: () => void; onMade: (codes: string[]) => void }) {
  const { t } = useI18n();
  const { me } = useAuth();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(CODES_FIELDS);
  const headingId = useId();
  const passwordRef = useRef<HTMLInputElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    passwordRef.current?.focus();
  }, []);

  // Checked on the page first; the last word is a dialog.
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<(typeof CODES_FIELDS)[number], MessageKey>> = {};
    if (!password) missing.password = 'fielderr.required';
    const codeError = mfaCodeError(code);
    if (codeError) missing.mfa_code = codeError;
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    form.clear();
    setConfirming(true);
  };

  const make = async () => {
    setBusy(true);
    const result = await call(api.POST('/v1/me/mfa/recovery-codes', { body: { password, mfa_code: code.trim() } }));
    if (result.data) {
      onMade(result.data.recovery_codes);
      return;
    }
    setBusy(false);
    setConfirming(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    // A code is good once: after any refusal, the next attempt needs the app's next one.
    if (result.error?.errors?.some((e) => e.field === 'mfa_code')) setCode('');
    form.fail(result.error);
  };

  return (
    <>
      {/* Before the form: closing it gives the focus back first, then the form's errors take it. */}
      <Dialog
        open={confirming}
        small
        title={t('account.mfa.codes.confirm.title')}
        onClose={() => !busy && setConfirming(false)}
        initialFocus={cancelRef}
        testId="mfa-codes-confirm"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void make()} busy={busy} data-testid="mfa-codes-confirm-ok">
              {t('account.mfa.codes.confirm.ok')}
            </Button>
          </div>
        }
      >
        <p>{t('account.mfa.codes.confirm.body')}</p>
      </Dialog>
      <form className="form form--narrow" noValidate onSubmit={onSubmit} aria-labelledby={headingId} data-testid="mfa-codes-form">
        <div className="form-head">
          <h3 id={headingId}>{t('account.mfa.codes.title')}</h3>
          <p className="muted small">{t('account.mfa.codes.intro')}</p>
        </div>
        <FormAlert message={form.errors.form} seq={form.seq} />
        {/* The account's email, for password managers. */}
        <input type="email" name="username" autoComplete="username" value={me?.email ?? ''} readOnly hidden />
        <ReauthFields
          form={form}
          passwordRef={passwordRef}
          password={password}
          onPassword={setPassword}
          code={code}
          onCode={setCode}
        />
        <div className="actions">
          <Button type="submit" data-testid="mfa-codes-submit">
            {t('account.mfa.codes.submit')}
          </Button>
          <Button variant="secondary" onClick={onCancel}>
            {t('common.cancel')}
          </Button>
        </div>
      </form>
    </>
  );
}

/**
 * Another authenticator app: the password and a code from the current one give a new key; a code
 * from the new app makes it the one (the current app works until then).
 */
function ReplaceAuthenticator({ onCancel, onReplaced }: { onCancel: () => void; onReplaced: (codes: string[], activatedAt: string) => void }) {
  const [enrollment, setEnrollment] = useState<Enrollment | null>(null);
  // The new key was given up on (too many wrong codes): the password and a code again.
  const [startOver, setStartOver] = useState(false);
  if (enrollment) {
    return (
      <NewAuthenticator
        enrollment={enrollment}
        onCancel={onCancel}
        onStartOver={() => {
          setEnrollment(null);
          setStartOver(true);
        }}
        onActivated={onReplaced}
      />
    );
  }
  return (
    <ConfirmReplace
      startOver={startOver}
      onCancel={onCancel}
      onStarted={(started) => {
        setStartOver(false);
        setEnrollment(started);
      }}
    />
  );
}

const REPLACE_FIELDS = ['password', 'code'] as const;

function ConfirmReplace({ startOver, onCancel, onStarted }: { startOver: boolean; onCancel: () => void; onStarted: (enrollment: Enrollment) => void }) {
  const { t } = useI18n();
  const { me } = useAuth();
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(REPLACE_FIELDS);
  const { failLocal } = form;
  const headingId = useId();
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    passwordRef.current?.focus();
    if (startOver) failLocal({}, 'account.mfa.replace.startOver');
  }, [startOver, failLocal]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<(typeof REPLACE_FIELDS)[number], MessageKey>> = {};
    if (!password) missing.password = 'fielderr.required';
    const codeError = mfaCodeError(code);
    if (codeError) missing.code = codeError;
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/me/mfa/totp', { body: { password, code: code.trim() } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      onStarted(result.data);
      return;
    }
    const problem = result.error;
    if (problem?.code === 'mfa_code_required') {
      form.fail({ ...problem, errors: [{ field: 'code', code: 'mfa_code_required', message: problem.detail ?? '' }] });
      return;
    }
    // The API does not say which of the two was wrong; the next attempt needs the app's next code.
    if (problem?.code === 'reauthentication_failed') setCode('');
    form.fail(problem);
  };

  return (
    <form className="form form--narrow" noValidate onSubmit={onSubmit} aria-labelledby={headingId} data-testid="mfa-replace-form">
      <div className="form-head">
        <h3 id={headingId}>{t('account.mfa.replace.title')}</h3>
        <p className="muted small">{t('account.mfa.replace.intro')}</p>
      </div>
      <FormAlert message={form.errors.form} seq={form.seq} />
      {/* The account's email, for password managers. */}
      <input type="email" name="username" autoComplete="username" value={me?.email ?? ''} readOnly hidden />
      <ReauthFields
        form={form}
        passwordRef={passwordRef}
        password={password}
        onPassword={setPassword}
        code={code}
        onCode={setCode}
        codeField="code"
        codeHint={t('account.mfa.replace.codeHint')}
      />
      <div className="actions">
        <Button type="submit" busy={busy} data-testid="mfa-replace-submit">
          {t('account.mfa.replace.submit')}
        </Button>
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

/** The new key, as at the first set-up, and a code from the new app to switch to it. */
function NewAuthenticator({
  enrollment,
  onCancel,
  onStartOver,
  onActivated,
}: {
  enrollment: Enrollment;
  onCancel: () => void;
  onStartOver: () => void;
  onActivated: (codes: string[], activatedAt: string) => void;
}) {
  const { t } = useI18n();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const entry = useCodeEntry(async (value) => {
    const result = await call(api.POST('/v1/me/mfa/totp/activate', { body: { code: value } }));
    if (result.data) {
      onActivated(result.data.recovery_codes, result.data.activated_at);
      return;
    }
    if (result.network) entry.form.failNetwork();
    else if (result.response?.status === 429 || result.error?.code === 'mfa_enrollment_not_started') {
      // Too many wrong codes discard the new key: it starts again from the password.
      onStartOver();
      return;
    } else if (result.error && ['invalid_code', 'reauthentication_failed'].includes(result.error.code)) {
      entry.failCode({ ...result.error, code: 'invalid_code' }, 'totp_invalid', result.error.detail ?? '');
    } else entry.form.fail(result.error);
    entry.focus();
  });

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const codeErrors = entry.form.field('code');
  return (
    <div className="stack" data-testid="mfa-replace-scan">
      <div className="form-head">
        <h3 ref={headingRef} tabIndex={-1}>
          {t('account.mfa.replace.scanTitle')}
        </h3>
        <p className="muted small">
          {t('mfa.scan.apps')} {t('account.mfa.replace.scanKeep')}
        </p>
      </div>
      <TotpKey enrollment={enrollment} />
      <hr className="divider" />
      <form className="form form--narrow" noValidate onSubmit={entry.onSubmit} data-testid="mfa-replace-activate-form">
        <FormAlert message={codeErrors ? null : entry.form.errors.form} seq={entry.form.seq} />
        <CodeField entry={entry} label={t('account.mfa.replace.code')} />
        <div className="actions">
          <Button type="submit" busy={entry.busy} data-testid="mfa-replace-activate">
            {t('mfa.scan.submit')}
          </Button>
          <Button variant="secondary" onClick={onCancel} disabled={entry.busy}>
            {t('common.cancel')}
          </Button>
        </div>
      </form>
    </div>
  );
}

/** The new recovery codes, shown this once, until the person says they saved them. */
function FreshRecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  const { t } = useI18n();
  const [ack, setAck] = useState(false);
  const form = useFormErrors(['ack']);
  const headingId = useId();
  const headingRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    if (!ack) {
      form.failLocal({ ack: 'mfa.recovery.ackNeeded' }, 'mfa.recovery.ackNeeded');
      return;
    }
    onDone();
  };
  const ackErrors = form.field('ack');
  return (
    <form className="form" noValidate onSubmit={onSubmit} aria-labelledby={headingId} data-testid="mfa-fresh-codes">
      <div className="form-head">
        <h3 id={headingId} ref={headingRef} tabIndex={-1}>
          {t('account.mfa.fresh.title')}
        </h3>
        <p className="muted small">{t('mfa.recovery.body')}</p>
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
      <div className="actions">
        <Button type="submit" data-testid="recovery-done">
          {t('account.mfa.fresh.done')}
        </Button>
      </div>
    </form>
  );
}

type EndSessions = { kind: 'one'; session: SessionInfo; name: string } | { kind: 'others' };

/** Where the account is signed in; any session but this one can be signed out from here. */
function Sessions({ version }: { version: number }) {
  const { t, lang } = useI18n();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  // Kept as a function of the language, so that switching it re-translates the message.
  const [message, setMessage] = useState<Note | null>(null);
  const [confirming, setConfirming] = useState<EndSessions | null>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const load = useCallback(async () => {
    try {
      const { data } = await api.GET('/v1/me/sessions');
      setSessions(sortSessions(data?.items ?? []));
    } catch {
      setSessions((old) => old ?? []);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load, version]);
  useEffect(() => {
    if (version > 0) setMessage(null);
  }, [version]);

  const nameOf = (s: SessionInfo) =>
    // A program signed in by device code: the program and what it may reach.
    s.client_id
      ? programSessionName(s.client_id, s.scopes)
      : s.device_label?.trim()
        ? deviceLabel(t, s.device_label)
        : (sessionName(s) ?? t('account.sessions.unknown'));
  const others = sessions?.filter((s) => !s.current) ?? [];

  const end = async () => {
    const action = confirming;
    if (!action) return;
    setBusy(true);
    setMessage(null);
    try {
      if (action.kind === 'one') {
        const { error, response } = await api.DELETE('/v1/me/sessions/{id}', { params: { path: { id: action.session.id } } });
        if (response.ok) setMessage({ tone: 'success', text: (tr) => tr('account.sessions.ended', { name: action.name }) });
        else setMessage({ tone: 'error', text: (tr) => problemMessage(tr, error ?? {}) });
      } else {
        const { data, error } = await api.DELETE('/v1/me/sessions');
        if (data) {
          const key = data.ended === 1 ? 'account.sessions.endedOthers.one' : 'account.sessions.endedOthers.many';
          setMessage({ tone: 'success', text: (tr) => tr(key, { count: data.ended }) });
        } else setMessage({ tone: 'error', text: (tr) => problemMessage(tr, error ?? {}) });
      }
    } catch {
      setMessage({ tone: 'error', text: (tr) => tr('problem.network') });
    }
    setBusy(false);
    setConfirming(null);
    await load();
    // The button that opened the dialog may be gone with its session: the focus goes to the list.
    headingRef.current?.focus();
  };

  return (
    <section className="panel" aria-labelledby="account-sessions">
      <div className="panel__head">
        <div>
          <h2 id="account-sessions" ref={headingRef} tabIndex={-1}>
            {t('account.sessions')}
          </h2>
          <p>{t('account.sessionsIntro')}</p>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {message && <div className={`alert alert--${message.tone} panel-note`}>{message.text(t, lang)}</div>}
      </div>
      {sessions === null ? (
        <Spinner label={t('app.loading')} />
      ) : sessions.length === 0 ? (
        <p className="empty">{t('account.sessions.empty')}</p>
      ) : (
        <ul className="list" data-testid="sessions">
          {sessions.map((s) => (
            <li key={s.id} className="list__item" data-testid="session" data-session-id={s.id} data-current={s.current} data-client-id={s.client_id ?? undefined}>
              <div className="list__main">
                <div className="table__primary">
                  {nameOf(s)}
                  {s.client_id && <span className="visually-hidden"> ({t('account.sessions.program')})</span>}
                  {s.current && (
                    <>
                      {' '}
                      <span className="badge badge--ready">{t('account.sessions.current')}</span>
                    </>
                  )}
                </div>
                <div className="table__secondary">
                  {[
                    s.client_ip,
                    t('account.sessions.lastUsed', { date: formatDate(lang, s.last_used_at, true) }),
                    t('account.sessions.started', { date: formatDate(lang, s.created_at, true) }),
                  ]
                    .filter(Boolean)
                    .join(' · ')}
                </div>
              </div>
              {!s.current && (
                <Button
                  variant="secondary"
                  onClick={() => setConfirming({ kind: 'one', session: s, name: nameOf(s) })}
                  aria-label={t('account.sessions.signOutLabel', { name: nameOf(s), date: formatDate(lang, s.last_used_at, true) })}
                  data-testid="session-end"
                >
                  {t('account.sessions.signOut')}
                </Button>
              )}
            </li>
          ))}
        </ul>
      )}
      {others.length > 0 && (
        <div className="panel__body panel__body--rule">
          <Button variant="secondary" onClick={() => setConfirming({ kind: 'others' })} data-testid="sessions-end-others">
            {t('account.sessions.signOutOthers')}
          </Button>
        </div>
      )}
      <Dialog
        open={!!confirming}
        small
        title={confirming?.kind === 'one' ? t('account.sessions.confirmOne.title') : t('account.sessions.confirmOthers.title')}
        onClose={() => !busy && setConfirming(null)}
        initialFocus={cancelRef}
        testId="sessions-confirm"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setConfirming(null)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void end()} busy={busy} data-testid="sessions-confirm-ok">
              {t('account.sessions.confirm')}
            </Button>
          </div>
        }
      >
        <p>
          {confirming?.kind === 'one'
            ? t('account.sessions.confirmOne.body', { name: confirming.name })
            : t('account.sessions.confirmOthers.body')}
        </p>
      </Dialog>
    </section>
  );
}

const EXPORT_FIELDS = ['password', 'mfa_code'] as const;

/** A copy of everything kept about the person, as a JSON file, after the password and a code. */
function YourData() {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Note | null>(null);
  const form = useFormErrors(EXPORT_FIELDS);
  const formId = useId();
  const passwordRef = useRef<HTMLInputElement>(null);

  const close = () => {
    setOpen(false);
    setPassword('');
    setCode('');
    form.clear();
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<(typeof EXPORT_FIELDS)[number], MessageKey>> = {};
    if (!password) missing.password = 'fielderr.required';
    const codeError = mfaCodeError(code);
    if (codeError) missing.mfa_code = codeError;
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/me/export', { body: { password, mfa_code: code.trim() } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      const file = exportFileName(new Date());
      saveFile(file, exportFileText(result.data), 'application/json');
      setMessage({ tone: 'success', text: (tr) => tr('account.data.done', { file }) });
      close();
      return;
    }
    if (result.error?.errors?.some((e) => e.field === 'mfa_code')) setCode('');
    form.fail(result.error);
  };

  return (
    <section className="panel" aria-labelledby="account-data">
      <div className="panel__head">
        <div>
          <h2 id="account-data">{t('account.data')}</h2>
          <p>{t('account.dataIntro')}</p>
        </div>
        <Button
          variant="secondary"
          onClick={() => {
            setMessage(null);
            setOpen(true);
          }}
          data-testid="data-download"
        >
          {t('account.data.download')}
        </Button>
      </div>
      <div role="status" aria-live="polite">
        {message && (
          <div className={`alert alert--${message.tone} panel-note`} data-testid="data-message">
            {message.text(t, lang)}
          </div>
        )}
      </div>
      <Dialog
        open={open}
        small
        title={t('account.data.download')}
        onClose={() => !busy && close()}
        initialFocus={passwordRef}
        testId="data-dialog"
        footer={
          <div className="actions actions--end">
            <Button variant="secondary" onClick={close} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button type="submit" form={formId} busy={busy} data-testid="data-submit">
              {t('account.data.submit')}
            </Button>
          </div>
        }
      >
        <form id={formId} className="form" noValidate onSubmit={onSubmit} data-testid="data-form">
          <p>{t('account.data.confirmBody')}</p>
          <FormAlert message={form.errors.form} seq={form.seq} />
          <input type="email" name="username" autoComplete="username" value={me?.email ?? ''} readOnly hidden />
          <ReauthFields
            form={form}
            passwordRef={passwordRef}
            password={password}
            onPassword={setPassword}
            code={code}
            onCode={setCode}
          />
        </form>
      </Dialog>
    </section>
  );
}

const CLOSE_FIELDS = ['confirm_email', 'password', 'mfa_code'] as const;

/**
 * The danger zone: what closing the account does, then the sign-in email typed out (the button
 * works once it matches), the password and a code, and a last confirmation. Every session ends,
 * this one too: the page that follows is public.
 */
function CloseAccount() {
  const { t } = useI18n();
  const config = useConfig();
  const { me, forgetSession } = useAuth();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const email = me?.email ?? '';
  const form = useFormErrors(CLOSE_FIELDS, { vars: { email } });
  const formId = useId();
  const headingId = useId();
  const gateId = useId();
  const openButton = useRef<HTMLButtonElement>(null);
  const typedRef = useRef<HTMLInputElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const matches = confirmationMatches(typed, email);

  useEffect(() => {
    if (open) typedRef.current?.focus();
  }, [open]);

  const reset = () => {
    setTyped('');
    setPassword('');
    setCode('');
    form.clear();
  };
  const toggle = () => {
    if (open) reset();
    setOpen(!open);
  };
  // Cancel: the form closes and the focus goes back to the button that opened it.
  const cancel = () => {
    reset();
    setOpen(false);
    openButton.current?.focus();
  };

  // Checked on the page first; the last word is a dialog.
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    const missing: Partial<Record<(typeof CLOSE_FIELDS)[number], MessageKey>> = {};
    if (!matches) missing.confirm_email = 'account.close.typeMismatch';
    if (!password) missing.password = 'fielderr.required';
    const codeError = mfaCodeError(code);
    if (codeError) missing.mfa_code = codeError;
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    form.clear();
    setConfirming(true);
  };

  const closeAccount = async () => {
    setBusy(true);
    const result = await call(api.DELETE('/v1/me', { body: { password, mfa_code: code.trim() } }));
    if (result.data) {
      // Every session of the account ended, this browser's too: it is forgotten here, and a public
      // page says what comes next. One transition, so that the console does not first send the
      // person to sign in.
      const state: ClosedState = { eraseAfter: result.data.erase_after };
      startTransition(() => {
        navigate(paths.accountClosed, { replace: true, state });
        forgetSession();
      });
      return;
    }
    setBusy(false);
    setConfirming(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    // The code was checked before the refusal: the next attempt needs the app's next one.
    setCode('');
    form.fail(result.error);
  };

  return (
    <section className="panel panel--danger" aria-labelledby="account-close">
      <div className="panel__head">
        <div>
          <h2 id="account-close">{t('account.close')}</h2>
          <p>{t('account.closeIntro', { portal: config.portal_name })}</p>
        </div>
      </div>
      <div className="panel__body">
        <p className="consequences__title">{t('account.close.consequences')}</p>
        <ul className="consequences" data-testid="close-consequences">
          <li>{t('account.close.effect.signOut')}</li>
          <li>{t('account.close.effect.restore')}</li>
          <li>{t('account.close.effect.erase')}</li>
          <li>{t('account.close.effect.owner')}</li>
        </ul>
        <Button
          ref={openButton}
          variant="danger"
          onClick={toggle}
          aria-expanded={open}
          aria-controls={open ? formId : undefined}
          data-testid="close-start"
        >
          {t('account.close.start')}
        </Button>
      </div>
      {/* Before the form: closing it gives the focus back first, then the form's errors take it. */}
      <Dialog
        open={confirming}
        small
        title={t('account.close.confirm.title')}
        onClose={() => !busy && setConfirming(false)}
        initialFocus={cancelRef}
        testId="close-confirm"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setConfirming(false)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void closeAccount()} busy={busy} data-testid="close-confirm-ok">
              {t('account.close.confirm.ok')}
            </Button>
          </div>
        }
      >
        <p>{t('account.close.confirm.body', { email })}</p>
      </Dialog>
      {open && (
        <div className="panel__body panel__body--rule" id={formId}>
          <form className="form form--narrow" noValidate onSubmit={onSubmit} aria-labelledby={headingId} data-testid="close-form">
            <div className="form-head">
              <h3 id={headingId}>{t('account.close.title')}</h3>
              <p className="muted small">{t('account.close.intro')}</p>
            </div>
            <FormAlert message={form.errors.form} seq={form.seq} />
            {/* The account's email, for password managers. */}
            <input type="email" name="username" autoComplete="username" value={email} readOnly hidden />
            <TextField
              ref={typedRef}
              label={t('account.close.typeEmail')}
              hint={t('account.close.typeEmailHint', { email })}
              value={typed}
              onValue={(v) => {
                setTyped(v);
                form.clearField('confirm_email');
              }}
              errors={form.field('confirm_email')}
              autoComplete="off"
              inputMode="email"
              spellCheck={false}
              autoCapitalize="off"
              required
              maxLength={254}
              name="confirm_email"
            />
            <ReauthFields
              form={form}
              password={password}
              onPassword={setPassword}
              code={code}
              onCode={setCode}
            />
            <div className="actions">
              <Button type="submit" variant="danger" disabled={!matches} aria-describedby={gateId} data-testid="close-submit">
                {t('account.close.submit')}
              </Button>
              <Button variant="secondary" onClick={cancel}>
                {t('common.cancel')}
              </Button>
            </div>
            <p id={gateId} className="field__hint" role="status" aria-live="polite" data-testid="close-gate">
              {matches ? t('account.close.gateOpen') : t('account.close.gateShut')}
            </p>
          </form>
        </div>
      )}
    </section>
  );
}

/** A trusted device; `current` (the device of this session) is new in the API, hence optional here. */
type TrustedDevice = Device & { current?: boolean };

/** This device first, then the most recently used. */
function sortDevices(devices: readonly TrustedDevice[]): TrustedDevice[] {
  const time = (iso: string) => new Date(iso).getTime() || 0;
  return [...devices].sort((a, b) => Number(!!b.current) - Number(!!a.current) || time(b.last_seen_at) - time(a.last_seen_at));
}

/**
 * The devices that skip the emailed code: which one is this, when and from where each was last
 * used. Removing one is confirmed first; removing this one ends this session too, and the sign-in
 * page says why.
 */
function Devices() {
  const { t, lang } = useI18n();
  const { forgetSession } = useAuth();
  const navigate = useNavigate();
  const [devices, setDevices] = useState<TrustedDevice[] | null>(null);
  // Kept as a function of the language, so that switching it re-translates the message.
  const [message, setMessage] = useState<Note | null>(null);
  const [confirming, setConfirming] = useState<TrustedDevice | null>(null);
  const [busy, setBusy] = useState(false);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const load = useCallback(async () => {
    try {
      const { data } = await api.GET('/v1/me/devices');
      setDevices(sortDevices(data?.items ?? []));
    } catch {
      setDevices((old) => old ?? []);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const remove = async () => {
    const device = confirming;
    if (!device) return;
    setBusy(true);
    setMessage(null);
    try {
      const { error, response } = await api.DELETE('/v1/me/devices/{id}', { params: { path: { id: device.id } } });
      if (response.ok && device.current) {
        // Its sessions ended with it, this one too.
        forgetSession('deviceRemoved');
        navigate(paths.signIn, { replace: true });
        return;
      }
      if (response.ok) {
        // Gone from the list with the message that says so, before the list is read again.
        setDevices((old) => old?.filter((d) => d.id !== device.id) ?? old);
        setMessage({ tone: 'success', text: (tr) => tr('account.devices.removed', { name: deviceLabel(tr, device.label) }) });
      } else setMessage({ tone: 'error', text: (tr) => problemMessage(tr, error ?? {}) });
    } catch {
      setMessage({ tone: 'error', text: (tr) => tr('problem.network') });
    }
    setBusy(false);
    setConfirming(null);
    await load();
    // The button that opened the dialog is gone with its device: the focus goes to the list.
    headingRef.current?.focus();
  };

  return (
    <section className="panel" aria-labelledby="account-devices">
      <div className="panel__head">
        <div>
          <h2 id="account-devices" ref={headingRef} tabIndex={-1}>
            {t('account.devices')}
          </h2>
          <p>{t('account.devicesIntro')}</p>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {message && <div className={`alert alert--${message.tone} panel-note`}>{message.text(t, lang)}</div>}
      </div>
      {devices === null ? (
        <Spinner label={t('app.loading')} />
      ) : devices.length === 0 ? (
        <p className="empty">{t('account.devices.empty')}</p>
      ) : (
        <ul className="list" data-testid="devices">
          {devices.map((d) => {
            const name = deviceLabel(t, d.label);
            const lastUsed = formatDate(lang, d.last_seen_at, true);
            return (
              <li key={d.id} className="list__item" data-testid="device" data-device-id={d.id} data-current={!!d.current}>
                <div className="list__main">
                  <div className="table__primary">
                    {name}
                    {d.current && (
                      <>
                        {' '}
                        <span className="badge badge--ready" data-testid="device-current">
                          {t('account.devices.current')}
                        </span>
                      </>
                    )}
                  </div>
                  <div className="table__secondary">
                    {[
                      t('account.devices.lastUsed', { date: lastUsed }),
                      d.last_ip ? t('account.devices.ip', { ip: d.last_ip }) : '',
                      t('account.devices.trusted', { date: formatDate(lang, d.trusted_at) }),
                    ]
                      .filter(Boolean)
                      .join(' · ')}
                  </div>
                </div>
                <Button
                  variant="danger"
                  onClick={() => setConfirming(d)}
                  aria-label={t('account.devices.removeLabelAt', { name, date: lastUsed })}
                  data-testid="device-remove"
                >
                  {t('account.devices.remove')}
                </Button>
              </li>
            );
          })}
        </ul>
      )}
      <Dialog
        open={!!confirming}
        small
        title={t('account.devices.confirm.title')}
        onClose={() => !busy && setConfirming(null)}
        initialFocus={cancelRef}
        testId="device-confirm"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setConfirming(null)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void remove()} busy={busy} data-testid="device-confirm-ok">
              {t('account.devices.confirm.ok')}
            </Button>
          </div>
        }
      >
        {confirming && (
          <>
            <p>{t('account.devices.confirm.body', { name: deviceLabel(t, confirming.label) })}</p>
            {confirming.current && (
              <p className="alert alert--warning" data-testid="device-confirm-current">
                {t('account.devices.confirm.current')}
              </p>
            )}
          </>
        )}
      </Dialog>
    </section>
  );
}

function eventLabel(t: ReturnType<typeof useI18n>['t'], kind: string): string {
  const key = `event.${kind}`;
  return hasMessage(key) ? t(key) : kind.replace(/_/g, ' ');
}

function SecurityEvents() {
  const { t, lang } = useI18n();
  const [events, setEvents] = useState<SecurityEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const load = useCallback(async (before?: string) => {
    setBusy(true);
    try {
      const { data } = await api.GET('/v1/me/security-events', { params: { query: { limit: 10, ...(before ? { before } : {}) } } });
      setEvents((old) => [...(before ? (old ?? []) : []), ...(data?.items ?? [])]);
      setCursor(data?.next_cursor ?? null);
    } catch {
      setEvents((old) => old ?? []);
    }
    setBusy(false);
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="panel" aria-labelledby="account-events">
      <div className="panel__head">
        <h2 id="account-events">{t('account.events')}</h2>
      </div>
      {events === null ? (
        <Spinner label={t('app.loading')} />
      ) : events.length === 0 ? (
        <p className="empty">{t('account.events.empty')}</p>
      ) : (
        <div className="table-wrap">
          <table className="table table--stack" data-testid="security-events">
            <thead>
              <tr>
                <th scope="col">{t('account.events.col.event')}</th>
                <th scope="col">{t('account.events.col.when')}</th>
                <th scope="col">{t('account.events.col.from')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="table__primary">{eventLabel(t, e.kind)}</td>
                  <td data-col="secondary">{formatDate(lang, e.occurred_at, true)}</td>
                  <td data-col="secondary">{[describeUserAgent(e.user_agent), e.ip].filter(Boolean).join(' · ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <div className="panel__body">
          <Button variant="secondary" busy={busy} onClick={() => void load(cursor)}>
            {t('account.events.more')}
          </Button>
        </div>
      )}
    </section>
  );
}
