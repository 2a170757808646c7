import { useId } from 'react';
import { useConfig } from '../app/config';
import { useI18n } from '../i18n/I18n';
import { hasMessage } from '../i18n/translate';
import { passwordChecklist } from '../lib/password';

/**
 * The live checklist of the portal's password rules (GET /v1/config `password_policy.rules`).
 * `personal` is the account's name and email, or null where they are unknown (a reset link).
 */
export function PasswordChecklist({ password, personal, touched, id }: { password: string; personal: readonly string[] | null; touched: boolean; id?: string }) {
  const { t } = useI18n();
  const { password_policy: policy } = useConfig();
  const titleId = useId();
  const items = passwordChecklist(policy, password, personal);
  const vars = { min: policy.min_length, max: policy.max_length };
  return (
    <div id={id}>
      <p className="checklist__title" id={titleId}>
        {t('password.checklist')}
      </p>
      <ul className="checklist" aria-labelledby={titleId} data-testid="password-checklist">
        {items.map((item) => {
          const key = `password.rule.${item.code}`;
          const label = hasMessage(key) ? t(key, vars) : item.message;
          const state = item.state === 'met' ? t('password.met') : item.state === 'unmet' ? t('password.unmet') : t('password.onSubmit');
          return (
            <li key={item.code} data-state={item.state} data-touched={touched || password.length > 0} data-code={item.code}>
              <span>
                {label}
                <span className="visually-hidden">: {state}</span>
              </span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
