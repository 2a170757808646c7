// By keyboard alone, on a phone-sized screen, in Bahasa Indonesia: sign up (the language picked
// with the switcher), verify, and sign in from a new device.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { PHONE, launch, newPage, shoot } from './lib/browser.mjs';
import { STRONG_PASSWORD, uniqueEmail } from './lib/journey.mjs';
import { linkIn, sixDigitCode, waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { axeViolations } from './lib/axe.mjs';

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

/** Presses Tab until the focused element matches `selector`; fails after `max` presses. */
async function tabTo(page, selector, max = 40) {
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function focusVisible(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return false;
    const style = getComputedStyle(el);
    return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
  });
}

test('sign up, verify and sign in by keyboard alone, in Bahasa Indonesia, at 390 px', async () => {
  const page = await newPage(browser, { viewport: PHONE, locale: 'en-US' });
  const email = uniqueEmail('dewi');
  const seen = new Set();
  await page.goto(`${api.baseUrl}/sign-up`);
  await page.getByRole('heading', { name: 'Sign Up' }).waitFor();

  // The language switcher, by keyboard.
  await tabTo(page, '[data-testid="language"]');
  await page.keyboard.press('ArrowDown');
  await page.getByRole('heading', { name: 'Daftar' }).waitFor();

  await tabTo(page, 'input[name="full_name"]');
  assert.ok(await focusVisible(page), 'the focus is visible');
  await page.keyboard.type('Dewi Lestari');
  await page.keyboard.press('Tab');
  await page.keyboard.type(email);
  await page.keyboard.press('Tab');
  await page.keyboard.type(STRONG_PASSWORD);
  await tabTo(page, '[data-testid="phone"]');
  await page.keyboard.type('813 2222 3333');
  await tabTo(page, '[data-testid="captcha"] [role="checkbox"]');
  await page.keyboard.press('Space');
  await page.waitForSelector('[data-testid="captcha"][data-state="solved"]', { timeout: 30_000 });

  for (const kind of ['terms', 'privacy']) {
    // The box cannot be ticked before the document was read: Space opens it.
    await tabTo(page, `[data-testid="consent-${kind}"]`);
    await page.keyboard.press('Space');
    const dialog = page.getByTestId(`legal-dialog-${kind}`);
    await dialog.locator('.doc').waitFor();
    if (kind === 'terms') await shoot(page, 'id-keyboard-terms-dialog');
    await page.keyboard.press('End');
    await page.waitForFunction((k) => !document.querySelector(`[data-testid="legal-dialog-${k}"] [data-testid="legal-accept"]`)?.disabled, kind);
    await tabTo(page, `[data-testid="legal-dialog-${kind}"] [data-testid="legal-accept"]`);
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
    assert.equal(await page.getByTestId(`consent-${kind}`).isChecked(), true);
    // The focus came back to where it was (the dialog hands it back as it closes: wait for
    // that frame rather than read the focus in the same instant).
    await page
      .waitForFunction((k) => document.activeElement?.getAttribute('data-testid') === `consent-${k}`, kind, { timeout: 2_000 })
      .catch(() => {});
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('data-testid')), `consent-${kind}`);
  }
  await shoot(page, 'id-keyboard-sign-up-filled');
  assert.deepEqual(await axeViolations(page), [], 'accessibility of the filled sign-up form at 390 px');
  await tabTo(page, '[data-testid="signup-submit"]');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Selamat' }).waitFor();
  await shoot(page, 'id-keyboard-congratulations');

  const verify = await waitForMail(api.mailDir, { to: email, subject: /./, seen });
  await page.goto(linkIn(verify, '/verify-email?token='));
  await page.getByRole('heading', { name: 'Verifikasi Berhasil' }).waitFor();
  await tabTo(page, 'a[href="/sign-in"]');
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Masuk Sekarang!' }).waitFor();
  await tabTo(page, 'input[name="password"]');
  await page.keyboard.type(STRONG_PASSWORD);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Kami tidak mengenali perangkat ini' }).waitFor();
  await shoot(page, 'id-keyboard-new-device');
  // OK has the focus.
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'Verifikasi OTP' }).waitFor();
  assert.deepEqual(await axeViolations(page), [], 'accessibility of the code page');
  const device = await waitForMail(api.mailDir, { to: email, subject: /verify your device|verifikasi perangkat/i, seen });
  // The first box has the focus: just type.
  await page.keyboard.type(sixDigitCode(device), { delay: 20 });
  await page.getByRole('heading', { name: 'Buat Organisasi' }).waitFor();
  await shoot(page, 'id-keyboard-create-organization');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'id');
  assert.deepEqual(page.problems, []);
});
