import { useEffect, useRef } from 'react';
import { Link, Navigate, useLocation } from 'react-router';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import { closedStateOf } from '../lib/closure';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

/**
 * Shown once the account page closed the account: every session ended, this browser's too, and
 * the emailed link restores the account until the date the API gave. Nothing to see without it.
 */
export function AccountClosedPage() {
  const { t, lang } = useI18n();
  useDocumentTitle(t('title.accountClosed'));
  const location = useLocation();
  const closed = closedStateOf(location.state);
  const headingRef = useRef<HTMLHeadingElement>(null);

  // Arrived from another layout (the console): the heading takes the focus, and the reader with it.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  if (!closed) return <Navigate to={paths.home} replace />;
  return (
    <div className="card result" data-testid="account-closed">
      <div className="result__icon result__icon--mail" aria-hidden="true" />
      <h1 className="card__title" ref={headingRef} tabIndex={-1}>
        {t('closed.title')}
      </h1>
      <p>{t('closed.signedOut')}</p>
      <p data-testid="account-closed-restore">{t('closed.restore', { date: formatDate(lang, closed.eraseAfter) })}</p>
      <p className="muted small">{t('closed.erase')}</p>
      <Link to={paths.home} className="btn btn--secondary btn--block">
        {t('closed.home')}
      </Link>
    </div>
  );
}
