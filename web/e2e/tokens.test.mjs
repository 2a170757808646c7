// Programs acting for a person. A person who finished onboarding creates a personal access token
// on the account page, sees it once and copies it; a program (node, here) reaches what its scope
// allows and is refused the rest; after a reload the token is no longer shown, only listed with
// its last use; revoked, it stops working. Then a CLI signs in by device code (RFC 8628): the
// person opens the link it prints, checks the program and its scopes, approves, and the CLI's
// polling gets tokens; the session is listed with its scopes; a second request is denied and the
// CLI is told `access_denied`. Last, the tokens section and the /device page pass axe, in English
// and in Bahasa Indonesia, on a phone.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createVerifiedAccount } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { PHONE, launch, newPage, shoot } from './lib/browser.mjs';
import { STRONG_PASSWORD, activateMfa, createOrganization, createProject, enterDeviceCode, signInWithPassword, uniqueEmail } from './lib/journey.mjs';
import { startApi } from './lib/server.mjs';
import { currentStep, totp, unusedTotp } from './lib/totp.mjs';

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

let api;
let browser;
/** The person of these tests, onboarded once: their page, TOTP key and organization. */
let person;

before(async () => {
  // Request logging on, so that "nothing secret is logged" means something.
  api = await startApi({ RUST_LOG: 'info' });
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await api?.stop();
});

/** A person through the whole journey in the browser, MFA on, on the project list. */
async function onboard() {
  const email = uniqueEmail('tokens');
  const seen = new Set();
  await createVerifiedAccount(api, { email, fullName: 'Wulan Sari', seen });
  const page = await newPage(browser);
  let organizationId = null;
  page.on('response', async (response) => {
    if (organizationId || response.request().method() !== 'GET' || !/\/v1\/organizations(\?|$)/.test(response.url())) return;
    const body = await response.json().catch(() => null);
    organizationId = body?.items?.[0]?.id ?? null;
  });
  await signInWithPassword(page, api, { email });
  await enterDeviceCode(page, api, email, seen);
  await page.waitForURL('**/onboarding/organization');
  await createOrganization(page, { name: 'PT Awan Nusantara' });
  await page.waitForURL('**/onboarding/project');
  await createProject(page, { name: 'Inference API' });
  await page.waitForURL('**/onboarding/mfa');
  const { secret } = await activateMfa(page, { totp: (s) => totp(s) });
  await page.waitForURL('**/projects');
  for (let i = 0; !organizationId && i < 50; i += 1) await page.waitForTimeout(100);
  assert.ok(organizationId, 'the console listed the organization');
  return { page, email, seen, secret, organizationId, lastStep: currentStep() };
}

/** A request as a program makes it, with `token` as bearer. */
async function asProgram(path, token) {
  const res = await fetch(`${api.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}` } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, wwwAuthenticate: res.headers.get('www-authenticate') };
}

/** A form POST, as an OAuth client sends it. */
async function oauth(path, fields) {
  const res = await fetch(`${api.baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: await res.json() };
}

/** The CLI's side of the device grant: ask for codes, then poll no faster than told. */
async function startDeviceSignIn(scope) {
  const { status, body } = await oauth('/v1/oauth/device_authorization', { client_id: 'portal', scope });
  assert.equal(status, 200, JSON.stringify(body));
  let interval = body.interval;
  let last = 0;
  return {
    ...body,
    /** One poll, after waiting out the interval since the last one. */
    async poll() {
      const wait = last + interval * 1000 + 250 - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      last = Date.now();
      const answer = await oauth('/v1/oauth/token', { grant_type: DEVICE_GRANT, device_code: body.device_code, client_id: 'portal' });
      if (answer.body.error === 'slow_down') interval += 5;
      return answer;
    },
    /** A poll right away, too early on purpose. */
    async pollNow() {
      last = Date.now();
      const answer = await oauth('/v1/oauth/token', { grant_type: DEVICE_GRANT, device_code: body.device_code, client_id: 'portal' });
      if (answer.body.error === 'slow_down') interval += 5;
      return answer;
    },
  };
}

/** Fills the new-token form and submits it; answers the password and code when the API asks for them. */
async function createToken(page, { name, scopes, lifetime = '30' }) {
  const section = page.getByTestId('tokens-section');
  if (!(await page.getByTestId('token-form').isVisible())) await section.getByTestId('token-new').click();
  const form = page.getByTestId('token-form');
  await form.waitFor();
  await form.locator('input[name="token_name"]').fill(name);
  for (const scope of scopes) await page.getByTestId(`token-scope-${scope}`).check();
  await page.getByTestId('token-lifetime').selectOption(lifetime);
  await page.getByTestId('token-submit').click();
  const fresh = page.getByTestId('token-fresh');
  const reauth = page.getByTestId('token-reauth');
  await page.waitForSelector('[data-testid="token-fresh"], [data-testid="token-reauth"]');
  if (await reauth.isVisible()) {
    // The sign-in is older than five minutes: the password and a code, in the same form.
    const code = await unusedTotp(person.secret, person.lastStep);
    person.lastStep = code.step;
    await form.locator('input[name="password"]').fill(STRONG_PASSWORD);
    await form.locator('input[name="mfa_code"]').fill(code.code);
    await page.getByTestId('token-submit').click();
    await fresh.waitFor();
  }
  return (await page.getByTestId('token-value').textContent()).trim();
}

test('a personal access token is shown once, works within its scope, is listed with its last use, and stops working when revoked', async () => {
  person = await onboard();
  const { page } = person;
  const serverLog = () => readFileSync(join(api.dataDir, 'server.log'), 'utf8');

  // The account page, the section after "Your data".
  await page.getByRole('link', { name: 'Account' }).click();
  const section = page.getByTestId('tokens-section');
  await section.getByRole('heading', { name: 'Access tokens' }).waitFor();
  const headings = await page.locator('main h2').allTextContents();
  assert.equal(headings[headings.indexOf('Your data') + 1], 'Access tokens');
  await page.getByTestId('tokens-empty').getByText('You have no access tokens.').waitFor();

  // Opened, the form takes the focus; nothing chosen is caught on the page.
  const open = section.getByTestId('token-new');
  await open.click();
  assert.equal(await open.getAttribute('aria-expanded'), 'true');
  const form = page.getByTestId('token-form');
  await form.waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'token_name');
  // Each scope with a line saying what it allows; four lifetimes and a custom one.
  assert.match(await page.getByTestId('token-scopes').textContent(), /projects:readSee your projects and the status of their clusters/);
  assert.deepEqual(await page.getByTestId('token-lifetime').locator('option').allTextContents(), [
    '7 days',
    '30 days',
    '90 days',
    '365 days (1 year)',
    'Custom…',
  ]);
  await page.getByTestId('token-submit').click();
  await form.locator('.field__error', { hasText: 'Choose at least one scope.' }).waitFor();
  await form.locator('.field__error', { hasText: 'Please fill in this field.' }).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'token_name', 'the first field in error takes the focus');
  // A custom lifetime beyond a year is refused before the request.
  await form.locator('input[name="token_name"]').fill('CI deploy');
  await page.getByTestId('token-scope-projects:read').check();
  await page.getByTestId('token-lifetime').selectOption('custom');
  await page.getByTestId('token-lifetime-custom').fill('400');
  await page.getByTestId('token-submit').click();
  await form.locator('.field__error', { hasText: 'Enter a whole number of days from 1 to 365.' }).waitFor();
  await page.getByTestId('token-lifetime-custom').fill('45');
  await form.getByText(/The token will expire on \d{1,2} \w{3} \d{4}\./).waitFor();
  await shoot(page, 'tokens-01-form');

  // Created: the token, this once, with the warning and a copy button.
  await page.getByTestId('token-submit').click();
  const fresh = page.getByTestId('token-fresh');
  await fresh.waitFor();
  const token = (await page.getByTestId('token-value').textContent()).trim();
  assert.match(token, /^sp_pat_[A-Za-z0-9_-]{40,}$/);
  assert.match(await page.getByTestId('token-fresh-warning').textContent(), /It will not be shown again/);
  await fresh.getByRole('heading', { name: 'Your new token “CI deploy”' }).waitFor();
  await fresh.getByRole('button', { name: 'Copy the token' }).click();
  await fresh.getByText('Copied', { exact: true }).waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token, 'the clipboard holds the token');
  // Listed already, never used.
  const item = page.getByTestId('token').filter({ hasText: 'CI deploy' });
  await item.getByText('Never used').waitFor();
  assert.match(await item.textContent(), /projects:read/);
  await shoot(page, 'tokens-02-shown-once');

  // A program with the token: projects yes, the organization list (another scope) no.
  const projects = await asProgram(`/v1/organizations/${person.organizationId}/projects`, token);
  assert.equal(projects.status, 200, JSON.stringify(projects.body));
  assert.equal(projects.body.items[0].name, 'Inference API');
  const organizations = await asProgram('/v1/organizations', token);
  assert.equal(organizations.status, 403);
  assert.equal(organizations.body.code, 'insufficient_scope');
  assert.match(organizations.wwwAuthenticate ?? '', /insufficient_scope/);

  // A reload: the token is gone from the page for good, listed with its last use.
  await page.reload();
  await page.getByTestId('tokens').waitFor();
  assert.equal(await page.getByTestId('token-fresh').count(), 0);
  assert.equal((await page.content()).includes(token), false, 'the token is not on the page any more');
  const used = page.getByTestId('token').filter({ hasText: 'CI deploy' });
  await used.getByTestId('token-last-used').getByText(/^Last used \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \S+ from 127\.0\.0\.1$/).waitFor();
  assert.match(await used.textContent(), /Expires \d{1,2} \w{3} \d{4}/);

  // Revoked, after a confirmation that names it.
  await used.getByRole('button', { name: 'Revoke CI deploy' }).click();
  const dialog = page.getByTestId('token-confirm');
  await dialog.getByText('Programs that use “CI deploy” are refused from their next request on.').waitFor();
  await shoot(page, 'tokens-03-revoke');
  await page.getByTestId('token-confirm-ok').click();
  await page.getByTestId('tokens-message').getByText('“CI deploy” was revoked.').waitFor();
  await page.getByTestId('tokens-empty').waitFor();
  const refused = await asProgram(`/v1/organizations/${person.organizationId}/projects`, token);
  assert.equal(refused.status, 401);

  // Nothing logged the token.
  assert.ok(serverLog().length > 0, 'the server logged requests');
  assert.equal(serverLog().includes(token), false, 'the token is not in the server log');
  assert.equal(serverLog().includes(token.slice(7)), false, 'nor its secret part');
  assert.deepEqual(page.problems, []);
});

test('a CLI signs in by device code after the person approves it; a second request is denied', async () => {
  assert.ok(person, 'the first test onboarded the person');
  const { page } = person;

  // The CLI asks; polling before the person answers is "pending", polling too fast "slow down".
  const cli = await startDeviceSignIn('organizations:read projects:read');
  assert.equal(cli.verification_uri, `${api.baseUrl}/device`);
  assert.match(cli.user_code, /^[B-DF-HJ-NP-TV-XZ]{4}-[B-DF-HJ-NP-TV-XZ]{4}$/);
  assert.equal((await cli.pollNow()).body.error, 'authorization_pending');
  assert.equal((await cli.pollNow()).body.error, 'slow_down');

  // The person opens the link the CLI prints: the code is filled in, the request looked up.
  await page.goto(cli.verification_uri_complete);
  const field = page.getByTestId('device-code');
  await field.waitFor();
  assert.equal(await field.inputValue(), cli.user_code);
  await shoot(page, 'device-01-code');
  await page.getByTestId('device-continue').click();
  const review = page.getByTestId('device-review');
  await review.getByRole('heading', { name: 'Service Portal CLI wants to use your account' }).waitFor();
  assert.equal(await page.getByTestId('device-client').textContent(), 'Service Portal CLI');
  assert.equal(await page.getByTestId('device-user-code').textContent(), cli.user_code);
  assert.deepEqual(await page.getByTestId('device-scopes').locator('li').allTextContents(), [
    'See your organizations and their membersorganizations:read',
    'See your projects and the status of their clustersprojects:read',
  ]);
  assert.equal(await page.getByTestId('device-ip').textContent(), '127.0.0.1');
  await review.getByText(/^\d{1,2} \w{3} \d{4}, \d{2}:\d{2} \S+$/).waitFor();
  await shoot(page, 'device-02-review');
  await page.getByTestId('device-approve').click();
  const done = page.getByTestId('device-done');
  await done.getByRole('heading', { name: 'Sign-in approved' }).waitFor();
  await done.getByText('Service Portal CLI is now signed in to your account. You can return to your terminal.').waitFor();
  await shoot(page, 'device-03-approved');

  // The CLI, polling at its (slowed) interval, gets tokens limited to the approved scopes.
  const granted = await cli.poll();
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  assert.equal(granted.body.scope, 'organizations:read projects:read');
  assert.ok(granted.body.access_token && granted.body.refresh_token);
  const organizations = await asProgram('/v1/organizations', granted.body.access_token);
  assert.equal(organizations.status, 200);
  assert.equal(organizations.body.items[0].id, person.organizationId);
  const security = await asProgram('/v1/me/sessions', granted.body.access_token);
  assert.equal(security.status, 403, 'no account security');
  assert.equal(security.body.code, 'insufficient_scope');

  // Listed among the sessions, with the program and its scopes.
  await done.getByTestId('device-sessions').click();
  const session = page.locator('[data-testid="session"][data-client-id="portal"]');
  await session.waitFor();
  assert.match(await session.locator('.table__primary').textContent(), /^Service Portal CLI · organizations:read, projects:read/);

  // A second request: a mistyped code first, then the right one typed by hand, denied.
  const second = await startDeviceSignIn('projects:read');
  await page.goto(`${api.baseUrl}/device`);
  await field.waitFor();
  assert.equal(await field.inputValue(), '');
  await field.fill('bcdf');
  await page.getByTestId('device-continue').click();
  await page.getByText('Enter the eight letters the program shows, e.g. BCDF-GHJK.').waitFor();
  const wrong = second.user_code.startsWith('BBBB') ? 'CCCC-CCCC' : 'BBBB-BBBB';
  await field.fill(wrong);
  await page.getByTestId('device-continue').click();
  await page.getByText(/^No sign-in is waiting with this code\./).waitFor();
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  // Typed as people type: small letters, no dash; the field writes it as the CLI shows it.
  await field.fill(second.user_code.replace('-', '').toLowerCase());
  assert.equal(await field.inputValue(), second.user_code);
  await page.getByTestId('device-continue').click();
  await page.getByTestId('device-review').waitFor();
  assert.deepEqual(await page.getByTestId('device-scopes').locator('li').allTextContents(), ['See your projects and the status of their clustersprojects:read']);
  await page.getByTestId('device-deny').click();
  await page.getByTestId('device-done').getByRole('heading', { name: 'Sign-in denied' }).waitFor();
  await page.getByText('Service Portal CLI was not signed in. You can return to your terminal.').waitFor();
  const denied = await second.poll();
  assert.equal(denied.status, 400);
  assert.equal(denied.body.error, 'access_denied');
  assert.deepEqual(page.problems, []);
});

test('the tokens section and the device page pass axe in English and in Bahasa Indonesia on a phone', async () => {
  assert.ok(person, 'the first test onboarded the person');
  const { page } = person;
  await page.setViewportSize(PHONE);
  const a11y = async (name) => assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);

  for (const lang of ['en', 'id']) {
    await page.goto(`${api.baseUrl}/account#tokens`);
    await page.getByTestId('tokens-section').waitFor();
    await page.getByTestId('language').selectOption(lang);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    // Opened from an email's link: the section is in view.
    await page.waitForFunction(() => {
      const box = document.getElementById('tokens')?.getBoundingClientRect();
      return !!box && box.top < window.innerHeight && box.bottom > 0;
    });
    await page.getByTestId('tokens').or(page.getByTestId('tokens-empty')).waitFor();
    await a11y(`the tokens section (${lang})`);

    // The form, with its errors.
    await page.getByTestId('token-new').click();
    await page.getByTestId('token-form').waitFor();
    await page.getByTestId('token-submit').click();
    await page.getByTestId('token-form').locator('.field__error').first().waitFor();
    await a11y(`the token form with errors (${lang})`);

    if (lang === 'id') {
      // A sign-in older than five minutes (simulated: the API's answer then): the password
      // and a code are asked for in the form, and sent with the same request.
      let asked = false;
      await page.route('**/v1/me/tokens', async (route) => {
        if (route.request().method() === 'POST' && !asked) {
          asked = true;
          await route.fulfill({
            status: 403,
            contentType: 'application/problem+json',
            body: JSON.stringify({ type: 'about:blank', title: 'Confirm it is you', status: 403, code: 'reauthentication_required' }),
          });
          return;
        }
        await route.continue();
      });
      const form = page.getByTestId('token-form');
      await form.locator('input[name="token_name"]').fill('Terraform (CI)');
      await page.getByTestId('token-scope-projects:write').check();
      await page.getByTestId('token-lifetime').selectOption('7');
      await page.getByTestId('token-submit').click();
      await page.getByTestId('token-reauth').getByText(/konfirmasikan bahwa ini Anda/).waitFor();
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('name')), 'password', 'the password takes the focus');
      await a11y('the token form asking for the password (id)');
      // A wrong password is the API's call, next to the field.
      let code = await unusedTotp(person.secret, person.lastStep);
      person.lastStep = code.step;
      await form.locator('input[name="password"]').fill('Wrong-Password-123!');
      await form.locator('input[name="mfa_code"]').fill(code.code);
      await page.getByTestId('token-submit').click();
      await form.locator('.field__error', { hasText: 'Kata sandi saat ini salah.' }).waitFor();
      code = await unusedTotp(person.secret, person.lastStep);
      person.lastStep = code.step;
      await form.locator('input[name="password"]').fill(STRONG_PASSWORD);
      await form.locator('input[name="mfa_code"]').fill(code.code);
      await page.getByTestId('token-submit').click();
      await page.getByTestId('token-fresh').waitFor();
      await page.unroute('**/v1/me/tokens');
    } else {
      await createToken(page, { name: 'Phone check', scopes: ['account:read'], lifetime: '90' });
    }
    await a11y(`the new token (${lang})`);
    await shoot(page, `tokens-04-shown-${lang}`);
    await page.getByTestId('token-hide').click();
    await page.getByTestId('token-fresh').waitFor({ state: 'detached' });
    await page.getByTestId('token').first().waitFor();
    await a11y(`the token list (${lang})`);
    await page.getByTestId('token-revoke').first().click();
    await page.getByTestId('token-confirm').waitFor();
    await a11y(`the revoke confirmation (${lang})`);
    await page.getByTestId('token-confirm-ok').click();
    await page.getByTestId('tokens-message').waitFor();

    // The device page: the code, the request, the answer.
    const cli = await startDeviceSignIn('projects:read projects:write');
    await page.goto(`${api.baseUrl}/device`);
    await page.getByTestId('device-code').waitFor();
    await a11y(`the device page (${lang})`);
    await page.getByTestId('device-continue').click();
    await page.getByTestId('device-form').locator('.field__error').waitFor();
    await a11y(`the device page with an error (${lang})`);
    await page.getByTestId('device-code').fill(cli.user_code);
    await page.getByTestId('device-continue').click();
    await page.getByTestId('device-review').waitFor();
    if (lang === 'id') await page.getByRole('heading', { name: 'Service Portal CLI ingin memakai akun Anda' }).waitFor();
    await a11y(`the device request (${lang})`);
    await shoot(page, `device-04-review-${lang}`);
    await page.getByTestId('device-deny').click();
    await page.getByTestId('device-done').waitFor();
    await a11y(`the device answer (${lang})`);
  }
  assert.deepEqual(page.problems, []);
});

test('signed out, the link a CLI prints leads through sign-in and back to its code; an account not set up yet is sent to finish it', async () => {
  assert.ok(person, 'the first test onboarded the person');
  const cli = await startDeviceSignIn('account:read');

  // Another browser, signed out: sign in first (a new device: the emailed code, then MFA).
  const page = await newPage(browser);
  await page.goto(cli.verification_uri_complete);
  await page.waitForURL('**/sign-in');
  await signInWithPassword(page, api, { email: person.email, navigate: false });
  await enterDeviceCode(page, api, person.email, person.seen);
  await page.getByTestId('mfa-form').waitFor();
  const code = await unusedTotp(person.secret, person.lastStep);
  person.lastStep = code.step;
  await page.getByTestId('code-0').focus();
  await page.keyboard.type(code.code, { delay: 20 });
  await page.waitForURL((url) => url.pathname === '/device');
  assert.equal(await page.getByTestId('device-code').inputValue(), cli.user_code, 'back with the code filled in');
  await page.getByTestId('device-continue').click();
  await page.getByTestId('device-scopes').getByText('See your profile and the state of your account set-up').waitFor();
  await page.getByTestId('device-approve').click();
  await page.getByTestId('device-done').getByRole('heading', { name: 'Sign-in approved' }).waitFor();
  const granted = await cli.poll();
  assert.equal(granted.status, 200, JSON.stringify(granted.body));
  assert.equal(granted.body.scope, 'account:read');
  assert.deepEqual(page.problems, []);
  await page.context().close();

  // Someone whose account is not set up yet cannot let a program in: the page says so and leads on.
  const newcomer = uniqueEmail('newcomer');
  const seen = new Set();
  await createVerifiedAccount(api, { email: newcomer, seen });
  const fresh = await newPage(browser);
  await signInWithPassword(fresh, api, { email: newcomer });
  await enterDeviceCode(fresh, api, newcomer, seen);
  await fresh.waitForURL('**/onboarding/organization');
  const other = await startDeviceSignIn('projects:read');
  await fresh.goto(other.verification_uri_complete);
  const notYet = fresh.getByTestId('device-onboarding');
  await notYet.getByRole('heading', { name: 'Finish setting up your account first' }).waitFor();
  assert.deepEqual(await axeViolations(fresh), [], 'accessibility of the set-up notice');
  await fresh.getByTestId('device-onboarding-continue').click();
  await fresh.waitForURL('**/onboarding/organization');
  assert.equal((await other.pollNow()).body.error, 'authorization_pending', 'nothing was decided');
  assert.deepEqual(fresh.problems, []);
  await fresh.context().close();

  // Guessing codes is throttled: after ten wrong ones the page says how long to wait.
  const { page: guesser } = person;
  await guesser.goto(`${api.baseUrl}/device`);
  await guesser.getByTestId('language').selectOption('en');
  const field = guesser.getByTestId('device-code');
  let status = 0;
  for (let i = 0; i < 12 && status !== 429; i += 1) {
    await field.fill(i % 2 ? 'CCCC-CCCC' : 'BBBB-BBBB');
    const answer = guesser.waitForResponse((r) => r.url().endsWith('/v1/device/lookup'));
    await guesser.getByTestId('device-continue').click();
    status = (await answer).status();
  }
  assert.equal(status, 429, 'wrong codes are throttled');
  await guesser.getByTestId('device-form').getByRole('alert').getByText('Too many wrong codes. Please try again in 15 minutes.').waitFor();
  assert.deepEqual(guesser.problems, []);
});
