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
  assert.equal(await accept.isDisabled(), true, 'Accept is disabled before the document was read');
  if (shotName) await shoot(page, shotName);
  await dialog.locator('.dialog__body').evaluate((el) => {
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
