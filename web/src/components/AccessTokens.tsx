// The account page's "Access tokens" section (`/account#tokens`, where the emails about tokens
// link): what a personal access token is, a form to create one (name, scopes, lifetime; the
// password and an authenticator code when the sign-in is older than the API's five minutes), the
// new token shown this once with a copy button, the tokens that still work, and revoking one.
//
// The new token lives only in this component's state: hiding it, leaving the page or reloading
// drops it, and nothing else keeps it (no storage, no URL, no log).

import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { useLocation } from 'react-router';
import { api, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/I18n';
import { formatDate, type Lang, type Translate } from '../i18n/translate';
import {
  DEFAULT_LIFETIME,
  LIFETIMES,
  SCOPES,
  expiryOf,
  lifetimeDays,
  scopeText,
  sortScopes,
} from '../lib/accessTokens';
import { call, useFormErrors } from '../lib/forms';
import { mfaCodeKind } from '../lib/mfaCode';
import { Dialog } from './Dialog';
import { CopyButton } from './TwoFactor';
import { Button, FormAlert, PasswordField, SelectField, Spinner, TextField } from './ui';
import '../styles/tokens.css';

type TokenInfo = Schemas['PersonalTokenInfo'];
type CreatedToken = Schemas['CreatedToken'];

/** A message at the top of the section, kept as a function of the language. */
type Note = { tone: 'success' | 'error'; text: (t: Translate, lang: Lang) => string };

/** The anchor of this section: the emails about tokens link to `/account#tokens`. */
export const TOKENS_ANCHOR = 'tokens';

export function AccessTokens() {
  const { t, lang } = useI18n();
  const location = useLocation();
  const [tokens, setTokens] = useState<TokenInfo[] | null>(null);
  const [open, setOpen] = useState(false);
  const [fresh, setFresh] = useState<CreatedToken | null>(null);
  const [message, setMessage] = useState<Note | null>(null);
  const [confirming, setConfirming] = useState<TokenInfo | null>(null);
  const [busy, setBusy] = useState(false);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const newButton = useRef<HTMLButtonElement>(null);
  const cancelRef = useRef<HTMLButtonElement>(null);
  const scrolled = useRef(false);
  const formId = useId();

  const load = useCallback(async () => {
    try {
      const { data } = await api.GET('/v1/me/tokens');
      setTokens(data?.items ?? []);
    } catch {
      setTokens((old) => old ?? []);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  // Opened from an email (`/account#tokens`): once the list is in place, the section is shown.
  useEffect(() => {
    if (scrolled.current || tokens === null || location.hash !== `#${TOKENS_ANCHOR}`) return;
    scrolled.current = true;
    headingRef.current?.focus({ preventScroll: true });
    headingRef.current?.closest('section')?.scrollIntoView({ block: 'start' });
  }, [tokens, location.hash]);

  const toggle = () => {
    setMessage(null);
    setOpen((o) => !o);
  };
  const cancel = () => {
    setOpen(false);
    newButton.current?.focus();
  };
  const created = (token: CreatedToken) => {
    setOpen(false);
    setFresh(token);
    setMessage({ tone: 'success', text: (tr) => tr('tokens.created', { name: token.name }) });
    void load();
  };
  const hide = () => {
    setFresh(null);
    // The button is enabled again once the token is gone.
    setTimeout(() => newButton.current?.focus(), 0);
  };

  const revoke = async () => {
    const token = confirming;
    if (!token) return;
    setBusy(true);
    setMessage(null);
    try {
      const { error, response } = await api.DELETE('/v1/me/tokens/{id}', { params: { path: { id: token.id } } });
      if (response.ok) setMessage({ tone: 'success', text: (tr) => tr('tokens.revoked', { name: token.name }) });
      else setMessage({ tone: 'error', text: (tr) => problemMessage(tr, error ?? {}) });
    } catch {
      setMessage({ tone: 'error', text: (tr) => tr('problem.network') });
    }
    setBusy(false);
    setConfirming(null);
    await load();
    // The button that opened the dialog is gone with its token: the focus goes to the section.
    headingRef.current?.focus();
  };

  return (
    <section className="panel" id={TOKENS_ANCHOR} aria-labelledby="account-tokens" data-testid="tokens-section">
      <div className="panel__head tokens-head">
        <div>
          <h2 id="account-tokens" ref={headingRef} tabIndex={-1}>
            {t('tokens.title')}
          </h2>
          <p>{t('tokens.intro')}</p>
        </div>
        <Button
          ref={newButton}
          variant="secondary"
          onClick={toggle}
          disabled={!!fresh}
          aria-expanded={open}
          aria-controls={open ? formId : undefined}
          data-testid="token-new"
        >
          {t('tokens.new')}
        </Button>
      </div>
      <div role="status" aria-live="polite">
        {message && (
          <div className={`alert alert--${message.tone} panel-note`} data-testid="tokens-message">
            {message.text(t, lang)}
          </div>
        )}
      </div>
      {open && (
        <div className="panel__body" id={formId}>
          <CreateTokenForm onCancel={cancel} onCreated={created} />
        </div>
      )}
      {fresh && (
        <div className="panel__body">
          <FreshToken token={fresh} onHide={hide} />
        </div>
      )}
      <div className={open || fresh ? 'panel__body--rule' : undefined}>
        {tokens === null ? (
          <Spinner label={t('app.loading')} />
        ) : tokens.length === 0 ? (
          <p className="empty" data-testid="tokens-empty">
            {t('tokens.empty')}
          </p>
        ) : (
          <ul className="list" aria-label={t('tokens.list')} data-testid="tokens">
            {tokens.map((token) => (
              <TokenItem key={token.id} token={token} onRevoke={() => setConfirming(token)} />
            ))}
          </ul>
        )}
      </div>
      <Dialog
        open={!!confirming}
        small
        title={t('tokens.confirm.title')}
        onClose={() => !busy && setConfirming(null)}
        initialFocus={cancelRef}
        testId="token-confirm"
        footer={
          <div className="actions actions--end">
            <Button ref={cancelRef} variant="secondary" onClick={() => setConfirming(null)} disabled={busy}>
              {t('common.cancel')}
            </Button>
            <Button variant="danger" onClick={() => void revoke()} busy={busy} data-testid="token-confirm-ok">
              {t('tokens.confirm.ok')}
            </Button>
          </div>
        }
      >
        {confirming && <p>{t('tokens.confirm.body', { name: confirming.name })}</p>}
      </Dialog>
    </section>
  );
}

/** The scopes as the API names them (the plain words in the form and on the approval page). */
function ScopeList({ scopes }: { scopes: readonly string[] }) {
  const { t } = useI18n();
  return (
    <ul className="scope-chips">
      {sortScopes(scopes).map((scope) => {
        const key = scopeText(scope);
        return (
          <li key={scope}>
            <code className="scope-chip" title={key ? t(key) : undefined}>
              {scope}
            </code>
          </li>
        );
      })}
    </ul>
  );
}

function TokenItem({ token, onRevoke }: { token: TokenInfo; onRevoke: () => void }) {
  const { t, lang } = useI18n();
  const lastUsed = token.last_used_at
    ? token.last_used_ip
      ? t('tokens.lastUsed', { date: formatDate(lang, token.last_used_at, true), ip: token.last_used_ip })
      : t('tokens.lastUsedNoIp', { date: formatDate(lang, token.last_used_at, true) })
    : t('tokens.neverUsed');
  return (
    <li className="list__item" data-testid="token" data-token-id={token.id}>
      <div className="list__main">
        <div className="table__primary" data-testid="token-name">
          {token.name}
        </div>
        <ScopeList scopes={token.scopes} />
        <div className="table__secondary">
          {t('tokens.createdAt', { date: formatDate(lang, token.created_at, true) })}
          {' · '}
          {t('tokens.expiresAt', { date: formatDate(lang, token.expires_at, true) })}
        </div>
        <div className="table__secondary" data-testid="token-last-used" data-used={!!token.last_used_at}>
          {lastUsed}
        </div>
      </div>
      <Button variant="secondary" onClick={onRevoke} aria-label={t('tokens.revokeLabel', { name: token.name })} data-testid="token-revoke">
        {t('tokens.revoke')}
      </Button>
    </li>
  );
}

const TOKEN_FIELDS = ['name', 'scopes', 'expires_in_days', 'password', 'mfa_code'] as const;
type TokenField = (typeof TOKEN_FIELDS)[number];

/**
 * Name, scopes and lifetime. The API decides whether the sign-in is recent enough; when it is
 * not (403 `reauthentication_required`), the password and a code are asked for here and sent
 * with the same form.
 */
function CreateTokenForm({ onCancel, onCreated }: { onCancel: () => void; onCreated: (token: CreatedToken) => void }) {
  const { t, lang } = useI18n();
  const { me } = useAuth();
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ReadonlySet<string>>(new Set());
  const [lifetime, setLifetime] = useState<string>(DEFAULT_LIFETIME);
  const [custom, setCustom] = useState('');
  const [reauth, setReauth] = useState(false);
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(TOKEN_FIELDS);
  const headingId = useId();
  const scopesId = useId();
  const nameRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const customRef = useRef<HTMLInputElement>(null);
  const days = lifetimeDays(lifetime, custom);

  useEffect(() => {
    nameRef.current?.focus();
  }, []);
  useEffect(() => {
    if (reauth) passwordRef.current?.focus();
  }, [reauth]);

  const toggleScope = (scope: string, on: boolean) => {
    setScopes((before) => {
      const next = new Set(before);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
    form.clearField('scopes');
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const missing: Partial<Record<TokenField, MessageKey>> = {};
    if (!name.trim()) missing.name = 'fielderr.required';
    if (scopes.size === 0) missing.scopes = 'fielderr.scopes_required';
    if (days === null) missing.expires_in_days = 'fielderr.expires_in_days_out_of_range';
    if (reauth) {
      if (!password) missing.password = 'fielderr.required';
      if (!code.trim()) missing.mfa_code = 'fielderr.mfa_code_required';
      else if (!mfaCodeKind(code)) missing.mfa_code = 'fielderr.mfa_code_format';
    }
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(
      api.POST('/v1/me/tokens', {
        body: {
          name: name.trim(),
          scopes: sortScopes([...scopes]),
          expires_in_days: days,
          ...(reauth ? { password, mfa_code: code.trim() } : {}),
        },
      }),
    );
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      setPassword('');
      setCode('');
      onCreated(result.data);
      return;
    }
    const problem = result.error;
    if (problem?.code === 'reauthentication_required' && !reauth) {
      // Not an error of the person's: the next step of the form.
      form.clear();
      setReauth(true);
      return;
    }
    // A code is good once: after any refusal that checked it, the next attempt needs the next one.
    if (problem?.errors?.some((e) => e.field === 'mfa_code' || e.field === 'password')) setCode('');
    form.fail(problem);
  };

  const expiryHint =
    days !== null ? t('tokens.expiresOn', { date: formatDate(lang, expiryOf(days).toISOString()) }) : t('tokens.customDaysHint');
  const scopeErrors = form.field('scopes');
  const scopeErrorId = `${scopesId}-error`;

  return (
    <form className="form form--narrow" noValidate onSubmit={onSubmit} aria-labelledby={headingId} data-testid="token-form">
      <div className="form-head">
        <h3 id={headingId}>{t('tokens.form.title')}</h3>
        <p className="muted small">{t('tokens.form.intro')}</p>
      </div>
      <FormAlert message={form.errors.form} seq={form.seq} />
      <TextField
        ref={nameRef}
        label={t('tokens.name')}
        hint={t('tokens.nameHint')}
        value={name}
        onValue={(v) => {
          setName(v);
          form.clearField('name');
        }}
        errors={form.field('name')}
        autoComplete="off"
        required
        maxLength={100}
        name="token_name"
      />
      <fieldset className="field" aria-describedby={[scopeErrors ? scopeErrorId : '', `${scopesId}-hint`].filter(Boolean).join(' ')}>
        <legend className="field__label">{t('tokens.scopes')}</legend>
        <ul className="scope-options" data-testid="token-scopes">
          {SCOPES.map((scope) => {
            const key = scopeText(scope);
            const id = `${scopesId}-${scope.replace(':', '-')}`;
            return (
              <li key={scope} className="check">
                <input
                  type="checkbox"
                  id={id}
                  value={scope}
                  checked={scopes.has(scope)}
                  onChange={(e) => toggleScope(scope, e.target.checked)}
                  aria-invalid={scopeErrors ? true : undefined}
                  data-testid={`token-scope-${scope}`}
                />
                <label htmlFor={id}>
                  <code className="scope-option__name">{scope}</code>
                  {key && <span className="scope-option__text">{t(key)}</span>}
                </label>
              </li>
            );
          })}
        </ul>
        {scopeErrors && (
          <div id={scopeErrorId}>
            {scopeErrors.map((m) => (
              <p className="field__error" key={m}>
                {m}
              </p>
            ))}
          </div>
        )}
        <p className="field__hint" id={`${scopesId}-hint`}>
          {t('tokens.scopesHint')}
        </p>
      </fieldset>
      <SelectField
        label={t('tokens.lifetime')}
        hint={lifetime === 'custom' ? undefined : expiryHint}
        value={lifetime}
        onValue={(v) => {
          setLifetime(v);
          form.clearField('expires_in_days');
          if (v === 'custom') setTimeout(() => customRef.current?.focus(), 0);
        }}
        errors={lifetime === 'custom' ? undefined : form.field('expires_in_days')}
        required
        name="expires_in_days"
        data-testid="token-lifetime"
      >
        {LIFETIMES.map((d) => (
          <option key={d} value={String(d)}>
            {d === 365 ? t('tokens.lifetime.year') : t('tokens.lifetime.days', { days: d })}
          </option>
        ))}
        <option value="custom">{t('tokens.lifetime.custom')}</option>
      </SelectField>
      {lifetime === 'custom' && (
        <TextField
          ref={customRef}
          label={t('tokens.customDays')}
          hint={expiryHint}
          type="number"
          inputMode="numeric"
          min={1}
          max={365}
          step={1}
          value={custom}
          onValue={(v) => {
            setCustom(v);
            form.clearField('expires_in_days');
          }}
          errors={form.field('expires_in_days')}
          required
          name="expires_in_days_custom"
          data-testid="token-lifetime-custom"
        />
      )}
      {reauth && (
        <div className="stack" data-testid="token-reauth">
          <p className="alert alert--info">{t('tokens.reauth')}</p>
          {/* The account's email, for password managers. */}
          <input type="email" name="username" autoComplete="username" value={me?.email ?? ''} readOnly hidden />
          <PasswordField
            ref={passwordRef}
            label={t('field.currentPassword')}
            value={password}
            onValue={(v) => {
              setPassword(v);
              form.clearField('password');
            }}
            errors={form.field('password')}
            autoComplete="current-password"
            required
            name="password"
          />
          <TextField
            label={t('field.mfaCode')}
            hint={t('field.mfaCodeHint')}
            value={code}
            onValue={(v) => {
              setCode(v);
              form.clearField('mfa_code');
            }}
            errors={form.field('mfa_code')}
            autoComplete="one-time-code"
            spellCheck={false}
            autoCapitalize="characters"
            maxLength={40}
            required
            name="mfa_code"
            className="input secret"
          />
        </div>
      )}
      <div className="actions">
        <Button type="submit" busy={busy} data-testid="token-submit">
          {t('tokens.create')}
        </Button>
        <Button variant="secondary" onClick={onCancel} disabled={busy}>
          {t('common.cancel')}
        </Button>
      </div>
    </form>
  );
}

/** The token just made, this once: copy it, then hide it. */
function FreshToken({ token, onHide }: { token: CreatedToken; onHide: () => void }) {
  const { t, lang } = useI18n();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const headingId = useId();
  const warningId = useId();

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  return (
    <div className="stack" role="group" aria-labelledby={headingId} aria-describedby={warningId} data-testid="token-fresh">
      <h3 id={headingId} ref={headingRef} tabIndex={-1}>
        {t('tokens.fresh.title', { name: token.name })}
      </h3>
      <p className="alert alert--warning" id={warningId} data-testid="token-fresh-warning">
        {t('tokens.fresh.warning')}
      </p>
      <div className="token-reveal">
        <code className="secret token-reveal__value" data-testid="token-value">
          {token.token}
        </code>
        <CopyButton text={token.token} label={t('tokens.fresh.copy')} />
      </div>
      <ScopeList scopes={token.scopes} />
      <p className="muted small">
        {t('tokens.expiresAt', { date: formatDate(lang, token.expires_at, true) })}. {t('tokens.fresh.usage')}
      </p>
      <div>
        <Button variant="secondary" onClick={onHide} data-testid="token-hide">
          {t('tokens.fresh.done')}
        </Button>
      </div>
    </div>
  );
}
