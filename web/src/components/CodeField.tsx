// A form that asks for a six-digit code (emailed, or from an authenticator app): the boxes with
// their label and error, and the submit every such form shares. The code is checked here first
// (six digits, unless the form says otherwise), a second submit while one is on its way is
// ignored, and the form's own `send` decides what an answer means.

import { useId, useRef, useState, type FormEvent } from 'react';
import type { MessageKey } from '../i18n/en';
import { useFormErrors } from '../lib/forms';
import { CodeInput, type CodeInputHandle } from './CodeInput';

export type CodeEntry = ReturnType<typeof useCodeEntry>;

/** What a code form needs: the code, busy state, its errors (field `code`) and `submit`. */
export function useCodeEntry(
  send: (code: string) => Promise<void>,
  /** The message key when `value` cannot be a code; six digits by default. */
  check: (value: string) => MessageKey | null = (value) => (/^\d{6}$/.test(value) ? null : 'fielderr.code_invalid'),
) {
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<CodeInputHandle>(null);
  const form = useFormErrors(['code']);
  const submitting = useRef(false);

  const submit = async (value: string) => {
    if (submitting.current) return;
    const wrong = check(value);
    if (wrong) {
      form.failLocal({ code: wrong });
      return;
    }
    submitting.current = true;
    setBusy(true);
    try {
      await send(value);
    } finally {
      submitting.current = false;
      setBusy(false);
    }
  };

  return {
    code,
    setCode,
    busy,
    form,
    inputRef,
    submit,
    focus: () => inputRef.current?.focus(),
    /** The form's submit handler: sends what is typed. */
    onSubmit: (event: FormEvent) => {
      event.preventDefault();
      void submit(code);
    },
    /** Shows a refused code under the field, with the answer's own message. */
    failCode: (problem: { code: string; detail?: string | null }, fieldCode: string, message: string) =>
      form.fail({ ...problem, errors: [{ field: 'code', code: fieldCode, message }] }),
  };
}

/** The six boxes of `entry`, labelled, with the field's error under them. */
export function CodeField({ entry, label, center, disabled }: { entry: CodeEntry; label: string; center?: boolean; disabled?: boolean }) {
  const labelId = useId();
  const errorId = useId();
  const errors = entry.form.field('code');
  return (
    <div className="field">
      <span className={center ? 'field__label center' : 'field__label'} id={labelId}>
        {label}
      </span>
      <CodeInput
        ref={entry.inputRef}
        value={entry.code}
        onChange={(v) => {
          entry.setCode(v);
          entry.form.clearField('code');
        }}
        onComplete={(v) => void entry.submit(v)}
        labelledBy={labelId}
        describedBy={errors ? errorId : undefined}
        invalid={!!errors}
        disabled={entry.busy || disabled}
      />
      {errors && (
        <p className="field__error" id={errorId} role="alert">
          {errors[0]}
        </p>
      )}
    </div>
  );
}
