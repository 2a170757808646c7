import { STEPS } from '../api/onboarding';
import { useAuth } from '../app/auth';
import { useI18n } from '../i18n/I18n';

/** Where the person is in the onboarding journey (from GET /v1/me/onboarding). */
export function Stepper({ current }: { current: (typeof STEPS)[number] }) {
  const { t } = useI18n();
  const { onboarding } = useAuth();
  const remaining = onboarding?.remaining ?? [];
  const index = STEPS.indexOf(current);
  return (
    <nav aria-label={t('onboarding.steps')}>
      <p className="visually-hidden">{t('onboarding.step', { n: index + 1, total: STEPS.length })}</p>
      <ol className="stepper">
        {STEPS.map((step, i) => {
          const state = step === current ? 'current' : remaining.includes(step) || i > index ? 'todo' : 'done';
          return (
            <li key={step} data-state={state} aria-current={state === 'current' ? 'step' : undefined}>
              <span className="stepper__label">{t(`onboarding.${step}`)}</span>
              {state === 'done' && <span className="visually-hidden"> ({t('onboarding.done')})</span>}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
