// "I'm not a robot". The built-in proof of work (POST /v1/captcha/challenges, solved in a Web
// Worker with visible progress) by default; reCAPTCHA, hCaptcha or Turnstile when the portal is
// configured for one (GET /v1/config `captcha`). The answer is handed to the form with onChange.

import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api/client';
import { useConfig } from '../app/config';
import { useI18n } from '../i18n/I18n';
import type { SolverMessage } from '../captcha/pow.worker';

export interface CaptchaProps {
  onChange: (answer: string | null) => void;
  errors?: readonly string[];
  /** Changing it throws the current answer away (answers are single-use) and solves again. */
  resetKey?: number;
  /** Start solving at once (the sign-in form, after the API asked for a captcha). */
  autoStart?: boolean;
}

type PowState =
  | { phase: 'idle' }
  | { phase: 'solving'; percent: number }
  | { phase: 'solved' }
  | { phase: 'failed' };

/** Expected share of the work done after `tried` hashes for `difficulty` bits (never 100 %). */
export function powProgress(tried: number, difficulty: number): number {
  const expected = 2 ** difficulty;
  return Math.min(99, Math.round(100 * (1 - Math.exp(-tried / expected))));
}

function PowCaptcha({ onChange, errors, resetKey = 0, autoStart }: CaptchaProps) {
  const { t } = useI18n();
  const [state, setState] = useState<PowState>({ phase: 'idle' });
  const workerRef = useRef<Worker | null>(null);
  const expiryRef = useRef<ReturnType<typeof setTimeout> | null>(null);
  const startedOnce = useRef(false);
  const labelId = useId();
  const errorId = useId();

  const stop = useCallback(() => {
    workerRef.current?.terminate();
    workerRef.current = null;
    if (expiryRef.current) clearTimeout(expiryRef.current);
    expiryRef.current = null;
  }, []);

  const start = useCallback(async () => {
    stop();
    startedOnce.current = true;
    onChange(null);
    setState({ phase: 'solving', percent: 0 });
    let challenge;
    try {
      const { data } = await api.POST('/v1/captcha/challenges');
      challenge = data;
    } catch {
      challenge = undefined;
    }
    if (!challenge) {
      setState({ phase: 'failed' });
      return;
    }
    const worker = new Worker(new URL('../captcha/pow.worker.ts', import.meta.url), { type: 'module' });
    workerRef.current = worker;
    const { challenge: text, difficulty, expires_at } = challenge;
    worker.onmessage = (event: MessageEvent<SolverMessage>) => {
      const message = event.data;
      if (message.type === 'progress') {
        setState({ phase: 'solving', percent: powProgress(message.tried, difficulty) });
      } else if (message.type === 'done') {
        worker.terminate();
        workerRef.current = null;
        setState({ phase: 'solved' });
        onChange(`${text}:${message.nonce}`);
        // An answer is only good until the challenge expires: then solve a new one.
        const ms = new Date(expires_at).getTime() - Date.now() - 5000;
        if (ms > 0) expiryRef.current = setTimeout(() => void start(), Math.min(ms, 2 ** 31 - 1));
      } else {
        worker.terminate();
        workerRef.current = null;
        setState({ phase: 'failed' });
      }
    };
    worker.onerror = () => {
      worker.terminate();
      setState({ phase: 'failed' });
    };
    worker.postMessage({ challenge: text, difficulty });
  }, [onChange, stop]);

  useEffect(() => stop, [stop]);
  useEffect(() => {
    if (resetKey > 0 && startedOnce.current) void start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [resetKey]);
  useEffect(() => {
    if (autoStart && !startedOnce.current) void start();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [autoStart]);

  const solved = state.phase === 'solved';
  const busy = state.phase === 'solving';
  const invalid = !!errors?.length && !solved;
  return (
    <div className="field">
      <div className="captcha" data-invalid={invalid || undefined} data-testid="captcha" data-state={state.phase}>
        <button
          type="button"
          role="checkbox"
          className="captcha__box"
          aria-checked={solved}
          aria-labelledby={labelId}
          aria-describedby={invalid ? errorId : undefined}
          aria-invalid={invalid || undefined}
          aria-busy={busy || undefined}
          data-busy={busy || undefined}
          disabled={busy}
          onClick={() => {
            if (!solved && !busy) void start();
          }}
        />
        <div className="captcha__body">
          <span className="captcha__label" id={labelId}>
            {t('captcha.label')}
          </span>
          <span role="status" aria-live="polite" className="captcha__meta">
            {state.phase === 'solving' && t('captcha.solving', { percent: state.percent })}
            {state.phase === 'solved' && t('captcha.solved')}
            {state.phase === 'failed' && t('captcha.failed')}
            {state.phase === 'idle' && t('captcha.privacy')}
          </span>
          {busy && <progress className="progress" max={100} value={state.percent} aria-label={t('captcha.progress')} />}
        </div>
      </div>
      {invalid && (
        <p className="field__error" id={errorId}>
          {errors?.[0]}
        </p>
      )}
      {state.phase === 'failed' && (
        <div>
          <button type="button" className="link-button small" onClick={() => void start()}>
            {t('common.retry')}
          </button>
        </div>
      )}
    </div>
  );
}

// ---------- third-party widgets ----------

interface WidgetApi {
  render(container: HTMLElement, options: Record<string, unknown>): string | number;
  reset(id?: string | number): void;
}

const SCRIPTS: Record<string, { src: string; global: string }> = {
  recaptcha: { src: 'https://www.google.com/recaptcha/api.js?render=explicit', global: 'grecaptcha' },
  hcaptcha: { src: 'https://js.hcaptcha.com/1/api.js?render=explicit', global: 'hcaptcha' },
  turnstile: { src: 'https://challenges.cloudflare.com/turnstile/v0/api.js?render=explicit', global: 'turnstile' },
};

function loadWidget(provider: string): Promise<WidgetApi> {
  const script = SCRIPTS[provider];
  if (!script) return Promise.reject(new Error('unknown provider'));
  const existing = (window as unknown as Record<string, WidgetApi | undefined>)[script.global];
  if (existing?.render) return Promise.resolve(existing);
  return new Promise((resolve, reject) => {
    const tag = document.createElement('script');
    tag.src = script.src;
    tag.async = true;
    tag.onerror = () => reject(new Error('load failed'));
    tag.onload = () => {
      const poll = (left: number) => {
        const api = (window as unknown as Record<string, WidgetApi | undefined>)[script.global];
        if (api?.render) resolve(api);
        else if (left > 0) setTimeout(() => poll(left - 1), 100);
        else reject(new Error('not ready'));
      };
      poll(50);
    };
    document.head.appendChild(tag);
  });
}

function WidgetCaptcha({ provider, siteKey, onChange, errors, resetKey = 0 }: CaptchaProps & { provider: string; siteKey: string }) {
  const { t, lang } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const widget = useRef<{ api: WidgetApi; id: string | number } | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    let live = true;
    loadWidget(provider).then(
      (api) => {
        if (!live || !box.current) return;
        const id = api.render(box.current, {
          sitekey: siteKey,
          hl: lang,
          language: lang,
          callback: (token: string) => onChange(token),
          'expired-callback': () => onChange(null),
          'error-callback': () => onChange(null),
        });
        widget.current = { api, id };
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [provider, siteKey, lang, onChange]);
  useEffect(() => {
    if (resetKey > 0 && widget.current) {
      widget.current.api.reset(widget.current.id);
      onChange(null);
    }
  }, [resetKey, onChange]);
  return (
    <div className="field">
      <div ref={box} className="captcha__widget" data-testid="captcha" />
      {failed && <p className="field__error">{t('captcha.unavailable')}</p>}
      {errors?.length ? <p className="field__error">{errors[0]}</p> : null}
    </div>
  );
}

export function Captcha(props: CaptchaProps) {
  const { captcha } = useConfig();
  if (captcha.provider === 'off') return null;
  if (captcha.provider === 'pow') return <PowCaptcha {...props} />;
  return <WidgetCaptcha {...props} provider={captcha.provider} siteKey={captcha.site_key ?? ''} />;
}

/** Whether the portal asks for a captcha at sign-up. */
export function useCaptchaEnabled(): boolean {
  return useConfig().captcha.provider !== 'off';
}
