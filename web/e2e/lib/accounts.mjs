// Shortcuts through the API for tests that start from an existing, verified account.

import { linkIn, sixDigitCode, waitForMail } from './mail.mjs';
import { STRONG_PASSWORD } from './journey.mjs';

async function json(res) {
  const text = await res.text();
  return text ? JSON.parse(text) : null;
}

/** Signs up through the API (the captcha solved by the binary) and verifies the email; `locale` is the account's language (emails). */
export async function createVerifiedAccount(api, { email, fullName = 'Siti Rahayu', password = STRONG_PASSWORD, seen = new Set(), locale }) {
  const challenge = await json(await fetch(`${api.baseUrl}/v1/captcha/challenges`, { method: 'POST' }));
  const captcha = api.cli(['solve-captcha', challenge.challenge, String(challenge.difficulty)]).trim();
  const config = await json(await fetch(`${api.baseUrl}/v1/config`));
  const consents = config.legal_documents.filter((d) => d.kind !== 'eula').map(({ kind, version }) => ({ kind, version }));
  const res = await fetch(`${api.baseUrl}/v1/accounts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ full_name: fullName, email, password, phone_number: '+62 812 3456 7890', captcha, consents, ...(locale ? { locale } : {}) }),
  });
  if (res.status !== 202) throw new Error(`sign-up failed: ${res.status} ${await res.text()}`);
  const mail = await waitForMail(api.mailDir, { to: email, subject: /verify your email|verifikasi alamat email|verifikasi email/i, seen });
  const token = new URL(linkIn(mail, '/verify-email?token=')).searchParams.get('token');
  const verified = await fetch(`${api.baseUrl}/v1/email-verifications`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
  });
  if (!verified.ok) throw new Error(`verification failed: ${verified.status}`);
  return { email, password, token };
}

/** A phone's browser, for sessions started from a test. */
export const PHONE_USER_AGENT =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/**
 * Signs in as an API client would, through every step the API asks for: the emailed device code
 * (unless `deviceToken` is given) and the MFA code (`mfaCode`, e.g. a recovery code). Resolves to
 * the tokens (`session_id`, `refresh_token`, `device_token`…).
 */
export async function signInOverApi(api, { email, password, deviceToken, mfaCode, seen = new Set(), userAgent = PHONE_USER_AGENT }) {
  const post = async (path, body) => {
    const res = await fetch(`${api.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': userAgent },
      body: JSON.stringify(body),
    });
    const data = await json(res);
    if (res.status !== 200 && res.status !== 202) throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(data)}`);
    return data;
  };
  let answer = await post('/v1/sessions', { email, password, ...(deviceToken ? { device_token: deviceToken } : {}) });
  let device = deviceToken ?? null;
  for (let steps = 0; answer.next_step; steps += 1) {
    if (steps > 3) throw new Error(`sign-in did not finish: ${JSON.stringify(answer)}`);
    if (answer.next_step === 'device_code') {
      const mail = await waitForMail(api.mailDir, { to: email, subject: /verify your device|verifikasi perangkat/i, seen });
      answer = await post(`/v1/sessions/${answer.challenge_id}/device-code`, { code: sixDigitCode(mail) });
    } else if (answer.next_step === 'mfa_code') {
      if (!mfaCode) throw new Error('the API asks for an MFA code');
      answer = await post(`/v1/sessions/${answer.challenge_id}/mfa-code`, { code: mfaCode });
    } else {
      throw new Error(`unexpected step: ${answer.next_step}`);
    }
    device = answer.device_token ?? device;
  }
  return { ...answer, device_token: answer.device_token ?? device };
}

/** Whether a refresh token still works (it is rotated: the new one is returned too). */
export async function refreshOverApi(api, refreshToken) {
  const res = await fetch(`${api.baseUrl}/v1/sessions/refresh`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh_token: refreshToken }),
  });
  const data = await json(res);
  return { status: res.status, code: data?.code ?? null, refreshToken: data?.refresh_token ?? null };
}
