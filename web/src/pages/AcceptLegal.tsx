import { useEffect, useId, useState, type FormEvent } from 'react';
import { api, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { LegalDialog, type LegalKind } from '../components/LegalDialog';
import { Stepper } from '../components/Stepper';
import { Button, FormAlert, Spinner } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';

type Summary = Schemas['LegalDocumentSummary'];

export function AcceptLegalPage() {
  const { t, lang } = useI18n();
  const config = useConfig();
  const { me, continueJourney } = useAuth();
  const [docs, setDocs] = useState<Summary[] | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [read, setRead] = useState<Record<string, boolean>>({});
  const [agreed, setAgreed] = useState<Record<string, boolean>>({});
  const [dialog, setDialog] = useState<LegalKind | null>(null);
  const [busy, setBusy] = useState(false);
  const baseId = useId();
  const enterprise = me?.account_type === 'enterprise';
  const kinds: LegalKind[] = enterprise ? ['terms', 'privacy', 'eula'] : ['terms', 'privacy'];
  const form = useFormErrors(['consents', ...kinds]);

  useEffect(() => {
    let live = true;
    api.GET('/v1/legal-documents', { params: { query: { language: lang } } }).then(
      ({ data }) => live && (data ? setDocs(data.items) : setLoadFailed(true)),
      () => live && setLoadFailed(true),
    );
    return () => {
      live = false;
    };
  }, [lang]);

  const versionOf = (kind: string) =>
    docs?.find((d) => d.kind === kind)?.version ?? config.legal_documents.find((d) => d.kind === kind)?.version ?? '';
  const titleOf = (kind: LegalKind) => docs?.find((d) => d.kind === kind)?.title ?? t(`legal.${kind}`);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const missing = Object.fromEntries(kinds.filter((k) => !agreed[k]).map((k) => [k, 'signup.mustAccept' as const]));
    if (Object.keys(missing).length) {
      form.failLocal(missing);
      return;
    }
    setBusy(true);
    const result = await call(
      api.POST('/v1/me/consents', { body: { consents: kinds.map((kind) => ({ kind, version: versionOf(kind) })) } }),
    );
    if (result.data) {
      await continueJourney();
      return;
    }
    setBusy(false);
    if (result.network) form.failNetwork();
    else form.fail(result.error);
  };

  if (!docs && !loadFailed) return <Spinner label={t('app.loading')} />;
  return (
    <>
      <Stepper current="accept_legal_documents" />
      <section className="panel panel--form">
        <div className="panel__head">
          <div>
            <h1>{t('legal.title')}</h1>
            <p>{t('legal.intro', { portal: config.portal_name })}</p>
          </div>
        </div>
        <div className="panel__body">
          <form className="form" noValidate onSubmit={onSubmit} data-testid="legal-form">
            <FormAlert message={loadFailed ? t('legal.loadFailed') : form.errors.form} seq={form.seq} />
            {kinds.map((kind) => {
              const id = `${baseId}-${kind}`;
              const errors = form.field(kind);
              return (
                <div key={kind} className="consents">
                  <div>
                    <button type="button" className="link-button" onClick={() => setDialog(kind)} data-testid={`open-${kind}`}>
                      {t('legal.read', { title: titleOf(kind) })}
                    </button>
                    {kind === 'eula' && <p className="field__hint">{t('legal.eulaNote')}</p>}
                  </div>
                  <div className="check">
                    <input
                      type="checkbox"
                      id={id}
                      checked={!!agreed[kind]}
                      aria-disabled={!read[kind] || undefined}
                      aria-invalid={errors ? true : undefined}
                      aria-describedby={`${id}-hint`}
                      data-testid={`consent-${kind}`}
                      onChange={(e) => {
                        if (!read[kind]) {
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
                      {read[kind] ? '' : t('signup.readFirst')}
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
          onAccept={() => {
            const kind = dialog;
            setRead((r) => ({ ...r, [kind]: true }));
            setAgreed((a) => ({ ...a, [kind]: true }));
            form.clearField(kind);
            setDialog(null);
          }}
        />
      )}
    </>
  );
}
