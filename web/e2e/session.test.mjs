// Short-lived access tokens: the page refreshes once when the API says `token_expired` and
// retries, so a form submitted after expiry still goes through; a reload keeps the session;
// signing out ends it.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount } from './lib/accounts.mjs';
import { launch, newPage } from './lib/browser.mjs';
import { createOrganization, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { startApi } from './lib/server.mjs';

let api;
let browser;

before(async () => {
  // Access tokens live 2 s (the app refreshes ahead of time, at the earliest after 5 s).
  api = await startApi({ PORTAL_ACCESS_TOKEN_TTL: '2' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await api?.stop();
});

test('an expired access token is refreshed once and the request retried, without losing the form', async () => {
  const email = uniqueEmail('joko');
  const seen = new Set();
  await createVerifiedAccount(api, { email, seen });
  const page = await newPage(browser);
  const refreshes = [];
  const expired = [];
  page.on('request', (r) => r.url().endsWith('/v1/sessions/refresh') && refreshes.push(Date.now()));
  page.on('response', async (r) => {
    if (r.status() === 401 && !r.url().endsWith('/v1/sessions/refresh')) {
      const body = await r.json().catch(() => ({}));
      expired.push(body.code);
    }
  });
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  const before = refreshes.length;
  // The token expires while the person fills the form.
  await page.waitForTimeout(3000);
  await createOrganization(page);
  await page.waitForURL('**/onboarding/project');
  assert.ok(expired.includes('token_expired'), `the API refused the expired token (${expired.join(', ')})`);
  assert.ok(refreshes.length > before, 'the app refreshed');

  // A reload keeps the session (refresh cookie → new access token in memory).
  await page.reload();
  await page.getByTestId('project-form').waitFor();

  // Sign out ends it: a reload then lands on the sign-in page.
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL('**/sign-in');
  await page.goto(`${api.baseUrl}/onboarding/project`);
  await page.waitForURL('**/sign-in');
  assert.deepEqual(page.problems, []);
});
