// Steps of the journey, as a person does them in the browser. Each returns when the next page is
// on screen. Used by the tests in ../*.test.mjs.

import assert from 'node:assert/strict';
import { linkIn, sixDigitCode, waitForMail } from './mail.mjs';
import { shoot } from './browser.mjs';

export const STRONG_PASSWORD = 'Quiet-Harbor-Lantern-42';

let counter = 0;
export function uniqueEmail(prefix = 'budi') {
  counter += 1;
  return `${prefix}.${Date.now().toString(36)}${counter}@example.co.id`;
}

/** Scrolls a legal dialog to its end and accepts it. */
export async function readAndAccept(page, kind, shotName) {
  const dialog = page.getByTestId(`legal-dialog-${kind}`);
  await dialog.waitFor();
  await dialog.locator('.doc').waitFor();
  const accept = dialog.getByTestId('legal-accept');
  const body = dialog.locator('.dialog__body');
  const scrollable = await body.evaluate((el) => el.scrollHeight > el.clientHeight + 4);
  // A document longer than the dialog cannot be accepted before its end was shown.
  if (scrollable) assert.equal(await accept.isDisabled(), true, 'Accept is disabled before the document was read');
  if (shotName) await shoot(page, shotName);
  // Read it with the keyboard: the text has the focus, End scrolls to its end.
  await page.keyboard.press('End');
  await body.evaluate((el) => {
    el.scrollTop = el.scrollHeight;
  });
  await page.waitForFunction((k) => !document.querySelector(`[data-testid="legal-dialog-${k}"] [data-testid="legal-accept"]`)?.disabled, kind);
  await accept.click();
  await dialog.waitFor({ state: 'hidden' });
}

export async function solveCaptcha(page) {
  const captcha = page.getByTestId('captcha');
  if ((await captcha.getAttribute('data-state')) !== 'solved') {
    if ((await captcha.getAttribute('data-state')) === 'idle') await captcha.getByRole('checkbox').click();
    await page.waitForSelector('[data-testid="captcha"][data-state="solved"]', { timeout: 30_000 });
  }
}

/** Sign up through the form; returns after "Congratulations". */
export async function signUp(page, api, { fullName, email, password = STRONG_PASSWORD, phone = '812 3456 7890', shots = false }) {
  await page.goto(`${api.baseUrl}/sign-up`);
  await page.getByRole('heading', { name: 'Sign Up' }).waitFor();
  if (shots) await shoot(page, '01-sign-up');
  await page.getByLabel('Full Name').fill(fullName);
  await page.getByLabel('Email Address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByTestId('phone').fill(phone);
  await solveCaptcha(page);
  await page.getByTestId('open-terms').click();
  await readAndAccept(page, 'terms', shots ? '02-sign-up-terms-dialog' : null);
  assert.equal(await page.getByTestId('consent-terms').isChecked(), true, 'Terms checked after reading');
  await page.getByTestId('open-privacy').click();
  await readAndAccept(page, 'privacy');
  if (shots) await shoot(page, '03-sign-up-filled');
  await page.getByTestId('signup-submit').click();
  await page.getByTestId('signup-done').waitFor();
  if (shots) await shoot(page, '04-congratulations');
}

/** Opens the emailed verification link; returns on "Verification Successful". */
export async function verifyEmail(page, api, email, seen, { shots = false } = {}) {
  const mail = await waitForMail(api.mailDir, { to: email, subject: /verify your email/i, seen });
  await page.goto(linkIn(mail, '/verify-email?token='));
  await page.getByTestId('verify-success').waitFor();
  if (shots) await shoot(page, '05-verification-successful');
}

/** Email and password on the sign-in page; returns what the API asked for next. */
export async function signInWithPassword(page, api, { email, password = STRONG_PASSWORD, shots = false, navigate = true }) {
  if (navigate) await page.goto(`${api.baseUrl}/sign-in`);
  await page.getByRole('heading', { name: 'Sign In Now!' }).waitFor();
  await page.getByLabel('Email Address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  if (shots) await shoot(page, '06-sign-in');
  await page.getByTestId('signin-submit').click();
}

/** "We don't recognize the device" → OK → the emailed code. */
export async function enterDeviceCode(page, api, email, seen, { shots = false } = {}) {
  const dialog = page.getByTestId('new-device-dialog');
  await dialog.waitFor();
  if (shots) await shoot(page, '07-new-device');
  await dialog.getByTestId('new-device-ok').click();
  await page.getByRole('heading', { name: 'OTP Verification' }).waitFor();
  const mail = await waitForMail(api.mailDir, { to: email, subject: /verify your device/i, seen });
  if (shots) await shoot(page, '08-device-code');
  const code = sixDigitCode(mail);
  // Typed digit by digit: the boxes advance by themselves and the sixth submits.
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(code, { delay: 30 });
  return code;
}

/** Accept the legal documents (each read in its dialog first). */
export async function acceptLegal(page, { shots = false, kinds = ['terms', 'privacy'] } = {}) {
  await page.getByTestId('legal-form').waitFor();
  if (shots) await shoot(page, '10-accept-legal');
  for (const kind of kinds) {
    await page.getByTestId(`open-${kind}`).click();
    await readAndAccept(page, kind);
    assert.equal(await page.getByTestId(`consent-${kind}`).isChecked(), true);
  }
  await page.getByTestId('legal-submit').click();
}

export async function createOrganization(page, { name = 'PT Maju Bersama', shots = false } = {}) {
  const form = page.getByTestId('organization-form');
  await form.waitFor();
  if (shots) await shoot(page, '11-create-organization');
  await form.getByLabel('Name of Organization', { exact: true }).fill(name);
  await form.getByLabel('Address', { exact: true }).fill('Jl. Jend. Sudirman Kav. 21\nMenara Lintas Lt. 8');
  await form.getByLabel('Country', { exact: true }).selectOption('ID');
  await form.getByLabel('City', { exact: true }).fill('Jakarta Selatan');
  await form.getByLabel('Region', { exact: true }).fill('DKI Jakarta');
  await form.getByLabel('ZIP', { exact: true }).fill('12920');
  await page.getByTestId('business-phone').fill('21 5790 1234');
  await form.getByLabel('Description', { exact: true }).fill('Machine learning for retail demand forecasting.');
  const sales = page.getByTestId('sales-representative');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid="sales-representative"] option').length > 1);
  const value = await sales.locator('option').nth(1).getAttribute('value');
  await sales.selectOption(value);
  if (shots) await shoot(page, '12-create-organization-filled');
  await page.getByTestId('organization-submit').click();
}

export async function createProject(page, { name = 'Demand Forecast', shots = false, vatId = '01.234.567.8-901.000' } = {}) {
  const form = page.getByTestId('project-form');
  await form.waitFor();
  if (shots) await shoot(page, '13-create-project');
  await form.getByLabel('Project Name').fill(name);
  await form.getByLabel('Description Project').fill('Training and serving the forecasting models.');
  await form.getByLabel('Business VAT ID').fill(vatId);
  await form.getByLabel('Business VAT Name').fill('PT Maju Bersama');
  await form.getByLabel('Business VAT Address').fill('Jl. Jend. Sudirman Kav. 21, Jakarta Selatan 12920');
  await page.getByTestId('project-submit').click();
}

/** Activate MFA; returns the TOTP secret read from the page. */
export async function activateMfa(page, { password = STRONG_PASSWORD, totp, shots = false }) {
  await page.getByTestId('mfa-phase-required').waitFor();
  if (shots) await shoot(page, '14-mfa-required');
  await page.getByTestId('mfa-start').click();
  await page.getByTestId('mfa-confirm-form').waitFor();
  await page.getByLabel('Current password', { exact: true }).fill(password);
  if (shots) await shoot(page, '15-mfa-confirm-password');
  await page.getByTestId('mfa-confirm').click();
  const secretEl = page.getByTestId('totp-secret');
  await secretEl.waitFor();
  await page.getByTestId('totp-qr').evaluate((img) => (img.complete ? null : new Promise((r) => (img.onload = r))));
  const secret = await secretEl.getAttribute('data-secret');
  if (shots) await shoot(page, '16-mfa-scan');
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(totp(secret), { delay: 20 });
  const codes = page.getByTestId('recovery-codes');
  await codes.waitFor();
  const recovery = (await codes.locator('li').allTextContents()).map((s) => s.trim());
  assert.equal(recovery.length, 10, 'ten recovery codes');
  // Continuing needs the acknowledgement.
  await page.getByTestId('recovery-continue').click();
  await page.getByText('Please confirm that you saved your recovery codes.').first().waitFor();
  if (shots) await shoot(page, '17-mfa-recovery-codes');
  await page.getByTestId('recovery-ack').check();
  await page.getByTestId('recovery-continue').click();
  return { secret, recovery };
}
