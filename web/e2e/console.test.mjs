// The console for a team: an owner invites a colleague, who signs up from the emailed link (no
// verification email), goes through their own onboarding without being asked for an organization
// or a project, and sees the owner's project; the owner changes the colleague's role and removes
// them; a second organization is created, switched to and deleted; the project page is reached
// from the "cluster ready" email, shows the status history, is edited and deleted.
//
// The tests share one API and one owner, and run in order.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createVerifiedAccount } from './lib/accounts.mjs';
import { axeViolations } from './lib/axe.mjs';
import { launch, newPage, shoot } from './lib/browser.mjs';
import {
  STRONG_PASSWORD,
  activateMfa,
  createOrganization,
  createProject,
  enterDeviceCode,
  readAndAccept,
  signInWithPassword,
  solveCaptcha,
  uniqueEmail,
} from './lib/journey.mjs';
import { linkIn, readMails, waitForMail } from './lib/mail.mjs';
import { startApi } from './lib/server.mjs';
import { totp } from './lib/totp.mjs';

let api;
let browser;
/** The owner's browser page, signed in, and what the later tests need. */
let owner;
let ownerEmail;
let colleague;
let colleagueEmail;
const seen = new Set();
const ORG = 'PT Maju Bersama';
const PROJECT = 'Demand Forecast';

before(async () => {
  api = await startApi();
  browser = await launch();
});

after(async () => {
  await browser?.close();
  await api?.stop();
});

async function a11y(page, name) {
  assert.deepEqual(await axeViolations(page), [], `accessibility of ${name}`);
}

/** Opens the switcher and picks `name`. */
async function switchTo(page, name) {
  await page.getByTestId('org-switcher').click();
  await page.locator(`[data-testid="org-switcher-item"][data-organization="${name}"]`).click();
  await page.waitForSelector(`[data-testid="org-switcher"][data-organization="${name}"]`);
}

test('a colleague invited by email signs up from the link, skips the organization and project steps, and sees the project', async () => {
  ownerEmail = uniqueEmail('siti.owner');
  await createVerifiedAccount(api, { email: ownerEmail, fullName: 'Siti Rahayu', seen });
  owner = await newPage(browser, { timezoneId: 'Asia/Jakarta' });
  await signInWithPassword(owner, api, { email: ownerEmail });
  await enterDeviceCode(owner, api, ownerEmail, seen);
  await owner.waitForURL('**/onboarding/organization');
  await createOrganization(owner, { name: ORG });
  await owner.waitForURL('**/onboarding/project');
  await createProject(owner, { name: PROJECT });
  await activateMfa(owner, { totp: (s) => totp(s) });
  await owner.waitForURL('**/projects');
  // The top bar: the organization switcher and Projects · Organization · Account.
  await owner.waitForSelector(`[data-testid="org-switcher"][data-organization="${ORG}"]`);
  const nav = owner.getByRole('navigation', { name: 'Main' });
  assert.deepEqual((await nav.getByRole('link').allTextContents()).map((s) => s.trim()), ['Projects', 'Organization', 'Account']);
  await owner.waitForSelector(`[data-project="${PROJECT}"] [data-testid="cluster-status"][data-status="ready"]`, { timeout: 30_000 });
  await a11y(owner, 'projects');
  await owner.getByTestId('org-switcher').click();
  await owner.getByTestId('org-switcher-panel').waitFor();
  await shoot(owner, 'console-switcher-open');
  await a11y(owner, 'switcher open');
  await owner.keyboard.press('Escape');
  await owner.getByTestId('org-switcher-panel').waitFor({ state: 'hidden' });

  // The owner invites a colleague from the organization page.
  await nav.getByRole('link', { name: 'Organization' }).click();
  await owner.getByTestId('organization-name').waitFor();
  assert.equal(await owner.getByTestId('organization-name').textContent(), ORG);
  assert.match(await owner.title(), /^Organization · /);
  colleagueEmail = uniqueEmail('rina.colleague');
  const inviteForm = owner.getByTestId('invite-form');
  // An empty address is marked at once.
  await owner.getByTestId('invite-submit').click();
  await inviteForm.locator('[aria-invalid="true"]').first().waitFor();
  await owner.getByTestId('invite-email').fill(colleagueEmail);
  await owner.getByTestId('invite-role').selectOption('member');
  await owner.getByTestId('invite-submit').click();
  await owner.getByTestId('invitations-message').getByText(`Invitation sent to ${colleagueEmail} as Member.`).waitFor();
  const row = owner.locator(`[data-testid="invitation"][data-email="${colleagueEmail}"]`);
  await row.waitFor();
  assert.match(await row.textContent(), /Invited by Siti Rahayu/);
  assert.match(await row.textContent(), /expires/);
  // Inviting the same address again: the API's refusal is shown.
  await owner.getByTestId('invite-email').fill(colleagueEmail);
  await owner.getByTestId('invite-submit').click();
  await inviteForm.getByText('An invitation to this address is already pending. Resend it instead.').waitFor();
  await owner.getByTestId('invite-email').fill('');
  await owner.getByTestId('organization-events').getByText(`Invited ${colleagueEmail} as Member`).waitFor();
  await shoot(owner, 'console-organization');
  await a11y(owner, 'organization page');

  // The colleague opens the link from the email, in another browser.
  const mail = await waitForMail(api.mailDir, { to: colleagueEmail, subject: /invited you to join/, seen });
  colleague = await newPage(browser);
  const visited = [];
  colleague.on('framenavigated', (frame) => {
    if (frame === colleague.mainFrame()) visited.push(new URL(frame.url()).pathname);
  });
  await colleague.goto(linkIn(mail, '/organization-invitation?token='));
  await colleague.getByTestId('org-invitation').waitFor();
  await colleague.getByTestId('org-invitation-sign-up').click();
  await colleague.getByRole('heading', { name: 'Sign Up' }).waitFor();
  await colleague.getByTestId('signup-from-invitation').waitFor();
  assert.equal(await colleague.getByLabel('Email Address').inputValue(), colleagueEmail);
  await colleague.getByLabel('Full Name').fill('Rina Wijaya');
  await colleague.getByLabel('Password', { exact: true }).fill(STRONG_PASSWORD);
  await colleague.getByTestId('phone').fill('812 3456 7891');
  await solveCaptcha(colleague);
  await colleague.getByTestId('open-terms').click();
  await readAndAccept(colleague, 'terms');
  await colleague.getByTestId('open-privacy').click();
  await readAndAccept(colleague, 'privacy');
  await colleague.getByTestId('signup-submit').click();
  // No "check your email": the sign-in page, the address filled in, and why.
  await colleague.waitForURL('**/sign-in');
  await colleague.getByTestId('signin-verified').waitFor();
  await a11y(colleague, 'sign-in after sign-up from an invitation');
  assert.equal(await colleague.getByLabel('Email Address').inputValue(), colleagueEmail);
  await signInWithPassword(colleague, api, { email: colleagueEmail, navigate: false });
  await enterDeviceCode(colleague, api, colleagueEmail, seen);
  // Back to the invitation (the documents were accepted at sign-up), then MFA.
  await colleague.getByTestId('org-invitation-accept').click();
  await colleague.waitForURL('**/onboarding/mfa');
  await activateMfa(colleague, { totp: (s) => totp(s) });
  await colleague.waitForURL('**/projects');
  assert.equal(
    readMails(api.mailDir).filter((m) => m.to.includes(colleagueEmail) && /verify your email/i.test(m.subject)).length,
    0,
    'no verification email',
  );
  assert.deepEqual(
    visited.filter((p) => p.startsWith('/onboarding/organization') || p.startsWith('/onboarding/project')),
    [],
    'never asked for an organization or a project',
  );

  // The owner's project, in the owner's organization.
  await colleague.waitForSelector(`[data-testid="org-switcher"][data-organization="${ORG}"]`);
  const projectRow = colleague.locator(`[data-project="${PROJECT}"]`);
  await projectRow.waitFor();
  assert.equal(await colleague.getByTestId('new-project').count(), 1, 'members create projects');
  await projectRow.getByTestId('project-link').click();
  await colleague.getByTestId('project-page').waitFor();
  assert.equal(await colleague.getByTestId('project-name').textContent(), PROJECT);
  assert.equal(await colleague.getByTestId('project-created-by').textContent(), 'Siti Rahayu');
  // A member neither edits nor deletes it.
  assert.equal(await colleague.getByTestId('project-edit').count(), 0);
  assert.equal(await colleague.getByTestId('project-delete').count(), 0);
  await a11y(colleague, 'project page (member)');
  assert.deepEqual(colleague.problems, []);
  assert.deepEqual(owner.problems, []);
});

test('the owner makes the colleague an administrator, then billing (VAT data only), then removes them, who loses access at once', async () => {
  await owner.reload();
  const member = owner.locator(`[data-testid="member"][data-email="${colleagueEmail}"]`);
  await member.waitFor();
  assert.equal(await member.getAttribute('data-role'), 'member');
  // The owner's own row offers leaving, not removing.
  const self = owner.locator(`[data-testid="member"][data-email="${ownerEmail}"]`);
  assert.equal(await self.getByTestId('organization-leave').count(), 1);
  assert.equal(await self.getByTestId('member-remove').count(), 0);

  await member.getByTestId('member-change-role').click();
  const roleDialog = owner.getByTestId('member-role-dialog');
  await roleDialog.waitFor();
  assert.match(await roleDialog.textContent(), /Change the role of Rina Wijaya/);
  await roleDialog.getByTestId('member-role-select').selectOption('admin');
  await a11y(owner, 'change role dialog');
  await roleDialog.getByTestId('member-confirm').click();
  await owner.getByTestId('members-message').getByText('Rina Wijaya is now Administrator.').waitFor();
  await owner.waitForSelector(`[data-testid="member"][data-email="${colleagueEmail}"][data-role="admin"]`);
  await waitForMail(api.mailDir, { to: colleagueEmail, subject: /Your role in .* changed/, seen });

  // The colleague's console says so; an administrator manages projects and invitations.
  await colleague.goto(`${api.baseUrl}/organization`);
  await colleague.getByText('Your role: Administrator').waitFor();
  await colleague.getByTestId('invite-form').waitFor();
  assert.equal(await colleague.getByTestId('organization-delete').count(), 0, 'only owners delete the organization');
  // …but cannot act on the owner.
  const ownerRow = colleague.locator(`[data-testid="member"][data-email="${ownerEmail}"]`);
  await ownerRow.waitFor();
  assert.equal(await ownerRow.getByTestId('member-remove').count(), 0);

  // Billing: the projects' names and VAT data only, no "New project", no member list.
  await member.getByTestId('member-change-role').click();
  await roleDialog.waitFor();
  await roleDialog.getByTestId('member-role-select').selectOption('billing');
  await roleDialog.getByTestId('member-confirm').click();
  await owner.waitForSelector(`[data-testid="member"][data-email="${colleagueEmail}"][data-role="billing"]`);
  await colleague.goto(`${api.baseUrl}/projects`);
  await colleague.waitForSelector('[data-testid="projects-table"][data-view="billing"]');
  const billingRow = colleague.locator(`[data-project="${PROJECT}"]`);
  assert.match(await billingRow.textContent(), /01\.234\.567\.8-901\.000/);
  assert.equal(await colleague.getByTestId('new-project').count(), 0);
  assert.equal(await colleague.getByTestId('cluster-status').count(), 0);
  await a11y(colleague, 'projects (billing)');
  await billingRow.getByTestId('project-link').click();
  await colleague.getByTestId('project-vat').waitFor();
  assert.equal(await colleague.getByTestId('project-history').count(), 0);
  assert.equal(await colleague.getByTestId('project-created-by').count(), 0);
  await colleague.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
  await colleague.getByText('Your role does not show the member list.').waitFor();
  assert.equal(await colleague.getByTestId('members').count(), 0);

  // The owner removes the colleague, after a confirmation naming them.
  await member.getByTestId('member-remove').click();
  const removeDialog = owner.getByTestId('member-remove-dialog');
  await removeDialog.waitFor();
  assert.match(await removeDialog.textContent(), new RegExp(`Remove Rina Wijaya from ${ORG}\\?`));
  await removeDialog.getByTestId('member-confirm').click();
  await owner.getByTestId('members-message').getByText('Rina Wijaya was removed from the organization.').waitFor();
  await member.waitFor({ state: 'detached' });
  await owner.getByTestId('organization-events').getByText('Removed Rina Wijaya (Billing)').waitFor();
  await waitForMail(api.mailDir, { to: colleagueEmail, subject: /You were removed from/, seen });

  // The colleague's next request finds nothing: with no organization left, the journey asks for one.
  await colleague.goto(`${api.baseUrl}/projects`);
  await colleague.waitForURL('**/onboarding/organization');
  assert.deepEqual(colleague.problems, []);
  assert.deepEqual(owner.problems, []);
  await colleague.context().close();
});

test('a second organization is created from the console, switched to and from, and deleted once empty', async () => {
  // The organization page in Bahasa Indonesia fits a phone too.
  await owner.getByTestId('language').first().selectOption('id');
  await owner.getByText('Peran Anda: Pemilik').waitFor();
  await owner.getByRole('heading', { name: 'Anggota', exact: true }).waitFor();
  await shoot(owner, 'console-organization-id');
  await a11y(owner, 'organization page in Bahasa Indonesia');
  await owner.getByTestId('language').first().selectOption('en');
  const second = 'PT Cabang Dua';
  await owner.getByTestId('org-switcher').click();
  await owner.getByTestId('org-switcher-create').click();
  await owner.waitForURL('**/organizations/new');
  // The console's layout, not the onboarding stepper.
  assert.equal(await owner.locator('.stepper').count(), 0);
  await owner.getByRole('navigation', { name: 'Main' }).waitFor();
  await a11y(owner, 'create organization in the console');
  await createOrganization(owner, { name: second });
  await owner.waitForURL('**/projects');
  await owner.getByTestId('projects-notice').getByText(`${second} was created. The console now shows it.`).waitFor();
  await owner.waitForSelector(`[data-testid="org-switcher"][data-organization="${second}"]`);
  await owner.getByText('No projects yet.').waitFor();

  // Its details are edited (every field checked by the API, its message beside the field).
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
  await owner.getByTestId('organization-edit').click();
  const form = owner.getByTestId('organization-form');
  await form.getByLabel('City', { exact: true }).fill('');
  await owner.getByTestId('organization-submit').click();
  await form.getByText('Please fill in this field.').waitFor();
  assert.equal(await form.getByLabel('City', { exact: true }).getAttribute('aria-invalid'), 'true');
  await form.getByLabel('City', { exact: true }).fill('Bandung');
  await owner.getByTestId('organization-submit').click();
  await owner.getByTestId('organization-message').getByText('The organization’s details were saved.').waitFor();
  assert.match(await owner.getByTestId('organization-details').textContent(), /Bandung/);
  // Its only owner cannot leave it.
  await owner.getByTestId('organization-leave').click();
  const leave = owner.getByTestId('organization-leave-dialog');
  await leave.getByTestId('organization-leave-ok').click();
  await leave.getByTestId('organization-leave-error').getByText('An organization must keep at least one owner.', { exact: false }).waitFor();
  await leave.getByRole('button', { name: 'Cancel' }).click();
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
  await owner.getByText('No projects yet.').waitFor();

  // Switching shows the other organization's projects; the choice survives a reload.
  await switchTo(owner, ORG);
  await owner.locator(`[data-project="${PROJECT}"]`).waitFor();
  await owner.reload();
  await owner.waitForSelector(`[data-testid="org-switcher"][data-organization="${ORG}"]`);
  await owner.locator(`[data-project="${PROJECT}"]`).waitFor();

  // An organization with projects is not deleted: the confirmation says why.
  await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Organization' }).click();
  await owner.getByTestId('organization-delete').click();
  let dialog = owner.getByTestId('organization-delete-dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), new RegExp(`Delete ${ORG}\\?`));
  await dialog.getByTestId('organization-delete-ok').click();
  await dialog.getByTestId('organization-delete-error').getByText('This organization still has projects.', { exact: false }).waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();

  // The empty one is.
  await switchTo(owner, second);
  await owner.waitForFunction((name) => document.querySelector('[data-testid="organization-name"]')?.textContent === name, second);
  await owner.getByTestId('organization-delete').click();
  dialog = owner.getByTestId('organization-delete-dialog');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), new RegExp(`Delete ${second}\\?`));
  await dialog.getByTestId('organization-delete-ok').click();
  await owner.waitForURL('**/projects');
  await owner.getByTestId('projects-notice').getByText(`${second} was deleted.`).waitFor();
  await owner.waitForSelector(`[data-testid="org-switcher"][data-organization="${ORG}"]`);
  await owner.getByTestId('org-switcher').click();
  assert.deepEqual(await owner.getByTestId('org-switcher-item').evaluateAll((els) => els.map((e) => e.dataset.organization)), [ORG]);
  await owner.keyboard.press('Escape');
  assert.deepEqual(owner.problems, []);
});

test('the project page from the cluster-ready email shows the status history; the project is edited, then deleted', async () => {
  // A second project, so that the organization keeps one (the last project's deletion would bring
  // the onboarding's "create a project" step back).
  await owner.goto(`${api.baseUrl}/projects`);
  await owner.getByTestId('new-project').click();
  await createProject(owner, { name: 'Inference Cluster' });
  await owner.waitForURL('**/projects');
  await owner.locator('[data-project="Inference Cluster"]').waitFor();

  const mail = await waitForMail(api.mailDir, { to: ownerEmail, subject: /is ready/, containing: PROJECT });
  const link = linkIn(mail, '/projects/');
  await owner.goto(link);
  const page = owner.getByTestId('project-page');
  await page.waitFor();
  assert.equal(await page.getAttribute('data-status'), 'ready');
  const history = owner.getByTestId('project-history-item');
  await history.first().waitFor();
  const statuses = await history.evaluateAll((els) => els.map((e) => e.dataset.status));
  assert.equal(statuses[0], 'pending');
  assert.equal(statuses.at(-1), 'ready');
  assert.match(await owner.getByTestId('project-history').textContent(), /GMT\+7/);
  assert.equal(await owner.getByTestId('project-vat-id').textContent(), '01.234.567.8-901.000');
  assert.equal(await owner.getByTestId('project-created-by').textContent(), 'Siti Rahayu');
  await shoot(owner, 'console-project');
  await a11y(owner, 'project page');

  // Edit: a bad VAT ID is marked beside its field; then a new name and description.
  await owner.getByTestId('project-edit').click();
  const form = owner.getByTestId('project-edit-form');
  await form.waitFor();
  await form.getByLabel('Business VAT ID').fill('123');
  await owner.getByTestId('project-edit-submit').click();
  await form.locator('[aria-invalid="true"]').first().waitFor();
  await form.getByLabel('Business VAT ID').fill('01.234.567.8-901.000');
  await form.getByLabel('Project Name').fill(`${PROJECT} EU`);
  await form.getByLabel('Description Project').fill('Forecasting for the European stores.');
  await a11y(owner, 'project edit form');
  await owner.getByTestId('project-edit-submit').click();
  await owner.getByTestId('project-saved').waitFor();
  assert.equal(await owner.getByTestId('project-name').textContent(), `${PROJECT} EU`);
  assert.equal(await owner.getByTestId('project-description').textContent(), 'Forecasting for the European stores.');

  // Delete, after a confirmation naming it: "Deleting…", then the list says it is gone.
  await owner.getByTestId('project-delete').click();
  const dialog = owner.getByTestId('project-delete-confirm');
  await dialog.waitFor();
  assert.match(await dialog.textContent(), new RegExp(`Delete ${PROJECT} EU\\?`));
  await a11y(owner, 'delete project dialog');
  await dialog.getByTestId('project-delete-ok').click();
  await owner.getByTestId('project-deleting').waitFor();
  assert.equal(await page.getAttribute('data-status'), 'deleting');
  await owner.waitForURL('**/projects', { timeout: 30_000 });
  await owner.getByTestId('projects-notice').getByText(`Project ${PROJECT} EU was deleted.`).waitFor();
  await owner.locator('[data-project="Inference Cluster"]').waitFor();
  assert.equal(await owner.locator(`[data-project="${PROJECT} EU"]`).count(), 0);
  await waitForMail(api.mailDir, { to: ownerEmail, subject: /was deleted/, containing: `${PROJECT} EU`, seen });

  // Its address now leads to the console's "Page not found".
  await owner.goto(link);
  await owner.getByTestId('not-found').waitFor();
  await owner.getByRole('navigation', { name: 'Main' }).waitFor();
  assert.deepEqual(owner.problems, []);
});
