// A cluster whose provisioning fails shows "Failed" with the reason, by itself.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount } from './lib/accounts.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { activateMfa, createOrganization, createProject, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { startApi } from './lib/server.mjs';
import { totp } from './lib/totp.mjs';

let api;
let browser;

before(async () => {
  api = await startApi({ PORTAL_PROVISION_FAILURE_RATE: '1' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await api?.stop();
});

test('a failed cluster is shown as Failed with its reason', async () => {
  const email = uniqueEmail('wati');
  const seen = new Set();
  await createVerifiedAccount(api, { email, seen });
  const page = await newPage(browser);
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await createOrganization(page);
  await createProject(page);
  await activateMfa(page, { totp: (s) => totp(s) });
  await page.waitForURL('**/projects');
  await page.waitForSelector('[data-testid="cluster-status"][data-status="failed"]', { timeout: 60_000 });
  const reason = await page.locator('.status-reason').first().textContent();
  assert.ok(reason && reason.trim().length > 0, 'the reason is shown');
  await shoot(page, 'projects-failed');
  assert.deepEqual(page.problems, []);
});
