// Reads the emails that the API wrote as .eml files: the plain-text part, decoded.

import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

function decodeQuotedPrintable(text) {
  const joined = text.replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < joined.length; i += 1) {
    const c = joined[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(joined.slice(i + 1, i + 3))) {
      bytes.push(parseInt(joined.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function decodeHeader(value) {
  return value.replace(/=\?utf-8\?([bq])\?([^?]*)\?=/gi, (_, enc, data) =>
    enc.toLowerCase() === 'b' ? Buffer.from(data, 'base64').toString('utf8') : decodeQuotedPrintable(data.replace(/_/g, ' ')),
  );
}

export function parseEml(raw) {
  const [head, ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
  }
  const body = rest.join('\n\n');
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  let text = body;
  if (boundary) {
    const parts = body.split(`--${boundary}`);
    const plain = parts.find((p) => /content-type:\s*text\/plain/i.test(p)) ?? '';
    const [partHead, ...partBody] = plain.replace(/^\r?\n/, '').split(/\r?\n\r?\n/);
    text = partBody.join('\n\n');
    if (/quoted-printable/i.test(partHead)) text = decodeQuotedPrintable(text);
    else if (/base64/i.test(partHead)) text = Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
  } else if (/quoted-printable/i.test(headers['content-transfer-encoding'] ?? '')) {
    text = decodeQuotedPrintable(text);
  }
  return { to: headers.to ?? '', subject: decodeHeader(headers.subject ?? ''), text };
}

export function readMails(mailDir) {
  if (!existsSync(mailDir)) return [];
  return readdirSync(mailDir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => ({ file: f, mtime: statSync(join(mailDir, f)).mtimeMs }))
    .sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file))
    .map(({ file }) => ({ file, ...parseEml(readFileSync(join(mailDir, file), 'utf8')) }));
}

/**
 * Waits for a new email to `to` whose subject matches `subject` (and whose text contains
 * `containing`, when given); `seen` holds files already used.
 */
export async function waitForMail(mailDir, { to, subject, containing, seen = new Set(), timeout = 15_000 }) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const found = readMails(mailDir).find(
      (m) =>
        !seen.has(m.file) &&
        m.to.toLowerCase().includes(to.toLowerCase()) &&
        (!subject || subject.test(m.subject)) &&
        (!containing || m.text.includes(containing)),
    );
    if (found) {
      seen.add(found.file);
      return found;
    }
    if (Date.now() > deadline) throw new Error(`no email to ${to} matching ${subject} within ${timeout} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

export function linkIn(mail, path) {
  const match = new RegExp(`https?://\\S+${path.replace(/[?]/g, '\\?')}\\S+`).exec(mail.text);
  if (!match) throw new Error(`no ${path} link in: ${mail.text}`);
  return match[0];
}

export function sixDigitCode(mail) {
  const match = /\b(\d{6})\b/.exec(mail.text);
  if (!match) throw new Error(`no 6-digit code in: ${mail.text}`);
  return match[1];
}
