// Closing an account and restoring it. A person who finished onboarding owns an organization with a
// project: the account page refuses to close it and says which organization is in the way. An
// account without organizations is closed over the API: its sessions end, signing in is refused,
// and the emailed link restores it from the browser, once. An invited account (no organization)
// is closed from the account page: the browser is signed out and told until when the emailed link
// works.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount, refreshOverApi, signInOverApi } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import {
  STRONG_PASSWORD,
  acceptLegal,
  activateMfa,
  createOrganization,
  createProject,
  enterDeviceCode,
  signInWithPassword,
  uniqueEmail,
} from './lib/journey.mjs';
import { linkIn, waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { currentStep, totp, unusedTotp } from './lib/totp.mjs';

const CLOSED_MESSAGE = 'This account was closed. The email we sent when it was closed has a link that restores it until its data is erased.';
const LINK_INVALID = "This link is not valid: it was used, or the account's data was already erased.";
const DAY = 24 * 60 * 60 * 1000;

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

/** The close form, filled: the typed address, the password and a code. */
async function fillCloseForm(page, { typed, password, code }) {
  const form = page.getByTestId('close-form');
  await form.getByLabel('Type your email address to confirm', { exact: true }).fill(typed);
  await form.getByLabel('Current password', { exact: true }).fill(password);
  await form.getByLabel('Authenticator code', { exact: true }).fill(code);
}

/** Submits the close form and confirms in the dialog (Cancel has the focus). */
async function confirmClosure(page) {
  await page.getByTestId('close-submit').click();
  const dialog = page.getByTestId('close-confirm');
  await dialog.getByRole('heading', { name: 'Close your account?' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'Cancel has the focus');
  await dialog.getByTestId('close-confirm-ok').click();
}

test('closing is refused while the person alone owns an organization with a project, and the page says which', async () => {
  const email = uniqueEmail('wulan');
  const seen = new Set();
  await createVerifiedAccount(api, { email, fullName: 'Wulan Sari', seen });
  const page = await newPage(browser);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);

  // Onboarding creates an organization and its first project.
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  await createOrganization(page, { name: 'PT Sinar Wulan' });
  await page.waitForURL('**/onboarding/project');
  await createProject(page);
  await page.waitForURL('**/onboarding/mfa');
  const { secret } = await activateMfa(page, { totp: (s) => totp(s) });
  let lastStep = currentStep();
  await page.waitForURL('**/projects');

  // The last section of the account page, its consequences spelled out.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('profile').waitFor();
  const headings = await page.locator('main h2').allTextContents();
  assert.equal(headings.at(-1), 'Close account');
  const consequences = await page.getByTestId('close-consequences').locator('li').allTextContents();
  assert.equal(consequences.length, 4);
  assert.match(consequences.join(' '), /signed out at once on every device/);
  assert.match(consequences.join(' '), /After 30 days, your personal data is erased/);
  assert.match(consequences.join(' '), /only owner of an organization that has projects or other members/);

  // The form opens below, the typed confirmation focused; the button works once the address matches.
  await page.getByTestId('close-start').click();
  const form = page.getByTestId('close-form');
  await form.waitFor();
  assert.equal(await page.getByTestId('close-start').getAttribute('aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'confirm_email');
  const submit = page.getByTestId('close-submit');
  const gate = page.getByTestId('close-gate');
  assert.equal(await submit.isDisabled(), true);
  assert.equal(await gate.textContent(), 'The Close account button works once the email address matches.');
  assert.equal(await submit.getAttribute('aria-describedby'), await gate.getAttribute('id'));
  await form.getByText(`Type ${email}, the address you sign in with`, { exact: false }).waitFor();
  await form.getByLabel('Type your email address to confirm', { exact: true }).fill(email.slice(0, -1));
  assert.equal(await submit.isDisabled(), true);

  // A wrong password, refused by the API; the dialog's Cancel first changes nothing.
  let code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await fillCloseForm(page, { typed: ` ${email.toUpperCase()} `, password: 'Not-My-Password-99', code: code.code });
  assert.equal(await submit.isDisabled(), false);
  assert.equal(await gate.textContent(), 'The email address matches.');
  await shoot(page, 'closure-01-close-form');
  await a11y('close account form');
  await submit.click();
  const dialog = page.getByTestId('close-confirm');
  await dialog.getByRole('heading', { name: 'Close your account?' }).waitFor();
  await dialog.getByText(`the link we email to ${email}`, { exact: false }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'Cancel has the focus');
  await shoot(page, 'closure-02-confirm');
  await a11y('close account dialog');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.getByRole('heading').waitFor({ state: 'detached' });
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), 'close-submit', 'the focus goes back');
  await confirmClosure(page);
  await form.locator('.field__error', { hasText: 'The current password is incorrect.' }).waitFor();
  assert.equal(await form.getByLabel('Current password', { exact: true }).getAttribute('aria-invalid'), 'true');
  assert.equal(await form.getByLabel('Authenticator code', { exact: true }).inputValue(), '', 'a code is asked for again');

  // The right password and a new code: refused for the organization, which the message names.
  code = await unusedTotp(secret, lastStep);
  lastStep = code.step;
  await form.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await form.getByLabel('Authenticator code', { exact: true }).fill(code.code);
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'DELETE'),
    confirmClosure(page),
  ]);
  assert.equal(answer.status(), 409);
  assert.equal((await answer.json()).code, 'sole_owner');
  const refusal = form.getByRole('alert');
  await refusal
    .getByText('You are the only owner of organizations that have projects or other members (PT Sinar Wulan): make another member an owner, or delete their projects and the organization, first.')
    .waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert', 'the message has the focus');
  await shoot(page, 'closure-03-sole-owner');
  await a11y('closure refused');

  // In Bahasa Indonesia, with the same name.
  await page.getByTestId('language').selectOption('id');
  await refusal.getByText('Anda satu-satunya pemilik organisasi yang memiliki proyek atau anggota lain (PT Sinar Wulan)', { exact: false }).waitFor();
  await page.getByRole('heading', { name: 'Tutup akun', exact: true }).waitFor();
  await shoot(page, 'closure-04-sole-owner-id');
  await page.getByTestId('language').selectOption('en');

  // Still open and signed in.
  await page.reload();
  await page.getByTestId('profile-email').getByText(email).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an account closed over the API signs in no more until the emailed link restores it, once', async () => {
  const email = uniqueEmail('agus');
  const seen = new Set();
  await createVerifiedAccount(api, { email, fullName: 'Agus Salim', seen });
  const tokens = await signInOverApi(api, { email, password: STRONG_PASSWORD, seen });

  // No organization: closing needs the password only (MFA is not on yet).
  const closedAt = Date.now();
  const res = await fetch(`${api.baseUrl}/v1/me`, {
    method: 'DELETE',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.access_token}` },
    body: JSON.stringify({ password: STRONG_PASSWORD }),
  });
  assert.equal(res.status, 202);
  const { erase_after: eraseAfter } = await res.json();
  const days = (new Date(eraseAfter).getTime() - closedAt) / DAY;
  assert.ok(days > 29.9 && days < 30.1, `erased after 30 days, not ${days}`);
  // Every session ended at once.
  const refreshed = await refreshOverApi(api, tokens.refresh_token);
  assert.equal(refreshed.status, 401);
  const me = await fetch(`${api.baseUrl}/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  assert.equal(me.status, 401);
  const mail = await waitForMail(api.mailDir, { to: email, subject: /Your account was closed/, seen });
  const link = linkIn(mail, '/restore-account?token=');

  // Signing in says why it is refused.
  const page = await newPage(browser);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);
  await signInWithPassword(page, api, { email });
  await page.getByTestId('signin-form').getByRole('alert').getByText(CLOSED_MESSAGE).waitFor();
  await shoot(page, 'closure-05-sign-in-closed');
  await a11y('sign-in of a closed account');

  // A made-up link is refused, after the button.
  await page.goto(`${api.baseUrl}/restore-account?token=not-a-real-token`);
  await page.getByRole('heading', { name: 'Restore your account' }).waitFor();
  await page.waitForURL((url) => url.pathname === '/restore-account' && !url.search.includes('token'));
  await page.getByTestId('restore-submit').click();
  const refused = page.getByTestId('restore-refused');
  await refused.getByText(LINK_INVALID).waitFor();
  assert.equal(await refused.getAttribute('data-code'), 'restore_link_invalid');
  await shoot(page, 'closure-06-restore-link-invalid');

  // The emailed link: nothing happens until the button; the token leaves the address bar.
  await page.goto(link);
  await page.getByRole('heading', { name: 'Restore your account' }).waitFor();
  await page.waitForURL((url) => url.pathname === '/restore-account' && !url.search.includes('token'));
  await shoot(page, 'closure-07-restore');
  await a11y('restore account');
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/account-closures/restore')),
    page.getByTestId('restore-submit').click(),
  ]);
  assert.equal(answer.status(), 200);
  assert.deepEqual(await answer.json(), { email });
  const done = page.getByTestId('restore-done');
  await done.getByText(`Your account is restored. Sign in with ${email}.`).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'the heading has the focus');
  await shoot(page, 'closure-08-restored');
  await a11y('account restored');

  // The link works once.
  const again = await newPage(browser);
  await again.goto(link);
  await again.getByTestId('restore-submit').click();
  await again.getByTestId('restore-refused').getByText(LINK_INVALID).waitFor();
  assert.deepEqual(again.problems, []);
  await again.context().close();

  // Signed in again as before: a new device, then onboarding where it stopped.
  await done.getByRole('link', { name: 'Sign In' }).click();
  await page.waitForURL('**/sign-in');
  assert.equal(await page.getByLabel('Email Address').inputValue(), email);
  await signInWithPassword(page, api, { email, navigate: false });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test('an account without organizations is closed from the account page: this browser is signed out, and told until when it can be restored', async () => {
  const email = uniqueEmail('rina.staff');
  const seen = new Set();
  api.cli(['create-admin', '--email', email, '--full-name', 'Rina Hartati', '--phone-number', '+62 811 1000 3000']);
  const invitation = await waitForMail(api.mailDir, { to: email, subject: /./, seen, timeout: 20_000 });
  const page = await newPage(browser);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);
  await page.goto(linkIn(invitation, '/accept-invitation?token='));
  await page.getByTestId('invitation-form').waitFor();
  await page.getByLabel('New password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByLabel('Confirm password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByTestId('invitation-submit').click();
  await page.getByTestId('invitation-done').waitFor();
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/legal');
  await acceptLegal(page);
  await page.waitForURL('**/onboarding/mfa');
  const { secret } = await activateMfa(page, { totp: (s) => totp(s) });
  const lastStep = currentStep();
  await page.waitForURL('**/projects');

  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('close-start').click();
  const code = await unusedTotp(secret, lastStep);
  await fillCloseForm(page, { typed: email, password: STRONG_PASSWORD, code: code.code });
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/me') && r.request().method() === 'DELETE'),
    confirmClosure(page),
  ]);
  assert.equal(answer.status(), 202);
  const { erase_after: eraseAfter } = await answer.json();

  // A public page says what happened, until when the emailed link works, and what comes after.
  const closed = page.getByTestId('account-closed');
  await closed.getByRole('heading', { name: 'Your account was closed' }).waitFor();
  await page.waitForURL('**/account-closed');
  assert.equal(await page.evaluate(() => document.activeElement?.tagName), 'H1', 'the heading has the focus');
  await closed.getByText('You were signed out on every device, and signing in to this account is refused.').waitFor();
  const until = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' }).format(new Date(eraseAfter));
  assert.equal(await page.getByTestId('account-closed-restore').textContent(), `We emailed you a link that restores the account. It works until ${until}.`);
  await closed.getByText('After that date, your personal data is erased for good', { exact: false }).waitFor();
  assert.equal(await page.getByRole('banner').getByText(email).count(), 0, 'signed out here');
  await shoot(page, 'closure-09-closed');
  await a11y('account closed');
  const mail = await waitForMail(api.mailDir, { to: email, subject: /Your account was closed/, seen });
  linkIn(mail, '/restore-account?token=');

  // A reload keeps the page; the account pages are gone, without "your session has ended".
  await page.reload();
  await closed.getByRole('heading', { name: 'Your account was closed' }).waitFor();
  await closed.getByRole('link', { name: 'Go to the start page' }).click();
  await page.waitForURL('**/sign-in');
  await page.goto(`${api.baseUrl}/account`);
  await page.waitForURL('**/sign-in');
  await page.getByRole('heading', { name: 'Sign In Now!' }).waitFor();
  assert.equal(await page.getByText('Your session has ended.', { exact: false }).count(), 0);

  // The device is still trusted, yet the right password is answered with the closure.
  await signInWithPassword(page, api, { email, navigate: false });
  await page.getByTestId('signin-form').getByRole('alert').getByText(CLOSED_MESSAGE).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
