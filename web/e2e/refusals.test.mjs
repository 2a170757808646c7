// What a person sees when something is refused: a weak password, a wrong device code, a bad or
// spent verification link, a wrong password (then the captcha the API asks for).

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount } from './lib/accounts.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import { readAndAccept, signInWithPassword, solveCaptcha, uniqueEmail } from './lib/journey.mjs';
import { waitForMail, sixDigitCode } from './lib/mail.mjs';
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

test('a weak password is shown unmet in the checklist and refused rule by rule, keeping what was typed', async () => {
  const page = await newPage(browser);
  await page.goto(`${api.baseUrl}/sign-up`);
  await page.getByLabel('Full Name').fill('Budi Santoso');
  await page.getByLabel('Email Address').fill(uniqueEmail());
  await page.getByLabel('Password', { exact: true }).fill('budisantoso');
  const checklist = page.getByTestId('password-checklist');
  for (const code of ['password_too_short', 'password_missing_uppercase', 'password_missing_digit', 'password_missing_symbol', 'password_contains_personal_info']) {
    assert.equal(await checklist.locator(`[data-code="${code}"]`).getAttribute('data-state'), 'unmet', code);
  }
  assert.equal(await checklist.locator('[data-code="password_missing_lowercase"]').getAttribute('data-state'), 'met');
  await page.getByTestId('phone').fill('812 3456 7890');
  await solveCaptcha(page);
  await page.getByTestId('open-terms').click();
  await readAndAccept(page, 'terms');
  await page.getByTestId('open-privacy').click();
  await readAndAccept(page, 'privacy');
  await page.getByTestId('signup-submit').click();
  // The API refuses it rule by rule; the rules the checklist already marks are not repeated.
  await page.locator('.field__error', { hasText: 'Your password does not meet the rules marked below.' }).waitFor();
  await page.getByText('Please correct the fields marked below.').waitFor();
  assert.equal(await page.getByLabel('Password', { exact: true }).getAttribute('aria-invalid'), 'true');
  // The focus went to the first invalid field, and nothing typed was lost.
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password');
  assert.equal(await page.getByLabel('Full Name').inputValue(), 'Budi Santoso');
  assert.equal(await page.getByTestId('consent-terms').isChecked(), true);
  await shoot(page, 'refusal-weak-password');
  assert.deepEqual(page.problems, []);
});

test('a wrong device code is refused next to the code, and the right one still works', async () => {
  const email = uniqueEmail('siti');
  const seen = new Set();
  await createVerifiedAccount(api, { email, seen });
  const page = await newPage(browser);
  await signInWithPassword(page, api, { email });
  await page.getByTestId('new-device-ok').click();
  await page.getByRole('heading', { name: 'OTP Verification' }).waitFor();
  const mail = await waitForMail(api.mailDir, { to: email, subject: /verify your device/i, seen });
  const right = sixDigitCode(mail);
  // Wrong in the last digit only: retyping the right code over it types five digits the boxes already hold.
  const wrong = right.slice(0, 5) + String((Number(right[5]) + 1) % 10);
  // Pasted in one go into the first box.
  await page.getByTestId('code-0').focus();
  await page.evaluate((code) => {
    const data = new DataTransfer();
    data.setData('text/plain', code);
    document.activeElement.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, `${wrong.slice(0, 3)} ${wrong.slice(3)}`);
  await page.locator('.field__error', { hasText: 'That code is not correct' }).waitFor();
  assert.match(await page.getByTestId('device-resend').textContent(), /Resend code in \d+ s/);
  await shoot(page, 'refusal-wrong-device-code');
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(right, { delay: 20 });
  await page.waitForURL('**/onboarding/organization');
  assert.deepEqual(page.problems, []);
});

test('an invalid or already used verification link says why and offers a new one', async () => {
  const page = await newPage(browser);
  await page.goto(`${api.baseUrl}/verify-email?token=not-a-real-token`);
  const failed = page.getByTestId('verify-failed');
  await failed.waitFor();
  assert.equal(await failed.getAttribute('data-code'), 'verification_token_invalid');
  await page.getByText('This verification link is not valid.').waitFor();
  await page.getByRole('button', { name: 'Send a new link' }).waitFor();
  await shoot(page, 'refusal-invalid-link');

  const email = uniqueEmail('rina');
  const { token } = await createVerifiedAccount(api, { email });
  await page.goto(`${api.baseUrl}/verify-email?token=${encodeURIComponent(token)}`);
  await failed.waitFor();
  assert.match(await failed.getAttribute('data-code'), /verification_token_used|email_already_verified/);
  await shoot(page, 'refusal-used-link');

  await page.goto(`${api.baseUrl}/verify-email`);
  await page.getByText('This link is incomplete.', { exact: false }).waitFor();
  assert.deepEqual(page.problems, []);
});

test('wrong passwords are refused, then the captcha the API asks for is solved and sign-in goes on', async () => {
  const email = uniqueEmail('agus');
  await createVerifiedAccount(api, { email });
  const page = await newPage(browser);
  await page.goto(`${api.baseUrl}/sign-in`);
  for (let i = 0; i < 3; i += 1) {
    await signInWithPassword(page, api, { email, password: `Wrong-Password-${i}!x`, navigate: false });
    await page.getByText('The email address or password is incorrect.').waitFor();
    assert.equal(await page.getByLabel('Email Address').inputValue(), email, 'the email stays');
  }
  await shoot(page, 'refusal-wrong-password');
  // The next attempt needs a captcha: the API says so with a 422 on the `captcha` field.
  await signInWithPassword(page, api, { email, navigate: false });
  await page.getByTestId('captcha').waitFor();
  await page.waitForSelector('[data-testid="captcha"][data-state="solved"]', { timeout: 30_000 });
  await shoot(page, 'refusal-captcha-asked');
  await page.getByTestId('signin-submit').click();
  await page.getByTestId('new-device-dialog').waitFor();
  assert.deepEqual(page.problems, []);
});
