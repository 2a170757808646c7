// `/device`: where a person lets a program sign in as them (OAuth 2.0 device authorization
// grant, RFC 8628). The program shows a code and this address (or `/device?user_code=…`, which
// fills the code in); the person, signed in, looks the request up, sees which program asks for
// what, from where and until when, and approves or denies it. The program, polling, then gets
// its tokens or `access_denied`.
//
// The code is never approved without the person looking at the request first, even when the
// link filled it in (RFC 8628 §5.4: a code sent by someone else must not approve itself).

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { api, retryAfterSeconds, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { Button, FormAlert, Spinner, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import { clientName, formatUserCode, scopeText, sortScopes, userCodeComplete, waitMinutes } from '../lib/accessTokens';
import { call, useFormErrors } from '../lib/forms';
import { loadPendingInvitation, nextRoute } from '../lib/organizationInvitation';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import '../styles/tokens.css';
import { paths } from '../app/paths';

type Request = Schemas['DeviceRequestInfo'];
type Decision = 'approved' | 'denied';

export function DeviceApprovalPage() {
  const { t } = useI18n();
  useDocumentTitle(t('title.device'));
  const [params] = useSearchParams();
  const { status, onboarding } = useAuth();
  const prefilled = formatUserCode(params.get('user_code') ?? '');
  if (status !== 'signedIn') return <Spinner label={t('app.loading')} />;
  if (onboarding && !onboarding.complete) return <FinishOnboarding />;
  return <DeviceApproval key={prefilled} prefilled={prefilled} />;
}

/** The account is not set up yet: the API would refuse (403 `onboarding_incomplete`). */
function FinishOnboarding() {
  const { t } = useI18n();
  const { onboarding } = useAuth();
  const navigate = useNavigate();
  return (
    <div className="card result" data-testid="device-onboarding">
      <div className="result__icon result__icon--shield" aria-hidden="true" />
      <h1 className="card__title">{t('deviceAuth.onboarding.title')}</h1>
      <p>{t('deviceAuth.onboarding.body')}</p>
      <Button block onClick={() => navigate(nextRoute(onboarding, loadPendingInvitation()))} data-testid="device-onboarding-continue">
        {t('deviceAuth.onboarding.continue')}
      </Button>
    </div>
  );
}

function DeviceApproval({ prefilled }: { prefilled: string }) {
  const [request, setRequest] = useState<Request | null>(null);
  const [decided, setDecided] = useState<{ decision: Decision; request: Request } | null>(null);
  const [code, setCode] = useState(prefilled);

  if (decided) {
    const another = () => {
      setDecided(null);
      setRequest(null);
      setCode('');
    };
    return <Decided decision={decided.decision} request={decided.request} onAnother={another} />;
  }
  if (request) {
    return (
      <Review
        request={request}
        onDecided={(decision, answer) => setDecided({ decision, request: answer })}
        onBack={() => {
          setRequest(null);
          setCode('');
        }}
      />
    );
  }
  return <EnterCode code={code} onCode={setCode} onFound={setRequest} />;
}

/** Who is signed in, with a way out for someone who is in the wrong account. */
function SignedInAs({ from }: { from: string }) {
  const { t } = useI18n();
  const { me, signOut } = useAuth();
  if (!me) return null;
  return (
    <p className="device-signed-in">
      {t('deviceAuth.signedInAs', { email: me.email })}{' '}
      <button type="button" className="link-button" onClick={() => void signOut({ from })} data-testid="device-sign-out">
        {t('deviceAuth.notYou')}
      </button>
    </p>
  );
}

function devicePath(code: string): string {
  const letters = code.replace(/[^A-Za-z]/g, '');
  return letters ? `/device?user_code=${encodeURIComponent(letters.toUpperCase())}` : paths.device;
}

function EnterCode({ code, onCode, onFound }: { code: string; onCode: (code: string) => void; onFound: (request: Request) => void }) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  // Too many wrong codes: minutes to wait (the API's Retry-After).
  const [throttled, setThrottled] = useState<number | null>(null);
  const form = useFormErrors(['user_code']);
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    // The code typed in, or checked when the link filled it in.
    codeRef.current?.focus();
  }, []);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setThrottled(null);
    if (!userCodeComplete(code)) {
      form.failLocal({ user_code: 'deviceAuth.codeFormat' });
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/device/lookup', { body: { user_code: code } }));
    setBusy(false);
    if (result.network) {
      form.failNetwork();
      return;
    }
    if (result.data) {
      form.clear();
      onFound(result.data);
      return;
    }
    // `onboarding_incomplete`: the app has already gone to the missing step (see app/auth.tsx).
    const problem = result.error;
    if (result.response?.status === 429) {
      setThrottled(waitMinutes(retryAfterSeconds(result.response, problem)));
      form.failLocal({});
      return;
    }
    form.fail(problem);
  };

  return (
    <div className="card card--wide" data-testid="device-enter">
      <h1 className="card__title">{t('deviceAuth.title')}</h1>
      <p className="card__subtitle">{t('deviceAuth.intro')}</p>
      <form className="form" noValidate onSubmit={onSubmit} data-testid="device-form">
        <FormAlert message={throttled ? t('deviceAuth.tooMany', { minutes: throttled }) : form.errors.form} seq={form.seq} />
        <TextField
          ref={codeRef}
          label={t('deviceAuth.code')}
          hint={t('deviceAuth.codeHint')}
          value={code}
          onValue={(v) => {
            onCode(formatUserCode(v));
            form.clearField('user_code');
          }}
          errors={form.field('user_code')}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          maxLength={12}
          required
          name="user_code"
          className="input user-code"
          data-testid="device-code"
        />
        <Button type="submit" block busy={busy} data-testid="device-continue">
          {t('common.continue')}
        </Button>
        <SignedInAs from={devicePath(code)} />
      </form>
    </div>
  );
}

/** The request, for the person to decide: which program, what it may do, from where, until when. */
function Review({
  request,
  onDecided,
  onBack,
}: {
  request: Request;
  onDecided: (decision: Decision, answer: Request) => void;
  onBack: () => void;
}) {
  const { t, lang } = useI18n();
  const [busy, setBusy] = useState<Decision | null>(null);
  // The request stopped waiting (expired, or answered elsewhere): only starting again helps.
  const [gone, setGone] = useState(false);
  const [throttled, setThrottled] = useState<number | null>(null);
  const form = useFormErrors([]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const client = request.client_name || clientName(request.client_id);

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  const decide = async (decision: Decision) => {
    if (busy) return;
    setThrottled(null);
    setBusy(decision);
    const body = { body: { user_code: request.user_code } };
    const result = await call(decision === 'approved' ? api.POST('/v1/device/approve', body) : api.POST('/v1/device/deny', body));
    setBusy(null);
    if (result.data) {
      onDecided(decision, result.data);
      return;
    }
    if (result.network) {
      form.failNetwork();
      return;
    }
    const problem = result.error;
    if (problem?.errors?.some((e) => e.code === 'user_code_invalid')) {
      setGone(true);
      form.failLocal({}, 'deviceAuth.gone');
      return;
    }
    if (result.response?.status === 429) {
      setThrottled(waitMinutes(retryAfterSeconds(result.response, problem)));
      form.failLocal({});
      return;
    }
    form.fail(problem);
  };

  return (
    <div className="card card--wide" data-testid="device-review" data-client-id={request.client_id}>
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {t('deviceAuth.review.title', { client })}
      </h1>
      <p className="card__subtitle">{t('deviceAuth.review.intro')}</p>
      <div className="stack">
        <FormAlert message={throttled ? t('deviceAuth.tooMany', { minutes: throttled }) : form.errors.form} seq={form.seq} />
        <dl className="dl" data-testid="device-request">
          <dt>{t('deviceAuth.review.program')}</dt>
          <dd data-testid="device-client">{client}</dd>
          <dt>{t('deviceAuth.review.code')}</dt>
          <dd className="secret" data-testid="device-user-code">
            {request.user_code}
          </dd>
          <dt>{t('deviceAuth.review.access')}</dt>
          <dd>
            <ul className="device-scopes" data-testid="device-scopes">
              {sortScopes(request.scopes).map((scope) => {
                const key = scopeText(scope);
                return (
                  <li key={scope} data-scope={scope}>
                    {key ? t(key) : scope}
                    {key && <code>{scope}</code>}
                  </li>
                );
              })}
            </ul>
          </dd>
          <dt>{t('deviceAuth.review.from')}</dt>
          <dd data-testid="device-ip">{request.ip || t('deviceAuth.review.fromUnknown')}</dd>
          <dt>{t('deviceAuth.review.expires')}</dt>
          <dd>
            <time dateTime={request.expires_at}>{formatDate(lang, request.expires_at, true)}</time>
          </dd>
        </dl>
        <p className="muted small">{t('deviceAuth.review.note')}</p>
        {gone ? (
          <Button block onClick={onBack} data-testid="device-another">
            {t('deviceAuth.another')}
          </Button>
        ) : (
          <div className="actions">
            <Button onClick={() => void decide('approved')} busy={busy === 'approved'} disabled={!!busy} data-testid="device-approve">
              {t('deviceAuth.approve')}
            </Button>
            <Button variant="secondary" onClick={() => void decide('denied')} busy={busy === 'denied'} disabled={!!busy} data-testid="device-deny">
              {t('deviceAuth.deny')}
            </Button>
          </div>
        )}
        <SignedInAs from={devicePath(request.user_code)} />
      </div>
    </div>
  );
}

function Decided({ decision, request, onAnother }: { decision: Decision; request: Request; onAnother: () => void }) {
  const { t } = useI18n();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const client = request.client_name || clientName(request.client_id);
  const approved = decision === 'approved';

  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  return (
    <div className="card result" data-testid="device-done" data-decision={decision}>
      <div className={approved ? 'result__icon result__icon--ok' : 'result__icon result__icon--warn'} aria-hidden="true" />
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {approved ? t('deviceAuth.approved.title') : t('deviceAuth.denied.title')}
      </h1>
      <p role="status">{approved ? t('deviceAuth.approved.body', { client }) : t('deviceAuth.denied.body', { client })}</p>
      <div className="stack">
        {approved ? (
          <Link to={paths.account} className="btn btn--secondary btn--block" data-testid="device-sessions">
            {t('deviceAuth.sessions')}
          </Link>
        ) : (
          <Link to={paths.projects} className="btn btn--secondary btn--block">
            {t('deviceAuth.toConsole')}
          </Link>
        )}
        <button type="button" className="link-button" onClick={onAnother} data-testid="device-again">
          {t('deviceAuth.another')}
        </button>
      </div>
    </div>
  );
}
