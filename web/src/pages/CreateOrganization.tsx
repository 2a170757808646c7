import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { api, type Schemas } from '../api/client';
import { useAuth } from '../app/auth';
import { useConfig } from '../app/config';
import { PhoneField, dialOf, type PhoneValue } from '../components/PhoneField';
import { Stepper } from '../components/Stepper';
import { Button, FormAlert, SelectField, TextAreaField, TextField } from '../components/ui';
import { useI18n } from '../i18n/I18n';
import { COUNTRIES, joinPhone, sortedCountries } from '../lib/countries';
import { call, useFormErrors } from '../lib/forms';

type SalesRep = Schemas['SalesRepresentativeSummary'];

const FIELDS = ['name', 'address', 'country', 'description', 'business_phone', 'city', 'region', 'zip', 'sales_representative_id'] as const;

export function CreateOrganizationPage() {
  const { t, lang } = useI18n();
  const config = useConfig();
  const { continueJourney } = useAuth();
  const [values, setValues] = useState({
    name: '',
    address: '',
    country: 'ID',
    description: '',
    city: '',
    region: '',
    zip: '',
    sales_representative_id: '',
  });
  const [phone, setPhone] = useState<PhoneValue>({ dial: 'ID:62', number: '' });
  const [phoneDialTouched, setPhoneDialTouched] = useState(false);
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

  const set = (name: keyof typeof values) => (value: string) => {
    setValues((v) => ({ ...v, [name]: value }));
    form.clearField(name);
    // The business phone follows the country until its code was chosen by hand.
    if (name === 'country' && !phoneDialTouched) {
      const country = COUNTRIES.find((c) => c.code === value);
      if (country) setPhone((p) => ({ ...p, dial: `${country.code}:${country.dial}` }));
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    const result = await call(
      api.POST('/v1/organizations', {
        body: { ...values, business_phone: joinPhone(dialOf(phone.dial), phone.number) },
      }),
    );
    if (result.data) {
      await continueJourney();
      return;
    }
    setBusy(false);
    if (result.network) form.failNetwork();
    else form.fail(result.error);
  };

  return (
    <>
      <Stepper current="create_organization" />
      <section className="panel panel--form">
        <div className="panel__head">
          <div>
            <h1>{t('org.title')}</h1>
            <p>{t('org.intro', { portal: config.portal_name })}</p>
          </div>
        </div>
        <div className="panel__body">
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
              {(reps ?? []).map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </SelectField>
            <div className="actions actions--end">
              <Button type="submit" busy={busy} data-testid="organization-submit">
                {t('org.submit')}
              </Button>
            </div>
          </form>
        </div>
      </section>
    </>
  );
}
