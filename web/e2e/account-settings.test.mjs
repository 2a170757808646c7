// The account's own settings: a person who finished onboarding (MFA on) edits their name and
// phone number, changes their sign-in email (a link to the new address confirms it), signs in
// with the new address from a trusted device (password and authenticator code) and downloads
// their data; then asks for another change and cancels it from the notice sent to the current
// address.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createVerifiedAccount } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { STRONG_PASSWORD, activateMfa, createOrganization, createProject, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { linkIn, waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { currentStep, totp, unusedTotp } from './lib/totp.mjs';

let api;
let browser;

before(async () => {
  api = await startApi();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await api?.stop();
});

test('name, phone and sign-in email are changed from the account page; the data is downloaded; a change is cancelled from the notice', async () => {
  const email = uniqueEmail('rina');
  const newEmail = uniqueEmail('rina.kusuma');
  const seen = new Set();
  await createVerifiedAccount(api, { email, fullName: 'Rina Kusuma', seen });
  const page = await newPage(browser);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);
  const header = page.getByRole('banner');

  // Onboarding, with an authenticator.
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  await createOrganization(page);
  await page.waitForURL('**/onboarding/project');
  await createProject(page);
  await page.waitForURL('**/onboarding/mfa');
  const { secret, recovery } = await activateMfa(page, { totp: (s) => totp(s) });
  // Each time step is taken once: this one (or an earlier one) is spent.
  let lastStep = currentStep();
  await page.waitForURL('**/projects');

  // The profile: name, address and phone as given at sign-up.
  await page.getByRole('link', { name: 'Account' }).click();
  const profile = page.getByTestId('profile');
  await profile.waitFor();
  assert.equal(await page.getByTestId('profile-name').textContent(), 'Rina Kusuma');
  assert.equal(await page.getByTestId('profile-email').textContent(), email);
  assert.equal(await page.getByTestId('profile-phone').textContent(), '+62 812 3456 7890');
  // Sections in order.
  const headings = await page.locator('main h2').allTextContents();
  assert.deepEqual(headings.slice(0, 5), ['Profile', 'Change password', 'Two-factor authentication', 'Sessions', 'Your data']);

  // Name and phone: the form opens with the current values, the name field focused.
  await page.getByTestId('profile-edit').click();
  const details = page.getByTestId('profile-form');
  await details.waitFor();
  assert.equal(await page.getByTestId('profile-edit').getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'full_name');
  assert.equal(await details.getByLabel('Full Name', { exact: true }).inputValue(), 'Rina Kusuma');
  assert.equal(await page.getByTestId('profile-phone-input-country').inputValue(), 'ID:62');
  assert.equal(await page.getByTestId('profile-phone-input').inputValue(), '81234567890');

  // An empty name is caught on the page; a number too short, by the API (the rules of sign-up).
  await details.getByLabel('Full Name', { exact: true }).fill('  ');
  await page.getByTestId('profile-submit').click();
  await details.locator('.field__error', { hasText: 'Please enter your full name.' }).waitFor();
  await details.getByLabel('Full Name', { exact: true }).fill('Rina Kusuma Wardani');
  await page.getByTestId('profile-phone-input').fill('12');
  await page.getByTestId('profile-submit').click();
  await details.locator('.field__error', { hasText: 'Please enter a valid phone number.' }).waitFor();
  assert.equal(await page.getByTestId('profile-phone-input').getAttribute('aria-invalid'), 'true');

  await page.getByTestId('profile-phone-input-country').selectOption('SG:65');
  await page.getByTestId('profile-phone-input').fill('9123 4567');
  await shoot(page, 'settings-01-edit-profile');
  await a11y('profile form');
  await page.getByTestId('profile-submit').click();
  await page.getByTestId('profile-message').getByText('Your name and phone number were saved.').waitFor();
  await details.waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'profile-edit', 'the focus goes back');
  assert.equal(await page.getByTestId('profile-name').textContent(), 'Rina Kusuma Wardani');
  assert.equal(await page.getByTestId('profile-phone').textContent(), '+65 9123 4567');
  // Kept by the API: the same after a reload, and in the form opened again.
  await page.reload();
  await page.getByTestId('profile-name').getByText('Rina Kusuma Wardani').waitFor();
  assert.equal(await page.getByTestId('profile-phone').textContent(), '+65 9123 4567');
  await page.getByTestId('profile-edit').click();
  assert.equal(await page.getByTestId('profile-phone-input-country').inputValue(), 'SG:65');
  assert.equal(await page.getByTestId('profile-phone-input').inputValue(), '91234567');
  await details.getByRole('button', { name: 'Cancel' }).click();
  await details.waitFor({ state: 'detached' });

  // The sign-in email: the current address is refused on the page, a wrong password by the API.
  await page.getByTestId('email-change').click();
  const change = page.getByTestId('email-form');
  await change.waitFor();
  await change.getByLabel('New email address', { exact: true }).fill(email.toUpperCase());
  await change.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await change.getByLabel('Authenticator code', { exact: true }).fill('123456');
  await page.getByTestId('email-submit').click();
  await change.locator('.field__error', { hasText: 'This is already your sign-in email.' }).waitFor();

  await change.getByLabel('New email address', { exact: true }).fill(newEmail);
  await change.getByLabel('Current password', { exact: true }).fill('Not-My-Password-99');
  await page.getByTestId('email-submit').click();
  await change.locator('.field__error', { hasText: 'The current password is incorrect.' }).waitFor();
  assert.equal(await change.getByLabel('Current password', { exact: true }).getAttribute('aria-invalid'), 'true');

  let code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await change.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await change.getByLabel('Authenticator code', { exact: true }).fill(code.code);
  await shoot(page, 'settings-02-change-email');
  await a11y('change email form');
  await page.getByTestId('email-submit').click();
  const message = page.getByTestId('profile-message');
  await message.getByText(`We sent a confirmation link to ${newEmail}.`, { exact: false }).waitFor();
  await change.waitFor({ state: 'detached' });
  // Nothing changed yet.
  assert.equal(await page.getByTestId('profile-email').textContent(), email);
  await header.getByText(email).waitFor();
  await shoot(page, 'settings-03-email-link-sent');

  // The new address gets the link to confirm; the current one a notice with a link to cancel.
  const confirmMail = await waitForMail(api.mailDir, { to: newEmail, containing: '/confirm-email-change?token=', seen });
  const confirmLink = linkIn(confirmMail, '/confirm-email-change?token=');
  await waitForMail(api.mailDir, { to: email, containing: '/cancel-email-change?token=', seen });

  // Opened in the same browser: confirmed at once, the token out of the address bar.
  await page.goto(confirmLink);
  const confirmed = page.getByTestId('email-change-done');
  await confirmed.waitFor();
  await confirmed.getByText(`Your sign-in email is now ${newEmail}. Other sessions were signed out.`).waitFor();
  await page.waitForURL((url) => url.pathname === '/confirm-email-change' && !url.search.includes('token'));
  await shoot(page, 'settings-04-email-changed');
  await a11y('email changed');
  await confirmed.getByRole('link', { name: 'Go to Account' }).click();
  await page.getByTestId('profile-email').getByText(newEmail).waitFor();
  await header.getByText(newEmail).waitFor();

  // The link works once.
  const again = await newPage(browser);
  await again.goto(confirmLink);
  const refused = again.getByTestId('email-change-failed');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'email_change_link_invalid');
  await shoot(again, 'settings-05-confirm-link-used');
  assert.deepEqual(again.problems, []);
  await again.context().close();

  // The old address signs in no more.
  const oldAddress = await fetch(`${api.baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: STRONG_PASSWORD }),
  });
  assert.equal(oldAddress.status, 401, 'the previous address is refused');

  // Signed out, and back in with the new address: the device is trusted, the app's code is asked for.
  await page.getByRole('button', { name: 'Sign Out' }).first().click();
  await page.waitForURL('**/sign-in');
  await signInWithPassword(page, api, { email: newEmail, navigate: false });
  await page.waitForSelector('[data-testid="mfa-form"], [data-testid="new-device-dialog"][open]');
  assert.equal(await page.getByTestId('new-device-dialog').isVisible(), false, 'the device stays trusted');
  code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(code.code, { delay: 20 });
  await page.waitForURL('**/projects');
  await header.getByText(newEmail).waitFor();

  // Your data: the password and a code, then a JSON file.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('data-download').click();
  const dialog = page.getByTestId('data-dialog');
  await dialog.getByRole('heading', { name: 'Download your data' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password');
  await dialog.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await dialog.getByLabel('Authenticator code', { exact: true }).fill('12345');
  await dialog.getByTestId('data-submit').click();
  await dialog.locator('.field__error', { hasText: 'Enter the 6-digit code from your app, or a recovery code.' }).waitFor();
  code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await dialog.getByLabel('Authenticator code', { exact: true }).fill(code.code);
  await shoot(page, 'settings-06-download-data');
  await a11y('download data dialog');
  const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByTestId('data-submit').click()]);
  assert.match(download.suggestedFilename(), /^service-portal-data-\d{4}-\d{2}-\d{2}\.json$/);
  const data = JSON.parse(readFileSync(await download.path(), 'utf8'));
  const text = JSON.stringify(data);
  assert.ok(text.includes(newEmail), 'the export holds the new address');
  assert.ok(text.includes('Rina Kusuma Wardani'), 'the export holds the new name');
  await page.getByTestId('data-message').getByText(`Your data was downloaded as ${download.suggestedFilename()}.`).waitFor();
  await dialog.getByRole('heading').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'data-download', 'the focus goes back');

  // Another change, this time with a recovery code; the notice to the current address cancels it.
  const thirdEmail = uniqueEmail('rina.w');
  await page.getByTestId('email-change').click();
  await change.getByLabel('New email address', { exact: true }).fill(thirdEmail);
  await change.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await change.getByLabel('Authenticator code', { exact: true }).fill(recovery[0]);
  await page.getByTestId('email-submit').click();
  await message.getByText(`We sent a confirmation link to ${thirdEmail}.`, { exact: false }).waitFor();
  const thirdConfirm = linkIn(await waitForMail(api.mailDir, { to: thirdEmail, containing: '/confirm-email-change?token=', seen }), '/confirm-email-change?token=');
  const cancelLink = linkIn(await waitForMail(api.mailDir, { to: newEmail, containing: '/cancel-email-change?token=', seen }), '/cancel-email-change?token=');

  // Opening the link changes nothing by itself.
  await page.goto(cancelLink);
  await page.getByRole('heading', { name: 'Cancel the email change' }).waitFor();
  await page.waitForURL((url) => url.pathname === '/cancel-email-change' && !url.search.includes('token'));
  await shoot(page, 'settings-07-cancel-email-change');
  await a11y('cancel email change');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/email-changes/cancel')),
    page.getByTestId('email-cancel-submit').click(),
  ]);
  const cancelled = await answer.json();
  assert.equal(answer.status(), 200);
  assert.equal(cancelled.email, newEmail);
  const done = page.getByTestId('email-cancel-done');
  await done.getByText(`The change was cancelled: your sign-in email is ${newEmail}. Every session was signed out.`).waitFor();
  assert.equal(await done.getByTestId('email-cancel-reset').count(), cancelled.password_reset_sent ? 1 : 0);
  await shoot(page, 'settings-08-email-change-cancelled');

  // This browser was signed out too; the cancelled change cannot be confirmed.
  await page.goto(`${api.baseUrl}/account`);
  await page.waitForURL('**/sign-in');
  await page.goto(thirdConfirm);
  const gone = page.getByTestId('email-change-failed');
  await gone.waitFor();
  assert.equal(await gone.getAttribute('data-code'), 'email_change_link_invalid');
  await gone.getByText('This link is not valid any more', { exact: false }).waitFor();
  assert.deepEqual(page.problems, []);
});
