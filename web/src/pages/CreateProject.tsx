import { useEffect, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useOptionalOrganizations } from '../app/organizations';
import { Stepper } from '../components/Stepper';
import { Button, FormAlert, SelectField, Spinner, TextAreaField, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { call, useFormErrors } from '../lib/forms';
import { createsProjects } from '../lib/organizations';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type Organization = Schemas['Organization'];

const FIELDS = ['name', 'description', 'vat_id', 'vat_name', 'vat_address'] as const;

export function CreateProjectPage({ onboarding = false }: { onboarding?: boolean }) {
  const { t } = useI18n();
  useDocumentTitle(t('title.createProject'));
  const navigate = useNavigate();
  const { continueJourney } = useAuth();
  const [orgs, setOrgs] = useState<Organization[] | null>(null);
  const [orgId, setOrgId] = useState('');
  const [values, setValues] = useState({ name: '', description: '', vat_id: '', vat_name: '', vat_address: '' });
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(FIELDS);
  // In the console: its organizations (those whose role may create projects), the one it shows first.
  const consoleState = useOptionalOrganizations();
  const inConsole = !onboarding && !!consoleState;
  const consoleOrgs = inConsole ? (consoleState?.organizations?.filter((o) => createsProjects(o.role)) ?? null) : null;
  const list = inConsole ? consoleOrgs : orgs;
  const targetId = orgId || (inConsole ? ((consoleOrgs?.find((o) => o.id === consoleState?.current?.id) ?? consoleOrgs?.[0])?.id ?? '') : '');

  useEffect(() => {
    if (inConsole) return;
    let live = true;
    api.GET('/v1/organizations').then(
      ({ data }) => {
        if (!live) return;
        const items = data?.items ?? [];
        setOrgs(items);
        // The newest organization: the one just created during onboarding.
        setOrgId(items[items.length - 1]?.id ?? '');
      },
      () => live && setOrgs([]),
    );
    return () => {
      live = false;
    };
  }, [inConsole]);

  const set = (name: keyof typeof values) => (value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    form.clearField(name);
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await call(api.POST('/v1/organizations/{id}/projects', { params: { path: { id: targetId } }, body: values }));
    if (result.data) {
      if (onboarding) await continueJourney();
      else {
        // The list shows the organization the project was created in.
        if (inConsole) consoleState?.select(targetId);
        navigate(paths.projects, { state: { created: result.data.id } });
      }
      return;
    }
    setBusy(false);
    if (result.network) form.failNetwork();
    else form.fail(result.error);
  };

  if (list === null) return <Spinner label={t('app.loading')} />;
  const org = list.find((o) => o.id === targetId);
  return (
    <>
      {onboarding && <Stepper current="create_project" />}
      <section className="panel panel--form">
        <div className="panel__head">
          <div>
            <h1>{t('project.title')}</h1>
            <p>{t('project.intro', { organization: org?.name ?? '' })}</p>
          </div>
        </div>
        <div className="panel__body">
          <form className="form" noValidate onSubmit={onSubmit} data-testid="project-form">
            <FormAlert message={form.errors.form} seq={form.seq} />
            {list.length > 1 && (
              <SelectField label={t('project.organization')} value={targetId} onValue={setOrgId} required>
                {list.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.name}
                  </option>
                ))}
              </SelectField>
            )}
            <TextField label={t('project.name')} value={values.name} onValue={set('name')} errors={form.field('name')} required maxLength={100} />
            <TextAreaField label={t('project.description')} value={values.description} onValue={set('description')} errors={form.field('description')} required rows={3} />
            <TextField
              label={t('project.vatId')}
              hint={t('project.vatIdHint')}
              value={values.vat_id}
              onValue={set('vat_id')}
              errors={form.field('vat_id')}
              required
              inputMode="numeric"
              autoComplete="off"
              placeholder="01.234.567.8-901.000"
            />
            <TextField label={t('project.vatName')} value={values.vat_name} onValue={set('vat_name')} errors={form.field('vat_name')} required />
            <TextAreaField label={t('project.vatAddress')} value={values.vat_address} onValue={set('vat_address')} errors={form.field('vat_address')} required rows={2} />
            <div className="actions actions--end">
              {!onboarding && (
                <Link to={paths.projects} className="btn btn--secondary">
                  {t('common.cancel')}
                </Link>
              )}
              <Button type="submit" busy={busy} disabled={!targetId} data-testid="project-submit">
                {t('project.submit')}
              </Button>
            </div>
          </form>
        </div>
      </section>
    </>
  );
}
