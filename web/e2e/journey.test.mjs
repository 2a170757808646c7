// The whole journey in Chromium against the real API: sign up → verify → sign in with the device
// code → accept legal documents → organization → project → MFA → project Ready → sign out → sign
// in again with an MFA code. Screenshots of each step at desktop and phone widths.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launch, newPage, shoot } from './lib/browser.mjs';
import {
  acceptLegal,
  activateMfa,
  createOrganization,
  createProject,
  enterDeviceCode,
  signInWithPassword,
  signUp,
  uniqueEmail,
  verifyEmail,
} from './lib/journey.mjs';
import { startApi } from './lib/server.mjs';
import { axeViolations } from './lib/axe.mjs';
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

test('a new person goes from sign-up to a Ready project with MFA, then signs in again with MFA', async () => {
  const page = await newPage(browser);
  const email = uniqueEmail();
  const seen = new Set();

  // Every page of the journey passes the WCAG 2.1 AA rules of axe-core (labels, contrast, names).
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);

  // 1–2. Sign up and verify the email.
  await page.goto(`${api.baseUrl}/sign-up`);
  await page.getByTestId('signup-form').waitFor();
  await a11y('sign-up');
  await signUp(page, api, { fullName: 'Budi Santoso', email, shots: true });
  await verifyEmail(page, api, email, seen, { shots: true });

  // 3. Sign in from a new device with the emailed code.
  await page.getByRole('link', { name: 'Sign In' }).click();
  assert.equal(await page.getByLabel('Email Address').inputValue(), email, 'the email is carried over');
  await signInWithPassword(page, api, { email, shots: true, navigate: false });
  await enterDeviceCode(page, api, email, seen, { shots: true });

  // 4. The Terms and Privacy Policy were accepted at sign-up: the next step is the organization.
  // A reload on the way keeps the session.
  await page.waitForURL('**/onboarding/organization');
  await page.reload();
  await page.getByTestId('organization-form').waitFor();
  await a11y('create organization');

  // 5–6. Organization and project.
  await createOrganization(page, { shots: true });
  await page.waitForURL('**/onboarding/project');
  await createProject(page, { shots: true });

  // 7. MFA.
  await page.waitForURL('**/onboarding/mfa');
  const { secret, recovery } = await activateMfa(page, { totp: (s) => totp(s), shots: true });

  // 8. The project list. The first cluster was provisioned during the MFA step; a second project
  // shows Pending, then Ready by itself.
  await page.waitForURL('**/projects');
  await page.getByTestId('cluster-status').first().waitFor();
  await page.getByTestId('new-project').click();
  await createProject(page, { name: 'Inference Cluster', vatId: '0123456789012345' });
  await page.waitForURL('**/projects');
  const badge = page.locator('[data-project="Inference Cluster"] [data-testid="cluster-status"]');
  await badge.waitFor();
  assert.match(await badge.getAttribute('data-status'), /pending|provisioning/);
  await shoot(page, '18-projects-pending');
  await page.waitForSelector('[data-project="Inference Cluster"] [data-testid="cluster-status"][data-status="ready"]', { timeout: 30_000 });
  await shoot(page, '19-projects-ready');
  await a11y('projects');
  await waitForReadyMail(email, seen);

  // The account page: profile, trusted devices, security events.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('devices').waitFor();
  await page.getByTestId('security-events').waitFor();
  await shoot(page, '20-account');
  await a11y('account');

  // A new Terms version: the next page asks to accept it, and it alone ("Accept & Continue").
  api.publishLegal('terms', '2.0', 'Terms and Conditions');
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.waitForURL('**/onboarding/legal');
  await page.getByRole('heading', { name: 'We have updated our documents' }).waitFor();
  await acceptLegal(page, { shots: true, kinds: ['terms'] });
  await page.waitForURL('**/projects');

  // Sign out, and back in: the device is known now, MFA is asked for.
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL('**/sign-in');
  await signInWithPassword(page, api, { email, navigate: false });
  await page.getByTestId('mfa-form').waitFor();
  await shoot(page, '21-sign-in-mfa');
  await a11y('sign-in MFA code');
  // The code of the next time step (±1 step is accepted; the one used at activation is spent).
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(totp(secret, { time: Date.now() + 30_000 }), { delay: 20 });
  await page.waitForURL('**/projects');
  await page.getByTestId('cluster-status').first().waitFor();

  // Once more, with a recovery code instead of the app.
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL('**/sign-in');
  await signInWithPassword(page, api, { email, navigate: false });
  await page.getByTestId('mfa-toggle-recovery').click();
  await page.getByTestId('recovery-code').fill(recovery[0].toLowerCase());
  await shoot(page, '22-sign-in-recovery-code');
  await page.getByTestId('mfa-submit').click();
  await page.waitForURL('**/projects');
  assert.deepEqual(page.problems, []);
});

async function waitForReadyMail(email, seen) {
  const { waitForMail } = await import('./lib/mail.mjs');
  const mail = await waitForMail(api.mailDir, { to: email, subject: /ready/i, seen, timeout: 20_000 });
  assert.ok(mail);
}
