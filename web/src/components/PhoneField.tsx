import { useId, useMemo } from 'react';
import { useI18n } from '../i18n/I18n';
import { sortedCountries } from '../lib/countries';

export interface PhoneValue {
  dial: string;
  number: string;
}

/** A phone number with its country code: a country picker (by name, with +code) and the number. */
export function PhoneField({
  label,
  value,
  onChange,
  errors,
  required,
  hint,
  testId,
}: {
  label: string;
  value: PhoneValue;
  onChange: (value: PhoneValue) => void;
  errors?: readonly string[];
  required?: boolean;
  hint?: string;
  testId?: string;
}) {
  const { t, lang } = useI18n();
  const id = useId();
  const countries = useMemo(() => sortedCountries(lang), [lang]);
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [errors?.length ? errorId : '', hint ? hintId : ''].filter(Boolean).join(' ') || undefined;
  const invalid = !!errors?.length;
  // Several countries share a code (+1, +7, +44): the select's value is the country.
  const selected = countries.find((c) => `${c.code}:${c.dial}` === value.dial) ? value.dial : '';
  return (
    <fieldset className="field" aria-describedby={describedBy}>
      <legend className="field__label">
        {label}
        {!required && <span className="field__optional"> ({t('common.optional')})</span>}
      </legend>
      <div className="phone">
        <div>
          <label htmlFor={`${id}-cc`} className="visually-hidden">
            {t('field.countryCode')}
          </label>
          <select
            id={`${id}-cc`}
            className="select"
            value={selected}
            onChange={(e) => onChange({ ...value, dial: e.target.value })}
            aria-invalid={invalid || undefined}
            required={required}
            data-testid={testId ? `${testId}-country` : undefined}
          >
            {countries.map((c) => (
              <option key={c.code} value={`${c.code}:${c.dial}`}>
                {`${c.name} (+${c.dial})`}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-n`} className="visually-hidden">
            {t('field.phoneLocal')}
          </label>
          <input
            id={`${id}-n`}
            className="input"
            type="tel"
            inputMode="tel"
            autoComplete="tel-national"
            value={value.number}
            onChange={(e) => onChange({ ...value, number: e.target.value })}
            aria-invalid={invalid || undefined}
            aria-describedby={describedBy}
            required={required}
            placeholder="812 3456 7890"
            data-testid={testId}
          />
        </div>
      </div>
      {invalid && (
        <div id={errorId}>
          {errors!.map((m) => (
            <p className="field__error" key={m}>
              {m}
            </p>
          ))}
        </div>
      )}
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
    </fieldset>
  );
}

/** "ID:62" → "62". */
export function dialOf(value: string): string {
  return value.split(':')[1] ?? '';
}
