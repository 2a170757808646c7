import { useCallback, useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { api, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { Dialog } from '../components/Dialog';
import { PasswordChecklist } from '../components/PasswordChecklist';
import { Button, FormAlert, PasswordField, Spinner, TextField } from '../components/ui';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/I18n';
import { formatDate, hasMessage, type Translate } from '../i18n/translate';
import { call, useFormErrors } from '../lib/forms';
import { mfaCodeKind } from '../lib/mfaCode';
import { errorsBesideChecklist, passwordChecklist } from '../lib/password';
import { sessionName, sortSessions, type SessionInfo } from '../lib/sessions';
import { describeUserAgent } from '../lib/userAgent';

type Device = Schemas['DeviceInfo'];
type SecurityEvent = Schemas['SecurityEventInfo'];

export function AccountPage() {
  const { t, lang } = useI18n();
  const { me, signOut } = useAuth();
  // Bumped when other sessions were ended elsewhere on the page (a password change).
  const [sessionsVersion, setSessionsVersion] = useState(0);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{t('account.title')}</h1>
        </div>
      </div>
      <section className="panel" aria-labelledby="account-profile">
        <div className="panel__head">
          <h2 id="account-profile">{t('account.profile')}</h2>
        </div>
        <div className="panel__body">
          {me ? (
            <dl className="dl" data-testid="profile">
              <dt>{t('field.fullName')}</dt>
              <dd>{me.full_name}</dd>
              <dt>{t('field.email')}</dt>
              <dd>{me.email}</dd>
              <dt>{t('field.phone')}</dt>
              <dd>{me.phone_number}</dd>
              <dt>{t('account.type')}</dt>
              <dd>{me.account_type === 'enterprise' ? t('account.type.enterprise') : t('account.type.sme')}</dd>
              <dt>{t('account.mfa')}</dt>
              <dd>
                <span className="badge badge--ready">{t('account.mfaOn')}</span>
              </dd>
              <dt>{t('account.memberSince')}</dt>
              <dd>{formatDate(lang, me.created_at)}</dd>
            </dl>
          ) : (
            <Spinner label={t('app.loading')} />
          )}
        </div>
      </section>
      <ChangePassword onChanged={() => setSessionsVersion((v) => v + 1)} />
      <Sessions version={sessionsVersion} />
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
    </>
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
    if (!code.trim()) missing.mfa_code = 'fielderr.mfa_code_required';
    else if (!mfaCodeKind(code)) missing.mfa_code = 'fielderr.mfa_code_format';
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

type EndSessions = { kind: 'one'; session: SessionInfo; name: string } | { kind: 'others' };

/** Where the account is signed in; any session but this one can be signed out from here. */
function Sessions({ version }: { version: number }) {
  const { t, lang } = useI18n();
  const [sessions, setSessions] = useState<SessionInfo[] | null>(null);
  // Kept as a function of the language, so that switching it re-translates the message.
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: (t: Translate) => string } | null>(null);
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

  const nameOf = (s: SessionInfo) => sessionName(s) ?? t('account.sessions.unknown');
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
        {message && <div className={`alert alert--${message.tone} panel-note`}>{message.text(t)}</div>}
      </div>
      {sessions === null ? (
        <Spinner label={t('app.loading')} />
      ) : sessions.length === 0 ? (
        <p className="empty">{t('account.sessions.empty')}</p>
      ) : (
        <ul className="list" data-testid="sessions">
          {sessions.map((s) => (
            <li key={s.id} className="list__item" data-testid="session" data-session-id={s.id} data-current={s.current}>
              <div className="list__main">
                <div className="table__primary">
                  {nameOf(s)}
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

function Devices() {
  const { t, lang } = useI18n();
  const [devices, setDevices] = useState<Device[] | null>(null);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      const { data } = await api.GET('/v1/me/devices');
      setDevices(data?.items ?? []);
    } catch {
      setDevices([]);
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  const remove = async (device: Device) => {
    setBusyId(device.id);
    setMessage(null);
    try {
      const { error, response } = await api.DELETE('/v1/me/devices/{id}', { params: { path: { id: device.id } } });
      if (response.ok) {
        setMessage({ tone: 'success', text: t('account.devices.removed', { name: device.label }) });
        await load();
      } else setMessage({ tone: 'error', text: problemMessage(t, error ?? {}) });
    } catch {
      setMessage({ tone: 'error', text: t('problem.network') });
    }
    setBusyId(null);
  };
  return (
    <section className="panel" aria-labelledby="account-devices">
      <div className="panel__head">
        <div>
          <h2 id="account-devices">{t('account.devices')}</h2>
          <p>{t('account.devicesIntro')}</p>
        </div>
      </div>
      <div role="status" aria-live="polite">
        {message && <div className={`alert alert--${message.tone} panel-note`}>{message.text}</div>}
      </div>
      {devices === null ? (
        <Spinner label={t('app.loading')} />
      ) : devices.length === 0 ? (
        <p className="empty">{t('account.devices.empty')}</p>
      ) : (
        <ul className="list" data-testid="devices">
          {devices.map((d) => (
            <li key={d.id} className="list__item">
              <div className="list__main">
                <div className="table__primary">{d.label}</div>
                <div className="table__secondary">
                  {t('account.devices.lastUsed', { date: formatDate(lang, d.last_seen_at, true) })}
                  {d.last_ip ? ` · ${d.last_ip}` : ''} · {t('account.devices.trusted', { date: formatDate(lang, d.trusted_at) })}
                </div>
              </div>
              <Button variant="danger" onClick={() => void remove(d)} busy={busyId === d.id} aria-label={t('account.devices.removeLabel', { name: d.label })}>
                {t('account.devices.remove')}
              </Button>
            </li>
          ))}
        </ul>
      )}
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
