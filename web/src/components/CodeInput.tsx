// Six one-digit boxes for an emailed or authenticator code: typing moves to the next box,
// Backspace goes back, arrows move, and pasting "123 456" anywhere fills them all. The boxes
// form one labelled group; each box says which digit it is.

import { forwardRef, useImperativeHandle, useRef, type ClipboardEvent, type KeyboardEvent } from 'react';
import { useI18n } from '../i18n/I18n';

export interface CodeInputHandle {
  focus: () => void;
}

export interface CodeInputProps {
  value: string;
  onChange: (value: string) => void;
  /** Called when the sixth digit is entered. */
  onComplete?: (value: string) => void;
  length?: number;
  labelledBy: string;
  describedBy?: string;
  invalid?: boolean;
  disabled?: boolean;
}

export const CodeInput = forwardRef<CodeInputHandle, CodeInputProps>(function CodeInput(
  { value, onChange, onComplete, length = 6, labelledBy, describedBy, invalid, disabled },
  ref,
) {
  const { t } = useI18n();
  const boxes = useRef<(HTMLInputElement | null)[]>([]);
  useImperativeHandle(ref, () => ({
    focus: () => boxes.current[Math.min(value.length, length - 1)]?.focus(),
  }));
  const digits = Array.from({ length }, (_, i) => value[i] ?? '');

  // Submits by itself only when the code was just completed: the last box typed into, or a paste.
  const set = (next: string, focusIndex: number, completes = false) => {
    const clean = next.replace(/\D/g, '').slice(0, length);
    onChange(clean);
    boxes.current[Math.min(focusIndex, length - 1)]?.focus();
    if (completes && clean.length === length) onComplete?.(clean);
  };

  const onInput = (index: number, typed: string) => {
    const only = typed.replace(/\D/g, '');
    if (!only) return;
    if (only.length > 1) {
      // Autofill or a fast typist: spread from this box on.
      set(value.slice(0, index) + only, index + only.length, true);
      return;
    }
    const chars = digits.slice();
    chars[index] = only;
    // Keep the code contiguous: a digit typed past the end goes to the end.
    const compact = chars.join('');
    set(compact, Math.min(index + 1, compact.length), index === length - 1 || (compact.length === length && value.length < length));
  };

  const onKeyDown = (index: number, event: KeyboardEvent<HTMLInputElement>) => {
    // A typed digit is placed here rather than through onChange: typing the digit a box already
    // holds changes nothing, and React then sends no change event, so the focus would not move.
    if (/^\d$/.test(event.key) && !event.ctrlKey && !event.metaKey && !event.altKey) {
      event.preventDefault();
      onInput(index, event.key);
      return;
    }
    if (event.key === 'Backspace') {
      event.preventDefault();
      if (digits[index]) {
        set(value.slice(0, index) + value.slice(index + 1), index);
      } else if (index > 0) {
        set(value.slice(0, index - 1) + value.slice(index), index - 1);
      }
    } else if (event.key === 'ArrowLeft' && index > 0) {
      event.preventDefault();
      boxes.current[index - 1]?.focus();
    } else if (event.key === 'ArrowRight' && index < length - 1) {
      event.preventDefault();
      boxes.current[Math.min(index + 1, value.length)]?.focus();
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const text = event.clipboardData.getData('text').replace(/\D/g, '');
    if (!text) return;
    event.preventDefault();
    set(text, text.length, true);
  };

  return (
    <div className="code" role="group" aria-labelledby={labelledBy} aria-describedby={describedBy}>
      {digits.map((digit, i) => (
        <input
          key={i}
          ref={(el) => {
            boxes.current[i] = el;
          }}
          className="code__digit"
          inputMode="numeric"
          autoComplete={i === 0 ? 'one-time-code' : 'off'}
          pattern="[0-9]*"
          maxLength={i === 0 ? length : 1}
          value={digit}
          aria-label={t('device.digit', { n: i + 1 })}
          aria-invalid={invalid || undefined}
          disabled={disabled}
          onChange={(e) => onInput(i, e.target.value)}
          onKeyDown={(e) => onKeyDown(i, e)}
          onPaste={onPaste}
          onFocus={(e) => e.target.select()}
          data-testid={`code-${i}`}
        />
      ))}
    </div>
  );
});
