import { useCallback, useEffect, useState } from 'react';
import { api, type Schemas } from '../api/client';
import { problemMessage } from '../api/problem';
import { useAuth } from '../app/auth';
import { Button, Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate, hasMessage } from '../i18n/translate';
import { describeUserAgent } from '../lib/userAgent';

type Device = Schemas['DeviceInfo'];
type SecurityEvent = Schemas['SecurityEventInfo'];

export function AccountPage() {
  const { t, lang } = useI18n();
  const { me, signOut } = useAuth();
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
