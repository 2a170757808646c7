// The API reference at /docs: Redoc (copied from node_modules at build time) renders the
// served /openapi.json under the page Content-Security-Policy, with nothing loaded from outside.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { axeViolations } from './lib/axe.mjs';
import { DESKTOP, PHONE, SHOTS, SMALL, launch, newPage } from './lib/browser.mjs';
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

/** The operation `operationId` of the served document: its method, path, summary and first tag. */
async function operation(operationId) {
  const doc = await (await fetch(`${api.baseUrl}/openapi.json`)).json();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (op?.operationId === operationId) return { doc, method, path, summary: op.summary, tag: op.tags[0] };
    }
  }
  throw new Error(`${operationId} is not in /openapi.json`);
}

test('the page is small, has no inline script or style, and points to the document without JavaScript', async () => {
  const res = await fetch(`${api.baseUrl}/docs/`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/html/);
  const html = await res.text();
  assert.match(html, /<html lang="en">/);
  assert.match(html, /<title>API reference<\/title>/);
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.deepEqual(
    scripts.map((m) => /\bsrc="([^"]+)"/.exec(m[1])?.[1]),
    ['/docs/redoc.standalone.js', '/docs/docs.js'],
  );
  assert.ok(scripts.every((m) => m[2].trim() === ''), 'no inline script');
  assert.doesNotMatch(html, /<style\b|\sstyle="/, 'no inline style');
  assert.match(html, /<noscript>[\s\S]*href="\/openapi\.json"[\s\S]*<\/noscript>/);
  for (const file of ['/docs/redoc.standalone.js', '/docs/docs.js']) {
    const script = await fetch(`${api.baseUrl}${file}`);
    assert.equal(script.status, 200, file);
    assert.match(script.headers.get('content-type') ?? '', /javascript/, file);
    await script.arrayBuffer();
  }
});

test('Redoc renders every tag and the sign-up operation, under the CSP and from 127.0.0.1 only', async () => {
  const signUp = await operation('sign_up');
  const page = await newPage(browser);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  // Violations as the page sees them (the console message is also caught by newPage).
  await page.addInitScript(() => {
    window.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      window.cspViolations.push(`${e.effectiveDirective}: ${e.blockedURI} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  const res = await page.goto(`${api.baseUrl}/docs`);
  assert.equal(res?.status(), 200);
  // The page runs under a Content-Security-Policy that allows no inline or evaluated script.
  const csp = res?.headers()['content-security-policy'] ?? '';
  const scriptSrc = /(?:^|;)\s*script-src\s([^;]*)/.exec(csp)?.[1];
  assert.ok(scriptSrc, `a script-src in the page policy: ${csp}`);
  assert.doesNotMatch(scriptSrc, /unsafe-inline|unsafe-eval|https?:|\*/, csp);

  // The operation, in the middle panel, once Redoc has loaded and rendered the document.
  assert.equal(`${signUp.method.toUpperCase()} ${signUp.path}`, 'POST /v1/accounts');
  const section = page.locator(`[data-section-id="tag/${signUp.tag}/operation/sign_up"]`);
  await section.locator('h2', { hasText: signUp.summary }).waitFor({ timeout: 30_000 });
  const endpoint = (await section.locator('button', { hasText: signUp.path }).first().textContent()) ?? '';
  assert.equal(endpoint.replace(/\s+/g, '').toLowerCase(), `${signUp.method}${signUp.path}`.toLowerCase());

  // The left menu lists every tag of the document.
  for (const { name } of signUp.doc.tags) {
    assert.equal(await page.locator(`li[role="menuitem"][data-item-id="tag/${name}"]`).count(), 1, `menu tag ${name}`);
  }
  assert.deepEqual(await axeViolations(page), [], 'accessibility of /docs');
  // The download button links to the served document.
  assert.equal(await page.getByRole('link', { name: 'Download' }).first().getAttribute('href'), '/openapi.json');

  // Search runs in Redoc's worker (a blob: worker).
  await page.getByPlaceholder('Search...').fill('sign up');
  await page.locator(`[data-role="search:results"] li[data-item-id="tag/${signUp.tag}/operation/sign_up"]`).waitFor();

  for (const [label, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
    ['small', SMALL],
  ]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(150);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `horizontal overflow at ${size.width} px`);
    // The viewport only: the whole reference is tens of thousands of pixels tall.
    if (label !== 'small') await page.screenshot({ path: join(SHOTS, `docs-${label}.png`) });
  }

  assert.deepEqual(await page.evaluate(() => window.cspViolations), []);
  assert.deepEqual(page.problems, []);
  const base = `${api.baseUrl}/`;
  assert.ok(requests.includes(`${api.baseUrl}/openapi.json`), 'the document is loaded from the API');
  assert.deepEqual(
    requests.filter((url) => !url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')),
    [],
    'requests that left 127.0.0.1',
  );
});
