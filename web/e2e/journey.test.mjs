// The whole journey in Chromium against the real API: sign up → verify → sign in with the device
// code → (onboarding steps) → project Ready → sign out → sign in again.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { enterDeviceCode, signInWithPassword, signUp, uniqueEmail, verifyEmail } from './lib/journey.mjs';
import { startApi } from './lib/server.mjs';

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

test('a new person signs up, verifies the email and signs in from a new device', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail();
  const seen = new Set();
  await signUp(page, api, { fullName: 'Budi Santoso', email, shots: true });
  await verifyEmail(page, api, email, seen, { shots: true });
  await page.getByRole('link', { name: 'Sign In' }).click();
  assert.equal(await page.getByLabel('Email Address').inputValue(), email, 'the email is carried over');
  await signInWithPassword(page, api, { email, shots: true, navigate: false });
  await enterDeviceCode(page, api, email, seen, { shots: true });
  await page.waitForURL((url) => !url.pathname.startsWith('/sign-in'));
  await page.getByRole('button', { name: 'Sign Out' }).waitFor();
  await shoot(page, '09-signed-in');

  // A reload keeps the person signed in (refresh cookie → new access token in memory).
  await page.reload();
  await page.getByRole('button', { name: 'Sign Out' }).waitFor();
  assert.deepEqual(page.problems, []);
});
