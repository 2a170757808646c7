// Shortcuts through the API for tests that start from an existing, verified account.

import { linkIn, waitForMail } from './mail.mjs';
import { STRONG_PASSWORD } from './journey.mjs';

async function json(res) {
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Signs up through the API (the captcha solved by the binary) and verifies the email. */
export async function createVerifiedAccount(api, { email, fullName = 'Siti Rahayu', password = STRONG_PASSWORD, seen = new Set() }) {
  const challenge = await json(await fetch(`${api.baseUrl}/v1/captcha/challenges`, { method: 'POST' }));
  const captcha = api.cli(['solve-captcha', challenge.challenge, String(challenge.difficulty)]).trim();
  const config = await json(await fetch(`${api.baseUrl}/v1/config`));
  const consents = config.legal_documents.filter((d) => d.kind !== 'eula').map(({ kind, version }) => ({ kind, version }));
  const res = await fetch(`${api.baseUrl}/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ full_name: fullName, email, password, phone_number: '+62 812 3456 7890', captcha, consents }),
  });
  if (res.status !== 202) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const mail = await waitForMail(api.mailDir, { to: email, subject: /verify your email/i, seen });
  const token = new URL(linkIn(mail, '/verify-email?token=')).searchParams.get('token');
  const verified = await fetch(`${api.baseUrl}/v1/email-verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (!verified.ok) throw new Error(`verification failed: ${verified.status}`);
  return { email, password, token };
}
