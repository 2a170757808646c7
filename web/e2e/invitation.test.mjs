// An account created by the provider's staff: the emailed invitation lands on the set-password
// page; then the person signs in and follows the journey (legal documents, MFA).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { STRONG_PASSWORD, acceptLegal, activateMfa, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { linkIn, waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { totp } from './lib/totp.mjs';

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

test('an invited person sets a password, signs in, accepts the documents and activates MFA', async () => {
  const email = uniqueEmail('rudi');
  const seen = new Set();
  api.cli(['create-admin', '--email', email, '--full-name', 'Rudi Hartono', '--phone-number', '+62 811 1000 2000']);
  const invitation = await waitForMail(api.mailDir, { to: email, subject: /./, seen, timeout: 20_000 });
  const link = linkIn(invitation, '/accept-invitation?token=');

  const page = await newPage(browser);
  await page.goto(link);
  const form = page.getByTestId('invitation-form');
  await form.waitFor();
  assert.equal(await page.getByLabel('Email Address').inputValue(), email);
  await page.getByLabel('New password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByLabel('Confirm password', { exact: true }).fill('Something-Else-42!');
  await page.getByTestId('invitation-submit').click();
  await page.getByText('The passwords do not match.').first().waitFor();
  await page.getByLabel('Confirm password', { exact: true }).fill(STRONG_PASSWORD);
  await shoot(page, 'invitation-set-password');
  await page.getByTestId('invitation-submit').click();
  await page.getByTestId('invitation-done').waitFor();
  await shoot(page, 'invitation-done');

  // The link is single-use.
  const again = await newPage(browser);
  await again.goto(link);
  await again.getByTestId('invitation-refused').waitFor();

  await page.getByRole('link', { name: 'Sign In' }).click();
  await signInWithPassword(page, api, { email, navigate: false });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/legal');
  await acceptLegal(page);
  await page.waitForURL('**/onboarding/mfa');
  await activateMfa(page, { totp: (s) => totp(s) });
  await page.waitForURL('**/projects');
  assert.deepEqual(page.problems, []);
});
