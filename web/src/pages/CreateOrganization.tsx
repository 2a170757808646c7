import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router';
import { api, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { useOptionalOrganizations } from '../app/organizations';
import { PhoneField, dialOf, type PhoneValue } from '../components/PhoneField';
import { Stepper } from '../components/Stepper';
import { Button, FormAlert, SelectField, TextAreaField, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { COUNTRIES, joinPhone, sortedCountries, splitPhone } from '../lib/countries';
import { call, useFormErrors, type ApiResult } from '../lib/forms';
import { withNotice } from '../lib/notice';
import { useDocumentTitle } from '../lib/useDocumentTitle';
import { paths } from '../app/paths';

type SalesRep = Schemas['SalesRepresentativeSummary'];
type Organization = Schemas['Organization'];
export type OrganizationBody = Schemas['CreateOrganizationBody'];

/** The value the API takes for "No sales representative". */
const NO_SALES_REPRESENTATIVE = 'none';

const FIELDS = ['name', 'address', 'country', 'description', 'business_phone', 'city', 'region', 'zip', 'sales_representative_id'] as const;

type TextValues = Omit<OrganizationBody, 'business_phone'>;

/** What the form starts with: empty for a new organization, the stored values for an edit. */
function initialValues(organization?: Organization): { values: TextValues; phone: PhoneValue } {
  if (!organization) {
    return {
      values: { name: '', address: '', country: 'ID', description: '', city: '', region: '', zip: '', sales_representative_id: '' },
      phone: { dial: 'ID:62', number: '' },
    };
  }
  const parts = splitPhone(organization.business_phone);
  return {
    values: {
      name: organization.name,
      address: organization.address,
      country: organization.country,
      description: organization.description,
      city: organization.city,
      region: organization.region,
      zip: organization.zip,
      // An organization without one was created with "No sales representative".
      sales_representative_id: organization.sales_representative?.id ?? NO_SALES_REPRESENTATIVE,
    },
    phone: parts ? { dial: `${parts.code}:${parts.dial}`, number: parts.national } : { dial: 'ID:62', number: organization.business_phone },
  };
}

function bodyOf(values: TextValues, phone: PhoneValue): OrganizationBody {
  return { ...values, business_phone: joinPhone(dialOf(phone.dial), phone.number) };
}

/**
 * The organization's details, as at onboarding: creating one (`organization` absent) or changing
 * one. `submit` gets every field for a new organization, and only the changed ones for an edit.
 */
export function OrganizationForm({
  organization,
  submit,
  submitLabel,
  onCancel,
  cancelTo,
}: {
  organization?: Organization;
  submit: (body: Partial<OrganizationBody>) => Promise<ApiResult<unknown, unknown>>;
  submitLabel: string;
  /** A Cancel button, or a Cancel link to `cancelTo`. */
  onCancel?: () => void;
  cancelTo?: string;
}) {
  const { t, lang } = useI18n();
  const config = useConfig();
  const [start] = useState(() => initialValues(organization));
  const [values, setValues] = useState<TextValues>(start.values);
  const [phone, setPhone] = useState<PhoneValue>(start.phone);
  // The business phone follows the country until its code was chosen by hand (or was stored).
  const [phoneDialTouched, setPhoneDialTouched] = useState(!!organization);
  const [reps, setReps] = useState<SalesRep[] | null>(null);
  const [busy, setBusy] = useState(false);
  const form = useFormErrors(FIELDS);
  const countries = useMemo(() => sortedCountries(lang), [lang]);

  useEffect(() => {
    let live = true;
    api.GET('/v1/sales-representatives').then(
      ({ data }) => live && setReps(data?.items ?? []),
      () => live && setReps([]),
    );
    return () => {
      live = false;
    };
  }, []);

  const set = (name: keyof TextValues) => (value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    form.clearField(name);
    if (name === 'country' && !phoneDialTouched) {
      const country = COUNTRIES.find((c) => c.code === value);
      if (country) setPhone((p) => ({ ...p, dial: `${country.code}:${country.dial}` }));
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const body = bodyOf(values, phone);
    let sent: Partial<OrganizationBody> = body;
    if (organization) {
      // Only what changed: a field left alone is not checked again.
      const before = bodyOf(start.values, start.phone);
      sent = Object.fromEntries(Object.entries(body).filter(([name, value]) => before[name as keyof OrganizationBody] !== value));
    }
    setBusy(true);
    const result = await submit(sent);
    setBusy(false);
    if (result.network) form.failNetwork();
    else if (result.error) form.fail(result.error);
  };

  // The stored representative may no longer be offered (deactivated): it stays selectable.
  const storedRep = organization?.sales_representative;
  const offered = reps ?? [];
  const extraRep = storedRep && reps !== null && !offered.some((r) => r.id === storedRep.id) ? storedRep : null;

  return (
    <form className="form" noValidate onSubmit={onSubmit} data-testid="organization-form">
      <FormAlert message={form.errors.form} seq={form.seq} />
      <TextField label={t('org.name')} value={values.name} onValue={set('name')} errors={form.field('name')} required autoComplete="organization" maxLength={200} />
      <TextAreaField label={t('org.address')} value={values.address} onValue={set('address')} errors={form.field('address')} required autoComplete="street-address" rows={2} />
      <div className="form__row form__row--2">
        <SelectField label={t('org.country')} value={values.country} onValue={set('country')} errors={form.field('country')} required autoComplete="country">
          {countries.map((c) => (
            <option key={c.code} value={c.code}>
              {c.name}
            </option>
          ))}
        </SelectField>
        <TextField label={t('org.city')} value={values.city} onValue={set('city')} errors={form.field('city')} required autoComplete="address-level2" />
      </div>
      <div className="form__row form__row--2">
        <TextField label={t('org.region')} value={values.region} onValue={set('region')} errors={form.field('region')} required autoComplete="address-level1" />
        <TextField label={t('org.zip')} value={values.zip} onValue={set('zip')} errors={form.field('zip')} required autoComplete="postal-code" inputMode="numeric" />
      </div>
      <PhoneField
        label={t('org.phone')}
        value={phone}
        onChange={(v) => {
          if (v.dial !== phone.dial) setPhoneDialTouched(true);
          setPhone(v);
          form.clearField('business_phone');
        }}
        errors={form.field('business_phone')}
        required
        testId="business-phone"
      />
      <TextAreaField label={t('org.description')} value={values.description} onValue={set('description')} errors={form.field('description')} required rows={3} />
      <SelectField
        label={t('org.sales')}
        hint={t('org.salesHint', { portal: config.portal_name })}
        value={values.sales_representative_id}
        onValue={set('sales_representative_id')}
        errors={form.field('sales_representative_id')}
        required
        data-testid="sales-representative"
      >
        <option value="">{reps === null ? t('app.loading') : t('common.selectPlaceholder')}</option>
        {offered.map((r) => (
          <option key={r.id} value={r.id}>
            {r.name}
          </option>
        ))}
        {extraRep && <option value={extraRep.id}>{extraRep.name}</option>}
        {/* A self-service customer may have found the portal on their own: the API stores "none" as no representative. */}
        {reps !== null && <option value={NO_SALES_REPRESENTATIVE}>{t('org.salesNone')}</option>}
      </SelectField>
      <div className="actions actions--end">
        {onCancel && (
          <Button variant="secondary" onClick={onCancel} disabled={busy}>
            {t('common.cancel')}
          </Button>
        )}
        {!onCancel && cancelTo && (
          <Link to={cancelTo} className="btn btn--secondary">
            {t('common.cancel')}
          </Link>
        )}
        <Button type="submit" busy={busy} data-testid="organization-submit">
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

/**
 * Creating an organization: onboarding step 5 (`console` false, with the stepper), or a further
 * one from the console (`/organizations/new`), which then becomes the one the console shows.
 */
export function CreateOrganizationPage({ console: inConsole = false }: { console?: boolean }) {
  const { t } = useI18n();
  useDocumentTitle(t('title.createOrganization'));
  const config = useConfig();
  const { continueJourney } = useAuth();
  const organizations = useOptionalOrganizations();
  const navigate = useNavigate();

  const submit = async (body: Partial<OrganizationBody>) => {
    const result = await call(api.POST('/v1/organizations', { body: body as OrganizationBody }));
    if (result.data) {
      const created = result.data;
      if (inConsole && organizations) {
        await organizations.reload();
        organizations.select(created.id);
        navigate(paths.projects, { state: withNotice('orgs.created', { organization: created.name }) });
      } else {
        await continueJourney();
      }
    }
    return result;
  };

  return (
    <>
      {!inConsole && <Stepper current="create_organization" />}
      <section className="panel panel--form">
        <div className="panel__head">
          <div>
            <h1>{inConsole ? t('orgs.new.title') : t('org.title')}</h1>
            <p>{inConsole ? t('orgs.new.intro') : t('org.intro', { portal: config.portal_name })}</p>
          </div>
        </div>
        <div className="panel__body">
          <OrganizationForm submit={submit} submitLabel={t('org.submit')} cancelTo={inConsole ? paths.projects : undefined} />
        </div>
      </section>
    </>
  );
}
