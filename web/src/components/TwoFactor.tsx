// What the pages that set up an authenticator share: the QR code with its manual key, and the
// recovery codes, shown once, to copy or download.

import { useId, useState } from 'react';
import type { Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { useI18n } from '../i18n/I18n';
import { saveFile } from '../lib/download';
import { groupKey, recoveryCodesFileName, recoveryCodesFileText } from '../lib/twoFactor';
import { usePhone } from '../lib/usePhone';
import { Button } from './ui';

type Enrollment = Schemas['TotpEnrollment'];

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="ghost"
      onClick={() => {
        void navigator.clipboard?.writeText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 2000);
          },
          () => setCopied(false),
        );
      }}
      aria-label={label}
    >
      <span aria-live="polite">{copied ? t('common.copied') : t('common.copy')}</span>
    </Button>
  );
}

/** The authenticator apps the user guides name, with where to get them. */
export const AUTHENTICATOR_APPS = [
  {
    name: 'Google Authenticator',
    android: 'https://play.google.com/store/apps/details?id=com.google.android.apps.authenticator2',
    ios: 'https://apps.apple.com/app/google-authenticator/id388497605',
  },
  {
    name: 'Microsoft Authenticator',
    android: 'https://play.google.com/store/apps/details?id=com.azure.authenticator',
    ios: 'https://apps.apple.com/app/microsoft-authenticator/id983156458',
  },
] as const;

/**
 * The QR code of a new secret, the apps that read it (with their Google Play and App Store
 * pages), and the key to type in instead. On a phone, whose camera cannot scan its own screen,
 * a link opens the key in the authenticator app installed on it (`otpauth://`).
 */
export function TotpKey({ enrollment }: { enrollment: Enrollment }) {
  const { t } = useI18n();
  const phone = usePhone();
  return (
    <div className="qr">
      <img className="qr__image" src={enrollment.qr_code} alt={t('mfa.scan.qrAlt')} width={192} height={192} data-testid="totp-qr" />
      <div className="stack">
        {phone && (
          <div>
            <a className="btn btn--primary" href={enrollment.otpauth_uri} data-testid="totp-open-app">
              {t('mfa.scan.openApp')}
            </a>
            <p className="small muted">{t('mfa.scan.openAppHint')}</p>
          </div>
        )}
        <div>
          <p className="small muted">{t('mfa.scan.getApp')}</p>
          <ul className="app-links" data-testid="authenticator-apps">
            {AUTHENTICATOR_APPS.map((app) => (
              <li key={app.name}>
                {app.name}:{' '}
                <a href={app.android} target="_blank" rel="noopener noreferrer" aria-label={`${app.name}: ${t('mfa.scan.android')}`}>
                  {t('mfa.scan.android')}
                </a>
                {' · '}
                <a href={app.ios} target="_blank" rel="noopener noreferrer" aria-label={`${app.name}: ${t('mfa.scan.ios')}`}>
                  {t('mfa.scan.ios')}
                </a>
              </li>
            ))}
          </ul>
        </div>
        <div>
          <p className="small muted">{t('mfa.scan.manual')}</p>
          <div className="actions">
            <code className="secret" data-testid="totp-secret" data-secret={enrollment.secret}>
              {groupKey(enrollment.secret)}
            </code>
            <CopyButton text={enrollment.secret} />
          </div>
          <p className="small muted">{t('mfa.scan.account', { account: `${enrollment.issuer} (${enrollment.account_name})` })}</p>
        </div>
      </div>
    </div>
  );
}

/** Ten recovery codes, shown this once: the list, and buttons to copy them or save them as a file. */
export function RecoveryCodeList({ codes }: { codes: readonly string[] }) {
  const { t } = useI18n();
  const config = useConfig();
  const { me } = useAuth();
  const download = () => {
    const header = t('mfa.recovery.fileHeader', { account: me?.email ?? '', portal: config.portal_name });
    saveFile(recoveryCodesFileName(config.portal_name), recoveryCodesFileText(header, codes), 'text/plain;charset=utf-8');
  };
  return (
    <>
      <ul className="codes" aria-label={t('mfa.recovery.label')} data-testid="recovery-codes">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <div className="actions">
        <CopyButton text={codes.join('\n')} label={`${t('common.copy')}: ${t('mfa.recovery.label')}`} />
        <Button variant="ghost" onClick={download} data-testid="recovery-download">
          {t('common.download')}
        </Button>
      </div>
    </>
  );
}

/** "I have saved my recovery codes": the box a person ticks before going on. */
export function SavedCodesCheck({ checked, onChange, errors }: { checked: boolean; onChange: (checked: boolean) => void; errors?: string[] }) {
  const { t } = useI18n();
  const id = useId();
  return (
    <div>
      <div className="check">
        <input
          type="checkbox"
          id={id}
          checked={checked}
          onChange={(e) => onChange(e.target.checked)}
          aria-invalid={errors ? true : undefined}
          aria-describedby={errors ? `${id}-error` : undefined}
          data-testid="recovery-ack"
        />
        <label htmlFor={id}>{t('mfa.recovery.ack')}</label>
      </div>
      {errors && (
        <p className="field__error" id={`${id}-error`}>
          {errors[0]}
        </p>
      )}
    </div>
  );
}
