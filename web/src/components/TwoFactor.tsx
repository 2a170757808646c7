// What the pages that set up an authenticator share: the QR code with its manual key, and the
// recovery codes, shown once, to copy or download.

import { useState } from 'react';
import type { Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { useI18n } from '../i18n/I18n';
import { saveFile } from '../lib/download';
import { groupKey, recoveryCodesFileName, recoveryCodesFileText } from '../lib/twoFactor';
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

/** The QR code of a new secret, the apps that read it, and the key to type in instead. */
export function TotpKey({ enrollment }: { enrollment: Enrollment }) {
  const { t } = useI18n();
  return (
    <div className="qr">
      <img className="qr__image" src={enrollment.qr_code} alt={t('mfa.scan.qrAlt')} width={192} height={192} data-testid="totp-qr" />
      <div className="stack">
        <ul className="app-links">
          <li>Google Authenticator</li>
          <li>Microsoft Authenticator</li>
        </ul>
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
