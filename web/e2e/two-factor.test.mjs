// Two-factor authentication on the account page: a person who finished onboarding sees since when
// it is on, makes new recovery codes (the earlier ones stop working; a new one signs in), and
// moves to a new authenticator app: the key read from the page, a code from it switches over, the
// old app's codes are refused and the new app's sign in.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { createVerifiedAccount, signInOverApi } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { STRONG_PASSWORD, activateMfa, createOrganization, createProject, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { startApi } from './lib/server.mjs';
import { base32Decode, currentStep, hotp, totp, unusedTotp } from './lib/totp.mjs';

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

/** Six digits that none of the codes the API would take right now (±1 step) are. */
function wrongCode(secret) {
  const now = currentStep();
  const key = base32Decode(secret);
  const taken = new Set([now - 1, now, now + 1, now + 2].map((s) => hotp(key, s)));
  for (let n = 0; ; n += 1) {
    const code = String(n).padStart(6, '0');
    if (!taken.has(code)) return code;
  }
}

/** The ten codes on screen. */
async function codesOnScreen(page) {
  const list = page.getByTestId('recovery-codes');
  await list.waitFor();
  return (await list.locator('li').allTextContents()).map((s) => s.trim());
}

test('new recovery codes replace the earlier ones, and a new authenticator app replaces the old one', async () => {
  const email = uniqueEmail('yusuf');
  const seen = new Set();
  await createVerifiedAccount(api, { email, fullName: 'Yusuf Pratama', seen });
  const page = await newPage(browser);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);
  const active = () => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.getAttribute('name') ?? document.activeElement?.tagName);

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
  const lastStep = currentStep();
  await page.waitForURL('**/projects');

  // Right after Change password: on since today.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('profile').waitFor();
  const headings = await page.locator('main h2').allTextContents();
  assert.deepEqual(headings.slice(0, 5), ['Profile', 'Change password', 'Two-factor authentication', 'Sessions', 'Your data']);
  const since = page.getByTestId('mfa-since');
  await since.getByText(/^On since \d{1,2} \w{3,4} \d{4}$/).waitFor();
  assert.equal(await page.getByTestId('mfa-replaced').count(), 0, 'the first authenticator');

  // New recovery codes: the form opens below, the password focused; empty fields are caught here.
  const codesStart = page.getByTestId('mfa-codes-start');
  await codesStart.click();
  const codesForm = page.getByTestId('mfa-codes-form');
  await codesForm.waitFor();
  assert.equal(await codesStart.getAttribute('aria-expanded'), 'true');
  assert.equal(await active(), 'password');
  await page.getByTestId('mfa-codes-submit').click();
  await codesForm.locator('.field__error', { hasText: 'Please fill in this field.' }).waitFor();
  await codesForm.locator('.field__error', { hasText: 'Enter the code from your authenticator app, or a recovery code.' }).waitFor();
  assert.equal(await active(), 'password', 'the first field marked has the focus');

  // A wrong password: the dialog first (Cancel has the focus, and changes nothing), then the API refuses.
  await codesForm.getByLabel('Current password', { exact: true }).fill('Not-My-Password-99');
  await codesForm.getByLabel('Authenticator code', { exact: true }).fill(recovery[0]);
  await page.getByTestId('mfa-codes-submit').click();
  const confirm = page.getByTestId('mfa-codes-confirm');
  await confirm.getByRole('heading', { name: 'Replace your recovery codes?' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Cancel', 'Cancel has the focus');
  await shoot(page, 'two-factor-01-confirm-new-codes');
  await a11y('new recovery codes dialog');
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.getByRole('heading').waitFor({ state: 'detached' });
  assert.equal(await active(), 'mfa-codes-submit', 'the focus goes back');
  await page.getByTestId('mfa-codes-submit').click();
  await page.getByTestId('mfa-codes-confirm-ok').click();
  await codesForm.locator('.field__error', { hasText: 'The current password is incorrect.' }).waitFor();
  assert.equal(await codesForm.getByLabel('Current password', { exact: true }).getAttribute('aria-invalid'), 'true');

  // The right password and a recovery code from onboarding: ten new codes, shown once.
  await codesForm.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await page.getByTestId('mfa-codes-submit').click();
  const [made] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/me/mfa/recovery-codes')),
    page.getByTestId('mfa-codes-confirm-ok').click(),
  ]);
  assert.equal(made.status(), 200);
  const fresh = await codesOnScreen(page);
  assert.equal(fresh.length, 10, 'ten recovery codes');
  assert.deepEqual(fresh, (await made.json()).recovery_codes);
  assert.equal(new Set([...fresh, ...recovery]).size, 20, 'all new');
  await page.getByTestId('mfa-message').getByText('You have ten new recovery codes. Your earlier recovery codes no longer work.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Save your new recovery codes', 'the heading has the focus');
  assert.equal(await codesStart.isDisabled(), true, 'nothing else starts while the codes are on screen');
  await shoot(page, 'two-factor-02-new-codes');
  await a11y('new recovery codes');

  // Saved as a file, like at onboarding.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('recovery-download').click()]);
  assert.match(download.suggestedFilename(), /-recovery-codes\.txt$/);
  const file = readFileSync(await download.path(), 'utf8');
  assert.ok(file.includes(email), 'the file names the account');
  for (const code of fresh) assert.ok(file.includes(code), 'the file holds every code');

  // Put away once saved; the focus goes back to the button.
  await page.getByTestId('recovery-done').click();
  await page.getByText('Please confirm that you saved your recovery codes.').first().waitFor();
  await page.getByTestId('recovery-ack').check();
  await page.getByTestId('recovery-done').click();
  await page.getByTestId('mfa-fresh-codes').waitFor({ state: 'detached' });
  assert.equal(await active(), 'mfa-codes-start', 'the focus goes back');
  await page.getByTestId('mfa-message').getByText('Your earlier recovery codes no longer work.', { exact: false }).waitFor();

  // An earlier code no longer signs in.
  await assert.rejects(
    signInOverApi(api, { email, password: STRONG_PASSWORD, mfaCode: recovery[1], seen }),
    /mfa-code: 400 .*invalid_code/,
    'an earlier recovery code is refused',
  );

  // Signed out, and back in with one of the new codes.
  await page.getByRole('button', { name: 'Sign Out' }).first().click();
  await page.waitForURL('**/sign-in');
  await signInWithPassword(page, api, { email, navigate: false });
  await page.getByTestId('mfa-form').waitFor();
  await page.getByTestId('mfa-toggle-recovery').click();
  await page.getByTestId('recovery-code').fill(fresh[3]);
  // A slow network: the app moves on once, when it knows where to; a click made on the page it
  // shows is not undone by a later answer.
  const slow = async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  };
  await page.route('**/v1/me/onboarding', slow);
  await page.getByTestId('mfa-submit').click();
  await page.waitForURL('**/projects');

  // A new phone: the password and a code from the app in use now.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.waitForTimeout(2000);
  assert.match(page.url(), /\/account$/, 'still on the account page');
  await page.unroute('**/v1/me/onboarding', slow);
  const replaceStart = page.getByTestId('mfa-replace-start');
  await replaceStart.click();
  const replaceForm = page.getByTestId('mfa-replace-form');
  await replaceForm.waitFor();
  assert.equal(await replaceStart.getAttribute('aria-expanded'), 'true');
  assert.equal(await active(), 'password');
  await replaceForm.getByText('The 6-digit code from the app you use now, or one of your recovery codes.').waitFor();

  // A wrong code: the API does not say which of the two was wrong; the code is asked for again.
  await replaceForm.getByLabel('Current password', { exact: true }).fill(STRONG_PASSWORD);
  await replaceForm.getByLabel('Authenticator code', { exact: true }).fill(wrongCode(secret));
  await page.getByTestId('mfa-replace-submit').click();
  const refusal = replaceForm.getByRole('alert');
  await refusal.getByText('The password or code is incorrect.').waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'alert', 'the message has the focus');
  assert.equal(await replaceForm.getByLabel('Authenticator code', { exact: true }).inputValue(), '');
  await shoot(page, 'two-factor-03-replace-refused');
  await a11y('replace the authenticator form');

  const oldCode = await unusedTotp(secret, lastStep);
  await replaceForm.getByLabel('Authenticator code', { exact: true }).fill(oldCode.code);
  const [started] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/v1/me/mfa/totp') && r.request().method() === 'POST'),
    page.getByTestId('mfa-replace-submit').click(),
  ]);
  assert.equal(started.status(), 201);

  // The new key, as at onboarding: a QR code and the key to type in.
  const scan = page.getByTestId('mfa-replace-scan');
  await scan.getByRole('heading', { name: 'Scan the QR code with the new app' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Scan the QR code with the new app', 'the heading has the focus');
  const secretEl = page.getByTestId('totp-secret');
  await page.getByTestId('totp-qr').evaluate((img) => (img.complete ? null : new Promise((r) => (img.onload = r))));
  const newSecret = await secretEl.getAttribute('data-secret');
  assert.ok(newSecret && newSecret !== secret, 'a new key');
  assert.equal((await secretEl.textContent()).replace(/\s/g, ''), newSecret);
  await scan.getByText(`(${email})`, { exact: false }).waitFor();
  await shoot(page, 'two-factor-04-replace-scan');
  await a11y('replace the authenticator: scan');

  // A wrong code from the new app, then the right one: the boxes submit by themselves.
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(wrongCode(newSecret), { delay: 20 });
  await scan.locator('.field__error', { hasText: 'That code is not correct. Enter the code your app shows now.' }).waitFor();
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(totp(newSecret), { delay: 20 });
  const replaced = await codesOnScreen(page);
  const newStep = currentStep();
  assert.equal(replaced.length, 10, 'ten recovery codes with the new app');
  assert.equal(new Set([...replaced, ...fresh]).size, 20, 'all new');
  await page.getByTestId('mfa-message').getByText('Your new authenticator app is set up. The old one no longer works, and neither do your earlier recovery codes.').waitFor();
  await page.getByTestId('mfa-replaced').getByText(/^Replaced \d{1,2} \w{3,4} \d{4}$/).waitFor();
  await since.getByText(/^On since /).waitFor();
  await shoot(page, 'two-factor-05-replaced');
  await a11y('authenticator replaced');
  await page.getByTestId('recovery-ack').check();
  await page.getByTestId('recovery-done').click();
  await page.getByTestId('mfa-fresh-codes').waitFor({ state: 'detached' });
  assert.equal(await active(), 'mfa-replace-start', 'the focus goes back');

  // The old app's codes sign in no more, not even one it has not shown before.
  const oldNext = await unusedTotp(secret, oldCode.step);
  await assert.rejects(
    signInOverApi(api, { email, password: STRONG_PASSWORD, mfaCode: oldNext.code, seen }),
    /mfa-code: 400 .*invalid_code/,
    'the old authenticator is refused',
  );

  // In Bahasa Indonesia.
  await page.getByTestId('language').selectOption('id');
  await page.getByRole('heading', { name: 'Autentikasi dua faktor', exact: true }).waitFor();
  await page.getByTestId('mfa-since').getByText(/^Aktif sejak /).waitFor();
  await page.getByRole('button', { name: 'Ganti autentikator' }).waitFor();
  await shoot(page, 'two-factor-06-id');
  await page.getByTestId('language').selectOption('en');

  // Signed out, and back in with the new app.
  await page.getByRole('button', { name: 'Sign Out' }).first().click();
  await page.waitForURL('**/sign-in');
  await signInWithPassword(page, api, { email, navigate: false });
  await page.getByTestId('mfa-form').waitFor();
  const newCode = await unusedTotp(newSecret, newStep);
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(newCode.code, { delay: 20 });
  await page.waitForURL('**/projects');

  // Read again from the security log: on since the first app, the new one dated apart.
  await page.getByRole('link', { name: 'Account' }).click();
  await page.getByTestId('mfa-replaced').getByText(/^Replaced \d{1,2} \w{3,4} \d{4}$/).waitFor();
  await page.getByTestId('mfa-since').getByText(/^On since \d{1,2} \w{3,4} \d{4}$/).waitFor();
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
