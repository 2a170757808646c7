// A legal document in a dialog. "Accept" becomes available once the end of the text has been
// scrolled into view (the product asks that each document was shown before it is accepted).
//
// It is always the current version that is shown: a version published in English only is shown
// in English with a note, never an older version's translation. `onAccept` receives the version
// that was shown, which is the one to accept.

import { useEffect, useRef, useState } from 'react';
import { type Schemas } from '../api/client';
import { currentLegalDocument } from '../api/legal';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import { Dialog } from './Dialog';
import { Markdown } from './Markdown';
import { Button } from './ui';

type LegalDocument = Schemas['LegalDocument'];
export type LegalKind = 'terms' | 'privacy' | 'eula';

export function LegalDialog({
  kind,
  open,
  onClose,
  onAccept,
}: {
  kind: LegalKind;
  open: boolean;
  onClose: () => void;
  onAccept: (version: string) => void;
}) {
  const { t, lang } = useI18n();
  const [doc, setDoc] = useState<LegalDocument | null>(null);
  // The current version has no text in the person's language: it is shown in English.
  const [untranslated, setUntranslated] = useState(false);
  const [failed, setFailed] = useState(false);
  const [read, setRead] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const endRef = useRef<HTMLDivElement>(null);
  const scrollRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    let live = true;
    setFailed(false);
    currentLegalDocument(kind, lang).then(
      (current) => {
        if (!live) return;
        if (current) {
          setDoc(current.doc);
          setUntranslated(current.untranslated);
        } else setFailed(true);
      },
      () => live && setFailed(true),
    );
    return () => {
      live = false;
    };
  }, [open, kind, lang, attempt]);

  // "Read" = the end of the document has been visible in the scroll area.
  useEffect(() => {
    if (!open || !doc || read) return;
    const end = endRef.current;
    const root = end?.closest('.dialog__body') ?? null;
    if (!end || !root) return;
    const observer = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setRead(true);
      },
      { root, threshold: 0 },
    );
    observer.observe(end);
    return () => observer.disconnect();
  }, [open, doc, read]);

  // An English text in another language's page keeps the page's name for the document.
  const title = doc && !untranslated ? doc.title : t(`legal.${kind}`);
  return (
    <Dialog
      open={open}
      title={title}
      meta={doc ? t('legal.version', { version: doc.version, date: formatDate(lang, doc.published_at) }) : undefined}
      onClose={onClose}
      initialFocus={scrollRef}
      testId={`legal-dialog-${kind}`}
      footer={
        <>
          <p className="hint" aria-live="polite">
            {read ? '' : t('legal.dialogHint')}
          </p>
          <div className="actions">
            <Button variant="secondary" onClick={onClose}>
              {t('common.close')}
            </Button>
            <Button disabled={!read || !doc} aria-disabled={!read || !doc} onClick={() => doc && onAccept(doc.version)} data-testid="legal-accept">
              {t('legal.accept')}
            </Button>
          </div>
        </>
      }
    >
      <div ref={scrollRef} tabIndex={-1} aria-label={title} role="document">
        {doc ? (
          <>
            {untranslated && (
              <p className="alert alert--info" data-testid="legal-untranslated">
                {t('legal.untranslated')}
              </p>
            )}
            <div lang={doc.language}>
              <Markdown source={doc.body} />
            </div>
            <div ref={endRef} className="doc__end" />
          </>
        ) : failed ? (
          <div className="stack">
            <p role="alert">{t('legal.loadFailed')}</p>
            <div>
              <Button variant="secondary" onClick={() => setAttempt((a) => a + 1)}>
                {t('common.retry')}
              </Button>
            </div>
          </div>
        ) : (
          <p className="muted">{t('app.loading')}</p>
        )}
      </div>
    </Dialog>
  );
}
