// Defects a review of the screens found (issue 12): updated legal documents as a page of their
// own, a version without an Indonesian text, trusted devices told apart, every empty sign-up
// field marked, the authenticator app opened from a phone, "No sales representative", the
// Indonesian OTP page and emails, the language switcher at 390 px, page titles, the favicon,
// times with their time zone, phone numbers in groups, and "Page not found" in the console.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount, signInOverApi } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { PHONE, launch, newPage, shoot } from './lib/browser.mjs';
import {
  STRONG_PASSWORD,
  activateMfa,
  createOrganization,
  createProject,
  enterDeviceCode,
  readAndAccept,
  signInWithPassword,
  solveCaptcha,
  uniqueEmail,
} from './lib/journey.mjs';
import { waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { currentStep, totp, unusedTotp } from './lib/totp.mjs';

let api;
let browser;
let portal;

before(async () => {
  api = await startApi();
  browser = await launch();
  portal = (await (await fetch(`${api.baseUrl}/v1/config`)).json()).portal_name;
});

after(async () => {
  await browser?.close();
  await api?.stop();
});

const a11y = async (page, name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);

/** A verified account taken through onboarding in the browser (English); resolves to its TOTP secret. */
async function onboard(page, { email, seen = new Set(), fullName } = {}) {
  await createVerifiedAccount(api, { email, seen, ...(fullName ? { fullName } : {}) });
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  await createOrganization(page);
  await page.waitForURL('**/onboarding/project');
  await createProject(page);
  await page.waitForURL('**/onboarding/mfa');
  const { secret } = await activateMfa(page, { totp: (s) => totp(s) });
  const lastStep = currentStep();
  await page.waitForURL('**/projects');
  await page.getByTestId('cluster-status').first().waitFor();
  return { secret, lastStep };
}

async function noSidewaysOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what}: ${overflow} px of horizontal overflow`);
}

test('a new Terms version after onboarding is a page of its own: only what changed, no stepper', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('dewi');
  await onboard(page, { email });

  api.publishLegal('terms', '2.0', 'Terms and Conditions');
  await page.reload();
  await page.waitForURL('**/onboarding/legal');
  const updated = page.getByTestId('legal-updated');
  await updated.waitFor();
  await page.getByRole('heading', { level: 1, name: 'We have updated our documents' }).waitFor();
  assert.equal(await page.title(), `Updated documents · ${portal}`);
  // Not a step of onboarding: no stepper, nothing "to do" among the steps finished long ago.
  assert.equal(await page.locator('.stepper').count(), 0, 'no stepper');
  assert.equal(await page.getByText(/Step \d of 4/).count(), 0);
  // Only the Terms changed: the Privacy Policy is not asked for again.
  assert.equal(await page.getByTestId('legal-doc-privacy').count(), 0, 'the unchanged Privacy Policy is not listed');
  const terms = page.getByTestId('legal-doc-terms');
  assert.equal(await terms.getAttribute('data-version'), '2.0');
  await terms.getByRole('heading', { name: 'Terms and Conditions' }).waitFor();
  assert.match(await page.getByTestId('legal-version-terms').textContent(), /^New version 2\.0, published \d{1,2} \w{3} \d{4}$/);
  // The version accepted before, when the API tells it.
  const previous = page.getByTestId('legal-previous-terms');
  if (await previous.count()) assert.match(await previous.textContent(), /^You accepted version 1\.0 on \d{1,2} \w{3} \d{4}\.$/);
  await a11y(page, 'updated documents');
  await shoot(page, 'review-legal-updated');

  // Accepting without reading marks the document.
  await page.getByTestId('legal-submit').click();
  await terms.locator('.field__error', { hasText: 'Please read and accept this document.' }).waitFor();
  await page.getByTestId('open-terms').click();
  await readAndAccept(page, 'terms');
  assert.equal(await page.getByTestId('consent-terms').isChecked(), true);
  await page.getByTestId('legal-submit').click();
  await page.waitForURL('**/projects');
  assert.deepEqual(page.problems, []);
});

test('in Bahasa Indonesia, a Terms version without an Indonesian text is shown in English with a note, and a refusal names the outdated document', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('wayan');
  await onboard(page, { email });

  // The person reads the portal in Indonesian; version 4.0 is published in English only.
  await page.getByTestId('language').first().selectOption('id');
  api.publishLegal('terms', '4.0', 'Terms and Conditions');
  await page.reload();
  await page.waitForURL('**/onboarding/legal');
  await page.getByRole('heading', { level: 1, name: 'Kami telah memperbarui dokumen kami' }).waitFor();
  assert.equal(await page.getByTestId('legal-doc-terms').getAttribute('data-version'), '4.0');

  // The dialog shows version 4.0 (its English text), never the Indonesian text of 1.0.
  await page.getByTestId('open-terms').click();
  const dialog = page.getByTestId('legal-dialog-terms');
  await dialog.locator('.doc').waitFor();
  await dialog.getByTestId('legal-untranslated').getByText('Terjemahan bahasa Indonesia untuk versi ini belum tersedia').waitFor();
  await dialog.getByText('What changed').waitFor();
  assert.match(await dialog.locator('.dialog__meta').textContent(), /Versi 4\.0/);
  await a11y(page, 'untranslated document');
  await shoot(page, 'review-legal-untranslated-id');
  await readAndAccept(page, 'terms');
  assert.equal(await page.getByTestId('consent-terms').isChecked(), true);

  // Version 5.0 comes out while the page is open: the refusal marks the Terms, and the tick,
  // given to 4.0, does not carry over to a version the person has not opened.
  api.publishLegal('terms', '5.0', 'Terms and Conditions');
  await page.getByTestId('legal-submit').click();
  const error = page.getByTestId('legal-doc-terms').locator('.field__error');
  await error.getByText('Versi 5.0 dokumen ini baru saja diterbitkan.', { exact: false }).waitFor();
  assert.equal(await page.getByTestId('consent-terms').isChecked(), false, 'the tick is cleared');
  assert.equal(await page.getByTestId('consent-terms').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('legal-doc-terms').getAttribute('data-version'), '5.0');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'consent-terms', 'the focus is on the outdated document');
  // Ticking it opens the document first (the box says it is not available yet: aria-disabled).
  await page.getByTestId('consent-terms').click({ force: true });
  await dialog.locator('.doc').waitFor();
  assert.match(await dialog.locator('.dialog__meta').textContent(), /Versi 5\.0/);
  await readAndAccept(page, 'terms');
  await page.getByTestId('legal-submit').click();
  await page.waitForURL('**/projects');

  // The trusted device is named in Indonesian.
  await page.getByRole('link', { name: 'Akun' }).click();
  await page.getByTestId('devices').getByText('Chrome di Linux').first().waitFor();
  assert.equal(await page.getByTestId('devices').getByText('Chrome on Linux').count(), 0);
  assert.deepEqual(page.problems, []);
});

test('at sign-up, a Terms version published while the form was open is marked, and its tick cleared', async () => {
  const page = await newPage(browser);
  await page.goto(`${api.baseUrl}/sign-up`);
  await page.getByLabel('Full Name').fill('Luh Sari');
  await page.getByLabel('Email Address').fill(uniqueEmail('luh'));
  await page.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByTestId('phone').fill('812 3456 7890');
  await solveCaptcha(page);
  for (const kind of ['terms', 'privacy']) {
    await page.getByTestId(`open-${kind}`).click();
    await readAndAccept(page, kind);
  }
  api.publishLegal('terms', '6.0', 'Terms and Conditions');
  await page.getByTestId('signup-submit').click();
  await page.getByText('Version 6.0 of this document has just been published.', { exact: false }).waitFor();
  assert.equal(await page.getByTestId('consent-terms').isChecked(), false, 'the tick given to the earlier version is cleared');
  assert.equal(await page.getByTestId('consent-terms').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('consent-privacy').isChecked(), true, 'the unchanged Privacy Policy keeps its tick');
  await page.getByTestId('open-terms').click();
  await readAndAccept(page, 'terms');
  await solveCaptcha(page);
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('signup-done').waitFor();
  assert.deepEqual(page.problems, []);
});

test('trusted devices: this device is marked, last use and address shown, removal confirmed; removing this device signs out with a reason', async () => {
  const email = uniqueEmail('agus');
  const seen = new Set();
  const first = await newPage(browser, { timezoneId: 'Asia/Jakarta' });
  const { secret, lastStep } = await onboard(first, { email, seen });

  // The same browser on the same system, a second time: the two are told apart.
  const second = await newPage(browser, { timezoneId: 'Asia/Jakarta' });
  await signInWithPassword(second, api, { email });
  await enterDeviceCode(second, api, email, seen);
  await second.getByTestId('mfa-form').waitFor();
  const { code } = await unusedTotp(secret, lastStep);
  await second.getByTestId('code-0').focus();
  await second.keyboard.type(code, { delay: 20 });
  await second.waitForURL('**/projects');
  await second.getByRole('link', { name: 'Account' }).click();
  const devices = second.getByTestId('device');
  await second.getByTestId('devices').waitFor();
  assert.equal(await devices.count(), 2);
  const current = second.locator('[data-testid="device"][data-current="true"]');
  assert.equal(await current.count(), 1, 'one device is this one');
  await current.getByTestId('device-current').getByText('This device').waitFor();
  assert.equal(await devices.first().getAttribute('data-current'), 'true', 'this device comes first');
  for (const text of await second.getByTestId('devices').locator('.table__secondary').allTextContents()) {
    // Last used, with the time and its zone, and the address.
    assert.match(text, /Last used \d{1,2} \w{3} \d{4}, \d{2}:\d{2} GMT\+7/);
    assert.match(text, /IP address 127\.0\.0\.1/);
  }
  await a11y(second, 'trusted devices');
  await shoot(second, 'review-devices');

  // Removing the other device asks first; Cancel keeps it.
  const other = second.locator('[data-testid="device"][data-current="false"]');
  await other.getByTestId('device-remove').click();
  const confirm = second.getByTestId('device-confirm');
  await confirm.getByRole('heading', { name: 'Remove this trusted device?' }).waitFor();
  assert.equal(await confirm.getByTestId('device-confirm-current').count(), 0);
  await a11y(second, 'remove device confirmation');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'hidden' });
  assert.equal(await devices.count(), 2);
  await other.getByTestId('device-remove').click();
  await confirm.getByTestId('device-confirm-ok').click();
  await second.getByText('Chrome on Linux was removed.').waitFor();
  await devices.nth(1).waitFor({ state: 'detached' });
  assert.equal(await devices.count(), 1);

  // Removing this device: the dialog says so, and the sign-in page says why the session ended.
  await current.getByTestId('device-remove').click();
  await confirm.getByTestId('device-confirm-current').getByText('This is the device you are using now').waitFor();
  await shoot(second, 'review-remove-this-device');
  await confirm.getByTestId('device-confirm-ok').click();
  await second.waitForURL('**/sign-in');
  await second
    .getByTestId('signin-device-removed')
    .getByText('You removed this device from your trusted devices, so you were signed out.', { exact: false })
    .waitFor();
  assert.equal(await second.getByText('Your session has ended.').count(), 0);
  await a11y(second, 'signed out after removing this device');
  // The session is gone indeed: the console asks to sign in.
  await second.goto(`${api.baseUrl}/account`);
  await second.waitForURL('**/sign-in');
  assert.deepEqual(first.problems, []);
  assert.deepEqual(second.problems, []);
});

test('an empty sign-up marks every field at once, and the focus goes to the first', async () => {
  const page = await newPage(browser);
  await page.goto(`${api.baseUrl}/sign-up`);
  await page.getByTestId('signup-form').waitFor();
  assert.equal(await page.title(), `Sign up · ${portal}`);
  await page.getByTestId('signup-submit').click();
  await page.getByText('Please correct the fields marked below.').waitFor();
  for (const label of ['Full Name', 'Email Address']) {
    assert.equal(await page.getByLabel(label, { exact: true }).getAttribute('aria-invalid'), 'true', label);
  }
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true', 'Password');
  assert.equal(await page.getByTestId('phone').getAttribute('aria-invalid'), 'true', 'Phone Number');
  assert.equal(await page.getByTestId('consent-terms').getAttribute('aria-invalid'), 'true');
  assert.equal(await page.getByTestId('consent-privacy').getAttribute('aria-invalid'), 'true');
  // Each with its message.
  assert.equal(await page.locator('.field__error', { hasText: 'Please fill in this field.' }).count(), 4);
  await page.locator('.field__error', { hasText: 'Please confirm that you are not a robot.' }).waitFor();
  assert.equal(await page.locator('.field__error', { hasText: 'Please read and accept this document.' }).count(), 2);
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'full_name', 'the focus is on the first field');
  await a11y(page, 'empty sign-up');
  await shoot(page, 'review-empty-sign-up');
  // Typing clears a field's message.
  await page.getByLabel('Full Name', { exact: true }).fill('Budi Santoso');
  assert.equal(await page.getByLabel('Full Name', { exact: true }).getAttribute('aria-invalid'), null);
  assert.deepEqual(page.problems, []);
});

test('on a phone, MFA setup opens the key in the authenticator app and links to the app stores', async () => {
  const page = await newPage(browser, { viewport: PHONE, isMobile: true, hasTouch: true });
  const email = uniqueEmail('putu');
  const seen = new Set();
  await createVerifiedAccount(api, { email, seen });
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  await createOrganization(page);
  await page.waitForURL('**/onboarding/project');
  await createProject(page);
  await page.waitForURL('**/onboarding/mfa');
  await page.getByTestId('mfa-start').click();
  await page.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByTestId('mfa-confirm').click();
  await page.getByTestId('totp-qr').waitFor();

  const open = page.getByRole('link', { name: 'Open in authenticator app' });
  await open.waitFor();
  const href = await open.getAttribute('href');
  assert.match(href, /^otpauth:\/\/totp\/.+\?(.+&)?secret=[A-Z2-7]+/);
  const stores = await page
    .getByTestId('authenticator-apps')
    .locator('a')
    .evaluateAll((links) => links.map((a) => [a.textContent, a.getAttribute('href')]));
  assert.deepEqual(stores, [
    ['Android (Google Play)', 'https://play.google.com/store/apps/details?id=com.google.android.apps.authenticator2'],
    ['iOS (App Store)', 'https://apps.apple.com/app/google-authenticator/id388497605'],
    ['Android (Google Play)', 'https://play.google.com/store/apps/details?id=com.azure.authenticator'],
    ['iOS (App Store)', 'https://apps.apple.com/app/microsoft-authenticator/id983156458'],
  ]);
  await a11y(page, 'MFA setup on a phone');
  await shoot(page, 'review-mfa-phone');
  // The key is the one the page shows for typing in.
  const secret = await page.getByTestId('totp-secret').getAttribute('data-secret');
  assert.equal(new URL(href).searchParams.get('secret'), secret);
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(totp(secret), { delay: 20 });
  await page.getByTestId('recovery-codes').waitFor();
  assert.deepEqual(page.problems, []);
});

test('a self-service customer can create an organization with "No sales representative"', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail('made');
  const seen = new Set();
  await createVerifiedAccount(api, { email, seen });
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  const form = page.getByTestId('organization-form');
  await form.getByLabel('Name of Organization', { exact: true }).fill('CV Sendiri');
  await form.getByLabel('Address', { exact: true }).fill('Jl. Braga No. 10');
  await form.getByLabel('City', { exact: true }).fill('Bandung');
  await form.getByLabel('Region', { exact: true }).fill('Jawa Barat');
  await form.getByLabel('ZIP', { exact: true }).fill('40111');
  await page.getByTestId('business-phone').fill('22 4230 1234');
  await form.getByLabel('Description', { exact: true }).fill('Found the portal on our own.');
  const sales = page.getByTestId('sales-representative');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="sales-representative"] option').length > 1);
  await sales.selectOption({ label: 'No sales representative' });
  assert.equal(await sales.inputValue(), 'none');
  await page.getByTestId('organization-submit').click();
  await page.waitForURL('**/onboarding/project');
  assert.deepEqual(page.problems, []);
});

test('in Bahasa Indonesia: the OTP page names the Indonesian subject, the emails say "Siap" and name the device in Indonesian, and the language switcher fits at 390 px', async () => {
  const email = uniqueEmail('ketut');
  const seen = new Set();
  await createVerifiedAccount(api, { email, seen, locale: 'id' });
  const page = await newPage(browser, { viewport: PHONE, locale: 'id-ID' });
  await page.goto(`${api.baseUrl}/sign-in`);
  await page.getByRole('heading', { name: 'Masuk Sekarang!' }).waitFor();
  assert.equal(await page.title(), `Masuk · ${portal}`);
  // The switcher fits beside the brand at 390 px, its language name in full.
  await noSidewaysOverflow(page, 'sign-in at 390 px');
  await assertSwitcherFits(page);
  await page.getByLabel('Alamat Email').fill(email);
  await page.getByLabel('Kata Sandi', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('new-device-ok').click();
  await page.getByRole('heading', { name: 'Verifikasi OTP' }).waitFor();
  const subject = `[${portal}] Mohon verifikasi perangkat Anda`;
  await page.getByText(`"${subject}"`, { exact: false }).waitFor();
  const mail = await waitForMail(api.mailDir, { to: email, subject: /verifikasi perangkat/i, seen });
  assert.equal(mail.subject, subject, 'the page names the subject of the email sent');
  // The device, in Indonesian, in the email too.
  assert.match(mail.text, /Chrome di Linux/);
  await a11y(page, 'OTP page in Indonesian');
  await shoot(page, 'review-otp-id');

  // The console's top bar at 390 px, in Indonesian.
  const code = /\b(\d{6})\b/.exec(mail.text)[1];
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(code, { delay: 20 });
  await page.waitForURL('**/onboarding/organization');
  await page.getByRole('banner').waitFor();
  await noSidewaysOverflow(page, 'onboarding at 390 px');
  await assertSwitcherFits(page);

  // The cluster's Ready email in Indonesian says "Siap".
  const tokens = await signInOverApi(api, { email, password: STRONG_PASSWORD, seen });
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${tokens.access_token}` };
  const reps = await (await fetch(`${api.baseUrl}/v1/sales-representatives`, { headers })).json();
  const org = await fetch(`${api.baseUrl}/v1/organizations`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name: 'PT Siap Jalan',
      address: 'Jl. Sudirman 1',
      country: 'ID',
      description: 'Testing the Ready email.',
      business_phone: '+62 21 5150 1234',
      city: 'Jakarta',
      region: 'DKI Jakarta',
      zip: '10220',
      sales_representative_id: reps.items[0].id,
    }),
  });
  assert.equal(org.status, 201, await org.clone().text());
  const { id } = await org.json();
  const project = await fetch(`${api.baseUrl}/v1/organizations/${id}/projects`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ name: 'Klaster Uji', description: 'Uji.', vat_id: '01.234.567.8-901.000', vat_name: 'PT Siap Jalan', vat_address: 'Jl. Sudirman 1' }),
  });
  assert.equal(project.status, 201, await project.clone().text());
  const ready = await waitForMail(api.mailDir, { to: email, subject: /sudah siap/i, seen, timeout: 30_000 });
  assert.match(ready.text, /Status:\s+Siap/);
  assert.doesNotMatch(ready.text, /Ready/);
  assert.deepEqual(page.problems, []);
});

/** The language switcher is inside the viewport and shows its language's name in full. */
async function assertSwitcherFits(page) {
  const box = await page
    .locator('header [data-testid="language"]')
    .first()
    .evaluate((select) => {
      const rect = select.getBoundingClientRect();
      const style = getComputedStyle(select);
      const canvas = document.createElement('canvas').getContext('2d');
      canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
      const text = select.options[select.selectedIndex].text;
      const room = select.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      return { left: rect.left, right: rect.right, viewport: document.documentElement.clientWidth, text, textWidth: canvas.measureText(text).width, room };
    });
  assert.ok(box.left >= 0 && box.right <= box.viewport, `the switcher is inside the viewport: ${JSON.stringify(box)}`);
  assert.ok(box.textWidth <= box.room + 0.5, `"${box.text}" is shown in full: ${JSON.stringify(box)}`);
}

test('pages have their own titles, times their time zone, phone numbers their groups; /favicon.ico exists; "Page not found" keeps the console when signed in', async () => {
  // The icon browsers ask for by themselves.
  const icon = await fetch(`${api.baseUrl}/favicon.ico`);
  assert.equal(icon.status, 200);
  assert.match(icon.headers.get('content-type') ?? '', /icon/);
  assert.deepEqual([...new Uint8Array(await icon.arrayBuffer()).slice(0, 4)], [0, 0, 1, 0]);

  const page = await newPage(browser, { timezoneId: 'Asia/Jakarta' });
  // Signed out: the sign-in layout.
  await page.goto(`${api.baseUrl}/no-such-page`);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  assert.equal(await page.title(), `Page not found · ${portal}`);
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).count(), 0);
  assert.equal(await page.locator('.auth').count(), 1);
  await page.goto(`${api.baseUrl}/sign-in`);
  await page.getByRole('heading', { name: 'Sign In Now!' }).waitFor();
  assert.equal(await page.title(), `Sign in · ${portal}`);

  const email = uniqueEmail('nyoman');
  await onboard(page, { email });
  assert.equal(await page.title(), `Projects · ${portal}`);
  // Created: a time with its zone (the browser's, Jakarta here).
  const created = await page.locator('[data-testid="project-row"] td:last-child').first().textContent();
  assert.match(created, /^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} GMT\+7$/);
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('profile').waitFor();
  assert.equal(await page.title(), `Account · ${portal}`);
  assert.equal(await page.getByTestId('profile-phone').textContent(), '+62 812 3456 7890');
  await page.getByTestId('sessions').waitFor();
  assert.match(await page.getByTestId('sessions').textContent(), /GMT\+7/);
  // In Indonesian, the zone's own name.
  await page.getByTestId('language').first().selectOption('id');
  assert.equal(await page.title(), `Akun · ${portal}`);
  assert.match(await page.getByTestId('sessions').textContent(), /WIB/);
  await page.getByTestId('language').first().selectOption('en');

  // Signed in: not found inside the console, with its navigation.
  await page.goto(`${api.baseUrl}/no-such-page`);
  await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).waitFor();
  assert.equal(await page.locator('.auth').count(), 0);
  assert.equal(await page.title(), `Page not found · ${portal}`);
  await a11y(page, 'not found in the console');
  await shoot(page, 'review-not-found-console');
  await page.getByRole('link', { name: 'Go to the start page' }).click();
  await page.waitForURL('**/projects');
  assert.deepEqual(page.problems, []);
});
