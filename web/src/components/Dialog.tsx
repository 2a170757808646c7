// A modal on the native <dialog> element: the browser traps the focus, Escape closes it, and the
// focus returns to what opened it.

import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18n';

export interface DialogProps {
  open: boolean;
  title: ReactNode;
  meta?: ReactNode;
  onClose: () => void;
  footer?: ReactNode;
  children: ReactNode;
  small?: boolean;
  /** What gets the focus on open (default: the dialog's first focusable element). */
  initialFocus?: React.RefObject<HTMLElement | null>;
  testId?: string;
}

export function Dialog({ open, title, meta, onClose, footer, children, small, initialFocus, testId }: DialogProps) {
  const { t } = useI18n();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const opener = useRef<Element | null>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      opener.current = document.activeElement;
      dialog.showModal();
      initialFocus?.current?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
      if (opener.current instanceof HTMLElement) opener.current.focus();
    }
  }, [open, initialFocus]);
  // Unmounted while open (the page dropped it): close it and give the focus back too.
  useEffect(() => {
    const dialog = ref.current;
    return () => {
      if (dialog?.open) {
        dialog.close();
        const back = opener.current;
        if (back instanceof HTMLElement) setTimeout(() => back.focus(), 0);
      }
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className={small ? 'dialog dialog--small' : 'dialog'}
      aria-labelledby={titleId}
      data-testid={testId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <div className="dialog__head">
            <div>
              <h2 id={titleId}>{title}</h2>
              {meta && <p className="dialog__meta">{meta}</p>}
            </div>
            <button type="button" className="dialog__close" aria-label={t('common.close')} onClick={onClose} />
          </div>
          <div className="dialog__body">{children}</div>
          {footer && <div className="dialog__foot">{footer}</div>}
        </>
      )}
    </dialog>
  );
}
