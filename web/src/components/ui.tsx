// Form building blocks: every control has a visible label, its hint and error are tied to it with
// aria-describedby, and errors are announced (role="alert" / aria-live).

import {
  forwardRef,
  useEffect,
  useId,
  useRef,
  useState,
  type ButtonHTMLAttributes,
  type InputHTMLAttributes,
  type ReactNode,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
} from 'react';
import { useI18n } from '../i18n/I18n';

function joinIds(...ids: (string | undefined)[]): string | undefined {
  return ids.filter(Boolean).join(' ') || undefined;
}

export interface FieldProps {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  optional?: boolean;
  /** Extra content under the control (a checklist). */
  after?: ReactNode;
  children: (control: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode;
}

export function Field({ label, hint, errors, optional, after, children }: FieldProps) {
  const { t } = useI18n();
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = errors?.length ? `${id}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
        {optional && <span className="field__optional"> ({t('common.optional')})</span>}
      </label>
      {children({ id, describedBy, invalid: !!errors?.length })}
      {errors?.length ? (
        <div id={errorId}>
          {errors.map((message) => (
            <p className="field__error" key={message}>
              {message}
            </p>
          ))}
        </div>
      ) : null}
      {hint && (
        <p className="field__hint" id={hintId}>
          {hint}
        </p>
      )}
      {after}
    </div>
  );
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'onChange' | 'value'> & {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  value: string;
  onValue: (value: string) => void;
  after?: ReactNode;
};

export const TextField = forwardRef<HTMLInputElement, InputProps>(function TextField(
  { label, hint, errors, value, onValue, after, required, 'aria-describedby': extra, ...rest },
  ref,
) {
  return (
    <Field label={label} hint={hint} errors={errors} optional={!required} after={after}>
      {({ id, describedBy, invalid }) => (
        <input
          ref={ref}
          id={id}
          className="input"
          value={value}
          onChange={(e) => onValue(e.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={joinIds(describedBy, extra)}
          required={required}
          {...rest}
        />
      )}
    </Field>
  );
});

export const PasswordField = forwardRef<HTMLInputElement, InputProps>(function PasswordField(
  { label, hint, errors, value, onValue, after, required, 'aria-describedby': extra, ...rest },
  ref,
) {
  const { t } = useI18n();
  const [shown, setShown] = useState(false);
  return (
    <Field label={label} hint={hint} errors={errors} optional={!required} after={after}>
      {({ id, describedBy, invalid }) => (
        <div className="input-group">
          <input
            ref={ref}
            id={id}
            className="input"
            type={shown ? 'text' : 'password'}
            value={value}
            onChange={(e) => onValue(e.target.value)}
            aria-invalid={invalid || undefined}
            aria-describedby={joinIds(describedBy, extra)}
            required={required}
            spellCheck={false}
            autoCapitalize="off"
            {...rest}
          />
          <button
            type="button"
            className="input-group__button"
            aria-controls={id}
            aria-label={shown ? t('common.hidePassword') : t('common.showPassword')}
            onClick={() => setShown((s) => !s)}
          >
            {shown ? t('common.hide') : t('common.show')}
          </button>
        </div>
      )}
    </Field>
  );
});

type SelectProps = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'onChange' | 'value'> & {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  value: string;
  onValue: (value: string) => void;
  children: ReactNode;
};

export const SelectField = forwardRef<HTMLSelectElement, SelectProps>(function SelectField(
  { label, hint, errors, value, onValue, children, required, ...rest },
  ref,
) {
  return (
    <Field label={label} hint={hint} errors={errors} optional={!required}>
      {({ id, describedBy, invalid }) => (
        <select
          ref={ref}
          id={id}
          className="select"
          value={value}
          onChange={(e) => onValue(e.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          required={required}
          {...rest}
        >
          {children}
        </select>
      )}
    </Field>
  );
});

type TextAreaProps = Omit<TextareaHTMLAttributes<HTMLTextAreaElement>, 'onChange' | 'value'> & {
  label: ReactNode;
  hint?: ReactNode;
  errors?: readonly string[];
  value: string;
  onValue: (value: string) => void;
};

export const TextAreaField = forwardRef<HTMLTextAreaElement, TextAreaProps>(function TextAreaField(
  { label, hint, errors, value, onValue, required, ...rest },
  ref,
) {
  return (
    <Field label={label} hint={hint} errors={errors} optional={!required}>
      {({ id, describedBy, invalid }) => (
        <textarea
          ref={ref}
          id={id}
          className="textarea"
          value={value}
          onChange={(e) => onValue(e.target.value)}
          aria-invalid={invalid || undefined}
          aria-describedby={describedBy}
          required={required}
          {...rest}
        />
      )}
    </Field>
  );
});

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'ghost' | 'danger';
  block?: boolean;
  busy?: boolean;
};

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'primary', block, busy, className, children, disabled, type, ...rest },
  ref,
) {
  const classes = ['btn', `btn--${variant}`, block ? 'btn--block' : '', className ?? ''].filter(Boolean).join(' ');
  return (
    <button ref={ref} type={type ?? 'button'} className={classes} disabled={disabled || busy} aria-busy={busy || undefined} {...rest}>
      {busy && <span className="btn__spinner" aria-hidden="true" />}
      {children}
    </button>
  );
});

/**
 * The message at the top of a form. It is always in the page (so that screen readers watch it).
 * Each time `seq` changes (a submit failed), the focus moves to the first invalid field of the
 * form, or to this message when no field is marked.
 */
export function FormAlert({ message, tone = 'error', seq }: { message: string | null; tone?: 'error' | 'info' | 'success' | 'warning'; seq?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!seq) return;
    const form = ref.current?.closest('form') ?? null;
    if (!focusFirstInvalid(form) && message) ref.current?.focus();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [seq]);
  return (
    <div
      ref={ref}
      className={message ? `alert alert--${tone}` : 'visually-hidden'}
      role={tone === 'error' ? 'alert' : 'status'}
      aria-live={tone === 'error' ? 'assertive' : 'polite'}
      tabIndex={-1}
    >
      {message}
    </div>
  );
}

/** Focuses the first invalid control of `form` after a failed submit. */
export function focusFirstInvalid(form: HTMLFormElement | null): boolean {
  const invalid = form?.querySelector<HTMLElement>('[aria-invalid="true"]');
  if (invalid) {
    invalid.focus();
    return true;
  }
  return false;
}

export function Spinner({ label }: { label: string }) {
  return (
    <div className="spinner-page" role="status" aria-live="polite">
      <span className="actions">
        <span className="btn__spinner" aria-hidden="true" />
        {label}
      </span>
    </div>
  );
}
