// A forgotten password and the account's sessions: a person who finished onboarding (MFA on)
// asks for a reset link from the sign-in page, sets a new password from the email, signs in with
// it and an authenticator code; then, on the account page, changes the password (the other
// sessions end) and signs out sessions started elsewhere, one at a time and all at once.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount, refreshOverApi, signInOverApi } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { activateMfa, createOrganization, createProject, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { linkIn, waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { currentStep, totp, unusedTotp } from './lib/totp.mjs';

const RESET_PASSWORD = 'Amber-Valley-Compass-73';
const CHANGED_PASSWORD = 'Silver-Orchard-Beacon-58';

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

test('a forgotten password is reset from the emailed link; then the password is changed and other sessions signed out', async () => {
  const email = uniqueEmail('dewi');
  const seen = new Set();
  await createVerifiedAccount(api, { email, fullName: 'Dewi Anggraini', seen });
  const page = await newPage(browser);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);

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

  // Signed out, the password forgotten: "Forgot password?" beside the password field.
  await page.getByRole('button', { name: 'Sign Out' }).click();
  await page.waitForURL('**/sign-in');
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await page.waitForURL('**/forgot-password');
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await page.getByLabel('Email Address').fill(email);
  await shoot(page, 'recovery-01-forgot-password');
  await a11y('forgot password');
  await page.getByTestId('forgot-submit').click();
  const sent = page.getByTestId('forgot-sent');
  await sent.waitFor();
  await sent.getByText("If an account exists for this address, we've sent a link to reset the password. Check your inbox.").waitFor();
  await shoot(page, 'recovery-02-check-inbox');

  // An address without an account gets the same answer.
  await page.getByTestId('forgot-again').click();
  await page.getByLabel('Email Address').fill(uniqueEmail('nobody'));
  await page.getByTestId('forgot-submit').click();
  await sent.getByText("If an account exists for this address, we've sent a link to reset the password. Check your inbox.").waitFor();

  // The emailed link; the token leaves the address bar once read.
  const mail = await waitForMail(api.mailDir, { to: email, containing: '/reset-password?token=', seen });
  const link = linkIn(mail, '/reset-password?token=');
  await page.goto(link);
  await page.getByTestId('reset-form').waitFor();
  await page.waitForURL((url) => url.pathname === '/reset-password' && !url.search.includes('token'));
  await page.getByRole('heading', { name: 'Set a new password' }).waitFor();
  const checklist = page.getByTestId('password-checklist');
  await page.getByLabel('New password', { exact: true }).fill('dewi');
  assert.equal(await checklist.locator('[data-code="password_too_short"]').getAttribute('data-state'), 'unmet');
  // Whose password it is, the page does not know: the API checks the name and email.
  assert.equal(await checklist.locator('[data-code="password_contains_personal_info"]').getAttribute('data-state'), 'server');

  // The confirmation must match.
  await page.getByLabel('New password', { exact: true }).fill(RESET_PASSWORD);
  await page.getByLabel('Confirm password', { exact: true }).fill('Something-Else-42!');
  await page.getByTestId('reset-submit').click();
  await page.getByText('The passwords do not match.').first().waitFor();

  // A password with the person's name in it passes the browser's checks and is refused by the API.
  await page.getByLabel('New password', { exact: true }).fill('Dewi-Harbor-Lantern-42');
  await page.getByLabel('Confirm password', { exact: true }).fill('Dewi-Harbor-Lantern-42');
  await page.getByTestId('reset-submit').click();
  await page.locator('.field__error', { hasText: 'Must not contain your name or email address.' }).waitFor();
  assert.equal(await page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'), 'true');
  await shoot(page, 'recovery-03-reset-refused-password');

  await page.getByLabel('New password', { exact: true }).fill(RESET_PASSWORD);
  await page.getByLabel('Confirm password', { exact: true }).fill(RESET_PASSWORD);
  await shoot(page, 'recovery-04-set-new-password');
  await a11y('set a new password');
  await page.getByTestId('reset-submit').click();
  const done = page.getByTestId('reset-done');
  await done.waitFor();
  await done.getByText('Your password was changed. Sign in with your new password.').waitFor();
  await shoot(page, 'recovery-05-password-changed');

  // The link is single-use: opened again, it says so and offers a new one.
  const again = await newPage(browser);
  await again.goto(link);
  await again.getByLabel('New password', { exact: true }).fill('Another-Strong-Value-61');
  await again.getByLabel('Confirm password', { exact: true }).fill('Another-Strong-Value-61');
  await again.getByTestId('reset-submit').click();
  const refused = again.getByTestId('reset-refused');
  await refused.waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'reset_link_invalid');
  await shoot(again, 'recovery-06-link-used');
  await again.getByRole('link', { name: 'Request a new link' }).click();
  await again.waitForURL('**/forgot-password');
  assert.deepEqual(again.problems, []);
  await again.context().close();

  // Back in with the new password and a code from the app.
  await done.getByRole('link', { name: 'Sign In' }).click();
  await signInWithPassword(page, api, { email, password: RESET_PASSWORD, navigate: false });
  await page.waitForSelector('[data-testid="mfa-form"], [data-testid="new-device-dialog"][open]');
  if (await page.getByTestId('new-device-dialog').isVisible()) await enterDeviceCode(page, api, email, seen);
  await page.getByTestId('mfa-form').waitFor();
  const signInCode = await unusedTotp(secret, lastStep);
  lastStep = signInCode.step;
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(signInCode.code, { delay: 20 });
  await page.waitForURL('**/projects');

  // Another session, from a phone, before the password changes.
  const phone = await signInOverApi(api, { email, password: RESET_PASSWORD, mfaCode: recovery[0], seen });
  await page.getByRole('link', { name: 'Account' }).click();
  const sessions = page.getByTestId('sessions');
  await sessions.waitFor();
  await sessions.locator(`[data-session-id="${phone.session_id}"]`).waitFor();
  assert.equal(await sessions.locator('[data-testid="session"][data-current="true"]').count(), 1);
  await sessions.locator('[data-current="true"]').getByText('This device').waitFor();

  // Change the password: the current one wrong first.
  const form = page.getByTestId('password-form');
  let code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await form.getByLabel('Current password', { exact: true }).fill('Not-My-Password-99');
  await form.getByLabel('New password', { exact: true }).fill(CHANGED_PASSWORD);
  await form.getByLabel('Confirm password', { exact: true }).fill(CHANGED_PASSWORD);
  await form.getByLabel('Authenticator code', { exact: true }).fill(code.code);
  await page.getByTestId('password-submit').click();
  await form.locator('.field__error', { hasText: 'The current password is incorrect.' }).waitFor();
  assert.equal(await form.getByLabel('Current password', { exact: true }).getAttribute('aria-invalid'), 'true');

  code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await form.getByLabel('Current password', { exact: true }).fill(RESET_PASSWORD);
  await form.getByLabel('Authenticator code', { exact: true }).fill(code.code);
  await shoot(page, 'recovery-07-change-password');
  await page.getByTestId('password-submit').click();
  await page.getByTestId('password-changed').getByText('Password changed. Your other sessions were signed out.').waitFor();
  assert.equal(await form.getByLabel('New password', { exact: true }).inputValue(), '', 'the form is emptied');
  // The phone's session ended with the change; this one goes on.
  await sessions.locator(`[data-session-id="${phone.session_id}"]`).waitFor({ state: 'detached' });
  assert.equal((await refreshOverApi(api, phone.refresh_token)).status, 401, "the phone's session ended");
  const oldPassword = await fetch(`${api.baseUrl}/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: RESET_PASSWORD }),
  });
  assert.equal(oldPassword.status, 401, 'the previous password is refused');

  // A session started elsewhere after the change is listed, and signed out after a confirmation.
  const tablet = await signInOverApi(api, { email, password: CHANGED_PASSWORD, deviceToken: phone.device_token, mfaCode: recovery[1], seen });
  await page.reload();
  await sessions.locator(`[data-session-id="${tablet.session_id}"]`).waitFor();
  const row = sessions.locator(`[data-session-id="${tablet.session_id}"]`);
  // Named by its device label, or by browser and system from its User-Agent.
  const name = (await row.locator('.table__primary').textContent()).trim();
  assert.match(name, /Safari|iPhone|iOS/);
  await shoot(page, 'recovery-08-sessions');
  await a11y('account with sessions');
  await row.getByTestId('session-end').click();
  const dialog = page.getByTestId('sessions-confirm');
  await dialog.getByRole('heading', { name: 'Sign out this session?' }).waitFor();
  // Cancel has the focus: Escape or Enter changes nothing.
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel');
  await shoot(page, 'recovery-09-sign-out-session');
  await a11y('sign out confirmation');
  await page.keyboard.press('Escape');
  await dialog.getByRole('heading').waitFor({ state: 'detached' });
  assert.equal(await row.count(), 1, 'cancelled: still listed');
  await row.getByTestId('session-end').click();
  await dialog.getByTestId('sessions-confirm-ok').click();
  await page.getByText(`${name} was signed out.`).waitFor();
  await row.waitFor({ state: 'detached' });
  assert.equal((await refreshOverApi(api, tablet.refresh_token)).status, 401, "the tablet's session ended");

  // Two more elsewhere; "Sign out all other sessions" ends both, and not this one.
  const others = [];
  for (const recoveryCode of [recovery[2], recovery[3]]) {
    others.push(await signInOverApi(api, { email, password: CHANGED_PASSWORD, deviceToken: phone.device_token, mfaCode: recoveryCode, seen }));
  }
  await page.reload();
  await sessions.locator(`[data-session-id="${others[1].session_id}"]`).waitFor();
  assert.equal(await sessions.locator('[data-testid="session"]').count(), 3);
  await page.getByTestId('sessions-end-others').click();
  await dialog.getByRole('heading', { name: 'Sign out all other sessions?' }).waitFor();
  await dialog.getByTestId('sessions-confirm-ok').click();
  await page.getByText('2 other sessions were signed out.').waitFor();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="session"]').length === 1);
  assert.equal(await sessions.locator('[data-current="true"]').count(), 1);
  assert.equal(await page.getByTestId('sessions-end-others').count(), 0);
  for (const other of others) assert.equal((await refreshOverApi(api, other.refresh_token)).status, 401);
  await shoot(page, 'recovery-10-other-sessions-ended');

  // This session still works.
  await page.getByRole('link', { name: 'Projects' }).click();
  await page.getByTestId('cluster-status').first().waitFor();
  assert.deepEqual(page.problems, []);
});

test('after failed sign-ins the reset request asks for the captcha; a link without its token offers a new one', async () => {
  const email = uniqueEmail('wati');
  await createVerifiedAccount(api, { email });
  for (let i = 0; i < 3; i += 1) {
    const res = await fetch(`${api.baseUrl}/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: `Wrong-Password-${i}!x` }),
    });
    assert.equal(res.status, 401);
  }
  const page = await newPage(browser);
  await page.goto(`${api.baseUrl}/sign-in`);
  await page.getByLabel('Email Address').fill(email);
  // The address typed on the sign-in page comes along.
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  assert.equal(await page.getByLabel('Email Address').inputValue(), email);
  await page.getByTestId('forgot-submit').click();
  await page.getByTestId('captcha').waitFor();
  await page.waitForSelector('[data-testid="captcha"][data-state="solved"]', { timeout: 30_000 });
  await shoot(page, 'recovery-captcha-asked');
  await page.getByTestId('forgot-submit').click();
  await page.getByTestId('forgot-sent').waitFor();
  await waitForMail(api.mailDir, { to: email, containing: '/reset-password?token=' });

  await page.goto(`${api.baseUrl}/reset-password`);
  const refused = page.getByTestId('reset-refused');
  await refused.waitFor();
  await page.getByText('This link is incomplete.', { exact: false }).waitFor();
  await refused.getByRole('link', { name: 'Request a new link' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  assert.deepEqual(page.problems, []);
});
