// RFC 6238 TOTP (SHA-1, 6 digits, 30 s), to answer the MFA steps from the key the page shows.

import { createHmac } from 'node:crypto';

export function base32Decode(input) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = input.toUpperCase().replace(/[^A-Z2-7]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of clean) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

export function hotp(key, counter, digits = 6) {
  const buf = Buffer.alloc(8);
  buf.writeBigUInt64BE(BigInt(counter));
  const mac = createHmac('sha1', key).update(buf).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const code = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(code).padStart(digits, '0');
}

export function totp(secretBase32, { time = Date.now(), step = 30, digits = 6 } = {}) {
  return hotp(base32Decode(secretBase32), Math.floor(time / 1000 / step), digits);
}

/** The current time step. */
export function currentStep({ time = Date.now(), step = 30 } = {}) {
  return Math.floor(time / 1000 / step);
}

/**
 * A code the API will still take: it accepts each time step once, and only within one step of
 * now. `after` is the last step used; when the next one is not due yet, this waits for it.
 * Resolves to `{ code, step }`.
 */
export async function unusedTotp(secretBase32, after, { step = 30, digits = 6 } = {}) {
  for (;;) {
    const now = currentStep({ step });
    const next = Math.max(after + 1, now);
    if (next <= now + 1) return { code: hotp(base32Decode(secretBase32), next, digits), step: next };
    await new Promise((r) => setTimeout(r, 250));
  }
}
