// Accepting the legal documents: on the first sign-in (a step of onboarding, with the stepper),
// and again whenever a new version is published after onboarding ("We have updated our
// documents": only the documents that changed, with their new version and what was accepted
// before, and no stepper).
//
// A tick counts for the version that was opened in the dialog, and only while that version is
// the current one: a version published meanwhile clears it, and the refusal names the document.

import { useCallback, useEffect, useId, useState, type FormEvent } from 'react';
import { api } from '../api/client';
import { currentLegalVersions } from '../api/legal';
import { fetchOnboarding, type PendingDocument } from '../api/onboarding';
import { isProblem } from '../api/problem';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { LegalDialog, type LegalKind } from '../components/LegalDialog';
import { Stepper } from '../components/Stepper';
import { Button, FormAlert, Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { formatDate } from '../i18n/translate';
import { call, useFormErrors } from '../lib/forms';
import { useDocumentTitle } from '../lib/useDocumentTitle';

/** The version in force of one kind, as this page shows it. */
interface Current {
  version: string;
  publishedAt: string;
  /** Its title in the page's language; null when the version is not translated into it. */
  title: string | null;
}

/** What the onboarding state says about the documents (read by this page itself, fresh). */
interface Pending {
  /** The documents to accept, when the API says (`legal_documents_to_accept`). */
  documents: PendingDocument[] | null;
  /** Accepting the documents is all that is left: the rest of onboarding was done before. */
  onlyStepLeft: boolean;
}

export function AcceptLegalPage() {
  const { t, lang } = useI18n();
  const config = useConfig();
  const { me, continueJourney } = useAuth();
  const [current, setCurrent] = useState<Record<string, Current> | null>(null);
  const [pending, setPending] = useState<Pending | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  // The version each document was read at (in the dialog), and whether its box is ticked.
  const [opened, setOpened] = useState<Record<string, string>>({});
  const [agreed, setAgreed] = useState<Record<string, boolean>>({});
  // Documents refused as outdated: the version published meanwhile, to read again.
  const [outdated, setOutdated] = useState<Record<string, string>>({});
  // The API asked for a document this page did not list: every required one is listed.
  const [showAll, setShowAll] = useState(false);
  const [dialog, setDialog] = useState<LegalKind | null>(null);
  const [busy, setBusy] = useState(false);
  const baseId = useId();
  const enterprise = me?.account_type === 'enterprise';
  const required: LegalKind[] = enterprise ? ['terms', 'privacy', 'eula'] : ['terms', 'privacy'];
  const form = useFormErrors(['consents', ...required]);

  const loadVersions = useCallback(async (): Promise<Record<string, Current> | null> => {
    const versions = await currentLegalVersions(lang).catch(() => null);
    if (!versions) {
      setLoadFailed(true);
      return null;
    }
    const byKind: Record<string, Current> = {};
    for (const { doc, untranslated } of versions) {
      byKind[doc.kind] = { version: doc.version, publishedAt: doc.published_at, title: untranslated ? null : doc.title };
    }
    setLoadFailed(false);
    setCurrent(byKind);
    return byKind;
  }, [lang]);

  useEffect(() => {
    void loadVersions();
  }, [loadVersions]);

  useEffect(() => {
    let live = true;
    void fetchOnboarding().then((state) => {
      if (!live) return;
      const remaining = state?.remaining ?? [];
      setPending({
        documents: state?.legalDocuments ?? null,
        onlyStepLeft: remaining.length === 1 && remaining[0] === 'accept_legal_documents',
      });
    });
    return () => {
      live = false;
    };
  }, []);

  // An update: the API names a version accepted before; else (an API that does not say) the
  // rest of onboarding was done already.
  const documents = pending?.documents ?? null;
  const update = documents ? documents.some((d) => d.acceptedVersion) : !!pending?.onlyStepLeft;
  const kinds: LegalKind[] = (() => {
    if (showAll) return required;
    if (documents) {
      const listed = required.filter((kind) => documents.some((d) => d.kind === kind));
      return listed.length ? listed : required;
    }
    // Without the API's list, the documents published since the account was made are the ones
    // that changed (the others were accepted with the account); a refusal lists every one.
    if (update && current && me) {
      const created = new Date(me.created_at).getTime();
      const changed = required.filter((kind) => current[kind] && new Date(current[kind].publishedAt).getTime() > created);
      return changed.length ? changed : required;
    }
    return required;
  })();

  useDocumentTitle(update ? t('title.legalUpdated') : t('title.legal'));

  const titleOf = (kind: LegalKind) => current?.[kind]?.title ?? t(`legal.${kind}`);
  const checked = (kind: LegalKind) => !!agreed[kind] && !!opened[kind] && opened[kind] === current?.[kind]?.version;
  const errorsOf = (kind: LegalKind): string[] | undefined =>
    outdated[kind] ? [t('legal.outdated', { version: outdated[kind] })] : form.field(kind);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = Object.fromEntries(kinds.filter((k) => !checked(k)).map((k) => [k, 'signup.mustAccept' as const]));
    if (Object.keys(missing).length) {
      setOutdated({});
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(api.POST('/v1/me/consents', { body: { consents: kinds.map((kind) => ({ kind, version: opened[kind]! })) } }));
    if (result.data) {
      await continueJourney();
      return;
    }
    if (result.network) {
      setBusy(false);
      form.failNetwork();
      return;
    }
    const problem = result.error;
    const codes = isProblem(problem) ? [problem.code, ...(problem.errors ?? []).map((e) => e.code)] : [];
    if (codes.includes('consent_outdated') || codes.includes('consent_required')) {
      // A version was published since the page was opened: which one is read from the list again.
      const fresh = await loadVersions();
      setBusy(false);
      const stale = kinds.filter((kind) => fresh?.[kind] && opened[kind] !== fresh[kind].version);
      if (codes.includes('consent_required') && !showAll) setShowAll(true);
      if (stale.length) {
        setOutdated(Object.fromEntries(stale.map((kind) => [kind, fresh![kind]!.version])));
        setAgreed((before) => ({ ...before, ...Object.fromEntries(stale.map((kind) => [kind, false])) }));
        form.failLocal({}, 'problem.consent_outdated');
        return;
      }
    } else setBusy(false);
    form.fail(problem);
  };

  if ((!current || !pending) && !loadFailed) return <Spinner label={t('app.loading')} />;
  return (
    <>
      {!update && <Stepper current="accept_legal_documents" />}
      <section className="panel panel--form" data-testid={update ? 'legal-updated' : 'legal-first'}>
        <div className="panel__head">
          <div>
            <h1>{update ? t('legal.updated.title') : t('legal.title')}</h1>
            <p>{update ? t('legal.updated.intro', { portal: config.portal_name }) : t('legal.intro', { portal: config.portal_name })}</p>
          </div>
        </div>
        <div className="panel__body">
          <form className="form" noValidate onSubmit={onSubmit} data-testid="legal-form">
            <FormAlert message={loadFailed ? t('legal.loadFailed') : form.errors.form} seq={form.seq} />
            {kinds.map((kind) => {
              const id = `${baseId}-${kind}`;
              const errors = errorsOf(kind);
              const doc = current?.[kind];
              const before = documents?.find((d) => d.kind === kind && d.acceptedVersion);
              return (
                <div key={kind} className="consents" data-testid={`legal-doc-${kind}`} data-version={doc?.version}>
                  <div>
                    {update && <h2 className="consents__title">{titleOf(kind)}</h2>}
                    {doc && (
                      <p className="small" data-testid={`legal-version-${kind}`}>
                        {update
                          ? t('legal.updated.version', { version: doc.version, date: formatDate(lang, doc.publishedAt) })
                          : t('legal.version', { version: doc.version, date: formatDate(lang, doc.publishedAt) })}
                      </p>
                    )}
                    {before?.acceptedVersion && (
                      <p className="small muted" data-testid={`legal-previous-${kind}`}>
                        {before.acceptedAt
                          ? t('legal.updated.previous', { version: before.acceptedVersion, date: formatDate(lang, before.acceptedAt) })
                          : t('legal.updated.previousUndated', { version: before.acceptedVersion })}
                      </p>
                    )}
                    <button type="button" className="link-button" onClick={() => setDialog(kind)} data-testid={`open-${kind}`}>
                      {t('legal.read', { title: titleOf(kind) })}
                    </button>
                    {kind === 'eula' && <p className="field__hint">{t('legal.eulaNote')}</p>}
                  </div>
                  <div className="check">
                    <input
                      type="checkbox"
                      id={id}
                      checked={checked(kind)}
                      aria-disabled={opened[kind] !== doc?.version ? true : undefined}
                      aria-invalid={errors ? true : undefined}
                      aria-describedby={`${id}-hint`}
                      data-testid={`consent-${kind}`}
                      onChange={(e) => {
                        // Only the version on screen can be ticked, once it was read.
                        if (!opened[kind] || opened[kind] !== doc?.version) {
                          setDialog(kind);
                          return;
                        }
                        form.clearField(kind);
                        setAgreed((a) => ({ ...a, [kind]: e.target.checked }));
                      }}
                    />
                    <label htmlFor={id}>{t('legal.agree', { title: titleOf(kind) })}</label>
                  </div>
                  {errors ? (
                    <p className="field__error" id={`${id}-hint`}>
                      {errors[0]}
                    </p>
                  ) : (
                    <p className="field__hint" id={`${id}-hint`}>
                      {opened[kind] && opened[kind] === doc?.version ? '' : t('signup.readFirst')}
                    </p>
                  )}
                </div>
              );
            })}
            <div className="actions actions--end">
              <Button type="submit" busy={busy} data-testid="legal-submit">
                {t('legal.submit')}
              </Button>
            </div>
          </form>
        </div>
      </section>
      {dialog && (
        <LegalDialog
          kind={dialog}
          open
          onClose={() => setDialog(null)}
          onAccept={(version) => {
            const kind = dialog;
            setOpened((o) => ({ ...o, [kind]: version }));
            setAgreed((a) => ({ ...a, [kind]: true }));
            setOutdated(({ [kind]: _, ...rest }) => rest);
            form.clearField(kind);
            setDialog(null);
            // The dialog showed a version newer than the list: the list catches up.
            if (version !== current?.[kind]?.version) void loadVersions();
          }}
        />
      )}
    </>
  );
}
