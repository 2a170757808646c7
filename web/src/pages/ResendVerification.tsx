import { useState } from 'react';
import { api, retryAfterSeconds } from '../api/client';
import { problemMessage } from '../api/problem';
import { Button } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { useCountdown } from '../lib/useCountdown';

/** "Resend email" for the verification link, with a countdown between sends. */
export function ResendVerification({ email, initialWait = 0 }: { email: string; initialWait?: number }) {
  const { t } = useI18n();
  const { left, start } = useCountdown(initialWait);
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ tone: 'success' | 'error'; text: string } | null>(null);
  const resend = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const { data, error, response } = await api.POST('/v1/email-verifications/resend', { body: { email } });
      if (data) {
        setMessage({ tone: 'success', text: t('signup.done.resent') });
        start(60);
      } else {
        const wait = retryAfterSeconds(response, error);
        if (wait) start(wait);
        setMessage({ tone: 'error', text: problemMessage(t, error ?? {}) });
      }
    } catch {
      setMessage({ tone: 'error', text: t('problem.network') });
    }
    setBusy(false);
  };
  return (
    <div className="stack">
      <p className="small muted">{t('signup.done.noEmail')}</p>
      <div role="status" aria-live="polite">
        {message && <div className={`alert alert--${message.tone}`}>{message.text}</div>}
      </div>
      <div>
        <Button variant="secondary" onClick={() => void resend()} disabled={left > 0} busy={busy} data-testid="resend-verification">
          {left > 0 ? t('signup.done.resendIn', { seconds: left }) : t('signup.done.resend')}
        </Button>
      </div>
    </div>
  );
}
